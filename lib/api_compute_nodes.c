/*
 * api_compute_nodes.c: the compute nodes (job runners) of a workflow.
 *
 * A node is {id, workflow_id, hostname, pid, start_time, duration_seconds,
 * is_active, num_cpus, memory_gb, num_gpus, num_nodes, time_limit,
 * scheduler_config_id, compute_node_type, scheduler}; compute_node_type is
 * "local" or "slurm", scheduler an object whose scheduler_id the
 * scheduled_compute_node_id filter matches.
 */
#include <stdint.h>
#include <string.h>

#include "api_compute_nodes.h"
#include "api_views.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

static const struct field node_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "hostname", F_STR, F_REQ, NULL },
	{ "pid", F_INT, F_REQ, NULL },
	{ "start_time", F_STR, F_REQ, NULL },
	{ "duration_seconds", F_NUM, 0, NULL },
	{ "is_active", F_BOOL, 0, NULL },
	{ "num_cpus", F_INT, F_REQ, NULL },
	{ "memory_gb", F_NUM, F_REQ, NULL },
	{ "num_gpus", F_INT, F_REQ, NULL },
	{ "num_nodes", F_INT, F_REQ, NULL },
	{ "time_limit", F_STR, 0, NULL },
	{ "scheduler_config_id", F_INT, 0, NULL },
	{ "compute_node_type", F_STR, F_REQ, NULL },
	{ "scheduler", F_OBJ, 0, NULL },
	{ NULL, 0, 0, NULL }
};

static int
check_type(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	const char *type = json_str(rec, "compute_node_type", "");
	(void)t; (void)old;
	if (strcmp(type, "local") != 0 && strcmp(type, "slurm") != 0)
		return cgi_error(rq, 400, "field 'compute_node_type' must be local or slurm, not '%s'",
		    type);
	return 0;
}

const struct resource compute_nodes_resource = {
	"compute_nodes", "Compute node", T_COMPUTE_NODES, node_fields, 1,
	check_type, check_type, NULL, "count", NULL,
	"hostname,is_active,scheduled_compute_node_id"
};

int
compute_nodes_create(struct request *rq)
{
	return model_create(rq, &compute_nodes_resource);
}

int
compute_nodes_get(struct request *rq)
{
	return model_get(rq, &compute_nodes_resource, rq->id[0]);
}

int
compute_nodes_update(struct request *rq)
{
	return model_update(rq, &compute_nodes_resource, rq->id[0]);
}

int
compute_nodes_delete(struct request *rq)
{
	return model_delete(rq, &compute_nodes_resource, rq->id[0]);
}

int
compute_nodes_delete_all(struct request *rq)
{
	return model_delete_all(rq, &compute_nodes_resource);
}

struct cn_list {
	int64_t		 wf;
	struct page	 pg;
	int64_t		 scheduled;	/* scheduled_compute_node_id, 0: none */
};

static int
keep(struct request *rq, const cJSON *rec, void *arg)
{
	struct cn_list *cl = arg;

	if (!model_match_str(rq, rec, "hostname") || !model_match_bool(rq, rec, "is_active"))
		return 0;
	if (cl->scheduled > 0) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(rec, "scheduler");
		const cJSON *id = cJSON_IsObject(s) ?
		    cJSON_GetObjectItemCaseSensitive(s, "scheduler_id") : NULL;
		if (!cJSON_IsNumber(id) || (int64_t)id->valuedouble != cl->scheduled)
			return 0;
	}
	return 1;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct cn_list *cl = arg;
	return views_list(rq, t, &compute_nodes_resource, cl->wf, &cl->pg, keep, cl);
}

int
compute_nodes_list(struct request *rq)
{
	struct cn_list cl = { 0 };

	cl.wf = views_required_wf(rq);
	model_page_params(rq, &cl.pg);
	cl.scheduled = cgi_param_int(rq, "scheduled_compute_node_id", 0, 1, INT64_MAX);
	(void)cgi_param_bool(rq, "is_active", 0);	/* 400 early */
	return store_run(rq, do_list, &cl);
}
