/*
 * api_groups.c: access groups, memberships, workflow sharing and the
 * access probe.  The rules are in docs/access-control.md; in short, with
 * access control enforced:
 *
 *   create/delete a group      system admin (the system group never goes)
 *   add/remove a member        system admin or an admin of that group;
 *                              the system group's members come from the
 *                              configuration only (403 for everyone)
 *   attach/detach a workflow   its owner, or an admin (system or of that
 *                              group) who can already access the workflow
 *                              (detach: access not needed); only the
 *                              owner may share with the system group
 *   read groups, members,      any authenticated caller
 *   a user's groups
 *   a workflow's groups        whoever may access the workflow
 *   /access_check              anyone about themselves; about others only
 *                              a system admin or someone with access
 *
 * With enforcement off anyone may do all of it, except deleting the system
 * group or changing its members.
 *
 * Storage: T_GROUPS records {id, name, description, created_at, is_system
 * (hidden)}, T_GROUPNAME (name) -> id; T_MEMBERS records {id, user_name,
 * group_id, role, created_at}, T_MEMBERIDX (group, user) -> membership id,
 * T_USERGROUPS (user, group); T_WFGROUPS (workflow, group) -> created_at,
 * T_GROUPWFS (group, workflow).  Every change, with all its index entries,
 * is one store_run transaction, which also brings the system group "admin"
 * in line with the configured admin list (groups_sync_admin).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "api_groups.h"
#include "arena.h"
#include "bounds.h"
#include "cgi.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "model.h"
#include "store.h"

/* Names: as long as authentication accepts (struct ikey holds them). */
#define GROUP_NAME_MAX	TORC_MAX_USERNAME
#define USER_NAME_MAX	TORC_MAX_USERNAME

#define ANON_GENERAL	"Anonymous access not allowed when access control is enabled"
#define ANON_ADMIN	"Anonymous access not allowed for admin operations"
#define ANON_GROUP	"Anonymous access not allowed for group management"
#define ANON_WFGROUP	"Anonymous access not allowed for workflow-group operations"

static const struct field group_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "name", F_STR, F_REQ, NULL },
	{ "description", F_STR, 0, NULL },
	{ "created_at", F_STR, F_RO, NULL },
	{ "is_system", F_BOOL, F_HIDDEN, NULL },
	{ NULL, 0, 0, NULL }
};

static const struct resource group_resource = {
	"access_groups", "Access group", T_GROUPS, group_fields, 0,
	NULL, NULL, NULL, NULL, NULL, NULL
};

/* group_id is required by Torc's schema but ignored: the path's id wins. */
static const struct field member_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "user_name", F_STR, F_REQ, NULL },
	{ "group_id", F_INT, 0, NULL },
	{ "role", F_STR, 0, "\"member\"" },
	{ "created_at", F_STR, F_RO, NULL },
	{ NULL, 0, 0, NULL }
};

static const struct resource member_resource = {
	"members", "Membership", T_MEMBERS, member_fields, 0,
	NULL, NULL, NULL, NULL, NULL, NULL
};

static const struct field link_fields[] = {
	{ "workflow_id", F_INT, 0, NULL },
	{ "group_id", F_INT, F_REQ, NULL },
	{ "created_at", F_STR, F_RO, NULL },
	{ NULL, 0, 0, NULL }
};

static const struct resource link_resource = {
	"access_groups", "Workflow access group", T_WFGROUPS, link_fields, 0,
	NULL, NULL, NULL, NULL, NULL, NULL
};

/* ---- small helpers ------------------------------------------------------ */

/* "YYYY-MM-DD HH:MM:SS" UTC, as Torc's SQLite datetime('now'). */
static char *
now_text(void)
{
	char buf[32];
	struct tm tm;
	time_t now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	return arena_strdup(buf);
}

/* NULL when s is a usable name of at most max bytes, else why not. */
static const char *
name_problem(const char *s, size_t max, int is_user)
{
	size_t l = strlen(s);
	if (l == 0)
		return "must not be empty";
	if (l > max)
		return arena_printf("must be at most %zu bytes", max);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
		if (is_user && (*p == '/' || *p == ':'))
			return "must not contain '/' or ':'";
	}
	return NULL;
}

