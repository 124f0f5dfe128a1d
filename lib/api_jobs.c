/*
 * api_jobs.c: /jobs and /bulk_jobs: create, list, get, update, delete.
 *
 * Every write takes the workflow lock first (engine.h), so it never races
 * the engine.  Creates force the status to uninitialized and validate what
 * a job names inside its own workflow (engine_record.c).  Updates follow
 * Torc's rules: once a job has left uninitialized only its resource
 * requirements, scheduler, invocation script and the two flags may
 * change; the status may only change to disabled; file and user-data
 * lists never change here.  A bulk create is one transaction, answered in
 * the order posted.
 */
#include <string.h>

#include "access.h"
#include "api_jobs.h"
#include "arena.h"
#include "bounds.h"
#include "cgi.h"
#include "engine.h"
#include "json.h"
#include "model.h"
#include "store.h"

static const struct field job_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "name", F_STR, F_REQ, NULL },
	{ "command", F_STR, F_REQ, NULL },
	{ "invocation_script", F_STR, 0, NULL },
	{ "status", F_STR, 0, NULL },
	{ "cancel_on_blocking_job_failure", F_BOOL, 0, "true" },
	{ "supports_termination", F_BOOL, 0, "false" },
	{ "depends_on_job_ids", F_INTLIST, 0, NULL },
	{ "input_file_ids", F_INTLIST, 0, NULL },
	{ "output_file_ids", F_INTLIST, 0, NULL },
	{ "input_user_data_ids", F_INTLIST, 0, NULL },
	{ "output_user_data_ids", F_INTLIST, 0, NULL },
	{ "resource_requirements_id", F_INT, 0, NULL },
	{ "scheduler_id", F_INT, F_NULLOUT, NULL },
	{ "failure_handler_id", F_INT, 0, NULL },
	{ "attempt_id", F_INT, 0, "1" },
	{ "schedule_compute_nodes", F_OBJ, 0, NULL },	/* accepted, not stored */
	{ "input_hash", F_STR, F_HIDDEN, NULL },
	{ "active_compute_node_id", F_INT, F_HIDDEN, NULL },
	{ "unfinished_deps", F_INT, F_HIDDEN, NULL },
	{ "result_runs", F_ANY, F_HIDDEN, NULL },	/* [[run_id, attempt_id], ...] */
	{ NULL, 0, 0, NULL }
};

const struct resource jobs_resource = {
	"jobs", "Job", T_JOBS, job_fields, 1,
	NULL, NULL, NULL, "count", NULL, NULL
};

const char *const jobs_id_lists[5] = {
	"depends_on_job_ids", "input_file_ids", "output_file_ids",
	"input_user_data_ids", "output_user_data_ids",
};

static int
is_id_list(const char *name)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(name, jobs_id_lists[i]) == 0)
			return 1;
	return 0;
}

void
jobs_shape(cJSON *job, int relationships)
{
	cJSON *tmp = cJSON_CreateObject(), *it;

	/* Rebuild in declared order: records written elsewhere may append. */
	for (const struct field *f = job_fields; f->name != NULL; f++) {
		it = cJSON_DetachItemFromObjectCaseSensitive(job, f->name);
		if ((f->flags & F_HIDDEN) || (!relationships && is_id_list(f->name)))
			continue;
		if (it == NULL && (f->flags & F_NULLOUT))
			it = cJSON_CreateNull();
		if (it != NULL)
			cJSON_AddItemToObject(tmp, f->name, it);
	}
	while (job->child != NULL) {
		it = cJSON_DetachItemViaPointer(job, job->child);
		cJSON_AddItemToObject(tmp, it->string, it);
	}
	job->child = tmp->child;
	tmp->child = NULL;
}

/* ---- create ------------------------------------------------------------ */

struct create_op {
	cJSON	**jobs;
	long	  n;
	int64_t	  wf;
	int	  bulk;
};

