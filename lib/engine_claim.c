/*
 * engine_claim.c: handing ready jobs to job runners.
 *
 * claim_next_jobs takes the first ready jobs of the workflow straight from
 * the status index, (workflow, ready, job) keys in job order, with a
 * write-locking cursor, and makes them pending in the same transaction.
 * The workflow lock serializes claimers of one workflow, so no job is ever
 * handed out twice, and the cost does not grow with the workflow: the scan
 * starts at the first ready key and stops after `limit` of them.
 *
 * claim_jobs_based_on_resources filters the ready jobs by what one compute
 * node offers (cpus, memory, gpus, nodes, time limit, scheduler), orders
 * them by the requested sort method, keeps the first `limit`, and packs
 * them greedily until the node is full.  ready_job_requirements sums what
 * the ready jobs need.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "api_jobs.h"
#include "arena.h"
#include "bounds.h"
#include "cgi.h"
#include "engine.h"
#include "json.h"
#include "store.h"
#include "units.h"

#define GIB	1073741824.0

struct collect {
	int64_t	*ids;
	long	 n, max;
};

static int
collect_cb(const unsigned char *key, size_t klen, const unsigned char *val,
    size_t vlen, void *arg)
{
	struct collect *c = arg;
	(void)val; (void)vlen;
	c->ids[c->n++] = ikey_part(key, klen - 8);
	return c->n >= c->max;
}

/* Move the chosen jobs to pending; returns the output array. */
static cJSON *
make_pending(store_txn *t, int64_t wf, const int64_t *ids, long n)
{
	cJSON *out = cJSON_CreateArray();
	for (long i = 0; i < n; i++) {
		cJSON *job = store_get_rmw(t, T_JOBS, ids[i]);
		if (job == NULL)
			die_http(500, "job %lld is in the ready queue but missing", (long long)ids[i]);
		engine_set_status(t, wf, job, JS_PENDING, NULL);
		if (i == n / 2)
			store_fault("claim-mid");
		jobs_shape(job, 1);
		cJSON_AddItemToArray(out, job);
	}
	return out;
}

static int
do_claim_next(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0], limit = *(int64_t *)arg;
	cJSON *status;
	struct ikey k;
	struct collect c = { NULL, 0, limit };
	int st;

	if ((st = engine_lock(rq, t, wf, &status)) != 0)
		return st;
	rq->out = cJSON_CreateObject();
	if (json_bool(status, "is_canceled", 0) || limit == 0) {
		json_set(rq->out, "jobs", cJSON_CreateArray());
		return 200;
	}
	c.ids = arena_alloc(sizeof(int64_t) * (size_t)limit);
	ikey_make(&k, 2, wf, (int64_t)JS_READY);
	store_scan(t, T_JOBSTATUS, &k, 1, collect_cb, &c);
	json_set(rq->out, "jobs", make_pending(t, wf, c.ids, c.n));
	return 200;
}

int
engine_claim_next_jobs(struct request *rq)
{
	int64_t limit = cgi_param_int(rq, "limit", TORC_CLAIM_DEFAULT, 0, INT64_MAX);
	if (limit > TORC_LIST_MAX_LIMIT)
		limit = TORC_LIST_MAX_LIMIT;
	return store_run(rq, do_claim_next, &limit);
}

/* ---- resources ------------------------------------------------------------- */

struct need {
	int64_t	 cpus, gpus, nodes, mem;
	double	 runtime;
	const char *runtime_str;
};

/* What a job needs, from its resource requirements (cached per rr id). */
static const struct need *
job_need(store_txn *t, const cJSON *job, struct idmap *cache)
{
	static const struct need fallback = { 1, 0, 1, 1048576, 60, "P0DT1M" };
	int64_t rid = json_int(job, "resource_requirements_id", 0);
	struct need *nd;
	cJSON *rr;

	if (rid <= 0)
		return &fallback;
	if ((nd = idmap_get(cache, rid)) != NULL)
		return nd;
	if ((rr = store_get(t, T_RR, rid)) == NULL)
		return &fallback;
	nd = arena_alloc(sizeof(*nd));
	nd->cpus = json_int(rr, "num_cpus", 1);
	nd->gpus = json_int(rr, "num_gpus", 0);
	nd->nodes = json_int(rr, "num_nodes", 1);
	nd->runtime_str = json_str(rr, "runtime", "P0DT1M");
	if (json_has(rr, "memory_bytes"))
		nd->mem = json_int(rr, "memory_bytes", 0);
	else if (units_memory(json_str(rr, "memory", "1m"), &nd->mem) < 0)
		nd->mem = 1048576;
	if (json_has(rr, "runtime_s"))
		nd->runtime = json_num(rr, "runtime_s", 60);
	else if (units_duration(nd->runtime_str, &nd->runtime) < 0)
		nd->runtime = 60;
	idmap_put(cache, rid, nd);
	return nd;
}

enum sort_method { SORT_NONE, SORT_GPUS_RUNTIME_MEMORY, SORT_GPUS_MEMORY_RUNTIME };