static void
key_name(struct ikey *k, const char *name)
{
	k->len = 0;
	ikey_add_str(k, name);
}

/* (user NUL, group) for T_USERGROUPS. */
static void
key_user_group(struct ikey *k, const char *user, int64_t gid)
{
	struct ikey id;
	key_name(k, user);
	ikey_make(&id, 1, gid);
	if (k->len + id.len > sizeof(k->b))
		die_http(400, "user name too long for an index key");
	memcpy(k->b + k->len, id.b, id.len);
	k->len += id.len;
}

/* (group, user NUL) for T_MEMBERIDX. */
static void
key_group_user(struct ikey *k, int64_t gid, const char *user)
{
	ikey_make(k, 1, gid);
	ikey_add_str(k, user);
}

struct vals {
	int64_t	*v;
	long	 n, cap;
};

/* Collect 8-byte values (ids) of a scan. */
static int
collect_val(const unsigned char *key, size_t klen, const unsigned char *val,
    size_t vlen, void *arg)
{
	struct vals *a = arg;
	(void)key; (void)klen;
	if (vlen != 8)
		return 0;
	if (a->n == a->cap) {
		long nc = a->cap ? a->cap * 2 : 32;
		a->v = arena_realloc(a->v, sizeof(int64_t) * (size_t)a->cap,
		    sizeof(int64_t) * (size_t)nc);
		a->cap = nc;
	}
	a->v[a->n++] = ikey_part(val, 0);
	return 0;
}

static int64_t
group_by_name(store_txn *t, const char *name)
{
	struct ikey k;
	unsigned char buf[8];
	key_name(&k, name);
	return store_iget(t, T_GROUPNAME, &k, buf, sizeof(buf)) == 8 ? ikey_part(buf, 0) : 0;
}

static int64_t
member_id(store_txn *t, int64_t gid, const char *user)
{
	struct ikey k;
	unsigned char buf[8];
	if (strlen(user) > USER_NAME_MAX)
		return 0;
	key_group_user(&k, gid, user);
	return store_iget(t, T_MEMBERIDX, &k, buf, sizeof(buf)) == 8 ? ikey_part(buf, 0) : 0;
}

static cJSON *
member_add(store_txn *t, int64_t gid, const char *user, const char *role)
{
	struct ikey k, v;
	cJSON *m = cJSON_CreateObject();

	json_set_str(m, "user_name", user);
	json_set_int(m, "group_id", gid);
	json_set_str(m, "role", role);
	json_set_str(m, "created_at", now_text());
	int64_t mid = store_insert(t, T_MEMBERS, m);
	key_group_user(&k, gid, user);
	ikey_make(&v, 1, mid);
	store_iput(t, T_MEMBERIDX, &k, v.b, v.len);
	key_user_group(&k, user, gid);
	store_iput(t, T_USERGROUPS, &k, NULL, 0);
	return m;
}

static void
member_del(store_txn *t, int64_t gid, const char *user, int64_t mid)
{
	struct ikey k;
	key_group_user(&k, gid, user);
	store_idel(t, T_MEMBERIDX, &k);
	key_user_group(&k, user, gid);
	store_idel(t, T_USERGROUPS, &k);
	store_del(t, T_MEMBERS, mid);
}

static cJSON *
shaped_group(store_txn *t, int64_t gid)
{
	cJSON *g = store_get(t, T_GROUPS, gid);
	if (g != NULL)
		model_shape(&group_resource, g);
	return g;
}

/* The access-group list envelope: {items, offset, limit, total_count, has_more}. */
static cJSON *
envelope(struct request *rq, cJSON **recs, long n)
{
	int64_t off = cgi_param_int(rq, "offset", 0, 0, INT64_MAX);
	int64_t lim = cgi_param_int(rq, "limit", TORC_LIST_MAX_LIMIT, 0, TORC_LIST_MAX_LIMIT);
	cJSON *env = cJSON_CreateObject(), *items = cJSON_CreateArray();
	long count = 0;

	for (long i = off; i < n && count < lim; i++, count++)
		cJSON_AddItemToArray(items, recs[i]);
	cJSON_AddItemToObject(env, "items", items);
	json_set_int(env, "offset", off);
	json_set_int(env, "limit", lim);
	json_set_int(env, "total_count", n);
	json_set_bool(env, "has_more", off + count < n);
	return env;
}