static int
do_create(struct request *rq, store_txn *t, void *arg)
{
	struct create_op *op = arg;
	struct jobctx cx;
	cJSON *out = cJSON_CreateArray();
	int st;

	if ((st = engine_lock(rq, t, op->wf, NULL)) != 0)
		return st;
	engine_jobctx_init(&cx, op->wf);
	for (long i = 0; i < op->n; i++) {
		cJSON *job = cJSON_Duplicate(op->jobs[i], 1);
		if ((st = engine_job_prepare(rq, t, &cx, job, 0)) != 0) {
			if (op->bulk) {
				cJSON *e = cJSON_GetObjectItemCaseSensitive(rq->out, "error");
				cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
				if (cJSON_IsString(m))
					json_set_str(e, "message", arena_printf("jobs[%ld] (%s): %s", i,
					    json_str(job, "name", ""), m->valuestring));
			}
			return st;
		}
		engine_job_insert(t, job);
		if (i == op->n / 2)
			store_fault("bulk-mid");
		jobs_shape(job, 1);
		cJSON_AddItemToArray(out, job);
	}
	if (op->bulk) {
		rq->out = cJSON_CreateObject();
		json_set(rq->out, "jobs", out);
	} else
		rq->out = cJSON_DetachItemFromArray(out, 0);
	return 200;
}

static cJSON *
job_from_body(struct request *rq, const cJSON *body)
{
	cJSON *job = model_from_body(rq, &jobs_resource, body);
	if (json_int(job, "workflow_id", 0) <= 0)
		die_http(400, "field 'workflow_id' must be a positive integer");
	if (json_int(job, "attempt_id", 1) < 1)
		die_http(400, "field 'attempt_id' must be at least 1");
	return job;
}

int
jobs_create(struct request *rq)
{
	cJSON *job = job_from_body(rq, rq->json);
	struct create_op op = { &job, 1, json_int(job, "workflow_id", 0), 0 };
	return store_run(rq, do_create, &op);
}

int
bulk_jobs_create(struct request *rq)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(rq->json, "jobs"), *e;
	struct create_op op = { NULL, 0, 0, 1 };

	if (!cJSON_IsObject(rq->json))
		return cgi_error(rq, 400, "request body must be a JSON object");
	if (list == NULL)
		return cgi_error(rq, 400, "missing required field 'jobs'");
	if (!cJSON_IsArray(list))
		return cgi_error(rq, 400, "field 'jobs' must be an array");
	int n = cJSON_GetArraySize(list);
	if (n > TORC_BULK_MAX_JOBS)
		return cgi_error(rq, 413, "%d jobs in one request exceed the limit of %d",
		    n, TORC_BULK_MAX_JOBS);
	if (n == 0) {
		rq->out = cJSON_CreateObject();
		json_set(rq->out, "jobs", cJSON_CreateArray());
		return 200;
	}
	op.jobs = arena_alloc(sizeof(cJSON *) * (size_t)n);
	cJSON_ArrayForEach(e, list) {
		cJSON *job = job_from_body(rq, e);
		int64_t wf = json_int(job, "workflow_id", 0);
		if (op.n == 0)
			op.wf = wf;
		else if (wf != op.wf)
			return cgi_error(rq, 422, "all jobs of a bulk request must belong to one workflow "
			    "(jobs[0] has %lld, jobs[%ld] has %lld)", (long long)op.wf, op.n, (long long)wf);
		op.jobs[op.n++] = job;
	}
	return store_run(rq, do_create, &op);
}

/* ---- read ------------------------------------------------------------------ */

static int
do_get(struct request *rq, store_txn *t, void *arg)
{
	cJSON *job = store_get(t, T_JOBS, rq->id[0]);
	int st;
	(void)arg;
	if (job == NULL)
		return cgi_error(rq, 404, "Job not found with ID: %lld", (long long)rq->id[0]);
	if ((st = access_record(rq, t, job)) != 0)
		return st;
	jobs_shape(job, 1);
	rq->out = job;
	return 200;
}

