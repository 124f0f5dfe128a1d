/*
 * workflows: the /workflows family.  A route table and nothing else; the
 * handlers live in lib/.  Engine routes (initialize, claim, ...) and
 * access-group routes join this table as they land.
 */
#include "api_failure_handlers.h"
#include "api_groups.h"
#include "api_views.h"
#include "api_workflows.h"
#include "cgi.h"
#include "engine.h"
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
	/* The job engine (lib/engine*.c). */
	{ "POST", "/workflows/:id/initialize_jobs", engine_initialize_jobs, 0,
	    "only_uninitialized,clear_ephemeral_user_data" },
	{ "POST", "/workflows/:id/claim_next_jobs", engine_claim_next_jobs, 0, "limit" },
	{ "POST", "/workflows/:id/claim_jobs_based_on_resources/:limit",
	    engine_claim_jobs_based_on_resources, ROUTE_JSON, "sort_method,strict_scheduler_match" },
	{ "GET", "/workflows/:id/is_complete", engine_is_complete, 0, "" },
	{ "GET", "/workflows/:id/is_uninitialized", engine_is_uninitialized, 0, "" },
	{ "PUT", "/workflows/:id/cancel", engine_cancel, 0, "" },
	{ "POST", "/workflows/:id/reset_status", engine_reset_status, 0, "force" },
	{ "POST", "/workflows/:id/reset_job_status", engine_reset_job_status, 0, "failed_only" },
	{ "GET", "/workflows/:id/required_existing_files", engine_required_existing_files, 0, "" },
	{ "GET", "/workflows/:id/missing_user_data", engine_missing_user_data, 0, "" },
	{ "GET", "/workflows/:id/ready_job_requirements", engine_ready_job_requirements, 0,
	    "scheduler_config_id" },
	{ "POST", "/workflows/:id/process_changed_job_inputs", engine_process_changed_job_inputs,
	    0, "dry_run" },
	{ "GET", "/workflows/:id/job_dependencies", views_job_dependencies, 0, LISTQ },
	{ "GET", "/workflows/:id/job_file_relationships", views_job_file_relationships, 0, LISTQ },
	{ "GET", "/workflows/:id/job_user_data_relationships", views_job_user_data_relationships,
	    0, LISTQ },
	{ "GET", "/workflows/:id/failure_handlers", failure_handlers_list, 0, LISTQ },
	/* Sharing with access groups (lib/api_groups.c). */
	{ "GET", "/workflows/:id/access_groups", groups_of_workflow, 0, "offset,limit" },
	{ "POST", "/workflows/:id/access_groups", groups_attach_body, ROUTE_JSON, "" },
	{ "POST", "/workflows/:id/access_groups/:group_id", groups_attach, ROUTE_JSON_OPT, "" },
	{ "DELETE", "/workflows/:id/access_groups/:group_id", groups_detach, ROUTE_JSON_OPT, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