/* Group records for ids, shaped, skipping any that vanished. */
static cJSON **
groups_for(store_txn *t, const int64_t *ids, long n, long *kept)
{
	cJSON **recs = arena_alloc(sizeof(cJSON *) * (size_t)(n + 1));
	*kept = 0;
	for (long i = 0; i < n; i++) {
		cJSON *g = shaped_group(t, ids[i]);
		if (g != NULL)
			recs[(*kept)++] = g;
	}
	return recs;
}

/* Under enforcement, refuse callers who are no one.  0 or the status. */
static int
need_caller(struct request *rq, const char *msg)
{
	if (access_enforced(rq) && access_caller(rq) == NULL)
		return cgi_error(rq, 403, "%s", msg);
	return 0;
}

static int
group_or_404(struct request *rq, store_txn *t, int64_t gid, cJSON **g, int rmw)
{
	*g = rmw ? store_get_rmw(t, T_GROUPS, gid) : store_get(t, T_GROUPS, gid);
	if (*g == NULL)
		return cgi_error(rq, 404, "Group not found with ID: %lld", (long long)gid);
	return 0;
}

/* Is the caller an admin of group gid (role "admin" in it)? */
static int
caller_group_admin(struct request *rq, store_txn *t, int64_t gid)
{
	char role[32];
	const char *who = access_caller(rq);
	return who != NULL && access_member(rq->cfg, t, gid, who, role, sizeof(role)) &&
	    strcmp(role, "admin") == 0;
}

/*
 * The add-member rule: may the caller change group g's membership?
 * The system group: never.  0 or the status.
 */
static int
may_manage(struct request *rq, store_txn *t, const cJSON *g, int64_t gid)
{
	if (json_bool(g, "is_system", 0))
		return cgi_error(rq, 403, "Admin group membership is managed via server configuration");
	if (!access_enforced(rq) || access_is_admin(rq, t) || caller_group_admin(rq, t, gid))
		return 0;
	return cgi_error(rq, 403, "User '%s' is not an admin of group %lld", access_caller(rq),
	    (long long)gid);
}

/* ---- the system group ------------------------------------------------------ */

struct mem {
	char	*user;
	int64_t	 mid;
};

struct mems {
	struct mem	*v;
	long		 n, cap;
};

static int
collect_member(const unsigned char *key, size_t klen, const unsigned char *val,
    size_t vlen, void *arg)
{
	struct mems *a = arg;
	if (vlen != 8 || klen <= 8)
		return 0;
	if (a->n == a->cap) {
		long nc = a->cap ? a->cap * 2 : 16;
		a->v = arena_realloc(a->v, sizeof(struct mem) * (size_t)a->cap,
		    sizeof(struct mem) * (size_t)nc);
		a->cap = nc;
	}
	a->v[a->n].user = arena_strndup((const char *)key + 8, klen - 8);
	a->v[a->n].mid = ikey_part(val, 0);
	a->n++;
	return 0;
}

