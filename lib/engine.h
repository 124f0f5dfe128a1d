/*
 * engine.h: the job engine.  Statuses and their index, the workflow lock,
 * unblocking and the failure cascade (engine.c); initialize_jobs and input
 * hashes (engine_init.c); claims (engine_claim.c); a job's own transitions
 * (engine_job.c); whole-workflow queries and resets (engine_wf.c).
 *
 * Invariants every function here keeps, inside the caller's transaction:
 * - T_JOBSTATUS holds exactly one key (workflow, status code, job) per job,
 *   matching the record's "status" string.
 * - T_DEPS_REV holds (dependency, dependent) for every id in a job's
 *   depends_on_job_ids.
 * - A blocked job's hidden "unfinished_deps" counts its dependencies whose
 *   status is outside the complete set; it is absent on other jobs.
 * Lock order: every engine write transaction first write-locks the
 * workflow's status record (engine_lock), then touches jobs, so writers of
 * one workflow run one after another and never deadlock with each other.
 */
#ifndef TORC_ENGINE_H
#define TORC_ENGINE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

struct request;

/* Job statuses: the integers of the reference's §3.1. */
enum job_status {
	JS_UNINITIALIZED, JS_BLOCKED, JS_READY, JS_PENDING, JS_RUNNING,
	JS_COMPLETED, JS_FAILED, JS_CANCELED, JS_TERMINATED, JS_DISABLED,
	JS_PENDING_FAILED, JS_MAX
};

const char *engine_status_name(int st);		/* "ready"; never NULL */
int	 engine_status_code(const char *name);	/* -1 when unknown */
int	 engine_status_done(int st);		/* complete set: 5..8 */
int	 engine_status_terminal(int st);	/* complete set + pending_failed */
/* Status code of a job record (uninitialized when missing or unknown). */
int	 engine_job_status(const cJSON *job);

/* A growable arena array of ids. */
struct idvec {
	int64_t	*v;
	long	 n, cap;
};
void	 idvec_push(struct idvec *iv, int64_t id);

/* An arena hash map id -> pointer, for caches inside one request. */
struct idmap {
	int64_t	*keys;
	void	**vals;
	long	 cap, n;
};
void	*idmap_get(const struct idmap *m, int64_t id);	/* NULL: absent */
void	 idmap_put(struct idmap *m, int64_t id, void *val);	/* val != NULL */

/* Sort ascending and drop duplicates in place; returns the new count. */
long	 engine_sort_ids(int64_t *v, long n);

/*
 * Check access to wf, then write-lock its status record.  Returns 0 with
 * *status set (may pass NULL), or an HTTP status with the error in rq
 * (404 when the workflow does not exist).
 */
int	 engine_lock(struct request *rq, store_txn *t, int64_t wf, cJSON **status);

/*
 * Find the workflow of a job in a short read-only transaction of its own,
 * checking access to it.  Returns 0 with *wf set, or an HTTP status (404
 * for a missing job) with the error in rq.  Job routes call this first so
 * that their write transaction can take the workflow lock before any job.
 */
int	 engine_job_workflow(struct request *rq, int64_t job, int64_t *wf);

/* Index key of (wf, st, job): add or remove. */
void	 engine_index_put(store_txn *t, int64_t wf, int st, int64_t job);
void	 engine_index_del(store_txn *t, int64_t wf, int st, int64_t job);

/*
 * Move a job to status ns: index, status string, unfinished_deps (counted
 * when ns is blocked, dropped otherwise), then store the record.  When the
 * move crosses the complete-set boundary, each blocked dependent's counter
 * is adjusted; those that reach zero are appended to zero (when not NULL)
 * for engine_unblock().  The caller must hold no other job record it will
 * store later (dependents are re-read and stored here).
 */
void	 engine_set_status(store_txn *t, int64_t wf, cJSON *job, int ns,
	    struct idvec *zero);

/*
 * Decide each blocked job in zero whose dependencies are all complete:
 * canceled when its cancel_on_blocking_job_failure is set and a dependency
 * failed (failed, canceled or terminated with a nonzero or no return code),
 * else ready.  Cancellations cascade.  Returns how many became ready.
 */