struct cand {
	int64_t			 id;
	const struct need	*need;
};

static int
cmp_desc(double a, double b)
{
	return a > b ? -1 : a < b;
}

static int
cmp_grm(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int c;
	if ((c = cmp_desc((double)a->need->gpus, (double)b->need->gpus)) == 0 &&
	    (c = cmp_desc(a->need->runtime, b->need->runtime)) == 0 &&
	    (c = cmp_desc((double)a->need->mem, (double)b->need->mem)) == 0)
		c = a->id < b->id ? -1 : a->id > b->id;
	return c;
}

static int
cmp_gmr(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int c;
	if ((c = cmp_desc((double)a->need->gpus, (double)b->need->gpus)) == 0 &&
	    (c = cmp_desc((double)a->need->mem, (double)b->need->mem)) == 0 &&
	    (c = cmp_desc(a->need->runtime, b->need->runtime)) == 0)
		c = a->id < b->id ? -1 : a->id > b->id;
	return c;
}

struct node {
	int64_t	 cpus, gpus, nodes, mem;
	double	 time_limit;		/* < 0: none */
	int	 has_sched;
	int64_t	 sched;
};

struct res_op {
	int64_t			 limit;
	struct node		 node;
	enum sort_method	 sort;
	int			 strict;
};

static void
cand_push(struct cand **v, long *n, long *cap, int64_t id, const struct need *nd)
{
	if (*n == *cap) {
		long nc = *cap ? *cap * 2 : 64;
		*v = arena_realloc(*v, sizeof(**v) * (size_t)*cap, sizeof(**v) * (size_t)nc);
		*cap = nc;
	}
	(*v)[*n].id = id;
	(*v)[(*n)++].need = nd;
}

/*
 * The ready jobs that fit the node, in job order, split by whether their
 * scheduler matches.  Unsorted, the first `limit` matches are the answer
 * and the scan stops there, so its cost does not grow with the ready
 * queue; a sort method needs every candidate.
 */
struct res_scan {
	store_txn		*t;
	const struct res_op	*op;
	struct idmap		 cache;
	struct cand		*ok, *other;
	long			 nok, cok, nother, cother;
};

static int
res_scan_cb(const unsigned char *key, size_t klen, const unsigned char *val,
    size_t vlen, void *arg)
{
	struct res_scan *rs = arg;
	const struct node *no = &rs->op->node;
	int64_t id = ikey_part(key, klen - 8);
	(void)val; (void)vlen;

	cJSON *job = store_get(rs->t, T_JOBS, id);
	const struct need *nd = job_need(rs->t, job, &rs->cache);
	if (nd->mem > no->mem || nd->cpus > no->cpus || nd->gpus > no->gpus ||
	    nd->nodes > no->nodes || (no->time_limit >= 0 && nd->runtime > no->time_limit))
		return 0;
	int sched_ok = !json_has(job, "scheduler_id") ||
	    (no->has_sched && json_int(job, "scheduler_id", 0) == no->sched);
	if (sched_ok)
		cand_push(&rs->ok, &rs->nok, &rs->cok, id, nd);
	else if (!rs->op->strict)
		cand_push(&rs->other, &rs->nother, &rs->cother, id, nd);
	return rs->op->sort == SORT_NONE && rs->nok >= rs->op->limit;
}

static int
do_claim_res(struct request *rq, store_txn *t, void *arg)
{
	struct res_op *op = arg;
	int64_t wf = rq->id[0];
	struct res_scan rs = { t, op, { NULL, NULL, 0, 0 }, NULL, NULL, 0, 0, 0, 0 };
	struct ikey k;
	cJSON *status;
	int st;

	if ((st = engine_lock(rq, t, wf, &status)) != 0)
		return st;
	rq->out = cJSON_CreateObject();
	if (json_bool(status, "is_canceled", 0)) {
		json_set(rq->out, "jobs", cJSON_CreateArray());
		json_set_str(rq->out, "reason", "Workflow is canceled");
		return 200;
	}
	if (op->limit == 0) {
		json_set(rq->out, "jobs", cJSON_CreateArray());
		return 200;
	}
	ikey_make(&k, 2, wf, (int64_t)JS_READY);
	store_scan(t, T_JOBSTATUS, &k, 0, res_scan_cb, &rs);
	struct cand *ok = rs.ok;
	long nok = rs.nok;
	if (nok == 0 && !op->strict) {
		ok = rs.other;
		nok = rs.nother;
	}
	if (op->sort != SORT_NONE && nok > 1)
		qsort(ok, (size_t)nok, sizeof(*ok),
		    op->sort == SORT_GPUS_RUNTIME_MEMORY ? cmp_grm : cmp_gmr);
	if (nok > op->limit)
		nok = op->limit;

	/* Greedy packing in that order. */
	int64_t mem = 0, cpus = 0, gpus = 0, nodes = 0, *chosen;
	long nchosen = 0;
	chosen = arena_alloc(sizeof(int64_t) * (size_t)(nok + 1));
	for (long i = 0; i < nok; i++) {
		const struct need *nd = ok[i].need;
		int64_t extra_nodes = nd->nodes > 1 ? nd->nodes : 0;
		if (mem + nd->mem > op->node.mem || cpus + nd->cpus > op->node.cpus ||
		    gpus + nd->gpus > op->node.gpus || nodes + extra_nodes > op->node.nodes)
			continue;
		mem += nd->mem;
		cpus += nd->cpus;
		gpus += nd->gpus;
		nodes += extra_nodes;
		chosen[nchosen++] = ok[i].id;
	}
	json_set(rq->out, "jobs", make_pending(t, wf, chosen, nchosen));
	return 200;
}