int64_t
groups_sync_admin(struct request *rq, store_txn *t)
{
	const struct config *cfg = rq->cfg;
	struct ikey k, v;
	struct mems have = { NULL, 0, 0 };
	int64_t gid = group_by_name(t, ACCESS_ADMIN_GROUP);
	cJSON *g = gid ? store_get(t, T_GROUPS, gid) : NULL;

	if (g == NULL) {
		g = cJSON_CreateObject();
		json_set_str(g, "name", ACCESS_ADMIN_GROUP);
		json_set_str(g, "description", "System administrators");
		json_set_str(g, "created_at", now_text());
		json_set_bool(g, "is_system", 1);
		gid = store_insert(t, T_GROUPS, g);
		key_name(&k, ACCESS_ADMIN_GROUP);
		ikey_make(&v, 1, gid);
		store_iput(t, T_GROUPNAME, &k, v.b, v.len);
		store_log_on_commit(LOG_INFO, LOG_T_ACCESS, "Created the system group '%s'", ACCESS_ADMIN_GROUP);
	} else if (!json_bool(g, "is_system", 0)) {
		/* As Torc: a group that took the name first becomes the system group. */
		json_set_bool(g, "is_system", 1);
		store_put(t, T_GROUPS, gid, g);
		store_log_on_commit(LOG_WARN, LOG_T_ACCESS, "Group %lld named '%s' is now the system group",
		    (long long)gid, ACCESS_ADMIN_GROUP);
	}

	ikey_make(&k, 1, gid);
	store_scan(t, T_MEMBERIDX, &k, 0, collect_member, &have);
	for (long i = 0; i < have.n; i++)
		if (!config_is_admin(cfg, have.v[i].user)) {
			store_log_on_commit(LOG_INFO, LOG_T_ACCESS,
			    "Removing user '%s' from admin group (not in config)", have.v[i].user);
			member_del(t, gid, have.v[i].user, have.v[i].mid);
		}
	for (int i = 0; i < cfg->nadmin; i++) {
		const char *u = cfg->admin_users[i];
		if (member_id(t, gid, u) != 0)
			continue;
		if (name_problem(u, USER_NAME_MAX, 0) != NULL) {
			/* Still an admin through the configuration; just not listed. */
			log_msg(LOG_WARN, LOG_T_ACCESS,
			    "admin user '%.64s' cannot be listed in the admin group (name unusable)", u);
			continue;
		}
		store_log_on_commit(LOG_INFO, LOG_T_ACCESS, "Adding user '%s' to admin group", u);
		member_add(t, gid, u, "admin");
	}
	return gid;
}

/* ---- groups --------------------------------------------------------------- */

static int
do_create(struct request *rq, store_txn *t, void *arg)
{
	cJSON *rec = cJSON_Duplicate(arg, 1);
	const char *name = json_str(rec, "name", "");
	struct ikey k, v;
	int st;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_ADMIN)) != 0)
		return st;
	if (access_enforced(rq) && !access_is_admin(rq, t))
		return cgi_error(rq, 403, "User '%s' is not a system administrator", access_caller(rq));
	if (group_by_name(t, name) != 0)
		return cgi_error(rq, 409, "Group '%s' already exists", name);
	json_set_str(rec, "created_at", now_text());
	json_set_bool(rec, "is_system", 0);
	int64_t id = store_insert(t, T_GROUPS, rec);
	key_name(&k, name);
	ikey_make(&v, 1, id);
	store_iput(t, T_GROUPNAME, &k, v.b, v.len);
	model_shape(&group_resource, rec);
	log_msg(LOG_INFO, LOG_T_ACCESS, "Created access group '%s' with id: %lld", name, (long long)id);
	rq->out = rec;
	return 200;
}

int
groups_create(struct request *rq)
{
	cJSON *rec = model_from_body(rq, &group_resource, rq->json);
	const char *why = name_problem(json_str(rec, "name", ""), GROUP_NAME_MAX, 0);
	if (why != NULL)
		return cgi_error(rq, 400, "field 'name' %s", why);
	return store_run(rq, do_create, rec);
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct vals ids = { NULL, 0, 0 };
	struct ikey all;
	long n;
	int st;
	(void)arg;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_GENERAL)) != 0)
		return st;
	all.len = 0;
	store_scan(t, T_GROUPNAME, &all, 0, collect_val, &ids);	/* by name */
	cJSON **recs = groups_for(t, ids.v, ids.n, &n);
	rq->out = envelope(rq, recs, n);
	return 200;
}

int
groups_list(struct request *rq)
{
	return store_run(rq, do_list, NULL);
}

static int
do_get(struct request *rq, store_txn *t, void *arg)
{
	cJSON *g;
	int st;
	(void)arg;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_GENERAL)) != 0 ||
	    (st = group_or_404(rq, t, rq->id[0], &g, 0)) != 0)
		return st;
	model_shape(&group_resource, g);
	rq->out = g;
	return 200;
}

