/*
 * api_workflows.c: workflows, their status, job_ids, and the whole-workflow
 * delete.
 *
 * A workflow is three records written in one transaction: the workflow,
 * its status (same id, run_id 0) and the resource requirement "default".
 * The owner is the authenticated caller; a body "user" naming someone else
 * is refused under access control unless the caller is a system admin.
 * Without authentication the body's "user" is the owner, as in Torc.
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "api_workflows.h"
#include "arena.h"
#include "cgi.h"
#include "json.h"
#include "bounds.h"
#include "log.h"
#include "model.h"
#include "store.h"
#include "units.h"

static const struct field wf_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "name", F_STR, F_REQ, NULL },
	{ "user", F_STR, 0, NULL },
	{ "description", F_STR, 0, NULL },
	{ "timestamp", F_STR, F_RO, NULL },
	{ "compute_node_expiration_buffer_seconds", F_INT, 0, "60" },
	{ "compute_node_wait_for_new_jobs_seconds", F_INT, 0, "90" },
	{ "compute_node_ignore_workflow_completion", F_BOOL, 0, "false" },
	{ "compute_node_wait_for_healthy_database_minutes", F_INT, 0, "20" },
	{ "compute_node_min_time_for_new_jobs_seconds", F_INT, 0, "300" },
	{ "jobs_sort_method", F_STR, 0, "\"gpus_runtime_memory\"" },
	{ "resource_monitor_config", F_STR, 0, NULL },
	{ "slurm_defaults", F_STR, 0, NULL },
	{ "use_pending_failed", F_BOOL, 0, "false" },
	{ "status_id", F_INT, F_RO, NULL },
	{ NULL, 0, 0, NULL }
};

const struct resource workflows_resource = {
	"workflows", "Workflow", T_WORKFLOWS, wf_fields, 0,
	NULL, NULL, NULL, "count", NULL, NULL
};

static const struct field status_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "is_canceled", F_BOOL, F_REQ, NULL },
	{ "is_archived", F_BOOL, 0, "false" },
	{ "run_id", F_INT, F_REQ, NULL },
	{ "has_detected_need_to_run_completion_script", F_BOOL, 0, "false" },
	{ NULL, 0, 0, NULL }
};

static const struct resource status_resource = {
	"status", "Workflow status", T_WFSTATUS, status_fields, 0,
	NULL, NULL, NULL, NULL, NULL, NULL
};

static int
sort_method_ok(const char *m)
{
	return m == NULL || !strcmp(m, "gpus_runtime_memory") ||
	    !strcmp(m, "gpus_memory_runtime") || !strcmp(m, "none");
}

static void
owner_link(store_txn *t, const char *owner, int64_t wf, int add)
{
	struct ikey k;
	k.len = 0;
	ikey_add_str(&k, owner);
	struct ikey k2 = k;
	ikey_make(&k2, 1, wf);
	if (k.len + 8 > sizeof(k.b))
		die_http(400, "owner name too long for an index key");
	memcpy(k.b + k.len, k2.b, 8);
	k.len += 8;
	if (add)
		store_iput(t, T_OWNER, &k, NULL, 0);
	else
		store_idel(t, T_OWNER, &k);
}

cJSON *
workflows_default_rr(int64_t wf)
{
	cJSON *rr = cJSON_CreateObject();
	json_set_int(rr, "workflow_id", wf);
	json_set_str(rr, "name", "default");
	json_set_int(rr, "num_cpus", 1);
	json_set_int(rr, "num_gpus", 0);
	json_set_int(rr, "num_nodes", 1);
	json_set_str(rr, "memory", "1m");
	json_set_str(rr, "runtime", "P0DT1M");
	json_set_int(rr, "memory_bytes", 1024 * 1024);
	json_set_num(rr, "runtime_s", 60);
	return rr;
}

/* An owner is an index key: no longer than a user name may be. */
#define USER_TOO_LONG	"user is longer than %d bytes"

static int
user_too_long(const char *user)
{
	return user != NULL && strlen(user) > TORC_MAX_USERNAME;
}

/* Decide the owner of a new or updated workflow.  0 ok, else status. */
static int
resolve_owner(struct request *rq, store_txn *t, cJSON *rec, int creating)
{
	const char *body_user = json_str(rec, "user", NULL);

	if (user_too_long(body_user))
		return cgi_error(rq, 400, USER_TOO_LONG, TORC_MAX_USERNAME);
	if (access_caller(rq) == NULL) {
		if (access_enforced(rq))
			return cgi_error(rq, 403, "Anonymous access not allowed when access control is enabled");
		if (creating && body_user == NULL)
			return cgi_error(rq, 400, "missing required field 'user'");
		return 0;
	}
	if (body_user == NULL || strcmp(body_user, rq->user) == 0) {
		if (creating || body_user != NULL)
			json_set_str(rec, "user", rq->user);
		return 0;
	}
	if (access_enforced(rq) && !access_is_admin(rq, t))
		return cgi_error(rq, 403, "User '%s' may not %s a workflow owned by '%s'",
		    rq->user, creating ? "create" : "give away", body_user);
	return 0;
}

