/*
 * api_views.c: the three relationship views of a workflow, and the list
 * helpers the files, user_data, resource_requirements and results lists
 * share.
 *
 * Relationships live in the job records (depends_on_job_ids,
 * input/output_file_ids, input/output_user_data_ids), so a view reads the
 * workflow's jobs once, turns their arrays into sorted (target, job)
 * pairs, and walks them beside the workflow's files or user data in id
 * order.  Rows follow Torc's SQL: job_dependencies is an inner join (a
 * dependency on a job that no longer exists is left out); the file and
 * user-data views give one row per (item, producer, consumer) pairing,
 * with the missing side omitted, and an item no job touches still gets one
 * row of its own.  Rows have no id: each gets a sequence number while the
 * envelope sorts and pages them, removed before the answer goes out.
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "api_views.h"
#include "arena.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

int64_t
views_required_wf(struct request *rq)
{
	const char *v = cgi_param(rq, "workflow_id");
	int64_t wf;
	if (v == NULL)
		die_http(400, "missing required query parameter 'workflow_id'");
	if (cgi_parse_int64(v, &wf) < 0 || wf <= 0)
		die_http(400, "query parameter 'workflow_id' must be a positive integer");
	return wf;
}

cJSON **
views_jobs(store_txn *t, int64_t wf, long *n)
{
	long nids, kept = 0;
	int64_t *ids = store_wf_ids(t, T_JOBS, wf, &nids);
	cJSON **jobs = arena_alloc(sizeof(cJSON *) * (size_t)(nids + 1));

	for (long i = 0; i < nids; i++) {
		cJSON *j = store_get(t, T_JOBS, ids[i]);
		if (j != NULL)
			jobs[kept++] = j;
	}
	*n = kept;
	return jobs;
}

int
views_has_id(const cJSON *rec, const char *key, int64_t id)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(rec, key), *e;
	if (!cJSON_IsArray(a))
		return 0;
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsNumber(e) && (int64_t)e->valuedouble == id)
			return 1;
	return 0;
}

static int
cmp_i64(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	return (a > b) - (a < b);
}

int64_t *
views_ids_union(cJSON **jobs, long nj, const char *key, long *n)
{
	long cnt = 0, cap = 0, u = 0;
	int64_t *v = NULL;

	for (long j = 0; j < nj; j++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(jobs[j], key), *e;
		if (!cJSON_IsArray(a))
			continue;
		cJSON_ArrayForEach(e, a) {
			if (!cJSON_IsNumber(e))
				continue;
			if (cnt == cap) {
				long nc = cap ? cap * 2 : 64;
				v = arena_realloc(v, sizeof(*v) * (size_t)cap, sizeof(*v) * (size_t)nc);
				cap = nc;
			}
			v[cnt++] = (int64_t)e->valuedouble;
		}
	}
	if (cnt > 1)
		qsort(v, (size_t)cnt, sizeof(*v), cmp_i64);
	for (long i = 0; i < cnt; i++)
		if (u == 0 || v[u - 1] != v[i])
			v[u++] = v[i];
	*n = u;
	return v;
}

int
views_sorted_has(const int64_t *set, long n, int64_t id)
{
	return n > 0 && bsearch(&id, set, (size_t)n, sizeof(*set), cmp_i64) != NULL;
}

cJSON *
views_job_in(store_txn *t, int64_t wf, int64_t id, int rmw)
{
	cJSON *job;
	if (id <= 0)
		return NULL;
	job = rmw ? store_get_rmw(t, T_JOBS, id) : store_get(t, T_JOBS, id);
	if (job == NULL || json_int(job, "workflow_id", 0) != wf)
		return NULL;
	return job;
}

int
views_list(struct request *rq, store_txn *t, const struct resource *res,
    int64_t wf, const struct page *pg, views_keep keep, void *arg)
{
	long n, kept = 0;
	int st;

	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	int64_t *ids = store_wf_ids(t, res->table, wf, &n);
	cJSON **recs = arena_alloc(sizeof(cJSON *) * (size_t)(n + 1));
	for (long i = 0; i < n; i++) {
		cJSON *rec = store_get(t, res->table, ids[i]);
		if (rec == NULL || (keep != NULL && !keep(rq, rec, arg)))
			continue;
		model_shape(res, rec);
		recs[kept++] = rec;
	}
	rq->out = model_envelope(rq, recs, kept, pg);
	return 200;
}

/* ---- the views ----------------------------------------------------------- */

