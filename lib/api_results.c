/*
 * api_results.c: results of job runs.
 *
 * A result names its job and compute node, both of which must exist in
 * the result's workflow (404 otherwise, where Torc fails a foreign key
 * with 500), and (job_id, run_id, attempt_id) is unique (409; Torc 500).
 * The "current result" of each job is the T_WFRESULT index
 * (workflow, job) -> result id, written by complete_job; this file only
 * reads it, to list current results unless all_runs=true, and removes an
 * entry whose result is deleted or moved to another job.
 */
#include <stdint.h>
#include <string.h>

#include "api_results.h"
#include "api_views.h"
#include "arena.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

static const char *const job_statuses[] = {
	"uninitialized", "blocked", "ready", "pending", "running", "completed",
	"failed", "canceled", "terminated", "disabled", "pending_failed",
};

static int
status_ok(const char *s)
{
	for (size_t i = 0; i < sizeof(job_statuses) / sizeof(job_statuses[0]); i++)
		if (strcmp(s, job_statuses[i]) == 0)
			return 1;
	return 0;
}

static const struct field result_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "job_id", F_INT, F_REQ, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "run_id", F_INT, F_REQ, NULL },
	{ "attempt_id", F_INT, 0, "1" },
	{ "compute_node_id", F_INT, F_REQ, NULL },
	{ "return_code", F_INT, F_REQ, NULL },
	{ "exec_time_minutes", F_NUM, F_REQ, NULL },
	{ "completion_time", F_STR, F_REQ, NULL },
	{ "status", F_STR, F_REQ, NULL },
	{ "peak_memory_bytes", F_INT, 0, NULL },
	{ "avg_memory_bytes", F_INT, 0, NULL },
	{ "peak_cpu_percent", F_NUM, 0, NULL },
	{ "avg_cpu_percent", F_NUM, 0, NULL },
	{ NULL, 0, 0, NULL }
};

/* The current result id of (wf, job), 0 when there is none. */
static int64_t
current_result(store_txn *t, int64_t wf, int64_t job)
{
	struct ikey k;
	unsigned char buf[8];
	ikey_make(&k, 2, wf, job);
	return store_iget(t, T_WFRESULT, &k, buf, sizeof(buf)) == 8 ? ikey_part(buf, 0) : 0;
}

/* Drop the current-result entry of (wf, job) when it points at id. */
static void
forget_current(store_txn *t, int64_t wf, int64_t job, int64_t id)
{
	struct ikey k;
	if (current_result(t, wf, job) != id)
		return;
	ikey_make(&k, 2, wf, job);
	store_idel(t, T_WFRESULT, &k);
}

/* Validate references and uniqueness of rec (whose id is self, 0 when new). */
static int
check(struct request *rq, store_txn *t, const cJSON *rec, int64_t self)
{
	int64_t wf = json_int(rec, "workflow_id", 0);
	int64_t job = json_int(rec, "job_id", 0), cn = json_int(rec, "compute_node_id", 0);
	int64_t run = json_int(rec, "run_id", 0), att = json_int(rec, "attempt_id", 1);
	const char *status = json_str(rec, "status", "");
	cJSON *node;
	long n;

	if (!status_ok(status))
		return cgi_error(rq, 400, "field 'status' must be a job status "
		    "(uninitialized, blocked, ready, pending, running, completed, failed, "
		    "canceled, terminated, disabled or pending_failed), not '%s'", status);
	if (views_job_in(t, wf, job, 0) == NULL)
		return cgi_error(rq, 404, "job_id: job %lld not found in workflow %lld",
		    (long long)job, (long long)wf);
	node = cn > 0 ? store_get(t, T_COMPUTE_NODES, cn) : NULL;
	if (node == NULL || json_int(node, "workflow_id", 0) != wf)
		return cgi_error(rq, 404, "compute_node_id: compute node %lld not found in workflow %lld",
		    (long long)cn, (long long)wf);
	int64_t *ids = store_wf_ids(t, T_RESULTS, wf, &n);
	for (long i = 0; i < n; i++) {
		if (ids[i] == self)
			continue;
		cJSON *other = store_get(t, T_RESULTS, ids[i]);
		if (other != NULL && json_int(other, "job_id", 0) == job &&
		    json_int(other, "run_id", 0) == run && json_int(other, "attempt_id", 1) == att)
			return cgi_error(rq, 409, "a result for job %lld, run %lld, attempt %lld "
			    "already exists (ID %lld)", (long long)job, (long long)run,
			    (long long)att, (long long)ids[i]);
	}
	return 0;
}

static int
before_create(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	(void)old;
	return check(rq, t, rec, 0);
}

static int
before_update(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	int64_t id = json_int(old, "id", 0), wf = json_int(old, "workflow_id", 0);
	int64_t was = json_int(old, "job_id", 0);
	int st;

	if ((st = check(rq, t, rec, id)) != 0)
		return st;
	if (json_int(rec, "job_id", 0) != was)
		forget_current(t, wf, was, id);
	return 0;
}

static int
after_delete(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	(void)rq; (void)old;
	forget_current(t, json_int(rec, "workflow_id", 0), json_int(rec, "job_id", 0),
	    json_int(rec, "id", 0));
	return 0;
}

const struct resource results_resource = {
	"results", "Result", T_RESULTS, result_fields, 1,
	before_create, before_update, after_delete, "count", NULL,
	"job_id,run_id,return_code,status,compute_node_id,all_runs"
};

int
results_create(struct request *rq)
{
	return model_create(rq, &results_resource);
}

int
results_get(struct request *rq)
{
	return model_get(rq, &results_resource, rq->id[0]);
}

int
results_update(struct request *rq)
{
	return model_update(rq, &results_resource, rq->id[0]);
}

int
results_delete(struct request *rq)
{
	return model_delete(rq, &results_resource, rq->id[0]);
}

int
results_delete_all(struct request *rq)
{
	return model_delete_all(rq, &results_resource);
}

struct res_list {
	int64_t		 wf;
	struct page	 pg;
	int		 all_runs;
	store_txn	*t;
};

static int
keep(struct request *rq, const cJSON *rec, void *arg)
{
	struct res_list *rl = arg;

	if (!model_match_int(rq, rec, "job_id") || !model_match_int(rq, rec, "run_id") ||
	    !model_match_int(rq, rec, "return_code") ||
	    !model_match_int(rq, rec, "compute_node_id") || !model_match_str(rq, rec, "status"))
		return 0;
	if (!rl->all_runs &&
	    current_result(rl->t, rl->wf, json_int(rec, "job_id", 0)) != json_int(rec, "id", 0))
		return 0;
	return 1;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct res_list *rl = arg;
	rl->t = t;
	return views_list(rq, t, &results_resource, rl->wf, &rl->pg, keep, rl);
}

int
results_list(struct request *rq)
{
	static const char *ints[] = { "job_id", "run_id", "return_code", "compute_node_id" };
	struct res_list rl = { 0 };
	const char *st;

	rl.wf = views_required_wf(rq);
	model_page_params(rq, &rl.pg);
	rl.all_runs = cgi_param_bool(rq, "all_runs", 0);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		(void)cgi_param_int(rq, ints[i], 0, INT64_MIN, INT64_MAX);	/* 400 early */
	if ((st = cgi_param(rq, "status")) != NULL && !status_ok(st))
		return cgi_error(rq, 400, "query parameter 'status' must be a job status, not '%s'", st);
	return store_run(rq, do_list, &rl);
}
