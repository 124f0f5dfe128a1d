/*
 * api_groups.h: access groups, their members, the workflows shared with
 * them, and the access probe (api_groups.c).
 *
 * Handlers take the request, return an HTTP status and leave the JSON
 * answer in rq->out (arena memory).  Routes:
 *   POST/GET /access_groups, GET/DELETE /access_groups/:id
 *   POST/GET /access_groups/:id/members, DELETE .../members/:user_name
 *   GET /users/:user_name/groups
 *   GET/POST /workflows/:id/access_groups, POST/DELETE .../:group_id
 *   GET /access_check/:workflow_id/:user_name
 */
#ifndef TORC_API_GROUPS_H
#define TORC_API_GROUPS_H

#include <stdint.h>

#include "store.h"

struct request;

int	groups_create(struct request *rq);
int	groups_list(struct request *rq);
int	groups_get(struct request *rq);
int	groups_delete(struct request *rq);

int	groups_member_add(struct request *rq);
int	groups_members_list(struct request *rq);
int	groups_member_remove(struct request *rq);

int	groups_of_user(struct request *rq);

int	groups_of_workflow(struct request *rq);
int	groups_attach(struct request *rq);		/* group id in the path */
int	groups_attach_body(struct request *rq);		/* {"group_id": n} body */
int	groups_detach(struct request *rq);

int	groups_access_check(struct request *rq);

/*
 * Create the system group "admin" if missing and make its stored
 * membership equal to the configured admin list (role "admin"), inside
 * transaction t.  Returns the group's id.  Every group handler calls it
 * first; it writes only when something differs.
 */
int64_t	groups_sync_admin(struct request *rq, store_txn *t);

#endif