int
jobs_get(struct request *rq)
{
	return store_run(rq, do_get, NULL);
}

struct list_op {
	int64_t		 wf;
	struct page	 pg;
	int		 status;	/* -1: any */
	int64_t		 needs_file, upstream, node;	/* 0: no filter */
	int		 rel;
};

static int
has_id(const cJSON *job, const char *key, int64_t id)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(job, key), *e;
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsNumber(e) && (int64_t)e->valuedouble == id)
			return 1;
	return 0;
}

static int
keep(const struct list_op *lo, const cJSON *job)
{
	if (job == NULL || json_int(job, "workflow_id", 0) != lo->wf)
		return 0;
	if (lo->status >= 0 && engine_job_status(job) != lo->status)
		return 0;
	if (lo->needs_file && !has_id(job, "input_file_ids", lo->needs_file))
		return 0;
	if (lo->node && json_int(job, "active_compute_node_id", 0) != lo->node)
		return 0;
	return 1;
}

/*
 * In id order with no per-record filter, the candidates are the page:
 * read only the records shown.
 */
static cJSON *
id_page(struct request *rq, store_txn *t, const struct list_op *lo,
    const int64_t *ids, long n)
{
	cJSON *env = cJSON_CreateObject(), *items = cJSON_CreateArray();
	long count = 0;
	(void)rq;

	for (int64_t i = lo->pg.offset; i < n && count < lo->pg.limit; i++) {
		cJSON *job = store_get(t, T_JOBS, ids[lo->pg.reverse ? n - 1 - i : i]);
		if (job == NULL)
			continue;
		jobs_shape(job, lo->rel);
		cJSON_AddItemToArray(items, job);
		count++;
	}
	json_set(env, "items", items);
	json_set_int(env, "offset", lo->pg.offset);
	json_set_int(env, "max_limit", TORC_LIST_MAX_LIMIT);
	json_set_int(env, "count", count);
	json_set_int(env, "total_count", n);
	json_set_bool(env, "has_more", lo->pg.offset + count < n);
	return env;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct list_op *lo = arg;
	int64_t *ids;
	long n, kept = 0;
	int st;

	if ((st = access_workflow(rq, t, lo->wf)) != 0)
		return st;
	if (lo->status >= 0)
		ids = engine_jobs_in(t, lo->wf, lo->status, &n);
	else if (lo->upstream) {
		struct ikey k;
		ikey_make(&k, 1, lo->upstream);
		ids = store_scan_ids(t, T_DEPS_REV, &k, 0, &n);
	} else
		ids = store_wf_ids(t, T_JOBS, lo->wf, &n);

	int by_id = lo->pg.sort_by == NULL || strcmp(lo->pg.sort_by, "id") == 0;
	if (by_id && !lo->needs_file && !lo->node && (!lo->upstream || lo->status < 0)) {
		/* Upstream ids come from the index of another job: check the workflow. */
		if (lo->upstream) {
			struct ikey k;
			long w = 0;
			for (long i = 0; i < n; i++) {
				ikey_make(&k, 3, (int64_t)T_JOBS, lo->wf, ids[i]);
				if (store_iget(t, T_WFIDX, &k, NULL, 0) >= 0)
					ids[w++] = ids[i];
			}
			n = w;
		}
		rq->out = id_page(rq, t, lo, ids, n);
		return 200;
	}
	cJSON **recs = arena_alloc(sizeof(cJSON *) * (size_t)(n + 1));
	for (long i = 0; i < n; i++) {
		cJSON *job = store_get(t, T_JOBS, ids[i]);
		if (!keep(lo, job))
			continue;
		if (lo->upstream && !has_id(job, "depends_on_job_ids", lo->upstream))
			continue;
		jobs_shape(job, lo->rel);
		recs[kept++] = job;
	}
	rq->out = model_envelope(rq, recs, kept, &lo->pg);
	return 200;
}

static int64_t
param_id(struct request *rq, const char *key)
{
	return cgi_param_int(rq, key, 0, 1, INT64_MAX);
}