int
groups_get(struct request *rq)
{
	return store_run(rq, do_get, NULL);
}

/* Remove group gid with every membership and workflow link. */
static void
group_purge(store_txn *t, int64_t gid, const char *name)
{
	struct ikey k, k2;
	struct mems mem = { NULL, 0, 0 };
	long n;

	ikey_make(&k, 1, gid);
	store_scan(t, T_MEMBERIDX, &k, 1, collect_member, &mem);
	for (long i = 0; i < mem.n; i++)
		member_del(t, gid, mem.v[i].user, mem.v[i].mid);
	int64_t *wfs = store_scan_ids(t, T_GROUPWFS, &k, 0, &n);
	for (long i = 0; i < n; i++) {
		ikey_make(&k2, 2, wfs[i], gid);
		store_idel(t, T_WFGROUPS, &k2);
	}
	store_idel_prefix(t, T_GROUPWFS, &k);
	key_name(&k, name);
	store_idel(t, T_GROUPNAME, &k);
	store_del(t, T_GROUPS, gid);
}

static int
do_delete(struct request *rq, store_txn *t, void *arg)
{
	int64_t gid = rq->id[0];
	cJSON *g;
	int st;
	(void)arg;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_ADMIN)) != 0)
		return st;
	if (access_enforced(rq) && !access_is_admin(rq, t))
		return cgi_error(rq, 403, "User '%s' is not a system administrator", access_caller(rq));
	if ((st = group_or_404(rq, t, gid, &g, 1)) != 0)
		return st;
	if (json_bool(g, "is_system", 0))
		return cgi_error(rq, 403, "Cannot delete system groups");
	group_purge(t, gid, json_str(g, "name", ""));
	log_msg(LOG_INFO, LOG_T_ACCESS, "Deleted access group with id: %lld", (long long)gid);
	model_shape(&group_resource, g);
	rq->out = g;
	return 200;
}

int
groups_delete(struct request *rq)
{
	return store_run(rq, do_delete, NULL);
}

/* ---- members ------------------------------------------------------------- */

static int
do_member_add(struct request *rq, store_txn *t, void *arg)
{
	const cJSON *body = arg;
	int64_t gid = rq->id[0];
	const char *user = json_str(body, "user_name", "");
	cJSON *g;
	int st;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_GROUP)) != 0 ||
	    (st = group_or_404(rq, t, gid, &g, 0)) != 0 ||
	    (st = may_manage(rq, t, g, gid)) != 0)
		return st;
	if (member_id(t, gid, user) != 0)
		return cgi_error(rq, 409, "User '%s' is already a member of group %lld", user,
		    (long long)gid);
	rq->out = member_add(t, gid, user, json_str(body, "role", "member"));
	log_msg(LOG_INFO, LOG_T_ACCESS, "Added user '%s' to group %lld as %s", user,
	    (long long)gid, json_str(body, "role", "member"));
	return 200;
}

int
groups_member_add(struct request *rq)
{
	cJSON *body = model_from_body(rq, &member_resource, rq->json);
	const char *why = name_problem(json_str(body, "user_name", ""), USER_NAME_MAX, 1);
	const char *role = json_str(body, "role", "member");

	if (why != NULL)
		return cgi_error(rq, 400, "field 'user_name' %s", why);
	if (strcmp(role, "member") != 0 && strcmp(role, "admin") != 0)
		return cgi_error(rq, 400, "field 'role' must be \"member\" or \"admin\"");
	return store_run(rq, do_member_add, body);
}

static int
do_members_list(struct request *rq, store_txn *t, void *arg)
{
	struct vals ids = { NULL, 0, 0 };
	struct ikey k;
	cJSON *g;
	long n = 0;
	int st;
	(void)arg;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_GENERAL)) != 0 ||
	    (st = group_or_404(rq, t, rq->id[0], &g, 0)) != 0)
		return st;
	ikey_make(&k, 1, rq->id[0]);
	store_scan(t, T_MEMBERIDX, &k, 0, collect_val, &ids);	/* by user name */
	cJSON **recs = arena_alloc(sizeof(cJSON *) * (size_t)(ids.n + 1));
	for (long i = 0; i < ids.n; i++) {
		cJSON *m = store_get(t, T_MEMBERS, ids.v[i]);
		if (m != NULL)
			recs[n++] = m;
	}
	rq->out = envelope(rq, recs, n);
	return 200;
}

