/*
 * api_misc.c: /ping and /version.
 *
 * The version is a bare JSON string beginning "0.10." so Torc clients,
 * which compare major versions on every command, accept the server.
 */
#include <stdlib.h>
#include <string.h>

#include "api_misc.h"
#include "bounds.h"
#include "cgi.h"

int
misc_ping(struct request *rq)
{
	rq->out = cJSON_CreateObject();
	cJSON_AddStringToObject(rq->out, "status", "ok");
	return 200;
}

int
misc_version(struct request *rq)
{
	rq->out = cJSON_CreateString(TORC_VERSION " (torc-cgi)");
	return 200;
}

int
misc_not_found(struct request *rq)
{
	const char *uri = getenv("REQUEST_URI");
	if (uri == NULL)
		uri = rq->path;
	if (strlen(uri) > TORC_MAX_PATH + 1 + TORC_MAX_QUERY)
		return cgi_error(rq, 414, "request URI too long");
	return cgi_no_route(rq, uri);
}
