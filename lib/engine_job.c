/*
 * engine_job.c: one job's own transitions, driven by job runners and
 * clients: start_job, complete_job, manage_status_change and retry.
 *
 * Each runs in two transactions: a short read finds the job's workflow and
 * checks access (engine_job_workflow), then the write takes the workflow
 * lock before it reads the job again.  Every refusal happens before the
 * first write, so a refused request changes nothing.
 *
 * complete_job stores the result, makes it the workflow's current result
 * for the job, sets the status and, in the same transaction, readies the
 * dependents that no longer wait on anything, or cancels them (and their
 * dependents, transitively) when a dependency failed and their
 * cancel_on_blocking_job_failure is set.
 */
#include <string.h>

#include "api_jobs.h"
#include "arena.h"
#include "cgi.h"
#include "engine.h"
#include "json.h"
#include "store.h"

/* The job under the workflow lock, and the workflow's current run_id. */
static int
load(struct request *rq, store_txn *t, int64_t wf, int64_t id, cJSON **job,
    int64_t *run)
{
	cJSON *status;
	int st;

	if ((st = engine_lock(rq, t, wf, &status)) != 0)
		return st;
	if ((*job = store_get_rmw(t, T_JOBS, id)) == NULL)
		return cgi_error(rq, 404, "Job not found with ID: %lld", (long long)id);
	*run = json_int(status, "run_id", 0);
	return 0;
}

static int
run_mismatch(struct request *rq, int64_t given, int64_t cur)
{
	return cgi_error(rq, 422, "run_id %lld does not match the workflow's current run_id %lld",
	    (long long)given, (long long)cur);
}

/* A compute node of workflow wf, or 422 (start_job and complete_job). */
static int
node_in_workflow(struct request *rq, store_txn *t, int64_t node_id, int64_t wf)
{
	cJSON *node = store_get(t, T_COMPUTE_NODES, node_id);
	if (node == NULL || json_int(node, "workflow_id", 0) != wf)
		return cgi_error(rq, 422, "compute node %lld not found in workflow %lld",
		    (long long)node_id, (long long)wf);
	return 0;
}

/* Run fn under the workflow lock of job rq->id[0]. */
static int
run_on_job(struct request *rq, store_work fn, void *arg)
{
	int64_t wf;
	int st;
	if ((st = engine_job_workflow(rq, rq->id[0], &wf)) != 0)
		return st;
	*(int64_t *)arg = wf;	/* every op struct starts with the workflow id */
	return store_run(rq, fn, arg);
}

static int
status_arg(struct request *rq, int i, int *code)
{
	if ((*code = engine_status_code(rq->arg[i])) < 0)
		return cgi_error(rq, 400, "unknown job status '%s'", rq->arg[i]);
	return 0;
}

/* ---- start_job ----------------------------------------------------------- */

struct job_op {
	int64_t		 wf;
	int		 status;
	int64_t		 max_retries;
	cJSON		*result;
};

static int
do_start(struct request *rq, store_txn *t, void *arg)
{
	struct job_op *op = arg;
	int64_t id = rq->id[0], run;
	cJSON *job;
	int st;

	if ((st = load(rq, t, op->wf, id, &job, &run)) != 0)
		return st;
	if (engine_job_status(job) != JS_PENDING)
		return cgi_error(rq, 422, "Job %lld cannot start: its status is %s, not pending",
		    (long long)id, engine_status_name(engine_job_status(job)));
	if (rq->id[1] != run)
		return run_mismatch(rq, rq->id[1], run);
	if ((st = node_in_workflow(rq, t, rq->id[2], op->wf)) != 0)
		return st;
	json_set_int(job, "active_compute_node_id", rq->id[2]);
	engine_set_status(t, op->wf, job, JS_RUNNING, NULL);
	jobs_shape(job, 1);
	rq->out = job;
	return 200;
}

int
engine_start_job(struct request *rq)
{
	struct job_op op = { 0, 0, 0, NULL };
	return run_on_job(rq, do_start, &op);
}

/* ---- complete_job ---------------------------------------------------------- */

