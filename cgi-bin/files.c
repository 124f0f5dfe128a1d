/*
 * files: the /files family.  A route table and nothing else; the handlers
 * live in lib/api_files.c.
 */
#include "api_files.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/files", files_create, ROUTE_JSON, "" },
	{ "GET", "/files", files_list, 0,
	    MODEL_LIST_QUERY ",name,path,produced_by_job_id,is_output" },
	{ "DELETE", "/files", files_delete_all, 0, "workflow_id" },
	{ "GET", "/files/:id", files_get, 0, "" },
	{ "PUT", "/files/:id", files_update, ROUTE_JSON, "" },
	{ "DELETE", "/files/:id", files_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
