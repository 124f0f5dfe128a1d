/*
 * api_compute_nodes.h: handlers for /compute_nodes (api_compute_nodes.c).
 * Each handler takes the request, returns an HTTP status and leaves the
 * JSON answer in rq->out.
 */
#ifndef TORC_API_COMPUTE_NODES_H
#define TORC_API_COMPUTE_NODES_H

#include "model.h"

struct request;

extern const struct resource compute_nodes_resource;

int	compute_nodes_create(struct request *rq);
int	compute_nodes_list(struct request *rq);	/* ?workflow_id, filters */
int	compute_nodes_get(struct request *rq);
int	compute_nodes_update(struct request *rq);
int	compute_nodes_delete(struct request *rq);
int	compute_nodes_delete_all(struct request *rq);	/* {"count": n} */

#endif
