/*
 * engine_init.c: initialize_jobs and process_changed_job_inputs.
 *
 * initialize_jobs works on the whole workflow in memory, in one
 * transaction:
 * 1. load every job; materialize the implicit dependencies (a job that
 *    consumes a file or user data another job produces depends on it)
 *    into depends_on_job_ids and T_DEPS_REV;
 * 2. with only_uninitialized, make every job downstream of an
 *    uninitialized one uninitialized too;
 * 3. block every job (only uninitialized ones with only_uninitialized;
 *    never a disabled one) that has a dependency which will not be
 *    complete afterwards, to a fixed point, so a completed job downstream
 *    of one that runs again runs again too;
 * 4. make ready every job not disabled, blocked, completed, failed,
 *    canceled or ready; a blocked job whose dependencies are all complete
 *    becomes ready as well;
 * 5. drop the current-result link of jobs left outside the complete set,
 *    count each blocked job's unfinished dependencies, store each job's
 *    input hash, and write back only the records that changed.
 * The input hash is a SHA-256 over the command, the invocation script, the
 * five id lists and the data of the input user data;
 * process_changed_job_inputs recomputes it and makes jobs whose hash
 * changed uninitialized again (unless dry_run).
 */
#include <openssl/evp.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_jobs.h"
#include "arena.h"
#include "bounds.h"
#include "cgi.h"
#include "engine.h"
#include "json.h"
#include "store.h"

struct ijob {
	cJSON	*rec;
	int64_t	 id;
	int	 st, nst;		/* status before, status after */
	int	 deps_changed;
	int64_t	*deps;			/* sorted ids */
	long	 ndeps;
	long	*down;			/* indices of dependents */
	long	 ndown, capdown;
};

struct pair {
	int64_t	 key;			/* file or user-data id */
	long	 job;			/* index of the producing job */
};

/* ---- the input hash ------------------------------------------------------- */

static void
hash_str(EVP_MD_CTX *c, const char *tag, const char *s)
{
	EVP_DigestUpdate(c, tag, strlen(tag) + 1);
	if (s != NULL)
		EVP_DigestUpdate(c, s, strlen(s) + 1);
	else
		EVP_DigestUpdate(c, "", 0);
}

char *
engine_input_hash(store_txn *t, const cJSON *job, struct idmap *udcache)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int64_t *v;

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		die_http(500, "cannot compute an input hash");
	hash_str(c, "command", json_str(job, "command", NULL));
	hash_str(c, "invocation_script", json_str(job, "invocation_script", NULL));
	for (int l = 0; l < 5; l++) {
		long n = engine_id_list(job, jobs_id_lists[l], &v);
		hash_str(c, jobs_id_lists[l], NULL);
		for (long i = 0; i < n; i++) {
			unsigned char b[8];
			for (int k = 0; k < 8; k++)
				b[k] = (unsigned char)((uint64_t)v[i] >> (56 - 8 * k));
			EVP_DigestUpdate(c, b, sizeof(b));
		}
	}
	long n = engine_id_list(job, "input_user_data_ids", &v);
	for (long i = 0; i < n; i++) {
		char *data = idmap_get(udcache, v[i]);
		if (data == NULL) {
			cJSON *ud = store_get(t, T_USER_DATA, v[i]);
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(ud, "data");
			data = d != NULL ? json_print(d) : arena_strdup("null");
			idmap_put(udcache, v[i], data);
		}
		hash_str(c, "data", data);
	}
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	char *hex = arena_alloc(2 * mdlen + 1);
	for (unsigned i = 0; i < mdlen; i++) {
		static const char digits[] = "0123456789abcdef";
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	return hex;
}

/* ---- initialize -------------------------------------------------------------- */

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->job < y->job ? -1 : x->job > y->job;
}

/* Producers of each file (or user data): pairs sorted by key. */
static struct pair *
producers(struct ijob *jobs, long n, const char *key, long *np)
{
	struct pair *p = NULL;
	long cnt = 0, cap = 0;
	for (long i = 0; i < n; i++) {
		int64_t *v;
		long k = engine_id_list(jobs[i].rec, key, &v);
		for (long j = 0; j < k; j++) {
			if (cnt == cap) {
				long nc = cap ? cap * 2 : 64;
				p = arena_realloc(p, sizeof(*p) * (size_t)cap, sizeof(*p) * (size_t)nc);
				cap = nc;
			}
			p[cnt].key = v[j];
			p[cnt++].job = i;
		}
	}
	if (cnt > 1)
		qsort(p, (size_t)cnt, sizeof(*p), cmp_pair);
	*np = cnt;
	return p;
}

