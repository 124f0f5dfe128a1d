/*
 * engine.c: what every part of the job engine shares.  The status table,
 * the status index (T_JOBSTATUS), the workflow lock taken first by every
 * engine write, status moves that keep blocked dependents' counters exact,
 * the unblocking step with its failure cascade, server events, and two
 * small arena containers (id vectors and id maps).
 *
 * Unblocking is synchronous: the transaction that completes a job also
 * readies (or cancels) every dependent it unblocked, so when complete_job
 * answers, the ready queue is already up to date.  Each blocked job keeps a
 * count of its unfinished dependencies, so completing one dependency of a
 * job that waits on thousands costs one record update, not a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "arena.h"
#include "cgi.h"
#include "engine.h"
#include "json.h"
#include "store.h"

static const char *const status_names[JS_MAX] = {
	"uninitialized", "blocked", "ready", "pending", "running", "completed",
	"failed", "canceled", "terminated", "disabled", "pending_failed",
};

const char *
engine_status_name(int st)
{
	return st >= 0 && st < JS_MAX ? status_names[st] : "uninitialized";
}

int
engine_status_code(const char *name)
{
	for (int i = 0; name != NULL && i < JS_MAX; i++)
		if (strcmp(status_names[i], name) == 0)
			return i;
	return -1;
}

int
engine_status_done(int st)
{
	return st >= JS_COMPLETED && st <= JS_TERMINATED;
}

int
engine_status_terminal(int st)
{
	return engine_status_done(st) || st == JS_PENDING_FAILED;
}

int
engine_job_status(const cJSON *job)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(job, "status");
	int st = cJSON_IsString(v) ? engine_status_code(v->valuestring) : -1;
	return st < 0 ? JS_UNINITIALIZED : st;
}

/* ---- containers ---------------------------------------------------------- */

void
idvec_push(struct idvec *iv, int64_t id)
{
	if (iv->n == iv->cap) {
		long nc = iv->cap ? iv->cap * 2 : 16;
		iv->v = arena_realloc(iv->v, sizeof(int64_t) * (size_t)iv->cap,
		    sizeof(int64_t) * (size_t)nc);
		iv->cap = nc;
	}
	iv->v[iv->n++] = id;
}

static size_t
slot_of(int64_t id, long cap)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h >> 17) & (size_t)(cap - 1);
}

void *
idmap_get(const struct idmap *m, int64_t id)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = slot_of(id, m->cap); m->vals[i] != NULL; i = (i + 1) & (size_t)(m->cap - 1))
		if (m->keys[i] == id)
			return m->vals[i];
	return NULL;
}

static void
idmap_grow(struct idmap *m)
{
	struct idmap g;
	g.cap = m->cap ? m->cap * 2 : 64;
	g.n = 0;
	g.keys = arena_alloc(sizeof(int64_t) * (size_t)g.cap);
	g.vals = arena_alloc(sizeof(void *) * (size_t)g.cap);
	for (long i = 0; i < m->cap; i++)
		if (m->vals[i] != NULL)
			idmap_put(&g, m->keys[i], m->vals[i]);
	*m = g;
}

void
idmap_put(struct idmap *m, int64_t id, void *val)
{
	if ((m->n + 1) * 2 > m->cap)
		idmap_grow(m);
	size_t i = slot_of(id, m->cap);
	for (; m->vals[i] != NULL; i = (i + 1) & (size_t)(m->cap - 1))
		if (m->keys[i] == id) {
			m->vals[i] = val;
			return;
		}
	m->keys[i] = id;
	m->vals[i] = val;
	m->n++;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

long
engine_sort_ids(int64_t *v, long n)
{
	long w = 0;
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), cmp_id);
	for (long i = 0; i < n; i++)
		if (w == 0 || v[w - 1] != v[i])
			v[w++] = v[i];
	return w;
}

/* ---- locking ---------------------------------------------------------------- */