long	 engine_unblock(store_txn *t, int64_t wf, struct idvec *zero);

/* Is this dependency a failure for the cascade (see engine_unblock)? */
int	 engine_dep_failed(store_txn *t, int64_t wf, const cJSON *dep);

/* Insert a server event {workflow_id, timestamp (ms), data}; takes data. */
void	 engine_event(store_txn *t, int64_t wf, cJSON *data);

/* Ids of the jobs of wf in status st, ascending (arena; count in *n). */
int64_t	*engine_jobs_in(store_txn *t, int64_t wf, int st, long *n);
/* Is any job of wf in status st? */
int	 engine_any_in(store_txn *t, int64_t wf, int st);

/*
 * Every job downstream of the jobs in *q, once each, breadth first along
 * the dependents index (T_DEPS_REV); q grows as the walk goes.  A nonzero
 * return of visit stops the walk and is returned; else 0.
 */
int	 engine_walk_down(store_txn *t, struct idvec *q,
	    int (*visit)(store_txn *t, int64_t job, void *arg), void *arg);

/* Input hash of a job (hex SHA-256, arena): see engine_init.c. */
char	*engine_input_hash(store_txn *t, const cJSON *job, struct idmap *udcache);

/* ---- job records (engine_record.c) ---- */

/* A job's id list member, sorted and unique (arena; count returned). */
long	 engine_id_list(const cJSON *job, const char *key, int64_t **out);
/* Store an id list member; an empty list removes the member. */
void	 engine_set_id_list(cJSON *job, const char *key, const int64_t *v, long n);

/* Caches for validating many jobs of one workflow in one transaction. */
struct jobctx {
	int64_t		 wf;
	int64_t		 default_rr;		/* 0 not looked up, -1 none */
	struct idmap	 known[T_RECORD_MAX];	/* ids seen inside wf */
};
void	 engine_jobctx_init(struct jobctx *cx, int64_t wf);

/*
 * Check that every id a job names (dependencies, files, user data,
 * resource requirements, failure handler) exists inside cx->wf, normalize
 * its id lists and fill the default resource requirement.  self is the
 * job's own id (0 when creating): a job may not depend on itself.
 * Returns 0, or 404 (missing) / 422 (another workflow, itself) with the
 * error in rq.
 */
int	 engine_job_prepare(struct request *rq, store_txn *t, struct jobctx *cx,
	    cJSON *job, int64_t self);
/* Insert a prepared job as uninitialized with its links and indexes; returns its id. */
int64_t	 engine_job_insert(store_txn *t, cJSON *job);
/* Replace a stored job's dependencies, keeping T_DEPS_REV exact (record not stored). */
void	 engine_job_set_deps(store_txn *t, cJSON *job, const int64_t *deps, long n);
/*
 * Delete a job and everything that points at it: its indexes, its current
 * result link and, when results is set, its result records; dependents
 * lose it from their depends_on_job_ids.
 */
void	 engine_job_remove(store_txn *t, const cJSON *job, int results);

/* Handlers: /workflows/{id}/... */
int	 engine_initialize_jobs(struct request *rq);
int	 engine_process_changed_job_inputs(struct request *rq);
int	 engine_claim_next_jobs(struct request *rq);
int	 engine_claim_jobs_based_on_resources(struct request *rq);
int	 engine_ready_job_requirements(struct request *rq);
int	 engine_is_complete(struct request *rq);
int	 engine_is_uninitialized(struct request *rq);
int	 engine_cancel(struct request *rq);
int	 engine_reset_status(struct request *rq);
int	 engine_reset_job_status(struct request *rq);
int	 engine_required_existing_files(struct request *rq);
int	 engine_missing_user_data(struct request *rq);

/* Handlers: /jobs/{id}/... */
int	 engine_start_job(struct request *rq);
int	 engine_complete_job(struct request *rq);
int	 engine_manage_status_change(struct request *rq);
int	 engine_retry_job(struct request *rq);

#endif
