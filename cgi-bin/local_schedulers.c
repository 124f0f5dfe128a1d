/*
 * local_schedulers: the /local_schedulers family.  A route table and nothing else;
 * the handlers live in lib/api_schedulers.c.
 */
#include "api_schedulers.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/local_schedulers", schedulers_create, ROUTE_JSON, "" },
	{ "GET", "/local_schedulers", schedulers_list, 0, MODEL_LIST_QUERY "," "memory,num_cpus" },
	{ "DELETE", "/local_schedulers", schedulers_delete_all, 0, "workflow_id" },
	{ "GET", "/local_schedulers/:id", schedulers_get, 0, "" },
	{ "PUT", "/local_schedulers/:id", schedulers_update, ROUTE_JSON, "" },
	{ "DELETE", "/local_schedulers/:id", schedulers_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
