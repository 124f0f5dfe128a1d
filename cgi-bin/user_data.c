/*
 * user_data: the /user_data family.  A route table and nothing else; the
 * handlers live in lib/api_user_data.c.
 */
#include "api_user_data.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/user_data", user_data_create, ROUTE_JSON, "consumer_job_id,producer_job_id" },
	{ "GET", "/user_data", user_data_list, 0,
	    MODEL_LIST_QUERY ",consumer_job_id,producer_job_id,name,is_ephemeral" },
	{ "DELETE", "/user_data", user_data_delete_all, 0, "workflow_id" },
	{ "GET", "/user_data/:id", user_data_get, 0, "" },
	{ "PUT", "/user_data/:id", user_data_update, ROUTE_JSON, "" },
	{ "DELETE", "/user_data/:id", user_data_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
