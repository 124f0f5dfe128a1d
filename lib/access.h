/*
 * access.h: who may touch which workflow.
 *
 * With access control off (the default) every check passes without even
 * looking the workflow up, so single-user setups behave as plain Torc.
 * With it on, a caller may read or change a workflow and everything in it
 * only as its owner or as a member of a group the workflow is shared with.
 * Denied: 403 {"error":{"error":"Forbidden",...}}; missing: 404.
 *
 * The caller is the authenticated user.  Anonymous callers, and an
 * htpasswd account literally named "anonymous" (as in Torc), are no one:
 * under access control they get 403 before any lookup.
 *
 * The system group "admin" is kept equal to the configured admin list.
 * Its stored membership is synchronised lazily by the group handlers
 * (api_groups.c); the checks here read the configuration directly for it,
 * so a changed admin list takes effect at once everywhere.
 */
#ifndef TORC_ACCESS_H
#define TORC_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct config;
struct request;

#define ACCESS_ADMIN_GROUP	"admin"		/* name of the system group */
#define ACCESS_ANONYMOUS	"anonymous"	/* the subject of unauthenticated calls */

/* Is access control enforced for this request? */
int	access_enforced(const struct request *rq);

/* The caller's user name, or NULL when the caller counts as anonymous. */
const char *access_caller(const struct request *rq);

/* 0 allowed, else the status with the error already in rq. */
int	access_workflow(struct request *rq, store_txn *t, int64_t wf);
/* Through a record that carries workflow_id (a job, a file, ...). */
int	access_record(struct request *rq, store_txn *t, const cJSON *rec);

/*
 * Pure check, no error set, enforcement not consulted: 1 if user owns
 * workflow wf or belongs to a group it is shared with, 0 otherwise (also
 * when wf is missing).  With cfg non-NULL the system group's membership
 * is the configured admin list; with NULL, the stored one.
 */
int	access_allowed(const struct config *cfg, store_txn *t, int64_t wf,
	    const char *user);
/* access_allowed() with the stored membership (kept for older callers). */
int	access_user_has(store_txn *t, int64_t wf, const char *user);
/* List filter: 1 when enforcement is off or the caller may see wf. */
int	access_visible(struct request *rq, store_txn *t, int64_t wf);

/* Is the caller a system admin (in the configured admin list)? */
int	access_is_admin(struct request *rq, store_txn *t);

/* The id of the system group, or 0 when it does not exist yet. */
int64_t	access_admin_group(store_txn *t);
/*
 * The role of user in group gid ("member", "admin"), copied into role
 * (cap bytes, may be NULL): 1 member, 0 not.  For the system group with
 * cfg non-NULL, membership is the configured admin list (role "admin").
 */
int	access_member(const struct config *cfg, store_txn *t, int64_t gid,
	    const char *user, char *role, size_t cap);

#endif
