/*
 * access.h: who may touch which workflow.
 *
 * With access control off (the default) every check passes without even
 * looking the workflow up, so single-user setups behave as plain Torc.
 * With it on, a caller may read or change a workflow and everything in it
 * only as its owner or as a member of a group the workflow is shared with.
 * Denied: 403 {"error":{"error":"Forbidden",...}}; missing: 404.
 */
#ifndef TORC_ACCESS_H
#define TORC_ACCESS_H

#include <stdint.h>

#include "store.h"

struct request;

/* 0 allowed, else the status with the error already in rq. */
int	access_workflow(struct request *rq, store_txn *t, int64_t wf);
/* Through a record that carries workflow_id (a job, a file, ...). */
int	access_record(struct request *rq, store_txn *t, const cJSON *rec);
/* Pure check, no error set: 1 if user may access wf (owner or group). */
int	access_user_has(store_txn *t, int64_t wf, const char *user);
/* Is the caller a system admin (member of the system group "admin")? */
int	access_is_admin(struct request *rq, store_txn *t);
/* Is access control enforced for this request? */
int	access_enforced(const struct request *rq);

#endif
