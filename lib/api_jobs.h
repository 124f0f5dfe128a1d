/*
 * api_jobs.h: handlers for /jobs and /bulk_jobs (api_jobs.c), and the job
 * record's shape, which the engine and other resources share.
 *
 * A job record in T_JOBS: {id, workflow_id, name, command,
 * invocation_script?, status (string), cancel_on_blocking_job_failure,
 * supports_termination, depends_on_job_ids?, input_file_ids?,
 * output_file_ids?, input_user_data_ids?, output_user_data_ids? (sorted,
 * unique, present only when non-empty), resource_requirements_id,
 * scheduler_id?, failure_handler_id?, attempt_id} plus hidden fields the
 * server keeps for itself (input_hash, active_compute_node_id,
 * unfinished_deps, result_runs: the (run_id, attempt_id) pairs it has
 * results for).  Each job is linked in T_WFIDX and indexed in
 * T_JOBSTATUS and T_DEPS_REV (see engine.h).
 */
#ifndef TORC_API_JOBS_H
#define TORC_API_JOBS_H

#include <cjson/cJSON.h>

#include "model.h"

struct request;

extern const struct resource jobs_resource;

/* The five id-list members of a job, in output order. */
extern const char *const jobs_id_lists[5];

int	jobs_create(struct request *rq);
int	jobs_list(struct request *rq);
int	jobs_get(struct request *rq);
int	jobs_update(struct request *rq);
int	jobs_delete(struct request *rq);
int	jobs_delete_all(struct request *rq);
int	bulk_jobs_create(struct request *rq);

/*
 * Make a stored job record fit for output, in place: hidden fields go,
 * scheduler_id becomes null when unset, and the id lists are dropped
 * unless relationships is set.
 */
void	jobs_shape(cJSON *job, int relationships);

#endif
