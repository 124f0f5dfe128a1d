/*
 * engine_wf.c: whole-workflow engine routes: is_complete,
 * is_uninitialized, cancel, reset_status, reset_job_status,
 * required_existing_files and missing_user_data.
 *
 * The completion questions are answered from the status index alone (is
 * there any key under (workflow, status)?), so they cost the same for ten
 * jobs or a hundred thousand.  Cancel and the resets write their own
 * events, as Torc does: {"category":"workflow_canceled",...} and
 * {"category":"user_action","action":...}.
 */
#include <string.h>

#include "access.h"
#include "arena.h"
#include "cgi.h"
#include "engine.h"
#include "json.h"
#include "store.h"

static int
wf_status(struct request *rq, store_txn *t, int64_t wf, cJSON **status)
{
	int st;
	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if ((*status = store_get(t, T_WFSTATUS, wf)) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	return 0;
}

/* ---- is_complete / is_uninitialized ----------------------------------- */

static int
do_is_complete(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	cJSON *status;
	int st, canceled, complete = 1;
	static const int open_states[] = {
		JS_UNINITIALIZED, JS_BLOCKED, JS_READY, JS_PENDING, JS_RUNNING,
		JS_PENDING_FAILED,
	};
	(void)arg;

	if ((st = wf_status(rq, t, wf, &status)) != 0)
		return st;
	canceled = json_bool(status, "is_canceled", 0);
	for (size_t i = 0; !canceled && complete && i < sizeof(open_states) / sizeof(open_states[0]); i++)
		complete = !engine_any_in(t, wf, open_states[i]);
	rq->out = cJSON_CreateObject();
	json_set_bool(rq->out, "is_complete", canceled || complete);
	json_set_bool(rq->out, "is_canceled", canceled);
	json_set_bool(rq->out, "needs_to_run_completion_script",
	    json_bool(status, "has_detected_need_to_run_completion_script", 0));
	return 200;
}

int
engine_is_complete(struct request *rq)
{
	return store_run(rq, do_is_complete, NULL);
}

static int
do_is_uninitialized(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	cJSON *status;
	int st, unin = 1;
	(void)arg;

	if ((st = wf_status(rq, t, wf, &status)) != 0)
		return st;
	for (int s = 0; unin && s < JS_MAX; s++)
		if (s != JS_UNINITIALIZED && s != JS_DISABLED)
			unin = !engine_any_in(t, wf, s);
	rq->out = cJSON_CreateObject();
	json_set_bool(rq->out, "is_uninitialized", unin);
	return 200;
}

int
engine_is_uninitialized(struct request *rq)
{
	return store_run(rq, do_is_uninitialized, NULL);
}

/* ---- cancel ------------------------------------------------------------------- */

static int
do_cancel(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	cJSON *status;
	long canceled = 0;
	int st;
	static const int active[] = { JS_RUNNING, JS_PENDING };
	(void)arg;

	if ((st = engine_lock(rq, t, wf, &status)) != 0)
		return st;
	json_set_bool(status, "is_canceled", 1);
	store_put(t, T_WFSTATUS, wf, status);
	for (int a = 0; a < 2; a++) {
		long n;
		int64_t *ids = engine_jobs_in(t, wf, active[a], &n);
		for (long i = 0; i < n; i++) {
			cJSON *job = store_get_rmw(t, T_JOBS, ids[i]);
			if (job == NULL)
				continue;
			cJSON_DeleteItemFromObjectCaseSensitive(job, "active_compute_node_id");
			engine_set_status(t, wf, job, JS_CANCELED, NULL);
			if (++canceled == 1)
				store_fault("cancel-mid");
		}
	}
	cJSON *ev = cJSON_CreateObject();
	json_set_str(ev, "category", "workflow_canceled");
	json_set_str(ev, "message", arena_printf("Workflow %lld canceled", (long long)wf));
	json_set_int(ev, "workflow_id", wf);
	json_set_int(ev, "canceled_jobs", canceled);
	json_set_str(ev, "user", rq->user);
	engine_event(t, wf, ev);
	rq->out = status;
	return 200;
}

int
engine_cancel(struct request *rq)
{
	return store_run(rq, do_cancel, NULL);
}

/* ---- reset_status ------------------------------------------------------------- */

static int
do_reset_status(struct request *rq, store_txn *t, void *arg)
{
	int force = *(int *)arg;
	int64_t wf = rq->id[0];
	cJSON *status;
	int st;

	if ((st = engine_lock(rq, t, wf, &status)) != 0)
		return st;
	if (json_bool(status, "is_archived", 0))
		return cgi_error(rq, 422, "Cannot reset archived workflow %lld; unarchive it first",
		    (long long)wf);
	if (!force && (engine_any_in(t, wf, JS_RUNNING) || engine_any_in(t, wf, JS_PENDING)))
		return cgi_error(rq, 422, "Cannot reset workflow %lld while jobs are running or "
		    "pending; pass force=true to reset anyway", (long long)wf);
	json_set_bool(status, "is_canceled", 0);
	json_set_bool(status, "is_archived", 0);
	json_set_bool(status, "has_detected_need_to_run_completion_script", 0);
	store_put(t, T_WFSTATUS, wf, status);

	cJSON *ev = cJSON_CreateObject();
	json_set_str(ev, "category", "user_action");
	json_set_str(ev, "action", "reset_workflow_status");
	json_set_int(ev, "workflow_id", wf);
	json_set_bool(ev, "force", force);
	json_set_str(ev, "user", rq->user);
	engine_event(t, wf, ev);

	rq->out = cJSON_CreateObject();
	json_set_int(rq->out, "id", wf);
	json_set_int(rq->out, "run_id", json_int(status, "run_id", 0));
	json_set_bool(rq->out, "is_canceled", 0);
	json_set_bool(rq->out, "is_archived", 0);
	json_set_bool(rq->out, "has_detected_need_to_run_completion_script", 0);
	return 200;
}

int
engine_reset_status(struct request *rq)
{
	int force = cgi_param_bool(rq, "force", 0);
	return store_run(rq, do_reset_status, &force);
}

/* ---- reset_job_status ------------------------------------------------------- */

/* Make a job uninitialized; 1 if it changed. */
static int
reset_one(store_txn *t, int64_t wf, int64_t id)
{
	cJSON *job = store_get_rmw(t, T_JOBS, id);
	if (job == NULL || engine_job_status(job) == JS_UNINITIALIZED)
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(job, "active_compute_node_id");
	engine_set_status(t, wf, job, JS_UNINITIALIZED, NULL);
	return 1;
}

struct reset_walk {
	int64_t	 wf;
	long	 updated;
};

static int
reset_visit(store_txn *t, int64_t job, void *arg)
{
	struct reset_walk *w = arg;
	w->updated += reset_one(t, w->wf, job);
	return 0;
}

static int
do_reset_jobs(struct request *rq, store_txn *t, void *arg)
{
	int failed_only = *(int *)arg;
	int64_t wf = rq->id[0];
	long updated = 0;
	int st;

	if ((st = engine_lock(rq, t, wf, NULL)) != 0)
		return st;
	if (!failed_only) {
		for (int s = 0; s < JS_MAX; s++) {
			long n;
			int64_t *ids = s == JS_UNINITIALIZED ? NULL : engine_jobs_in(t, wf, s, &n);
			for (long i = 0; ids != NULL && i < n; i++)
				updated += reset_one(t, wf, ids[i]);
		}
	} else {
		static const int bad[] = { JS_FAILED, JS_CANCELED, JS_TERMINATED, JS_PENDING_FAILED };
		struct idvec down = { NULL, 0, 0 };
		for (int b = 0; b < 4; b++) {
			long n;
			int64_t *ids = engine_jobs_in(t, wf, bad[b], &n);
			for (long i = 0; i < n; i++) {
				updated += reset_one(t, wf, ids[i]);
				if (engine_status_done(bad[b]))
					idvec_push(&down, ids[i]);
			}
		}
		/* Everything downstream of a job that finished badly runs again. */
		struct reset_walk w = { wf, 0 };
		engine_walk_down(t, &down, reset_visit, &w);
		updated += w.updated;
	}
	cJSON *ev = cJSON_CreateObject();
	json_set_str(ev, "category", "user_action");
	json_set_str(ev, "action", "reset_job_status");
	json_set_int(ev, "workflow_id", wf);
	json_set_bool(ev, "failed_only", failed_only);
	json_set_int(ev, "updated_count", updated);
	json_set_str(ev, "user", rq->user);
	engine_event(t, wf, ev);

	rq->out = cJSON_CreateObject();
	json_set_int(rq->out, "workflow_id", wf);
	json_set_int(rq->out, "updated_count", updated);
	json_set_str(rq->out, "status", "uninitialized");
	if (failed_only)
		json_set_str(rq->out, "reset_type", "failed_only");
	return 200;
}

int
engine_reset_job_status(struct request *rq)
{
	int failed_only = cgi_param_bool(rq, "failed_only", 0);
	return store_run(rq, do_reset_jobs, &failed_only);
}

/* ---- required_existing_files / missing_user_data -------------------------- */

struct io_sets {
	struct idvec	 in, out, out_done;	/* consumed; produced; produced by completed jobs */
};

static void
gather(store_txn *t, int64_t wf, const char *in_key, const char *out_key,
    struct io_sets *s)
{
	long n;
	int64_t *ids = store_wf_ids(t, T_JOBS, wf, &n), *v;
	memset(s, 0, sizeof(*s));
	for (long i = 0; i < n; i++) {
		cJSON *job = store_get(t, T_JOBS, ids[i]);
		if (job == NULL)
			continue;
		long k = engine_id_list(job, in_key, &v);
		for (long j = 0; j < k; j++)
			idvec_push(&s->in, v[j]);
		int done = engine_job_status(job) == JS_COMPLETED;
		k = engine_id_list(job, out_key, &v);
		for (long j = 0; j < k; j++) {
			idvec_push(&s->out, v[j]);
			if (done)
				idvec_push(&s->out_done, v[j]);
		}
	}
	s->in.n = engine_sort_ids(s->in.v, s->in.n);
	s->out.n = engine_sort_ids(s->out.v, s->out.n);
	s->out_done.n = engine_sort_ids(s->out_done.v, s->out_done.n);
}

static int
contains(const struct idvec *v, int64_t id)
{
	long lo = 0, hi = v->n;
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (v->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->n && v->v[lo] == id;
}

/* Ids consumed and produced by no job, plus those produced by completed jobs. */
static struct idvec
needed(const struct io_sets *s)
{
	struct idvec r = { NULL, 0, 0 };
	for (long i = 0; i < s->in.n; i++)
		if (!contains(&s->out, s->in.v[i]))
			idvec_push(&r, s->in.v[i]);
	for (long i = 0; i < s->out_done.n; i++)
		idvec_push(&r, s->out_done.v[i]);
	r.n = engine_sort_ids(r.v, r.n);
	return r;
}

static int
do_required_files(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	cJSON *status;
	struct io_sets s;
	int st;
	(void)arg;

	if ((st = wf_status(rq, t, wf, &status)) != 0)
		return st;
	gather(t, wf, "input_file_ids", "output_file_ids", &s);
	struct idvec r = needed(&s);
	rq->out = cJSON_CreateObject();
	json_set(rq->out, "files", json_int_list(r.v, (int)r.n));
	return 200;
}

int
engine_required_existing_files(struct request *rq)
{
	return store_run(rq, do_required_files, NULL);
}

static int
do_missing_user_data(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	cJSON *status;
	struct io_sets s;
	struct idvec missing = { NULL, 0, 0 };
	int st;
	(void)arg;

	if ((st = wf_status(rq, t, wf, &status)) != 0)
		return st;
	gather(t, wf, "input_user_data_ids", "output_user_data_ids", &s);
	struct idvec r = needed(&s);
	for (long i = 0; i < r.n; i++) {
		cJSON *ud = store_get(t, T_USER_DATA, r.v[i]);
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(ud, "data");
		if (ud != NULL && (d == NULL || cJSON_IsNull(d)))
			idvec_push(&missing, r.v[i]);
	}
	rq->out = cJSON_CreateObject();
	json_set(rq->out, "user_data", json_int_list(missing.v, (int)missing.n));
	return 200;
}

int
engine_missing_user_data(struct request *rq)
{
	return store_run(rq, do_missing_user_data, NULL);
}
