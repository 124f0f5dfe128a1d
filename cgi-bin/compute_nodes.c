/*
 * compute_nodes: the /compute_nodes family.  A route table and nothing
 * else; the handlers live in lib/api_compute_nodes.c.
 */
#include "api_compute_nodes.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/compute_nodes", compute_nodes_create, ROUTE_JSON, "" },
	{ "GET", "/compute_nodes", compute_nodes_list, 0,
	    MODEL_LIST_QUERY ",hostname,is_active,scheduled_compute_node_id" },
	{ "DELETE", "/compute_nodes", compute_nodes_delete_all, 0, "workflow_id" },
	{ "GET", "/compute_nodes/:id", compute_nodes_get, 0, "" },
	{ "PUT", "/compute_nodes/:id", compute_nodes_update, ROUTE_JSON, "" },
	{ "DELETE", "/compute_nodes/:id", compute_nodes_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