static int
do_create(struct request *rq, store_txn *t, void *arg)
{
	cJSON *rec = arg;
	int st;

	if ((st = resolve_owner(rq, t, rec, 1)) != 0)
		return st;
	json_set_str(rec, "timestamp", store_now_iso());
	int64_t id = store_insert(t, T_WORKFLOWS, rec);
	json_set_int(rec, "status_id", id);
	store_put(t, T_WORKFLOWS, id, rec);

	cJSON *status = cJSON_CreateObject();
	json_set_int(status, "id", id);
	json_set_int(status, "run_id", 0);
	json_set_bool(status, "is_canceled", 0);
	json_set_bool(status, "is_archived", 0);
	json_set_bool(status, "has_detected_need_to_run_completion_script", 0);
	store_put(t, T_WFSTATUS, id, status);

	cJSON *rr = workflows_default_rr(id);
	int64_t rrid = store_insert(t, T_RR, rr);
	store_wf_link(t, T_RR, id, rrid);
	owner_link(t, json_str(rec, "user", ""), id, 1);
	rq->out = rec;
	return 200;
}

int
workflows_create(struct request *rq)
{
	cJSON *rec = model_from_body(rq, &workflows_resource, rq->json);
	if (!sort_method_ok(json_str(rec, "jobs_sort_method", NULL)))
		return cgi_error(rq, 400, "jobs_sort_method must be gpus_runtime_memory, gpus_memory_runtime or none");
	return store_run(rq, do_create, rec);
}

static int
do_get(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0];
	int st;
	(void)arg;
	if ((st = access_workflow(rq, t, id)) != 0)
		return st;
	if ((rq->out = store_get(t, T_WORKFLOWS, id)) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)id);
	model_shape(&workflows_resource, rq->out);
	return 200;
}

int
workflows_get(struct request *rq)
{
	return store_run(rq, do_get, NULL);
}

static int
do_update(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0];
	cJSON *rec, *body = arg;
	int st;
	(void)arg;

	if ((st = access_workflow(rq, t, id)) != 0)
		return st;
	if ((rec = store_get_rmw(t, T_WORKFLOWS, id)) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)id);
	char *old_owner = arena_strdup(json_str(rec, "user", ""));
	const char *new_owner = json_str(body, "user", NULL);
	if (user_too_long(new_owner))
		return cgi_error(rq, 400, USER_TOO_LONG, TORC_MAX_USERNAME);
	if (new_owner != NULL && strcmp(new_owner, old_owner) != 0 && access_enforced(rq) &&
	    !access_is_admin(rq, t))
		return cgi_error(rq, 403, "only a system administrator may change the owner of workflow %lld",
		    (long long)id);
	model_merge(rq, &workflows_resource, rec, body);
	if (!sort_method_ok(json_str(rec, "jobs_sort_method", NULL)))
		return cgi_error(rq, 400, "jobs_sort_method must be gpus_runtime_memory, gpus_memory_runtime or none");
	json_set_int(rec, "id", id);
	store_put(t, T_WORKFLOWS, id, rec);
	if (strcmp(old_owner, json_str(rec, "user", "")) != 0) {
		owner_link(t, old_owner, id, 0);
		owner_link(t, json_str(rec, "user", ""), id, 1);
	}
	rq->out = rec;
	return 200;
}

int
workflows_update(struct request *rq)
{
	return store_run(rq, do_update, rq->json);
}

static const enum table wf_tables[] = {
	T_JOBS, T_FILES, T_USER_DATA, T_RR, T_RESULTS, T_EVENTS, T_COMPUTE_NODES,
	T_FAILURE_HANDLERS, T_SLURM_SCHEDULERS, T_LOCAL_SCHEDULERS, T_SCHEDULED_NODES,
};

struct unlink_arg {
	store_txn	*t;
	int64_t		 wf;
};

static int
unlink_group(const unsigned char *key, size_t klen, const unsigned char *val,
    size_t vlen, void *arg)
{
	struct unlink_arg *a = arg;
	struct ikey k;
	(void)val; (void)vlen;
	ikey_make(&k, 2, ikey_part(key, klen - 8), a->wf);
	store_idel(a->t, T_GROUPWFS, &k);
	return 0;
}

void
workflows_purge(store_txn *t, int64_t wf)
{
	struct ikey k;
	cJSON *rec = store_get(t, T_WORKFLOWS, wf);

	for (size_t i = 0; i < sizeof(wf_tables) / sizeof(wf_tables[0]); i++) {
		long n;
		int64_t *ids = store_wf_ids(t, wf_tables[i], wf, &n);
		for (long j = 0; j < n; j++) {
			store_del(t, wf_tables[i], ids[j]);
			if (wf_tables[i] == T_JOBS) {
				ikey_make(&k, 1, ids[j]);
				store_idel_prefix(t, T_DEPS_REV, &k);
			}
		}
		ikey_make(&k, 2, (int64_t)wf_tables[i], wf);
		store_idel_prefix(t, T_WFIDX, &k);
	}
	ikey_make(&k, 1, wf);
	store_idel_prefix(t, T_JOBSTATUS, &k);
	store_idel_prefix(t, T_WFRESULT, &k);
	struct unlink_arg ua = { t, wf };
	store_scan(t, T_WFGROUPS, &k, 0, unlink_group, &ua);
	store_idel_prefix(t, T_WFGROUPS, &k);
	if (rec != NULL)
		owner_link(t, json_str(rec, "user", ""), wf, 0);
	store_del(t, T_WFSTATUS, wf);
	store_del(t, T_WORKFLOWS, wf);
}

