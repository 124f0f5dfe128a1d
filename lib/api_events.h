/*
 * api_events.h: handlers for /events (api_events.c).  Each handler takes
 * the request, returns an HTTP status and leaves the JSON answer in
 * rq->out.
 */
#ifndef TORC_API_EVENTS_H
#define TORC_API_EVENTS_H

#include "model.h"

struct request;

extern const struct resource events_resource;

int	events_create(struct request *rq);
int	events_list(struct request *rq);	/* ?workflow_id, after_timestamp, category */
int	events_get(struct request *rq);
int	events_update(struct request *rq);
int	events_delete(struct request *rq);
int	events_delete_all(struct request *rq);	/* {"count": n} */

#endif
