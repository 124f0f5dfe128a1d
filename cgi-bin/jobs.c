/*
 * jobs: the /jobs family.  A route table and nothing else; the handlers
 * live in lib/api_jobs.c (records) and lib/engine_job.c (transitions).
 */
#include "api_jobs.h"
#include "cgi.h"
#include "engine.h"
#include "model.h"

#define LISTQ MODEL_LIST_QUERY ",status,needs_file_id,upstream_job_id," \
	"active_compute_node_id,include_relationships"

static const struct route routes[] = {
	{ "POST", "/jobs", jobs_create, ROUTE_JSON, "" },
	{ "GET", "/jobs", jobs_list, 0, LISTQ },
	{ "DELETE", "/jobs", jobs_delete_all, 0, "workflow_id" },
	{ "GET", "/jobs/:id", jobs_get, 0, "" },
	{ "PUT", "/jobs/:id", jobs_update, ROUTE_JSON, "" },
	{ "DELETE", "/jobs/:id", jobs_delete, 0, "" },
	{ "PUT", "/jobs/:id/start_job/:run_id/:compute_node_id", engine_start_job, 0, "" },
	{ "POST", "/jobs/:id/complete_job/:status/:run_id", engine_complete_job, ROUTE_JSON, "" },
	{ "PUT", "/jobs/:id/manage_status_change/:status/:run_id", engine_manage_status_change, 0, "" },
	{ "POST", "/jobs/:id/retry/:run_id", engine_retry_job, 0, "max_retries" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
