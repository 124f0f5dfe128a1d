/*
 * api_files.h: handlers for /files (api_files.c).  Each handler takes the
 * request, returns an HTTP status and leaves the JSON answer in rq->out.
 */
#ifndef TORC_API_FILES_H
#define TORC_API_FILES_H

#include "model.h"

struct request;

extern const struct resource files_resource;

int	files_create(struct request *rq);
int	files_list(struct request *rq);		/* ?workflow_id, filters */
int	files_get(struct request *rq);
int	files_update(struct request *rq);
int	files_delete(struct request *rq);
int	files_delete_all(struct request *rq);	/* {"deleted_count": n} */

#endif