int
jobs_list(struct request *rq)
{
	struct list_op lo;
	const char *s;

	memset(&lo, 0, sizeof(lo));
	if (cgi_param(rq, "workflow_id") == NULL)
		return cgi_error(rq, 400, "missing required query parameter 'workflow_id'");
	lo.wf = param_id(rq, "workflow_id");
	model_page_params(rq, &lo.pg);
	lo.status = -1;
	if ((s = cgi_param(rq, "status")) != NULL &&
	    (lo.status = engine_status_code(s)) < 0)
		return cgi_error(rq, 400, "unknown job status '%s'", s);
	lo.needs_file = param_id(rq, "needs_file_id");
	lo.upstream = param_id(rq, "upstream_job_id");
	lo.node = param_id(rq, "active_compute_node_id");
	lo.rel = cgi_param_bool(rq, "include_relationships", 0);
	return store_run(rq, do_list, &lo);
}

/* ---- update ------------------------------------------------------------------ */

/* Are two id lists equal as sets? */
static int
same_list(const cJSON *a, const cJSON *b, const char *key)
{
	int64_t *x, *y;
	long nx = engine_id_list(a, key, &x), ny = engine_id_list(b, key, &y);
	return nx == ny && (nx == 0 || memcmp(x, y, sizeof(int64_t) * (size_t)nx) == 0);
}

static int
same_value(const cJSON *a, const cJSON *b, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, key);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, key);
	if (x == NULL || cJSON_IsNull(x))
		return y == NULL || cJSON_IsNull(y);
	return y != NULL && cJSON_Compare(x, y, 1);
}

/* Fields that may change after a job has left uninitialized. */
static int
always_mutable(const char *name)
{
	static const char *const ok[] = {
		"resource_requirements_id", "scheduler_id", "invocation_script",
		"cancel_on_blocking_job_failure", "supports_termination", NULL,
	};
	for (int i = 0; ok[i]; i++)
		if (strcmp(ok[i], name) == 0)
			return 1;
	return 0;
}

/* Check Torc's update rules between the stored job and the merged one. */
static int
update_allowed(struct request *rq, const cJSON *old, const cJSON *job, int64_t id)
{
	int st = engine_job_status(old);

	for (const struct field *f = job_fields; f->name != NULL; f++) {
		if (f->flags & (F_RO | F_HIDDEN))
			continue;
		int same = is_id_list(f->name) ? same_list(old, job, f->name) :
		    same_value(old, job, f->name);
		if (same || always_mutable(f->name))
			continue;
		if (st != JS_UNINITIALIZED)
			return cgi_error(rq, 422, "Cannot update %s of job %lld: only an uninitialized job "
			    "may change it (status is %s); reset the job to uninitialized first",
			    f->name, (long long)id, engine_status_name(st));
		if (strcmp(f->name, "status") == 0 &&
		    engine_status_code(json_str(job, "status", "")) != JS_DISABLED)
			return cgi_error(rq, 422, "Cannot update job status - this field is immutable "
			    "through this route (except to Disabled); use manage_status_change");
		if (is_id_list(f->name) && strcmp(f->name, "depends_on_job_ids") != 0)
			return cgi_error(rq, 422, "Cannot update %s of job %lld - this field is immutable",
			    f->name, (long long)id);
	}
	return 0;
}