int
groups_members_list(struct request *rq)
{
	return store_run(rq, do_members_list, NULL);
}

static int
do_member_remove(struct request *rq, store_txn *t, void *arg)
{
	int64_t gid = rq->id[0];
	const char *user = rq->arg[1];
	cJSON *g, *m;
	int64_t mid;
	int st;
	(void)arg;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_GROUP)) != 0 ||
	    (st = group_or_404(rq, t, gid, &g, 0)) != 0 ||
	    (st = may_manage(rq, t, g, gid)) != 0)
		return st;
	if ((mid = member_id(t, gid, user)) == 0 || (m = store_get_rmw(t, T_MEMBERS, mid)) == NULL)
		return cgi_error(rq, 404, "Membership not found for user '%s' in group %lld", user,
		    (long long)gid);
	member_del(t, gid, user, mid);
	log_msg(LOG_INFO, LOG_T_ACCESS, "Removed user '%s' from group %lld", user, (long long)gid);
	rq->out = m;
	return 200;
}

int
groups_member_remove(struct request *rq)
{
	return store_run(rq, do_member_remove, NULL);
}

/* ---- a user's groups --------------------------------------------------------- */

static int
do_of_user(struct request *rq, store_txn *t, void *arg)
{
	const char *user = rq->arg[0];
	struct ikey k;
	long n = 0, kept = 0;
	int64_t *ids = NULL;
	int st;
	(void)arg;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_GENERAL)) != 0)
		return st;
	if (strlen(user) <= USER_NAME_MAX) {
		key_name(&k, user);
		ids = store_scan_ids(t, T_USERGROUPS, &k, 0, &n);
	}
	cJSON **recs = groups_for(t, ids, n, &kept);
	model_sort(rq, recs, kept, "name", 0);
	rq->out = envelope(rq, recs, kept);
	return 200;
}

int
groups_of_user(struct request *rq)
{
	return store_run(rq, do_of_user, NULL);
}

/* ---- workflows and groups ------------------------------------------------ */

static int
do_of_workflow(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	struct ikey k;
	long n, kept;
	int st;
	(void)arg;

	groups_sync_admin(rq, t);
	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if (!model_workflow_exists(t, wf))
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	ikey_make(&k, 1, wf);
	int64_t *ids = store_scan_ids(t, T_WFGROUPS, &k, 0, &n);
	cJSON **recs = groups_for(t, ids, n, &kept);
	model_sort(rq, recs, kept, "name", 0);
	rq->out = envelope(rq, recs, kept);
	return 200;
}

int
groups_of_workflow(struct request *rq)
{
	return store_run(rq, do_of_workflow, NULL);
}

struct link_op {
	int64_t	 wf, gid;
	int	 attach;
};

/*
 * Who may attach or detach workflow w to group g (enforcement on): the
 * owner, any group; otherwise a system admin or an admin of g, never for
 * the system group, and to attach only a workflow the caller can already
 * access.  0 or the status.
 */
static int
may_link(struct request *rq, store_txn *t, const cJSON *w, const cJSON *g,
    const struct link_op *op)
{
	const char *who = access_caller(rq);
	int st;

	if (!access_enforced(rq) || strcmp(json_str(w, "user", ""), who) == 0)
		return 0;
	if (json_bool(g, "is_system", 0))
		return cgi_error(rq, 403, "Only the owner of workflow %lld may share it with the system group",
		    (long long)op->wf);
	if ((st = may_manage(rq, t, g, op->gid)) != 0)
		return st;
	if (op->attach && !access_allowed(rq->cfg, t, op->wf, who))
		return cgi_error(rq, 403, "User '%s' does not have access to workflow %lld", who,
		    (long long)op->wf);
	return 0;
}

