/*
 * api_user_data.h: handlers for /user_data (api_user_data.c).  Each
 * handler takes the request, returns an HTTP status and leaves the JSON
 * answer in rq->out.
 */
#ifndef TORC_API_USER_DATA_H
#define TORC_API_USER_DATA_H

#include "model.h"

struct request;

extern const struct resource user_data_resource;

int	user_data_create(struct request *rq);	/* ?consumer_job_id, ?producer_job_id */
int	user_data_list(struct request *rq);	/* ?workflow_id, filters */
int	user_data_get(struct request *rq);
int	user_data_update(struct request *rq);
int	user_data_delete(struct request *rq);
int	user_data_delete_all(struct request *rq);	/* {"deleted_count": n} */

#endif
