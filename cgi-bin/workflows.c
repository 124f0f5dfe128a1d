/*
 * workflows: the /workflows family.  A route table and nothing else; the
 * handlers live in lib/.  Engine routes (initialize, claim, ...) and
 * access-group routes join this table as they land.
 */
#include "api_failure_handlers.h"
#include "api_views.h"
#include "api_workflows.h"
#include "cgi.h"
#include "model.h"

#define LISTQ "offset,limit,sort_by,reverse_sort"

static const struct route routes[] = {
	{ "POST", "/workflows", workflows_create, ROUTE_JSON, "" },
	{ "GET", "/workflows", workflows_list, 0, LISTQ ",name,user,description,is_archived" },
	{ "GET", "/workflows/:id", workflows_get, 0, "" },
	{ "PUT", "/workflows/:id", workflows_update, ROUTE_JSON, "" },
	{ "DELETE", "/workflows/:id", workflows_delete, 0, "" },
	{ "GET", "/workflows/:id/status", workflows_status_get, 0, "" },
	{ "PUT", "/workflows/:id/status", workflows_status_put, ROUTE_JSON, "" },
	{ "GET", "/workflows/:id/job_ids", workflows_job_ids, 0, "" },
	{ "GET", "/workflows/:id/job_dependencies", views_job_dependencies, 0, LISTQ },
	{ "GET", "/workflows/:id/job_file_relationships", views_job_file_relationships, 0, LISTQ },
	{ "GET", "/workflows/:id/job_user_data_relationships", views_job_user_data_relationships,
	    0, LISTQ },
	{ "GET", "/workflows/:id/failure_handlers", failure_handlers_list, 0, LISTQ },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