static int
do_link(struct request *rq, store_txn *t, void *arg)
{
	struct link_op *op = arg;
	struct ikey k, k2;
	char created[64];
	cJSON *w, *g;
	int st, have;

	groups_sync_admin(rq, t);
	if ((st = need_caller(rq, ANON_WFGROUP)) != 0)
		return st;
	if ((w = store_get(t, T_WORKFLOWS, op->wf)) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)op->wf);
	if ((st = group_or_404(rq, t, op->gid, &g, 0)) != 0 ||
	    (st = may_link(rq, t, w, g, op)) != 0)
		return st;
	ikey_make(&k, 2, op->wf, op->gid);
	ikey_make(&k2, 2, op->gid, op->wf);
	have = store_iget(t, T_WFGROUPS, &k, created, sizeof(created) - 1);
	if (op->attach) {
		if (have >= 0)
			return cgi_error(rq, 409, "Workflow %lld is already associated with group %lld",
			    (long long)op->wf, (long long)op->gid);
		snprintf(created, sizeof(created), "%s", now_text());
		store_iput(t, T_WFGROUPS, &k, created, strlen(created));
		store_iput(t, T_GROUPWFS, &k2, NULL, 0);
		log_msg(LOG_INFO, LOG_T_ACCESS, "Shared workflow %lld with group %lld",
		    (long long)op->wf, (long long)op->gid);
	} else {
		if (have < 0)
			return cgi_error(rq, 404, "Association not found for workflow %lld in group %lld",
			    (long long)op->wf, (long long)op->gid);
		created[have] = '\0';
		store_idel(t, T_WFGROUPS, &k);
		store_idel(t, T_GROUPWFS, &k2);
		log_msg(LOG_INFO, LOG_T_ACCESS, "Unshared workflow %lld from group %lld",
		    (long long)op->wf, (long long)op->gid);
	}
	rq->out = cJSON_CreateObject();
	json_set_int(rq->out, "workflow_id", op->wf);
	json_set_int(rq->out, "group_id", op->gid);
	json_set_str(rq->out, "created_at", created);
	return 200;
}

int
groups_attach(struct request *rq)
{
	struct link_op op = { rq->id[0], rq->id[1], 1 };
	return store_run(rq, do_link, &op);
}

int
groups_attach_body(struct request *rq)
{
	cJSON *body = model_from_body(rq, &link_resource, rq->json);
	struct link_op op = { rq->id[0], json_int(body, "group_id", 0), 1 };
	int64_t bwf = json_int(body, "workflow_id", rq->id[0]);

	if (op.gid <= 0)
		return cgi_error(rq, 400, "field 'group_id' must be a positive integer");
	if (bwf != rq->id[0])
		return cgi_error(rq, 400, "field 'workflow_id' (%lld) differs from the path (%lld)",
		    (long long)bwf, (long long)rq->id[0]);
	return store_run(rq, do_link, &op);
}

int
groups_detach(struct request *rq)
{
	struct link_op op = { rq->id[0], rq->id[1], 0 };
	return store_run(rq, do_link, &op);
}

/* ---- the probe ------------------------------------------------------------- */

static int
do_check(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	const char *user = rq->arg[1];
	const char *who = access_caller(rq);
	(void)arg;

	if (access_enforced(rq)) {
		/* No oracle: anonymous callers learn nothing, others only what they may know. */
		if (who == NULL)
			return cgi_error(rq, 403, "%s", ANON_GENERAL);
		if (strcmp(who, user) != 0 && !access_is_admin(rq, t) &&
		    !access_allowed(rq->cfg, t, wf, who))
			return cgi_error(rq, 403, "User '%s' may not check the access of '%s' to workflow %lld",
			    who, user, (long long)wf);
	}
	rq->out = cJSON_CreateObject();
	json_set_bool(rq->out, "has_access", access_allowed(rq->cfg, t, wf, user));
	json_set_str(rq->out, "user_name", user);
	json_set_int(rq->out, "workflow_id", wf);
	return 200;
}

int
groups_access_check(struct request *rq)
{
	return store_run(rq, do_check, NULL);
}