/* A growable array of rows. */
struct rows {
	cJSON	**v;
	long	  n, cap;
};

static void
rows_add(struct rows *r, cJSON *row)
{
	if (r->n == r->cap) {
		long nc = r->cap ? r->cap * 2 : 64;
		r->v = arena_realloc(r->v, sizeof(cJSON *) * (size_t)r->cap,
		    sizeof(cJSON *) * (size_t)nc);
		r->cap = nc;
	}
	json_set_int(row, "id", r->n + 1);	/* sequence: removed before output */
	r->v[r->n++] = row;
}

/* (target id, job index) pairs, sorted by target then job id. */
struct pair {
	int64_t	 target;
	long	 job;		/* index into the jobs array (ascending ids) */
};

static int
cmp_pair(const void *pa, const void *pb)
{
	const struct pair *a = pa, *b = pb;
	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	return (a->job > b->job) - (a->job < b->job);
}

static struct pair *
pairs_of(cJSON **jobs, long nj, const char *key, long *np)
{
	long n = 0, cap = 0;
	struct pair *p = NULL;

	for (long j = 0; j < nj; j++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(jobs[j], key), *e;
		if (!cJSON_IsArray(a))
			continue;
		cJSON_ArrayForEach(e, a) {
			if (!cJSON_IsNumber(e))
				continue;
			if (n == cap) {
				long nc = cap ? cap * 2 : 64;
				p = arena_realloc(p, sizeof(*p) * (size_t)cap, sizeof(*p) * (size_t)nc);
				cap = nc;
			}
			p[n].target = (int64_t)e->valuedouble;
			p[n].job = j;
			n++;
		}
	}
	if (n > 1)
		qsort(p, (size_t)n, sizeof(*p), cmp_pair);
	*np = n;
	return p;
}

/* First index in p[from..n) whose target is >= id. */
static long
pairs_seek(const struct pair *p, long n, long from, int64_t id)
{
	while (from < n && p[from].target < id)
		from++;
	return from;
}

