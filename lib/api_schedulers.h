/*
 * api_schedulers.h: /slurm_schedulers, /local_schedulers and
 * /scheduled_compute_nodes (api_schedulers.c).  Each handler takes the
 * request, returns an HTTP status and leaves the JSON answer in rq->out.
 */
#ifndef TORC_API_SCHEDULERS_H
#define TORC_API_SCHEDULERS_H

#include "model.h"

struct request;

extern const struct resource slurm_schedulers_resource;
extern const struct resource local_schedulers_resource;
extern const struct resource scheduled_nodes_resource;

/* The resource a CGI serves, chosen by rq->resource. */
const struct resource *schedulers_resource(const struct request *rq);

int	schedulers_create(struct request *rq);
int	schedulers_list(struct request *rq);	/* ?workflow_id and field filters */
int	schedulers_get(struct request *rq);
int	schedulers_update(struct request *rq);
int	schedulers_delete(struct request *rq);
int	schedulers_delete_all(struct request *rq);	/* {"count": n} */

#endif
