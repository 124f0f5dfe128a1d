/*
 * failure_handlers: the /failure_handlers family.  A route table and
 * nothing else; the handlers live in lib/api_failure_handlers.c.  The
 * list is GET /workflows/:id/failure_handlers, routed by workflows.
 */
#include "api_failure_handlers.h"
#include "cgi.h"

static const struct route routes[] = {
	{ "POST", "/failure_handlers", failure_handlers_create, ROUTE_JSON, "" },
	{ "GET", "/failure_handlers/:id", failure_handlers_get, 0, "" },
	{ "DELETE", "/failure_handlers/:id", failure_handlers_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
