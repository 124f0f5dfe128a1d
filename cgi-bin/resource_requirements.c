/*
 * resource_requirements: the /resource_requirements family.  A route
 * table and nothing else; the handlers live in lib/api_rr.c.
 */
#include "api_rr.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/resource_requirements", rr_create, ROUTE_JSON, "" },
	{ "GET", "/resource_requirements", rr_list, 0,
	    MODEL_LIST_QUERY ",name,memory,num_cpus,num_gpus,num_nodes,runtime,job_id" },
	{ "DELETE", "/resource_requirements", rr_delete_all, 0, "workflow_id" },
	{ "GET", "/resource_requirements/:id", rr_get, 0, "" },
	{ "PUT", "/resource_requirements/:id", rr_update, ROUTE_JSON, "" },
	{ "DELETE", "/resource_requirements/:id", rr_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