static int
do_update(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0], wf = *(int64_t *)arg, *deps;
	struct jobctx cx;
	cJSON *old, *job;
	int st;

	if ((st = engine_lock(rq, t, wf, NULL)) != 0)
		return st;
	if ((old = store_get_rmw(t, T_JOBS, id)) == NULL)
		return cgi_error(rq, 404, "Job not found with ID: %lld", (long long)id);
	job = cJSON_Duplicate(old, 1);
	model_merge(rq, &jobs_resource, job, rq->json);
	/* Server-kept fields never change here. */
	json_set_int(job, "workflow_id", wf);
	json_set(job, "attempt_id", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(old, "attempt_id"), 1));
	cJSON_DeleteItemFromObjectCaseSensitive(job, "schedule_compute_nodes");
	const char *s = json_str(job, "status", "uninitialized");
	int ns = engine_status_code(s);
	if (ns < 0)
		return cgi_error(rq, 400, "unknown job status '%s'", s);
	if ((st = update_allowed(rq, old, job, id)) != 0)
		return st;

	engine_jobctx_init(&cx, wf);
	if ((st = engine_job_prepare(rq, t, &cx, job, id)) != 0)
		return st;
	long n = engine_id_list(job, "depends_on_job_ids", &deps);
	/* engine_job_set_deps diffs against the stored list. */
	json_set(job, "status", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(old, "status"), 1));
	engine_set_id_list(job, "depends_on_job_ids", NULL, 0);
	cJSON *dl = cJSON_GetObjectItemCaseSensitive(old, "depends_on_job_ids");
	if (dl != NULL)
		json_set(job, "depends_on_job_ids", cJSON_Duplicate(dl, 1));
	engine_job_set_deps(t, job, deps, n);
	engine_set_status(t, wf, job, ns, NULL);
	jobs_shape(job, 1);
	rq->out = job;
	return 200;
}

int
jobs_update(struct request *rq)
{
	int64_t wf;
	int st;
	if (!cJSON_IsObject(rq->json))
		return cgi_error(rq, 400, "request body must be a JSON object");
	if ((st = engine_job_workflow(rq, rq->id[0], &wf)) != 0)
		return st;
	return store_run(rq, do_update, &wf);
}

/* ---- delete ------------------------------------------------------------------ */

static int
do_delete(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0], wf = *(int64_t *)arg;
	cJSON *job;
	int st;

	if ((st = engine_lock(rq, t, wf, NULL)) != 0)
		return st;
	if ((job = store_get_rmw(t, T_JOBS, id)) == NULL)
		return cgi_error(rq, 404, "Job not found with ID: %lld", (long long)id);
	engine_job_remove(t, job, 1);
	jobs_shape(job, 1);
	rq->out = job;
	return 200;
}

int
jobs_delete(struct request *rq)
{
	int64_t wf;
	int st;
	if ((st = engine_job_workflow(rq, rq->id[0], &wf)) != 0)
		return st;
	return store_run(rq, do_delete, &wf);
}

static int
do_delete_all(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = *(int64_t *)arg;
	struct ikey k;
	long n = 0, nr;
	int st;

	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if (store_get_rmw(t, T_WFSTATUS, wf) != NULL) {
		int64_t *ids = store_wf_ids(t, T_JOBS, wf, &n);
		for (long i = 0; i < n; i++) {
			store_del(t, T_JOBS, ids[i]);
			ikey_make(&k, 1, ids[i]);
			store_idel_prefix(t, T_DEPS_REV, &k);
		}
		ikey_make(&k, 2, (int64_t)T_JOBS, wf);
		store_idel_prefix(t, T_WFIDX, &k);
		ikey_make(&k, 1, wf);
		store_idel_prefix(t, T_JOBSTATUS, &k);
		store_idel_prefix(t, T_WFRESULT, &k);
		/* Results belong to jobs: they go with them. */
		ids = store_wf_ids(t, T_RESULTS, wf, &nr);
		for (long i = 0; i < nr; i++)
			store_del(t, T_RESULTS, ids[i]);
		ikey_make(&k, 2, (int64_t)T_RESULTS, wf);
		store_idel_prefix(t, T_WFIDX, &k);
	}
	rq->out = cJSON_CreateObject();
	json_set_int(rq->out, "count", n);
	return 200;
}

int
jobs_delete_all(struct request *rq)
{
	int64_t wf;
	if (cgi_param(rq, "workflow_id") == NULL)
		return cgi_error(rq, 400, "missing required query parameter 'workflow_id'");
	wf = param_id(rq, "workflow_id");
	return store_run(rq, do_delete_all, &wf);
}
