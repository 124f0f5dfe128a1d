/*
 * slurm_schedulers: the /slurm_schedulers family.  A route table and nothing else;
 * the handlers live in lib/api_schedulers.c.
 */
#include "api_schedulers.h"
#include "cgi.h"
#include "model.h"

static const struct route routes[] = {
	{ "POST", "/slurm_schedulers", schedulers_create, ROUTE_JSON, "" },
	{ "GET", "/slurm_schedulers", schedulers_list, 0, MODEL_LIST_QUERY "," "name,account,gres,mem,nodes,partition,qos,tmp,walltime" },
	{ "DELETE", "/slurm_schedulers", schedulers_delete_all, 0, "workflow_id" },
	{ "GET", "/slurm_schedulers/:id", schedulers_get, 0, "" },
	{ "PUT", "/slurm_schedulers/:id", schedulers_update, ROUTE_JSON, "" },
	{ "DELETE", "/slurm_schedulers/:id", schedulers_delete, 0, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

int
main(int argc, char **argv)
{
	return cgi_main(argc, argv, routes);
}
