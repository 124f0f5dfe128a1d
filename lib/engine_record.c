/*
 * engine_record.c: job records as stored, with everything that must change
 * with them.  Creating a job validates what it names (all inside its own
 * workflow: a bad id is a 404 or 422, never a failure deep in the store),
 * normalizes its id lists, and writes the record with its workflow link,
 * its status index key and its reverse dependency keys.  Removing a job
 * undoes all of that and takes it out of its dependents' lists.
 */
#include <string.h>

#include "api_jobs.h"
#include "arena.h"
#include "cgi.h"
#include "engine.h"
#include "json.h"
#include "store.h"

long
engine_id_list(const cJSON *job, const char *key, int64_t **out)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(job, key), *e;
	long n = 0;

	*out = NULL;
	if (!cJSON_IsArray(a))
		return 0;
	*out = arena_alloc(sizeof(int64_t) * (size_t)(cJSON_GetArraySize(a) + 1));
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsNumber(e))
			(*out)[n++] = (int64_t)e->valuedouble;
	return engine_sort_ids(*out, n);
}

void
engine_set_id_list(cJSON *job, const char *key, const int64_t *v, long n)
{
	if (n == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(job, key);
	else
		json_set(job, key, json_int_list(v, (int)n));
}

void
engine_jobctx_init(struct jobctx *cx, int64_t wf)
{
	memset(cx, 0, sizeof(*cx));
	cx->wf = wf;
}

static const char *
title_of(enum table tb)
{
	switch (tb) {
	case T_JOBS: return "Job";
	case T_FILES: return "File";
	case T_USER_DATA: return "User data";
	case T_RR: return "Resource requirements";
	case T_FAILURE_HANDLERS: return "Failure handler";
	default: return "Record";
	}
}

/* Does record id of table tb exist inside cx->wf?  0 yes, else status. */
static int
check_ref(struct request *rq, store_txn *t, struct jobctx *cx, enum table tb,
    int64_t id, const char *field)
{
	static int yes = 1;
	cJSON *rec;

	if (idmap_get(&cx->known[tb], id) != NULL)
		return 0;
	if ((rec = store_get(t, tb, id)) == NULL)
		return cgi_error(rq, 404, "%s not found with ID: %lld (in %s)",
		    title_of(tb), (long long)id, field);
	int64_t owner = json_int(rec, "workflow_id", 0);
	if (owner != cx->wf)
		return cgi_error(rq, 422, "%s %lld named in %s belongs to workflow %lld, not %lld",
		    title_of(tb), (long long)id, field, (long long)owner, (long long)cx->wf);
	idmap_put(&cx->known[tb], id, &yes);
	return 0;
}

static int64_t
default_rr(store_txn *t, struct jobctx *cx)
{
	long n;
	if (cx->default_rr != 0)
		return cx->default_rr;
	cx->default_rr = -1;
	int64_t *ids = store_wf_ids(t, T_RR, cx->wf, &n);
	for (long i = 0; i < n; i++) {
		cJSON *rr = store_get(t, T_RR, ids[i]);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(rr, "name");
		if (cJSON_IsString(name) && strcmp(name->valuestring, "default") == 0) {
			cx->default_rr = ids[i];
			break;
		}
	}
	return cx->default_rr;
}

/*
 * Would job self depending on any of deps close a cycle?  It does when one
 * of them is downstream of self (explicit dependencies and the implicit
 * ones initialize materialized).  One walk, whatever the number of deps:
 * returns the first dependency met, or 0.
 */
struct cycle_walk {
	struct idmap	 want;
	int64_t		 met;
};

static int
meets_dep(store_txn *t, int64_t job, void *arg)
{
	struct cycle_walk *w = arg;
	(void)t;
	if (idmap_get(&w->want, job) == NULL)
		return 0;
	w->met = job;
	return 1;
}

static int64_t
closes_cycle(store_txn *t, int64_t self, const int64_t *deps, long n)
{
	static int mark;
	struct cycle_walk w = { { NULL, NULL, 0, 0 }, 0 };
	struct idvec q = { NULL, 0, 0 };

	if (self == 0 || n == 0)
		return 0;
	for (long i = 0; i < n; i++)
		idmap_put(&w.want, deps[i], &mark);
	idvec_push(&q, self);
	engine_walk_down(t, &q, meets_dep, &w);
	return w.met;
}

static const enum table list_table[5] = {
	T_JOBS, T_FILES, T_FILES, T_USER_DATA, T_USER_DATA,
};

int
engine_job_prepare(struct request *rq, store_txn *t, struct jobctx *cx,
    cJSON *job, int64_t self)
{
	int st;

	for (int l = 0; l < 5; l++) {
		int64_t *v;
		long n = engine_id_list(job, jobs_id_lists[l], &v);
		for (long i = 0; i < n; i++) {
			if (l == 0 && v[i] == self)
				return cgi_error(rq, 422, "job %lld cannot depend on itself",
				    (long long)self);
			if ((st = check_ref(rq, t, cx, list_table[l], v[i], jobs_id_lists[l])) != 0)
				return st;
		}
		int64_t met;
		if (l == 0 && (met = closes_cycle(t, self, v, n)) != 0)
			return cgi_error(rq, 422, "job %lld cannot depend on job %lld, "
			    "which depends on it already (a dependency cycle)",
			    (long long)self, (long long)met);
		engine_set_id_list(job, jobs_id_lists[l], v, n);
	}
	if (json_has(job, "resource_requirements_id")) {
		if ((st = check_ref(rq, t, cx, T_RR, json_int(job, "resource_requirements_id", 0),
		    "resource_requirements_id")) != 0)
			return st;
	} else if (default_rr(t, cx) > 0)
		json_set_int(job, "resource_requirements_id", cx->default_rr);
	if (json_has(job, "failure_handler_id") &&
	    (st = check_ref(rq, t, cx, T_FAILURE_HANDLERS,
	    json_int(job, "failure_handler_id", 0), "failure_handler_id")) != 0)
		return st;
	return 0;
}

static void
deps_rev(store_txn *t, int64_t dep, int64_t job, int add)
{
	struct ikey k;
	ikey_make(&k, 2, dep, job);
	if (add)
		store_iput(t, T_DEPS_REV, &k, NULL, 0);
	else
		store_idel(t, T_DEPS_REV, &k);
}

int64_t
engine_job_insert(store_txn *t, cJSON *job)
{
	int64_t wf = json_int(job, "workflow_id", 0), *deps;

	json_set_str(job, "status", engine_status_name(JS_UNINITIALIZED));
	cJSON_DeleteItemFromObjectCaseSensitive(job, "schedule_compute_nodes");
	int64_t id = store_insert(t, T_JOBS, job);
	store_wf_link(t, T_JOBS, wf, id);
	engine_index_put(t, wf, JS_UNINITIALIZED, id);
	long n = engine_id_list(job, "depends_on_job_ids", &deps);
	for (long i = 0; i < n; i++)
		deps_rev(t, deps[i], id, 1);
	return id;
}

void
engine_job_set_deps(store_txn *t, cJSON *job, const int64_t *deps, long n)
{
	int64_t id = json_int(job, "id", 0), *old;
	long no = engine_id_list(job, "depends_on_job_ids", &old), i = 0, j = 0;

	/* Both lists are sorted: walk them together. */
	while (i < no || j < n) {
		if (j >= n || (i < no && old[i] < deps[j]))
			deps_rev(t, old[i++], id, 0);
		else if (i >= no || deps[j] < old[i])
			deps_rev(t, deps[j++], id, 1);
		else {
			i++;
			j++;
		}
	}
	engine_set_id_list(job, "depends_on_job_ids", deps, n);
}

/* Take job id out of a dependent's list (and its counter when it waits). */
static void
drop_from_dependent(store_txn *t, int64_t dependent, int64_t id, int id_done)
{
	cJSON *d = store_get_rmw(t, T_JOBS, dependent);
	int64_t *v;
	long n, w = 0;

	if (d == NULL)
		return;
	n = engine_id_list(d, "depends_on_job_ids", &v);
	for (long i = 0; i < n; i++)
		if (v[i] != id)
			v[w++] = v[i];
	engine_set_id_list(d, "depends_on_job_ids", v, w);
	if (engine_job_status(d) == JS_BLOCKED && !id_done) {
		int64_t left = json_int(d, "unfinished_deps", 1) - 1;
		json_set_int(d, "unfinished_deps", left < 0 ? 0 : left);
	}
	store_put(t, T_JOBS, dependent, d);
}

void
engine_job_remove(store_txn *t, const cJSON *job, int results)
{
	int64_t id = json_int(job, "id", 0), wf = json_int(job, "workflow_id", 0), *v;
	int st = engine_job_status(job);
	struct ikey k;
	long n;

	store_del(t, T_JOBS, id);
	store_wf_unlink(t, T_JOBS, wf, id);
	engine_index_del(t, wf, st, id);
	n = engine_id_list(job, "depends_on_job_ids", &v);
	for (long i = 0; i < n; i++)
		deps_rev(t, v[i], id, 0);
	ikey_make(&k, 1, id);
	v = store_scan_ids(t, T_DEPS_REV, &k, 0, &n);
	for (long i = 0; i < n; i++)
		drop_from_dependent(t, v[i], id, engine_status_done(st));
	store_idel_prefix(t, T_DEPS_REV, &k);
	ikey_make(&k, 2, wf, id);
	store_idel(t, T_WFRESULT, &k);
	if (!results)
		return;
	v = store_wf_ids(t, T_RESULTS, wf, &n);
	for (long i = 0; i < n; i++) {
		cJSON *r = store_get(t, T_RESULTS, v[i]);
		if (r != NULL && json_int(r, "job_id", 0) == id) {
			store_del(t, T_RESULTS, v[i]);
			store_wf_unlink(t, T_RESULTS, wf, v[i]);
		}
	}
}
