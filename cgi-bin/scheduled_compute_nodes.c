/*
 * scheduled_compute_nodes: the /scheduled_compute_nodes family.  A route table and nothing else;
 * the handlers live in lib/api_schedulers.c.
 */
#include "api_schedulers.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/scheduled_compute_nodes", schedulers_create, ROUTE_JSON, "" },
	{ "GET", "/scheduled_compute_nodes", schedulers_list, 0, MODEL_LIST_QUERY "," "scheduler_id,scheduler_config_id,status" },
	{ "DELETE", "/scheduled_compute_nodes", schedulers_delete_all, 0, "workflow_id" },
	{ "GET", "/scheduled_compute_nodes/:id", schedulers_get, 0, "" },
	{ "PUT", "/scheduled_compute_nodes/:id", schedulers_update, ROUTE_JSON, "" },
	{ "DELETE", "/scheduled_compute_nodes/:id", schedulers_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
