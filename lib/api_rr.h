/*
 * api_rr.h: handlers for /resource_requirements (api_rr.c).  Each handler
 * takes the request, returns an HTTP status and leaves the JSON answer in
 * rq->out.
 */
#ifndef TORC_API_RR_H
#define TORC_API_RR_H

#include "model.h"

struct request;

extern const struct resource rr_resource;

int	rr_create(struct request *rq);
int	rr_list(struct request *rq);		/* ?workflow_id, filters */
int	rr_get(struct request *rq);
int	rr_update(struct request *rq);
int	rr_delete(struct request *rq);
int	rr_delete_all(struct request *rq);	/* {"count": n} */

#endif
