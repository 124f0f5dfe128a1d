/*
 * api_results.h: handlers for /results (api_results.c).  Each handler
 * takes the request, returns an HTTP status and leaves the JSON answer in
 * rq->out.
 */
#ifndef TORC_API_RESULTS_H
#define TORC_API_RESULTS_H

#include "model.h"

struct request;

extern const struct resource results_resource;

int	results_create(struct request *rq);
int	results_list(struct request *rq);	/* ?workflow_id, filters, all_runs */
int	results_get(struct request *rq);
int	results_update(struct request *rq);
int	results_delete(struct request *rq);
int	results_delete_all(struct request *rq);	/* {"count": n} */

#endif