/* The result record from the body, with the path's values; 400 on bad input. */
static cJSON *
result_from_body(struct request *rq, int status)
{
	static const char *const ints[] = { "peak_memory_bytes", "avg_memory_bytes", NULL };
	static const char *const nums[] = { "peak_cpu_percent", "avg_cpu_percent", NULL };
	const cJSON *b = rq->json;
	cJSON *r = cJSON_CreateObject();

	if (!cJSON_IsObject(b))
		die_http(400, "request body must be a JSON object (a result)");
	/* Members that repeat the path must agree with it. */
	if (json_has(b, "job_id") && json_int(b, "job_id", 0) != rq->id[0])
		die_http(422, "result job_id %lld does not match job %lld",
		    (long long)json_int(b, "job_id", 0), (long long)rq->id[0]);
	if (json_has(b, "run_id") && json_int(b, "run_id", 0) != rq->id[2])
		die_http(422, "result run_id %lld does not match run_id %lld in the path",
		    (long long)json_int(b, "run_id", 0), (long long)rq->id[2]);
	if (json_has(b, "status") && engine_status_code(json_str(b, "status", "")) != status)
		die_http(422, "result status '%s' does not match '%s' in the path",
		    json_str(b, "status", ""), engine_status_name(status));
	/* Members in the order of the results resource; 0 attempt: the job's. */
	json_set_int(r, "job_id", rq->id[0]);
	json_set_int(r, "workflow_id", 0);
	json_set_int(r, "run_id", rq->id[2]);
	json_set_int(r, "attempt_id", json_int(b, "attempt_id", 0));
	if (json_int(r, "attempt_id", 0) < 0)
		die_http(400, "field 'attempt_id' must be positive");
	json_set_int(r, "compute_node_id", json_req_int(b, "compute_node_id"));
	json_set_int(r, "return_code", json_req_int(b, "return_code"));
	json_set_num(r, "exec_time_minutes", json_req_num(b, "exec_time_minutes"));
	json_set_str(r, "completion_time", json_req_str(b, "completion_time"));
	json_set_str(r, "status", engine_status_name(status));
	for (int i = 0; ints[i]; i++)
		if (json_has(b, ints[i]))
			json_set_int(r, ints[i], json_int(b, ints[i], 0));
	for (int i = 0; nums[i]; i++)
		if (json_has(b, nums[i]))
			json_set_num(r, nums[i], json_num(b, nums[i], 0));
	return r;
}

/* Has job a result for (run, attempt) already?  Results are unique on them. */
static int
has_result(const cJSON *job, int64_t run, int64_t attempt)
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(job, "result_runs"), *e;
	cJSON_ArrayForEach(e, runs) {
		const cJSON *r = cJSON_GetArrayItem(e, 0), *a = cJSON_GetArrayItem(e, 1);
		if (cJSON_IsNumber(r) && cJSON_IsNumber(a) && (int64_t)r->valuedouble == run &&
		    (int64_t)a->valuedouble == attempt)
			return 1;
	}
	return 0;
}

static void
note_result(cJSON *job, int64_t run, int64_t attempt)
{
	cJSON *runs = cJSON_GetObjectItemCaseSensitive(job, "result_runs");
	int64_t pair[2] = { run, attempt };
	if (!cJSON_IsArray(runs)) {
		runs = cJSON_CreateArray();
		json_set(job, "result_runs", runs);
	}
	cJSON_AddItemToArray(runs, json_int_list(pair, 2));
}

static int
do_complete(struct request *rq, store_txn *t, void *arg)
{
	struct job_op *op = arg;
	int64_t id = rq->id[0], wf = op->wf, run;
	struct idvec zero = { NULL, 0, 0 };
	cJSON *job, *res = cJSON_Duplicate(op->result, 1);
	int st;

	if ((st = load(rq, t, wf, id, &job, &run)) != 0)
		return st;
	int now = engine_job_status(job);
	if (engine_status_done(now))
		return cgi_error(rq, 422, "Job %lld is already complete (status %s)",
		    (long long)id, engine_status_name(now));
	if (rq->id[2] != run)
		return run_mismatch(rq, rq->id[2], run);
	if ((st = node_in_workflow(rq, t, json_int(res, "compute_node_id", 0), wf)) != 0)
		return st;
	json_set_int(res, "workflow_id", wf);
	if (json_int(res, "attempt_id", 0) == 0)
		json_set_int(res, "attempt_id", json_int(job, "attempt_id", 1));
	int64_t attempt = json_int(res, "attempt_id", 1);
	if (has_result(job, rq->id[2], attempt))
		return cgi_error(rq, 409, "job %lld already has a result for run %lld, attempt %lld",
		    (long long)id, (long long)rq->id[2], (long long)attempt);
	note_result(job, rq->id[2], attempt);

	int64_t rid = store_insert(t, T_RESULTS, res);
	store_wf_link(t, T_RESULTS, wf, rid);
	struct ikey k;
	unsigned char val[8];
	ikey_make(&k, 2, wf, id);
	for (int i = 0; i < 8; i++)
		val[i] = (unsigned char)((uint64_t)rid >> (56 - 8 * i));
	store_iput(t, T_WFRESULT, &k, val, sizeof(val));
	store_fault("complete-mid");

	cJSON_DeleteItemFromObjectCaseSensitive(job, "active_compute_node_id");
	engine_set_status(t, wf, job, op->status, &zero);
	engine_unblock(t, wf, &zero);
	jobs_shape(job, 1);
	rq->out = job;
	return 200;
}