/* Add the producers of what job i consumes (key) to its dependencies. */
static void
add_implicit(struct ijob *jobs, long i, const char *key, const struct pair *p, long np,
    struct idvec *acc)
{
	int64_t *v;
	long k = engine_id_list(jobs[i].rec, key, &v);
	for (long j = 0; j < k; j++) {
		long lo = 0, hi = np;
		while (lo < hi) {
			long mid = (lo + hi) / 2;
			if (p[mid].key < v[j])
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < np && p[lo].key == v[j]; lo++)
			if (p[lo].job != i)
				idvec_push(acc, jobs[p[lo].job].id);
	}
}

static long
index_of(const struct ijob *jobs, long n, int64_t id)
{
	long lo = 0, hi = n;
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (jobs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && jobs[lo].id == id ? lo : -1;
}

static void
add_down(struct ijob *j, long idx)
{
	if (j->ndown == j->capdown) {
		long nc = j->capdown ? j->capdown * 2 : 4;
		j->down = arena_realloc(j->down, sizeof(long) * (size_t)j->capdown,
		    sizeof(long) * (size_t)nc);
		j->capdown = nc;
	}
	j->down[j->ndown++] = idx;
}

/* Will a job in status st be complete once initialize is done? */
static int
stays_done(int st)
{
	return st == JS_COMPLETED || st == JS_FAILED || st == JS_CANCELED;
}

struct init_op {
	int	 only_uninitialized;
};

/*
 * Each job's dependencies with the implicit ones added, in memory only (a
 * cycle is refused before anything is written).  Returns the number of
 * dependency edges, or -1 once there would be more than
 * TORC_MAX_DEPENDENCIES: many producers and many consumers of one file
 * multiply, and the transaction writing them would outlive the request.
 */
static long
implicit_deps(struct ijob *jobs, long n)
{
	long nf, nu, edges = 0;
	struct pair *pf = producers(jobs, n, "output_file_ids", &nf);
	struct pair *pu = producers(jobs, n, "output_user_data_ids", &nu);

	for (long i = 0; i < n; i++) {
		struct idvec acc = { NULL, 0, 0 };
		for (long j = 0; j < jobs[i].ndeps; j++)
			idvec_push(&acc, jobs[i].deps[j]);
		add_implicit(jobs, i, "input_file_ids", pf, nf, &acc);
		add_implicit(jobs, i, "input_user_data_ids", pu, nu, &acc);
		if ((edges += acc.n) > TORC_MAX_DEPENDENCIES)
			return -1;
		long k = engine_sort_ids(acc.v, acc.n);
		if (k != jobs[i].ndeps) {
			jobs[i].deps = acc.v;
			jobs[i].ndeps = k;
			jobs[i].deps_changed = 1;
		}
	}
	return edges;
}

/* Write the dependencies implicit_deps added (records and T_DEPS_REV). */
static void
materialize(store_txn *t, struct ijob *jobs, long n)
{
	for (long i = 0; i < n; i++)
		if (jobs[i].deps_changed)
			engine_job_set_deps(t, jobs[i].rec, jobs[i].deps, jobs[i].ndeps);
}

static void
block_to_fixed_point(struct ijob *jobs, long n, int only_unin)
{
	long *work = arena_alloc(sizeof(long) * (size_t)(n + 1)), nw = 0;
	char *queued = arena_alloc((size_t)n + 1);

	for (long i = n - 1; i >= 0; i--) {
		work[nw++] = i;
		queued[i] = 1;
	}
	while (nw > 0) {
		long i = work[--nw];
		struct ijob *j = &jobs[i];
		queued[i] = 0;
		if (j->nst == JS_BLOCKED || j->nst == JS_DISABLED ||
		    (only_unin && j->nst != JS_UNINITIALIZED))
			continue;
		int waits = 0;
		for (long d = 0; d < j->ndeps && !waits; d++) {
			long x = index_of(jobs, n, j->deps[d]);
			waits = x >= 0 && !stays_done(jobs[x].nst);
		}
		if (!waits)
			continue;
		int was_done = stays_done(j->nst);
		j->nst = JS_BLOCKED;
		if (!was_done)
			continue;
		/* It was complete and will run again: its dependents must wait. */
		for (long d = 0; d < j->ndown; d++)
			if (!queued[j->down[d]]) {
				queued[j->down[d]] = 1;
				work[nw++] = j->down[d];
			}
	}
}

/*
 * A dependency cycle among the jobs (explicit or through files and user
 * data) would leave them blocked for ever: NULL when there is none, else
 * the names of one cycle, "a -> b -> a".  Kahn's algorithm; what it cannot
 * order holds a cycle, which is walked from any job left along
 * dependencies that are left too.
 */
static char *
find_cycle(const struct ijob *jobs, long n)
{
	long *indeg = arena_alloc(sizeof(long) * (size_t)(n + 1));
	long *q = arena_alloc(sizeof(long) * (size_t)(n + 1)), nq = 0;

	for (long i = 0; i < n; i++)
		for (long d = 0; d < jobs[i].ndeps; d++)
			if (index_of(jobs, n, jobs[i].deps[d]) >= 0)
				indeg[i]++;
	for (long i = 0; i < n; i++)
		if (indeg[i] == 0)
			q[nq++] = i;
	for (long h = 0; h < nq; h++)
		for (long d = 0; d < jobs[q[h]].ndown; d++)
			if (--indeg[jobs[q[h]].down[d]] == 0)
				q[nq++] = jobs[q[h]].down[d];
	if (nq == n)
		return NULL;

	long *step = arena_alloc(sizeof(long) * (size_t)(n + 1)), u = 0;
	while (indeg[u] == 0)
		u++;
	for (long i = 0; i < n; i++)
		step[i] = -1;
	for (long k = 0; step[u] < 0; k++) {
		step[u] = k;
		for (long d = 0; d < jobs[u].ndeps; d++) {
			long x = index_of(jobs, n, jobs[u].deps[d]);
			if (x >= 0 && indeg[x] > 0) {
				u = x;
				break;
			}
		}
	}
	/* u is where the walk came back to: name the cycle from there. */
	char *s = arena_printf("%s", json_str(jobs[u].rec, "name", "?"));
	long v = u, len = 0;
	do {
		for (long d = 0; d < jobs[v].ndeps; d++) {
			long x = index_of(jobs, n, jobs[v].deps[d]);
			if (x >= 0 && indeg[x] > 0 && step[x] >= 0) {
				v = x;
				break;
			}
		}
		s = arena_printf("%s -> %s", s, json_str(jobs[v].rec, "name", "?"));
	} while (v != u && ++len < 20);
	return v == u ? s : arena_printf("%s -> ...", s);
}

static int
do_initialize(struct request *rq, store_txn *t, void *arg)
{
	struct init_op *op = arg;
	int64_t wf = rq->id[0];
	struct idmap udcache = { NULL, NULL, 0, 0 };
	long n;
	int st;

	if ((st = engine_lock(rq, t, wf, NULL)) != 0)
		return st;
	int64_t *ids = store_wf_ids(t, T_JOBS, wf, &n);
	struct ijob *jobs = arena_alloc(sizeof(*jobs) * (size_t)(n + 1));
	for (long i = 0; i < n; i++) {
		struct ijob *j = &jobs[i];
		j->id = ids[i];
		if ((j->rec = store_get_rmw(t, T_JOBS, ids[i])) == NULL)
			die_http(500, "job %lld is linked to workflow %lld but missing",
			    (long long)ids[i], (long long)wf);
		j->st = j->nst = engine_job_status(j->rec);
		j->ndeps = engine_id_list(j->rec, "depends_on_job_ids", &j->deps);
	}
	if (implicit_deps(jobs, n) < 0)
		return cgi_error(rq, 422, "the jobs' dependencies, with those their files and "
		    "user data imply, are more than %ld: too many producers and consumers of "
		    "the same files?", (long)TORC_MAX_DEPENDENCIES);
	for (long i = 0; i < n; i++)
		for (long d = 0; d < jobs[i].ndeps; d++) {
			long x = index_of(jobs, n, jobs[i].deps[d]);
			if (x >= 0)
				add_down(&jobs[x], i);
		}
	char *cycle = find_cycle(jobs, n);
	if (cycle != NULL)
		return cgi_error(rq, 422, "the jobs' dependencies form a cycle, so they would "
		    "wait for ever: %s (each waits for the next)", cycle);
	materialize(t, jobs, n);

	if (op->only_uninitialized) {
		long *q = arena_alloc(sizeof(long) * (size_t)(n + 1)), nq = 0;
		char *seen = arena_alloc((size_t)n + 1);
		for (long i = 0; i < n; i++)
			if (jobs[i].nst == JS_UNINITIALIZED) {
				q[nq++] = i;
				seen[i] = 1;
			}
		for (long h = 0; h < nq; h++)
			for (long d = 0; d < jobs[q[h]].ndown; d++) {
				long x = jobs[q[h]].down[d];
				if (!seen[x]) {
					seen[x] = 1;
					jobs[x].nst = JS_UNINITIALIZED;
					q[nq++] = x;
				}
			}
	}
	block_to_fixed_point(jobs, n, op->only_uninitialized);

	for (long i = 0; i < n; i++) {
		struct ijob *j = &jobs[i];
		switch (j->nst) {
		case JS_DISABLED: case JS_COMPLETED: case JS_FAILED:
		case JS_CANCELED: case JS_READY:
			break;
		case JS_BLOCKED: {
			long left = 0;
			for (long d = 0; d < j->ndeps; d++) {
				long x = index_of(jobs, n, j->deps[d]);
				if (x >= 0 && !stays_done(jobs[x].nst))
					left++;
			}
			if (left == 0)
				j->nst = JS_READY;
			else
				json_set_int(j->rec, "unfinished_deps", left);
			break;
		}
		default:
			j->nst = JS_READY;
		}
	}

	store_fault("init-mid");
	for (long i = 0; i < n; i++) {
		struct ijob *j = &jobs[i];
		struct ikey k;
		char *hash = engine_input_hash(t, j->rec, &udcache);
		int same_hash = strcmp(json_str(j->rec, "input_hash", ""), hash) == 0;
		const cJSON *left = cJSON_GetObjectItemCaseSensitive(j->rec, "unfinished_deps");

		if (j->nst != JS_BLOCKED && left != NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(j->rec, "unfinished_deps");
		if (!engine_status_done(j->nst)) {
			ikey_make(&k, 2, wf, j->id);
			store_idel(t, T_WFRESULT, &k);
		}
		if (j->st == j->nst && !j->deps_changed && same_hash && j->nst != JS_BLOCKED &&
		    left == NULL)
			continue;
		json_set_str(j->rec, "input_hash", hash);
		if (j->st != j->nst) {
			engine_index_del(t, wf, j->st, j->id);
			engine_index_put(t, wf, j->nst, j->id);
			json_set_str(j->rec, "status", engine_status_name(j->nst));
		}
		store_put(t, T_JOBS, j->id, j->rec);
	}
	rq->out = cJSON_CreateObject();
	json_set_str(rq->out, "message", "Initialized job status");
	return 200;
}

int
engine_initialize_jobs(struct request *rq)
{
	struct init_op op;
	op.only_uninitialized = cgi_param_bool(rq, "only_uninitialized", 0);
	(void)cgi_param_bool(rq, "clear_ephemeral_user_data", 0);	/* accepted, as Torc */
	return store_run(rq, do_initialize, &op);
}

/* ---- process_changed_job_inputs ------------------------------------------- */

static int
do_changed(struct request *rq, store_txn *t, void *arg)
{
	int dry_run = *(int *)arg;
	int64_t wf = rq->id[0];
	struct idmap udcache = { NULL, NULL, 0, 0 };
	cJSON *names = cJSON_CreateArray();
	long n;
	int st;

	if ((st = engine_lock(rq, t, wf, NULL)) != 0)
		return st;
	int64_t *ids = store_wf_ids(t, T_JOBS, wf, &n);
	for (long i = 0; i < n; i++) {
		cJSON *job = store_get(t, T_JOBS, ids[i]);
		const char *stored;
		if (job == NULL || (stored = json_str(job, "input_hash", NULL)) == NULL)
			continue;
		if (strcmp(stored, engine_input_hash(t, job, &udcache)) == 0)
			continue;
		cJSON_AddItemToArray(names, cJSON_CreateString(json_str(job, "name", "")));
		if (dry_run)
			continue;
		job = store_get_rmw(t, T_JOBS, ids[i]);
		engine_set_status(t, wf, job, JS_UNINITIALIZED, NULL);
	}
	rq->out = cJSON_CreateObject();
	json_set(rq->out, "reinitialized_jobs", names);
	return 200;
}

int
engine_process_changed_job_inputs(struct request *rq)
{
	int dry_run = cgi_param_bool(rq, "dry_run", 0);
	return store_run(rq, do_changed, &dry_run);
}