static int
do_delete(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0];
	cJSON *rec;
	int st;
	(void)arg;

	if ((st = access_workflow(rq, t, id)) != 0)
		return st;
	if ((rec = store_get_rmw(t, T_WORKFLOWS, id)) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)id);
	store_fault("workflow-delete");
	workflows_purge(t, id);
	log_msg(LOG_INFO, LOG_T_API, "deleted workflow %lld", (long long)id);
	rq->out = rec;
	return 200;
}

int
workflows_delete(struct request *rq)
{
	return store_run(rq, do_delete, NULL);
}

struct wf_list {
	struct page	 pg;
	int		 archived;	/* -1 any, 0 only active, 1 only archived */
};

static int
wf_visible(struct request *rq, store_txn *t, const cJSON *rec)
{
	const char *d = cgi_param(rq, "description");
	if (!model_match_str(rq, rec, "name") || !model_match_str(rq, rec, "user"))
		return 0;
	if (d != NULL) {
		const char *have = json_str(rec, "description", NULL);
		if (have == NULL || strstr(have, d) == NULL)
			return 0;
	}
	return access_visible(rq, t, json_int(rec, "id", 0));
}

static long
all_ids(store_txn *t, enum table tb, int64_t **out)
{
	/* Ids are dense from 1 to the sequence; absent ones were deleted. */
	struct ikey k;
	unsigned char buf[8];
	k.len = (size_t)snprintf((char *)k.b, sizeof(k.b), "seq/%s", store_table_name(tb));
	int64_t next = store_iget(t, T_META, &k, buf, sizeof(buf)) == 8 ? ikey_part(buf, 0) : 1;
	*out = arena_alloc(sizeof(int64_t) * (size_t)next);
	long n = 0;
	for (int64_t i = 1; i < next; i++)
		(*out)[n++] = i;
	return n;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct wf_list *wl = arg;
	int64_t *ids;
	long n = all_ids(t, T_WORKFLOWS, &ids), kept = 0;
	cJSON **recs = arena_alloc(sizeof(cJSON *) * (size_t)(n + 1));

	for (long i = 0; i < n; i++) {
		cJSON *rec = store_get(t, T_WORKFLOWS, ids[i]);
		if (rec == NULL || !wf_visible(rq, t, rec))
			continue;
		if (wl->archived >= 0) {
			cJSON *st = store_get(t, T_WFSTATUS, ids[i]);
			if (json_bool(st, "is_archived", 0) != wl->archived)
				continue;
		}
		recs[kept++] = rec;
	}
	rq->out = model_envelope(rq, recs, kept, &wl->pg);
	return 200;
}

int
workflows_list(struct request *rq)
{
	struct wf_list wl;
	model_page_params(rq, &wl.pg);
	wl.archived = cgi_param(rq, "is_archived") ? cgi_param_bool(rq, "is_archived", 0) : -1;
	return store_run(rq, do_list, &wl);
}

static int
do_status_get(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0];
	int st;
	(void)arg;
	if ((st = access_workflow(rq, t, id)) != 0)
		return st;
	if ((rq->out = store_get(t, T_WFSTATUS, id)) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)id);
	return 200;
}

int
workflows_status_get(struct request *rq)
{
	return store_run(rq, do_status_get, NULL);
}

static int
do_status_put(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0];
	cJSON *rec = arg;
	int st;
	if ((st = access_workflow(rq, t, id)) != 0)
		return st;
	if (store_get_rmw(t, T_WFSTATUS, id) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)id);
	json_set_int(rec, "id", id);
	store_put(t, T_WFSTATUS, id, rec);
	rq->out = rec;
	return 200;
}

int
workflows_status_put(struct request *rq)
{
	cJSON *rec = model_from_body(rq, &status_resource, rq->json);
	if (json_int(rec, "run_id", 0) < 0)
		return cgi_error(rq, 400, "field 'run_id' must not be negative");
	return store_run(rq, do_status_put, rec);
}

static int
do_job_ids(struct request *rq, store_txn *t, void *arg)
{
	int64_t id = rq->id[0];
	long n;
	int st;
	(void)arg;
	if ((st = access_workflow(rq, t, id)) != 0)
		return st;
	if (!model_workflow_exists(t, id))
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)id);
	int64_t *ids = store_wf_ids(t, T_JOBS, id, &n);
	rq->out = cJSON_CreateObject();
	json_set(rq->out, "job_ids", json_int_list(ids, (int)n));
	json_set_int(rq->out, "count", n);
	return 200;
}

int
workflows_job_ids(struct request *rq)
{
	return store_run(rq, do_job_ids, NULL);
}
