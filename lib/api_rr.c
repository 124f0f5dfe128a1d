/*
 * api_rr.c: resource requirements of a workflow.
 *
 * A record is {id, workflow_id, name, num_cpus, num_gpus, num_nodes,
 * memory, runtime} plus two hidden fields the claim engine reads:
 * memory_bytes and runtime_s, recomputed (lib/units.h) on every create and
 * update.  Where Torc differs, this file decides:
 * - an unparsable memory or runtime is 422 on PUT as on POST (Torc: 500);
 * - the name "default" belongs to the rr every workflow gets: POST with it,
 *   or a PUT that renames to or from it, is 409 (Torc: 500 on POST);
 * - deleting an rr some job still uses is 409 (Torc cascades and deletes
 *   the jobs);
 * - the job_id filter works (upstream queries a table that does not exist).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "api_rr.h"
#include "api_views.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"
#include "units.h"

#define RESERVED "default"

static const struct field rr_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "name", F_STR, F_REQ, NULL },
	{ "num_cpus", F_INT, 0, "1" },
	{ "num_gpus", F_INT, 0, "0" },
	{ "num_nodes", F_INT, 0, "1" },
	{ "memory", F_STR, 0, "\"1m\"" },
	{ "runtime", F_STR, 0, "\"P0DT1M\"" },
	{ "memory_bytes", F_INT, F_HIDDEN, NULL },
	{ "runtime_s", F_NUM, F_HIDDEN, NULL },
	{ NULL, 0, 0, NULL }
};

/* Check the numbers and strings, and derive the hidden fields. */
static int
derive(struct request *rq, cJSON *rec)
{
	static const char *counts[] = { "num_cpus", "num_gpus", "num_nodes" };
	const char *mem = json_str(rec, "memory", "1m");
	const char *run = json_str(rec, "runtime", "P0DT1M");
	int64_t bytes;
	double secs;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (json_int(rec, counts[i], 0) < 0)
			return cgi_error(rq, 422, "field '%s' must not be negative", counts[i]);
	if (units_memory(mem, &bytes) < 0)
		return cgi_error(rq, 422, "field 'memory': cannot parse '%s' "
		    "(an integer with an optional k, m, g or t suffix, e.g. 10g)", mem);
	if (units_duration(run, &secs) < 0 || !isfinite(secs))
		return cgi_error(rq, 422, "field 'runtime': cannot parse '%s' "
		    "(an ISO 8601 duration, e.g. PT1H or P0DT1M)", run);
	json_set_int(rec, "memory_bytes", bytes);
	json_set_num(rec, "runtime_s", secs);
	return 0;
}

static int
before_create(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	(void)t; (void)old;
	if (strcmp(json_str(rec, "name", ""), RESERVED) == 0)
		return cgi_error(rq, 409, "resource requirements name '" RESERVED "' is reserved: "
		    "every workflow already has one");
	return derive(rq, rec);
}

static int
before_update(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	const char *was = json_str(old, "name", ""), *now = json_str(rec, "name", "");
	(void)t;
	if (strcmp(was, now) != 0 && (!strcmp(was, RESERVED) || !strcmp(now, RESERVED)))
		return cgi_error(rq, 409, "resource requirements name '" RESERVED "' is reserved: "
		    "it cannot be given to or taken from a record");
	return derive(rq, rec);
}

/* Refuse to delete what a job still uses (the transaction then rolls back). */
static int
after_delete(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	int64_t id = json_int(rec, "id", 0);
	long nj;
	(void)old;
	cJSON **jobs = views_jobs(t, json_int(rec, "workflow_id", 0), &nj);
	for (long j = 0; j < nj; j++)
		if (json_int(jobs[j], "resource_requirements_id", 0) == id)
			return cgi_error(rq, 409, "resource requirements %lld are used by job %lld",
			    (long long)id, (long long)json_int(jobs[j], "id", 0));
	return 0;
}

const struct resource rr_resource = {
	"resource_requirements", "Resource requirements", T_RR, rr_fields, 1,
	before_create, before_update, after_delete, "count", NULL,
	"name,memory,num_cpus,num_gpus,num_nodes,runtime,job_id"
};

int
rr_create(struct request *rq)
{
	return model_create(rq, &rr_resource);
}

int
rr_get(struct request *rq)
{
	return model_get(rq, &rr_resource, rq->id[0]);
}

int
rr_update(struct request *rq)
{
	return model_update(rq, &rr_resource, rq->id[0]);
}

int
rr_delete(struct request *rq)
{
	return model_delete(rq, &rr_resource, rq->id[0]);
}

int
rr_delete_all(struct request *rq)
{
	return model_delete_all(rq, &rr_resource);
}

struct rr_list {
	int64_t		 wf;
	struct page	 pg;
	int		 has_mem, has_run;
	int64_t		 mem;		/* memory filter, bytes */
	double		 run;		/* runtime filter, seconds */
	int64_t		 job;		/* job_id filter, 0: none */
	int64_t		 job_rr;	/* that job's rr id, 0 when the job is not in wf */
};

static int
keep(struct request *rq, const cJSON *rec, void *arg)
{
	struct rr_list *rl = arg;

	if (!model_match_str(rq, rec, "name") || !model_match_int(rq, rec, "num_cpus") ||
	    !model_match_int(rq, rec, "num_gpus") || !model_match_int(rq, rec, "num_nodes"))
		return 0;
	if (rl->has_mem && json_int(rec, "memory_bytes", -1) != rl->mem)
		return 0;
	if (rl->has_run && fabs(json_num(rec, "runtime_s", -1) - rl->run) > 1e-6)
		return 0;
	if (rl->job > 0 && json_int(rec, "id", 0) != rl->job_rr)
		return 0;
	return 1;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct rr_list *rl = arg;

	if (rl->job > 0) {
		const cJSON *job = views_job_in(t, rl->wf, rl->job, 0);
		rl->job_rr = job != NULL ? json_int(job, "resource_requirements_id", 0) : 0;
	}
	return views_list(rq, t, &rr_resource, rl->wf, &rl->pg, keep, rl);
}

int
rr_list(struct request *rq)
{
	struct rr_list rl = { 0 };
	const char *v;
	int64_t secs;

	rl.wf = views_required_wf(rq);
	model_page_params(rq, &rl.pg);
	rl.job = cgi_param_int(rq, "job_id", 0, 1, INT64_MAX);
	(void)cgi_param_int(rq, "num_cpus", 0, INT64_MIN, INT64_MAX);	/* 400 early */
	(void)cgi_param_int(rq, "num_gpus", 0, INT64_MIN, INT64_MAX);
	(void)cgi_param_int(rq, "num_nodes", 0, INT64_MIN, INT64_MAX);
	/* memory and runtime match by value: "1g" finds "1024m"; runtime may be seconds. */
	if ((v = cgi_param(rq, "memory")) != NULL) {
		if (units_memory(v, &rl.mem) < 0)
			return cgi_error(rq, 400, "query parameter 'memory' must be a memory size such as 10g");
		rl.has_mem = 1;
	}
	if ((v = cgi_param(rq, "runtime")) != NULL) {
		if (cgi_parse_int64(v, &secs) == 0 && secs >= 0)
			rl.run = (double)secs;
		else if (units_duration(v, &rl.run) < 0 || !isfinite(rl.run))
			return cgi_error(rq, 400, "query parameter 'runtime' must be an ISO 8601 "
			    "duration such as PT1H, or seconds");
		rl.has_run = 1;
	}
	return store_run(rq, do_list, &rl);
}
