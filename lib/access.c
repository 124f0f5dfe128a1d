/*
 * access.c: ownership and group checks (see access.h).
 *
 * Ownership is the workflow's "user", stamped from the authenticated caller
 * at creation.  Group sharing lives in two indexes: T_WFGROUPS
 * (workflow, group) and T_MEMBERIDX (group, user) -> membership id, whose
 * T_MEMBERS record holds the role.  The system group is found by name
 * through T_GROUPNAME and its hidden "is_system" flag.
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cgi.h"
#include "config.h"
#include "json.h"
#include "store.h"

int
access_enforced(const struct request *rq)
{
	return rq->cfg->enforce_access_control;
}

const char *
access_caller(const struct request *rq)
{
	if (!rq->authenticated || rq->user == NULL || rq->user[0] == '\0' ||
	    strcmp(rq->user, ACCESS_ANONYMOUS) == 0)
		return NULL;
	return rq->user;
}

int64_t
access_admin_group(store_txn *t)
{
	struct ikey k;
	unsigned char buf[8];
	cJSON *g;

	k.len = 0;
	ikey_add_str(&k, ACCESS_ADMIN_GROUP);
	if (store_iget(t, T_GROUPNAME, &k, buf, sizeof(buf)) != 8)
		return 0;
	int64_t gid = ikey_part(buf, 0);
	if ((g = store_get(t, T_GROUPS, gid)) == NULL || !json_bool(g, "is_system", 0))
		return 0;
	return gid;
}

/* Stored membership of user in gid: the membership id, or 0. */
static int64_t
stored_member(store_txn *t, int64_t gid, const char *user)
{
	struct ikey k;
	unsigned char buf[8];

	if (strlen(user) + 1 + 8 > sizeof(k.b))
		return 0;	/* too long to have been stored */
	ikey_make(&k, 1, gid);
	ikey_add_str(&k, user);
	if (store_iget(t, T_MEMBERIDX, &k, buf, sizeof(buf)) != 8)
		return 0;
	return ikey_part(buf, 0);
}

int
access_member(const struct config *cfg, store_txn *t, int64_t gid,
    const char *user, char *role, size_t cap)
{
	int64_t mid;
	cJSON *m;

	if (role != NULL && cap > 0)
		role[0] = '\0';
	if (cfg != NULL && gid == access_admin_group(t)) {
		if (!config_is_admin(cfg, user))
			return 0;
		if (role != NULL && cap > 0)
			snprintf(role, cap, "admin");
		return 1;
	}
	if ((mid = stored_member(t, gid, user)) == 0)
		return 0;
	if (role != NULL && cap > 0 && (m = store_get(t, T_MEMBERS, mid)) != NULL)
		snprintf(role, cap, "%s", json_str(m, "role", "member"));
	return 1;
}

int
access_allowed(const struct config *cfg, store_txn *t, int64_t wf,
    const char *user)
{
	cJSON *w;
	struct ikey k;
	long n;
	int64_t admin = -1;

	if (user == NULL || (w = store_get(t, T_WORKFLOWS, wf)) == NULL)
		return 0;
	const char *owner = json_str(w, "user", NULL);
	if (owner != NULL && strcmp(owner, user) == 0)
		return 1;
	ikey_make(&k, 1, wf);
	int64_t *gids = store_scan_ids(t, T_WFGROUPS, &k, 0, &n);
	for (long i = 0; i < n; i++) {
		if (cfg != NULL) {
			if (admin < 0)
				admin = access_admin_group(t);
			if (gids[i] == admin) {
				if (config_is_admin(cfg, user))
					return 1;
				continue;
			}
		}
		if (stored_member(t, gids[i], user) != 0)
			return 1;
	}
	return 0;
}

int
access_user_has(store_txn *t, int64_t wf, const char *user)
{
	return access_allowed(NULL, t, wf, user);
}

int
access_visible(struct request *rq, store_txn *t, int64_t wf)
{
	if (!access_enforced(rq))
		return 1;
	return access_allowed(rq->cfg, t, wf, access_caller(rq));
}

int
access_workflow(struct request *rq, store_txn *t, int64_t wf)
{
	const char *who;

	if (!access_enforced(rq))
		return 0;
	/* Anonymous first: no existence oracle for callers who are no one. */
	if ((who = access_caller(rq)) == NULL)
		return cgi_error(rq, 403, "Anonymous access not allowed when access control is enabled");
	if (store_get(t, T_WORKFLOWS, wf) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	if (access_allowed(rq->cfg, t, wf, who))
		return 0;
	return cgi_error(rq, 403, "User '%s' does not have access to workflow %lld",
	    who, (long long)wf);
}

int
access_record(struct request *rq, store_txn *t, const cJSON *rec)
{
	if (!access_enforced(rq))
		return 0;
	return access_workflow(rq, t, json_int(rec, "workflow_id", 0));
}

int
access_is_admin(struct request *rq, store_txn *t)
{
	const char *who = access_caller(rq);
	(void)t;
	return who != NULL && config_is_admin(rq->cfg, who);
}