int
engine_lock(struct request *rq, store_txn *t, int64_t wf, cJSON **status)
{
	int st;
	cJSON *s;

	/* Access reads T_WORKFLOWS: do it before the status lock (lock order). */
	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if ((s = store_get_rmw(t, T_WFSTATUS, wf)) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	if (status != NULL)
		*status = s;
	return 0;
}

struct job_wf {
	int64_t	 job, wf;
};

/*
 * The lookup only reads: it ends with this pseudo-status so store_run
 * aborts the transaction instead of committing it (no log write, and the
 * commit fault points stay with the write transaction that follows).
 */
#define LOOKUP_DONE	100

static int
do_job_workflow(struct request *rq, store_txn *t, void *arg)
{
	struct job_wf *jw = arg;
	cJSON *job = store_get(t, T_JOBS, jw->job);
	int st;

	if (job == NULL)
		return cgi_error(rq, 404, "Job not found with ID: %lld", (long long)jw->job);
	if ((st = access_record(rq, t, job)) != 0)
		return st;
	jw->wf = json_int(job, "workflow_id", 0);
	return LOOKUP_DONE;
}

int
engine_job_workflow(struct request *rq, int64_t job, int64_t *wf)
{
	struct job_wf jw = { job, 0 };
	int st = store_run(rq, do_job_workflow, &jw);
	if (st != LOOKUP_DONE)
		return st;
	rq->out = NULL;
	*wf = jw.wf;
	return 0;
}

/* ---- the status index ------------------------------------------------------ */

void
engine_index_put(store_txn *t, int64_t wf, int st, int64_t job)
{
	struct ikey k;
	ikey_make(&k, 3, wf, (int64_t)st, job);
	store_iput(t, T_JOBSTATUS, &k, NULL, 0);
}

void
engine_index_del(store_txn *t, int64_t wf, int st, int64_t job)
{
	struct ikey k;
	ikey_make(&k, 3, wf, (int64_t)st, job);
	store_idel(t, T_JOBSTATUS, &k);
}

int64_t *
engine_jobs_in(store_txn *t, int64_t wf, int st, long *n)
{
	struct ikey k;
	ikey_make(&k, 2, wf, (int64_t)st);
	return store_scan_ids(t, T_JOBSTATUS, &k, 0, n);
}

int
engine_any_in(store_txn *t, int64_t wf, int st)
{
	struct ikey k;
	long n;
	ikey_make(&k, 2, wf, (int64_t)st);
	store_scan_ids(t, T_JOBSTATUS, &k, 1, &n);
	return n > 0;
}

int
engine_walk_down(store_txn *t, struct idvec *q,
    int (*visit)(store_txn *t, int64_t job, void *arg), void *arg)
{
	static int mark;
	struct idmap seen = { NULL, NULL, 0, 0 };

	for (long h = 0; h < q->n; h++) {
		struct ikey k;
		long n;
		ikey_make(&k, 1, q->v[h]);
		int64_t *down = store_scan_ids(t, T_DEPS_REV, &k, 0, &n);
		for (long i = 0; i < n; i++) {
			if (idmap_get(&seen, down[i]) != NULL)
				continue;
			idmap_put(&seen, down[i], &mark);
			int r = visit(t, down[i], arg);
			if (r != 0)
				return r;
			idvec_push(q, down[i]);
		}
	}
	return 0;
}

/* Dependencies of job outside the complete set, read from their records. */
static long
count_unfinished(store_txn *t, const cJSON *job)
{
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(job, "depends_on_job_ids"), *e;
	long n = 0;
	cJSON_ArrayForEach(e, deps) {
		cJSON *d = store_get(t, T_JOBS, (int64_t)e->valuedouble);
		if (d != NULL && !engine_status_done(engine_job_status(d)))
			n++;
	}
	return n;
}

static int64_t *
dependents_of(store_txn *t, int64_t job, long *n)
{
	struct ikey k;
	ikey_make(&k, 1, job);
	return store_scan_ids(t, T_DEPS_REV, &k, 0, n);
}

void
engine_set_status(store_txn *t, int64_t wf, cJSON *job, int ns, struct idvec *zero)
{
	int64_t id = json_int(job, "id", 0);
	int old = engine_job_status(job);

	if (ns == JS_BLOCKED)
		json_set_int(job, "unfinished_deps", count_unfinished(t, job));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(job, "unfinished_deps");
	if (old != ns) {
		engine_index_del(t, wf, old, id);
		engine_index_put(t, wf, ns, id);
		json_set_str(job, "status", engine_status_name(ns));
	}
	store_put(t, T_JOBS, id, job);
	if (engine_status_done(old) == engine_status_done(ns))
		return;

	int delta = engine_status_done(ns) ? -1 : 1;
	long n;
	int64_t *ds = dependents_of(t, id, &n);
	for (long i = 0; i < n; i++) {
		cJSON *d = store_get_rmw(t, T_JOBS, ds[i]);
		if (d == NULL || engine_job_status(d) != JS_BLOCKED)
			continue;
		int64_t left = json_int(d, "unfinished_deps", 0) + delta;
		if (left < 0)
			left = 0;
		json_set_int(d, "unfinished_deps", left);
		store_put(t, T_JOBS, ds[i], d);
		if (left == 0 && zero != NULL)
			idvec_push(zero, ds[i]);
	}
}

int
engine_dep_failed(store_txn *t, int64_t wf, const cJSON *dep)
{
	int st = engine_job_status(dep);
	struct ikey k;
	unsigned char buf[8];

	if (st != JS_FAILED && st != JS_CANCELED && st != JS_TERMINATED)
		return 0;
	ikey_make(&k, 2, wf, json_int(dep, "id", 0));
	if (store_iget(t, T_WFRESULT, &k, buf, sizeof(buf)) != 8)
		return 1;		/* canceled without running: a failure */
	cJSON *res = store_get(t, T_RESULTS, ikey_part(buf, 0));
	return res == NULL || json_int(res, "return_code", 1) != 0;
}

long
engine_unblock(store_txn *t, int64_t wf, struct idvec *zero)
{
	long readied = 0;

	for (long i = 0; i < zero->n; i++) {
		cJSON *job = store_get_rmw(t, T_JOBS, zero->v[i]);
		if (job == NULL || engine_job_status(job) != JS_BLOCKED)
			continue;
		/*
		 * One pass over the dependencies: confirm they are all complete
		 * (the counter said so) and look for a failure.
		 */
		const cJSON *deps = cJSON_GetObjectItemCaseSensitive(job, "depends_on_job_ids"), *e;
		long unfinished = 0;
		int failed = 0, flag = json_bool(job, "cancel_on_blocking_job_failure", 1);
		cJSON_ArrayForEach(e, deps) {
			cJSON *d = store_get(t, T_JOBS, (int64_t)e->valuedouble);
			if (d == NULL)
				continue;
			if (!engine_status_done(engine_job_status(d)))
				unfinished++;
			else if (flag && !failed)
				failed = engine_dep_failed(t, wf, d);
		}
		if (unfinished > 0) {
			json_set_int(job, "unfinished_deps", unfinished);
			store_put(t, T_JOBS, zero->v[i], job);
			continue;
		}
		if (failed)
			engine_set_status(t, wf, job, JS_CANCELED, zero);
		else {
			engine_set_status(t, wf, job, JS_READY, NULL);
			readied++;
		}
	}
	return readied;
}

void
engine_event(store_txn *t, int64_t wf, cJSON *data)
{
	cJSON *ev = cJSON_CreateObject();
	json_set_int(ev, "workflow_id", wf);
	json_set_int(ev, "timestamp", store_now_ms());
	json_set(ev, "data", data);
	int64_t id = store_insert(t, T_EVENTS, ev);
	store_wf_link(t, T_EVENTS, wf, id);
}
