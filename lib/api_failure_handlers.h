/*
 * api_failure_handlers.h: handlers for /failure_handlers and
 * /workflows/:id/failure_handlers (api_failure_handlers.c).  Each handler
 * takes the request, returns an HTTP status and leaves the JSON answer in
 * rq->out.
 */
#ifndef TORC_API_FAILURE_HANDLERS_H
#define TORC_API_FAILURE_HANDLERS_H

#include "model.h"

struct request;

extern const struct resource failure_handlers_resource;

int	failure_handlers_create(struct request *rq);
int	failure_handlers_get(struct request *rq);
int	failure_handlers_delete(struct request *rq);	/* {"message": ...} */
int	failure_handlers_list(struct request *rq);	/* /workflows/:id/failure_handlers */

#endif