int
engine_claim_jobs_based_on_resources(struct request *rq)
{
	struct res_op op;
	const char *s;
	const cJSON *b = rq->json;

	memset(&op, 0, sizeof(op));
	if (cgi_parse_int64(rq->arg[1], &op.limit) < 0 || op.limit < 0)
		return cgi_error(rq, 400, "limit must be a non-negative integer, not '%s'", rq->arg[1]);
	if (!cJSON_IsObject(b))
		return cgi_error(rq, 400, "request body must be a JSON object");
	op.node.cpus = json_req_int(b, "num_cpus");
	op.node.gpus = json_req_int(b, "num_gpus");
	op.node.nodes = json_req_int(b, "num_nodes");
	double gb = json_req_num(b, "memory_gb");
	if (!isfinite(gb) || gb < 0)
		return cgi_error(rq, 400, "field 'memory_gb' must be a non-negative number");
	op.node.mem = gb * GIB >= 9.2e18 ? INT64_MAX : (int64_t)(gb * GIB);
	op.node.time_limit = -1;
	if ((s = json_str(b, "time_limit", NULL)) != NULL &&
	    units_duration(s, &op.node.time_limit) < 0)
		return cgi_error(rq, 422, "time_limit '%s' is not an ISO 8601 duration", s);
	if (json_has(b, "scheduler_config_id")) {
		op.node.has_sched = 1;
		op.node.sched = json_int(b, "scheduler_config_id", 0);
	}
	s = cgi_param(rq, "sort_method");
	if (s == NULL || strcmp(s, "none") == 0)
		op.sort = SORT_NONE;
	else if (strcmp(s, "gpus_runtime_memory") == 0)
		op.sort = SORT_GPUS_RUNTIME_MEMORY;
	else if (strcmp(s, "gpus_memory_runtime") == 0)
		op.sort = SORT_GPUS_MEMORY_RUNTIME;
	else
		return cgi_error(rq, 400, "sort_method must be gpus_runtime_memory, gpus_memory_runtime or none");
	op.strict = cgi_param_bool(rq, "strict_scheduler_match", 0);
	if (op.limit > TORC_LIST_MAX_LIMIT)
		op.limit = TORC_LIST_MAX_LIMIT;
	return store_run(rq, do_claim_res, &op);
}

/* ---- ready_job_requirements ---------------------------------------------- */

static int
do_ready_req(struct request *rq, store_txn *t, void *arg)
{
	const int64_t *sched = arg;
	int64_t wf = rq->id[0], cpus = 0, gpus = 0, maxnodes = 0, mem = 0, count = 0;
	struct idmap cache = { NULL, NULL, 0, 0 };
	double maxrt = -1;
	const char *maxrt_str = "P0DT0S";
	long n;
	int st;

	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if (store_get(t, T_WFSTATUS, wf) == NULL)
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	int64_t *ids = engine_jobs_in(t, wf, JS_READY, &n);
	for (long i = 0; i < n; i++) {
		cJSON *job = store_get(t, T_JOBS, ids[i]);
		if (job == NULL || (*sched > 0 && json_int(job, "scheduler_id", 0) != *sched))
			continue;
		const struct need *nd = job_need(t, job, &cache);
		count++;
		cpus += nd->cpus;
		gpus += nd->gpus;
		mem += nd->mem;
		if (nd->nodes > maxnodes)
			maxnodes = nd->nodes;
		if (nd->runtime > maxrt) {
			maxrt = nd->runtime;
			maxrt_str = nd->runtime_str;
		}
	}
	rq->out = cJSON_CreateObject();
	json_set_int(rq->out, "num_jobs", count);
	json_set_int(rq->out, "num_cpus", cpus);
	json_set_int(rq->out, "num_gpus", gpus);
	json_set_num(rq->out, "memory_gb", (double)mem / GIB);
	json_set_int(rq->out, "max_num_nodes", maxnodes);
	json_set_str(rq->out, "max_runtime", maxrt_str);
	return 200;
}

int
engine_ready_job_requirements(struct request *rq)
{
	int64_t sched = cgi_param_int(rq, "scheduler_config_id", 0, 1, INT64_MAX);
	return store_run(rq, do_ready_req, &sched);
}