static long
job_index(cJSON **jobs, long nj, int64_t id)
{
	long lo = 0, hi = nj;
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		int64_t have = json_int(jobs[mid], "id", 0);
		if (have == id)
			return mid;
		if (have < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void
dependencies(int64_t wf, cJSON **jobs, long nj, struct rows *r)
{
	for (long j = 0; j < nj; j++) {
		int64_t *deps;
		int nd = json_int_array(jobs[j], "depends_on_job_ids", &deps);
		for (int a = 1; a < nd; a++)	/* insertion sort: lists are short */
			for (int b = a; b > 0 && deps[b - 1] > deps[b]; b--) {
				int64_t x = deps[b];
				deps[b] = deps[b - 1];
				deps[b - 1] = x;
			}
		for (int d = 0; d < nd; d++) {
			long k = job_index(jobs, nj, deps[d]);
			if (k < 0 || (d > 0 && deps[d] == deps[d - 1]))
				continue;
			cJSON *row = cJSON_CreateObject();
			json_set_int(row, "job_id", json_int(jobs[j], "id", 0));
			json_set_str(row, "job_name", json_str(jobs[j], "name", ""));
			json_set_int(row, "depends_on_job_id", deps[d]);
			json_set_str(row, "depends_on_job_name", json_str(jobs[k], "name", ""));
			json_set_int(row, "workflow_id", wf);
			rows_add(r, row);
		}
	}
}

/* How the file and user-data views differ. */
struct relview {
	enum table	 table;
	const char	*id_key, *name_key, *path_key;	/* row keys; path_key may be NULL */
	const char	*out_key, *in_key;		/* job arrays */
};

static const struct relview file_view = {
	T_FILES, "file_id", "file_name", "file_path", "output_file_ids", "input_file_ids"
};
static const struct relview user_data_view = {
	T_USER_DATA, "user_data_id", "user_data_name", NULL,
	"output_user_data_ids", "input_user_data_ids"
};

static cJSON *
rel_row(const struct relview *v, const cJSON *item, int64_t wf, const cJSON *producer,
    const cJSON *consumer)
{
	cJSON *row = cJSON_CreateObject();
	json_set_int(row, v->id_key, json_int(item, "id", 0));
	json_set_str(row, v->name_key, json_str(item, "name", ""));
	if (v->path_key != NULL)
		json_set_str(row, v->path_key, json_str(item, "path", ""));
	if (producer != NULL) {
		json_set_int(row, "producer_job_id", json_int(producer, "id", 0));
		json_set_str(row, "producer_job_name", json_str(producer, "name", ""));
	}
	if (consumer != NULL) {
		json_set_int(row, "consumer_job_id", json_int(consumer, "id", 0));
		json_set_str(row, "consumer_job_name", json_str(consumer, "name", ""));
	}
	json_set_int(row, "workflow_id", wf);
	return row;
}

static void
relationships(const struct relview *v, store_txn *t, int64_t wf, cJSON **jobs, long nj,
    struct rows *r)
{
	long nprod, ncons, ni, pi = 0, ci = 0;
	struct pair *prod = pairs_of(jobs, nj, v->out_key, &nprod);
	struct pair *cons = pairs_of(jobs, nj, v->in_key, &ncons);
	int64_t *ids = store_wf_ids(t, v->table, wf, &ni);

	for (long i = 0; i < ni; i++) {
		cJSON *item = store_get(t, v->table, ids[i]);
		if (item == NULL)
			continue;
		pi = pairs_seek(prod, nprod, pi, ids[i]);
		ci = pairs_seek(cons, ncons, ci, ids[i]);
		long pe = pi, ce = ci;
		while (pe < nprod && prod[pe].target == ids[i])
			pe++;
		while (ce < ncons && cons[ce].target == ids[i])
			ce++;
		/* A job listed twice in one array counts once (Torc's rows are unique). */
		for (long p = pi; p == pi || p < pe; p++) {
			if (p < pe && p > pi && prod[p].job == prod[p - 1].job)
				continue;
			const cJSON *pj = p < pe ? jobs[prod[p].job] : NULL;
			for (long c = ci; c == ci || c < ce; c++) {
				if (c < ce && c > ci && cons[c].job == cons[c - 1].job)
					continue;
				const cJSON *cj = c < ce ? jobs[cons[c].job] : NULL;
				rows_add(r, rel_row(v, item, wf, pj, cj));
			}
		}
		pi = pe;
		ci = ce;
	}
}

enum view_kind { VIEW_DEPS, VIEW_FILES, VIEW_USER_DATA };

struct view {
	enum view_kind	 kind;
	struct page	 pg;
};

static int
do_view(struct request *rq, store_txn *t, void *arg)
{
	struct view *vw = arg;
	int64_t wf = rq->id[0];
	struct rows r = { NULL, 0, 0 };
	long nj;
	int st;

	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if (!model_workflow_exists(t, wf))
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	cJSON **jobs = views_jobs(t, wf, &nj);
	switch (vw->kind) {
	case VIEW_DEPS:
		dependencies(wf, jobs, nj, &r);
		break;
	case VIEW_FILES:
		relationships(&file_view, t, wf, jobs, nj, &r);
		break;
	case VIEW_USER_DATA:
		relationships(&user_data_view, t, wf, jobs, nj, &r);
		break;
	}
	cJSON *env = model_envelope(rq, r.v, r.n, &vw->pg), *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(env, "items"))
		cJSON_DeleteItemFromObjectCaseSensitive(row, "id");
	rq->out = env;
	return 200;
}

static int
view(struct request *rq, enum view_kind kind)
{
	struct view vw;
	vw.kind = kind;
	model_page_params(rq, &vw.pg);
	return store_run(rq, do_view, &vw);
}

int
views_job_dependencies(struct request *rq)
{
	return view(rq, VIEW_DEPS);
}

int
views_job_file_relationships(struct request *rq)
{
	return view(rq, VIEW_FILES);
}

int
views_job_user_data_relationships(struct request *rq)
{
	return view(rq, VIEW_USER_DATA);
}