int
engine_complete_job(struct request *rq)
{
	struct job_op op = { 0, 0, 0, NULL };
	int st;

	if ((st = status_arg(rq, 1, &op.status)) != 0)
		return st;
	if (!engine_status_terminal(op.status))
		return cgi_error(rq, 422, "complete_job needs a terminal status (completed, failed, "
		    "canceled, terminated or pending_failed), not '%s'", rq->arg[1]);
	op.result = result_from_body(rq, op.status);
	return run_on_job(rq, do_complete, &op);
}

/* ---- manage_status_change -------------------------------------------------- */

static int
do_manage(struct request *rq, store_txn *t, void *arg)
{
	struct job_op *op = arg;
	int64_t id = rq->id[0], run;
	cJSON *job;
	int st;

	if ((st = load(rq, t, op->wf, id, &job, &run)) != 0)
		return st;
	int now = engine_job_status(job);
	if (now != op->status) {
		if (rq->id[2] != run)
			return run_mismatch(rq, rq->id[2], run);
		engine_set_status(t, op->wf, job, op->status, NULL);
		if (engine_status_done(now) && op->status == JS_UNINITIALIZED) {
			/* Direct dependents that ran must run again. */
			struct ikey k;
			long n;
			ikey_make(&k, 1, id);
			int64_t *ds = store_scan_ids(t, T_DEPS_REV, &k, 0, &n);
			for (long i = 0; i < n; i++) {
				cJSON *d = store_get_rmw(t, T_JOBS, ds[i]);
				int dst = d ? engine_job_status(d) : -1;
				if (dst == JS_COMPLETED || dst == JS_FAILED)
					engine_set_status(t, op->wf, d, JS_UNINITIALIZED, NULL);
			}
		}
	}
	jobs_shape(job, 1);
	rq->out = job;
	return 200;
}

int
engine_manage_status_change(struct request *rq)
{
	struct job_op op = { 0, 0, 0, NULL };
	int st;

	if ((st = status_arg(rq, 1, &op.status)) != 0)
		return st;
	if (engine_status_done(op.status))
		return cgi_error(rq, 422, "status %s can only be set through complete_job",
		    engine_status_name(op.status));
	return run_on_job(rq, do_manage, &op);
}

/* ---- retry ----------------------------------------------------------------------- */

static int
do_retry(struct request *rq, store_txn *t, void *arg)
{
	struct job_op *op = arg;
	int64_t id = rq->id[0], run;
	cJSON *job;
	int st;

	if ((st = load(rq, t, op->wf, id, &job, &run)) != 0)
		return st;
	if (rq->id[1] != run)
		return run_mismatch(rq, rq->id[1], run);
	int now = engine_job_status(job);
	if (now != JS_RUNNING && now != JS_FAILED && now != JS_TERMINATED)
		return cgi_error(rq, 422, "Job %lld cannot be retried: its status is %s "
		    "(running, failed or terminated needed)", (long long)id, engine_status_name(now));
	int64_t attempt = json_int(job, "attempt_id", 1);
	if (attempt >= op->max_retries)
		return cgi_error(rq, 422, "Job %lld has used %lld of %lld attempts",
		    (long long)id, (long long)attempt, (long long)op->max_retries);
	json_set_int(job, "attempt_id", attempt + 1);
	engine_set_status(t, op->wf, job, JS_READY, NULL);

	cJSON *ev = cJSON_CreateObject();
	json_set_str(ev, "event_type", "job_retried");
	json_set_str(ev, "category", "job");
	json_set_int(ev, "job_id", id);
	json_set_str(ev, "job_name", json_str(job, "name", ""));
	json_set_int(ev, "run_id", rq->id[1]);
	json_set_int(ev, "attempt_id", attempt + 1);
	json_set_str(ev, "previous_status", engine_status_name(now));
	json_set_str(ev, "user", rq->user);
	engine_event(t, op->wf, ev);
	jobs_shape(job, 0);
	rq->out = job;
	return 200;
}

int
engine_retry_job(struct request *rq)
{
	struct job_op op = { 0, 0, 0, NULL };
	if (cgi_param(rq, "max_retries") == NULL)
		return cgi_error(rq, 400, "missing required query parameter 'max_retries'");
	op.max_retries = cgi_param_int(rq, "max_retries", 0, 0, INT64_MAX);
	return run_on_job(rq, do_retry, &op);
}
