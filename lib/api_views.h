/*
 * api_views.h: the read-only relationship views of a workflow
 * (/workflows/:id/job_dependencies, job_file_relationships,
 * job_user_data_relationships) and the helpers the per-resource lists
 * share: a workflow's jobs, membership in a job's id arrays, and a list
 * loop with a filter that carries state.
 *
 * Handlers take the request, return an HTTP status and leave the JSON
 * answer in rq->out.  Everything returned is arena memory.
 */
#ifndef TORC_API_VIEWS_H
#define TORC_API_VIEWS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "model.h"
#include "store.h"

struct request;

int	views_job_dependencies(struct request *rq);
int	views_job_file_relationships(struct request *rq);
int	views_job_user_data_relationships(struct request *rq);

/* The workflow_id query parameter: required, a positive integer (else 400). */
int64_t	views_required_wf(struct request *rq);

/* Every job record of workflow wf, ascending by id; count in *n. */
cJSON	**views_jobs(store_txn *t, int64_t wf, long *n);

/* 1 when the int array member key of rec holds id. */
int	views_has_id(const cJSON *rec, const char *key, int64_t id);

/*
 * The union of the int arrays key over jobs, sorted ascending without
 * duplicates; count in *n.  views_sorted_has() searches such a set.
 */
int64_t	*views_ids_union(cJSON **jobs, long nj, const char *key, long *n);
int	views_sorted_has(const int64_t *set, long n, int64_t id);

/*
 * A job of workflow wf by id, or NULL when it is missing or belongs to
 * another workflow.  rmw write-locks it (for a following store_put).
 */
cJSON	*views_job_in(store_txn *t, int64_t wf, int64_t id, int rmw);

/*
 * Shared list loop: checks access to wf, reads the workflow's records of
 * res, keeps those keep(rq, rec, arg) accepts (all when keep is NULL),
 * shapes them and leaves the paginated envelope in rq->out.  Returns the
 * HTTP status.
 */
typedef int (*views_keep)(struct request *rq, const cJSON *rec, void *arg);
int	views_list(struct request *rq, store_txn *t, const struct resource *res,
	    int64_t wf, const struct page *pg, views_keep keep, void *arg);

#endif
