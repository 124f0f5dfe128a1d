/*
 * results: the /results family.  A route table and nothing else; the
 * handlers live in lib/api_results.c.
 */
#include "api_results.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/results", results_create, ROUTE_JSON, "" },
	{ "GET", "/results", results_list, 0,
	    MODEL_LIST_QUERY ",job_id,run_id,return_code,status,compute_node_id,all_runs" },
	{ "DELETE", "/results", results_delete_all, 0, "workflow_id" },
	{ "GET", "/results/:id", results_get, 0, "" },
	{ "PUT", "/results/:id", results_update, ROUTE_JSON, "" },
	{ "DELETE", "/results/:id", results_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
