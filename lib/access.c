/*
 * access.c: ownership and group checks (see access.h).
 *
 * Ownership is the workflow's "user", stamped from the authenticated caller
 * at creation.  Group sharing lives in two indexes: T_WFGROUPS
 * (workflow, group) and T_MEMBERIDX (group, user) -> membership id.
 */
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

struct has_arg {
	store_txn	*t;
	const char	*user;
	int		 found;
};

static int
group_has_user(const unsigned char *key, size_t klen, const unsigned char *val,
    size_t vlen, void *arg)
{
	struct has_arg *a = arg;
	struct ikey k;
	unsigned char buf[8];
	(void)val; (void)vlen;
	ikey_make(&k, 1, ikey_part(key, klen - 8));
	ikey_add_str(&k, a->user);
	if (store_iget(a->t, T_MEMBERIDX, &k, buf, sizeof(buf)) >= 0) {
		a->found = 1;
		return 1;
	}
	return 0;
}

int
access_user_has(store_txn *t, int64_t wf, const char *user)
{
	cJSON *w = store_get(t, T_WORKFLOWS, wf);
	struct ikey k;
	struct has_arg a = { t, user, 0 };

	if (w == NULL)
		return 0;
	const char *owner = json_str(w, "user", NULL);
	if (owner != NULL && strcmp(owner, user) == 0)
		return 1;
	ikey_make(&k, 1, wf);
	store_scan(t, T_WFGROUPS, &k, 0, group_has_user, &a);
	return a.found;
}

int
access_workflow(struct request *rq, store_txn *t, int64_t wf)
{
	if (!access_enforced(rq))
		return 0;
	if (!rq->authenticated)
		return cgi_error(rq, 403, "Anonymous access not allowed when access control is enabled");
	if (store_get(t, T_WORKFLOWS, wf) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	if (access_user_has(t, wf, rq->user))
		return 0;
	return cgi_error(rq, 403, "User '%s' does not have access to workflow %lld",
	    rq->user, (long long)wf);
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
	(void)t;
	return rq->authenticated && config_is_admin(rq->cfg, rq->user);
}
