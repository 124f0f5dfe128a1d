/*
 * api_workflows.h: handlers for /workflows and its status (api_workflows.c).
 * Each handler takes the request, returns an HTTP status and leaves the
 * JSON answer in rq->out.
 */
#ifndef TORC_API_WORKFLOWS_H
#define TORC_API_WORKFLOWS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "model.h"
#include "store.h"

struct request;

extern const struct resource workflows_resource;

int	workflows_create(struct request *rq);
int	workflows_list(struct request *rq);
int	workflows_get(struct request *rq);
int	workflows_update(struct request *rq);
int	workflows_delete(struct request *rq);
int	workflows_status_get(struct request *rq);
int	workflows_status_put(struct request *rq);
int	workflows_job_ids(struct request *rq);

/* The "default" resource requirement every workflow gets (not stored). */
cJSON	*workflows_default_rr(int64_t wf);
/* Remove a workflow and everything in it, inside transaction t. */
void	workflows_purge(store_txn *t, int64_t wf);

#endif
