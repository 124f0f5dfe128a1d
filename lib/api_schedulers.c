/*
 * api_schedulers.c: scheduler configurations and the nodes they schedule.
 *
 * Three plain workflow-scoped resources that Torc specs and clients create
 * (torc-api-semantics.md §2.9-2.11): slurm_schedulers (an sbatch
 * configuration), local_schedulers (cpus and memory of a local runner) and
 * scheduled_compute_nodes (an allocation a scheduler was asked for).
 * Lists filter on the fields each route declares, by exact value.
 */
#include <string.h>

#include "api_schedulers.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

static const struct field slurm_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "name", F_STR, 0, NULL },
	{ "account", F_STR, F_REQ, NULL },
	{ "gres", F_STR, 0, NULL },
	{ "mem", F_STR, 0, NULL },
	{ "nodes", F_INT, F_REQ, NULL },
	{ "ntasks_per_node", F_INT, 0, NULL },
	{ "partition", F_STR, 0, NULL },
	{ "qos", F_STR, 0, NULL },
	{ "tmp", F_STR, 0, NULL },
	{ "walltime", F_STR, F_REQ, NULL },
	{ "extra", F_STR, 0, NULL },
	{ NULL, 0, 0, NULL }
};

static const struct field local_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "name", F_STR, 0, NULL },
	{ "memory", F_STR, F_REQ, NULL },
	{ "num_cpus", F_INT, F_REQ, NULL },
	{ NULL, 0, 0, NULL }
};

static const struct field node_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "scheduler_id", F_INT, F_REQ, NULL },
	{ "scheduler_config_id", F_INT, F_REQ, NULL },
	{ "scheduler_type", F_STR, F_REQ, NULL },
	{ "status", F_STR, F_REQ, NULL },
	{ NULL, 0, 0, NULL }
};

#define SLURM_FILTERS	"name,account,gres,mem,nodes,partition,qos,tmp,walltime"
#define LOCAL_FILTERS	"memory,num_cpus"
#define NODE_FILTERS	"scheduler_id,scheduler_config_id,status"

static int
match_fields(struct request *rq, store_txn *t, const cJSON *rec,
    const struct resource *res)
{
	(void)t;
	for (const struct field *f = res->fields; f->name; f++) {
		if (strstr(res->list_query, f->name) == NULL)
			continue;
		if (f->type == F_INT && !model_match_int(rq, rec, f->name))
			return 0;
		if (f->type == F_STR && !model_match_str(rq, rec, f->name))
			return 0;
	}
	return 1;
}

static int
slurm_keep(struct request *rq, store_txn *t, const cJSON *rec)
{
	return match_fields(rq, t, rec, &slurm_schedulers_resource);
}

static int
local_keep(struct request *rq, store_txn *t, const cJSON *rec)
{
	return match_fields(rq, t, rec, &local_schedulers_resource);
}

static int
node_keep(struct request *rq, store_txn *t, const cJSON *rec)
{
	return match_fields(rq, t, rec, &scheduled_nodes_resource);
}

const struct resource slurm_schedulers_resource = {
	"slurm_schedulers", "Slurm scheduler", T_SLURM_SCHEDULERS, slurm_fields, 1,
	NULL, NULL, NULL, "count", slurm_keep, SLURM_FILTERS
};

const struct resource local_schedulers_resource = {
	"local_schedulers", "Local scheduler", T_LOCAL_SCHEDULERS, local_fields, 1,
	NULL, NULL, NULL, "count", local_keep, LOCAL_FILTERS
};

const struct resource scheduled_nodes_resource = {
	"scheduled_compute_nodes", "Scheduled compute node", T_SCHEDULED_NODES,
	node_fields, 1, NULL, NULL, NULL, "count", node_keep, NODE_FILTERS
};

const struct resource *
schedulers_resource(const struct request *rq)
{
	if (strcmp(rq->resource, "slurm_schedulers") == 0)
		return &slurm_schedulers_resource;
	if (strcmp(rq->resource, "local_schedulers") == 0)
		return &local_schedulers_resource;
	return &scheduled_nodes_resource;
}

int
schedulers_create(struct request *rq)
{
	return model_create(rq, schedulers_resource(rq));
}

int
schedulers_list(struct request *rq)
{
	return model_list(rq, schedulers_resource(rq));
}

int
schedulers_get(struct request *rq)
{
	return model_get(rq, schedulers_resource(rq), rq->id[0]);
}

int
schedulers_update(struct request *rq)
{
	return model_update(rq, schedulers_resource(rq), rq->id[0]);
}

int
schedulers_delete(struct request *rq)
{
	return model_delete(rq, schedulers_resource(rq), rq->id[0]);
}

int
schedulers_delete_all(struct request *rq)
{
	return model_delete_all(rq, schedulers_resource(rq));
}
