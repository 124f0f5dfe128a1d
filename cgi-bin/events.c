/*
 * events: the /events family.  A route table and nothing else; the
 * handlers live in lib/api_events.c.
 */
#include "api_events.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/events", events_create, ROUTE_JSON, "" },
	{ "GET", "/events", events_list, 0, MODEL_LIST_QUERY ",after_timestamp,category" },
	{ "DELETE", "/events", events_delete_all, 0, "workflow_id" },
	{ "GET", "/events/:id", events_get, 0, "" },
	{ "PUT", "/events/:id", events_update, ROUTE_JSON, "" },
	{ "DELETE", "/events/:id", events_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
