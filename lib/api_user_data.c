/*
 * api_user_data.c: the user data of a workflow.
 *
 * A user-data record is {id, workflow_id, name, is_ephemeral, data}, data
 * being any JSON value.  Which jobs consume or produce it is kept in the
 * job records (input_user_data_ids, output_user_data_ids): POST may name a
 * consumer_job_id and a producer_job_id, whose arrays gain the new id in
 * the same transaction, and deleting user data takes its id out of every
 * job of the workflow again (Torc's relation rows cascade the same way).
 * Job arrays stay sorted, without duplicates, and are present only when
 * non-empty, as the job records keep them.
 */
#include <stdint.h>
#include <string.h>

#include "access.h"
#include "api_user_data.h"
#include "api_views.h"
#include "arena.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

#define IN_KEY	"input_user_data_ids"
#define OUT_KEY	"output_user_data_ids"

static const struct field user_data_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "name", F_STR, F_REQ, NULL },
	{ "is_ephemeral", F_BOOL, 0, "false" },
	{ "data", F_ANY, 0, NULL },
	{ NULL, 0, 0, NULL }
};

/* Add id to the int array key of job, kept ascending; 1 if it changed. */
static int
array_add(cJSON *job, const char *key, int64_t id)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(job, key), *e, *before = NULL;

	if (!cJSON_IsArray(a)) {
		a = cJSON_CreateArray();
		json_set(job, key, a);
	}
	cJSON_ArrayForEach(e, a) {
		int64_t have = cJSON_IsNumber(e) ? (int64_t)e->valuedouble : 0;
		if (have == id)
			return 0;
		if (have > id && before == NULL)
			before = e;
	}
	cJSON *n = cJSON_CreateNumber((double)id);
	if (before == NULL) {
		cJSON_AddItemToArray(a, n);
		return 1;
	}
	int at = 0;
	for (e = a->child; e != before; e = e->next)
		at++;
	cJSON_InsertItemInArray(a, at, n);
	return 1;
}

/* Remove id from the int array key of job (dropping an emptied array); 1 if it changed. */
static int
array_remove(cJSON *job, const char *key, int64_t id)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(job, key);
	int changed = 0, i = 0;

	if (!cJSON_IsArray(a))
		return 0;
	for (cJSON *e = a->child, *next; e != NULL; e = next) {
		next = e->next;
		if (cJSON_IsNumber(e) && (int64_t)e->valuedouble == id) {
			cJSON_DeleteItemFromArray(a, i);
			changed = 1;
			continue;
		}
		i++;
	}
	if (cJSON_GetArraySize(a) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(job, key);
	return changed;
}

/* Take the ids in the sorted set gone out of every job of wf. */
static void
unlink_jobs(store_txn *t, int64_t wf, const int64_t *gone, long ngone)
{
	long nj;
	cJSON **jobs = views_jobs(t, wf, &nj);

	for (long j = 0; j < nj; j++) {
		int64_t *in, *out;
		int nin = json_int_array(jobs[j], IN_KEY, &in);
		int nout = json_int_array(jobs[j], OUT_KEY, &out);
		int hit = 0;
		for (int k = 0; k < nin && !hit; k++)
			hit = views_sorted_has(gone, ngone, in[k]);
		for (int k = 0; k < nout && !hit; k++)
			hit = views_sorted_has(gone, ngone, out[k]);
		if (!hit)
			continue;
		int64_t jid = json_int(jobs[j], "id", 0);
		cJSON *job = store_get_rmw(t, T_JOBS, jid);
		if (job == NULL)
			continue;
		for (long g = 0; g < ngone; g++) {
			array_remove(job, IN_KEY, gone[g]);
			array_remove(job, OUT_KEY, gone[g]);
		}
		store_put(t, T_JOBS, jid, job);
	}
}

static int
after_delete(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	int64_t id = json_int(rec, "id", 0);
	(void)rq; (void)old;
	unlink_jobs(t, json_int(rec, "workflow_id", 0), &id, 1);
	return 0;
}

const struct resource user_data_resource = {
	"user_data", "User data", T_USER_DATA, user_data_fields, 1,
	NULL, NULL, after_delete, "deleted_count", NULL,
	"consumer_job_id,producer_job_id,name,is_ephemeral"
};

struct ud_create {
	cJSON		*rec;
	int64_t		 consumer, producer;
};

static int
do_create(struct request *rq, store_txn *t, void *arg)
{
	struct ud_create *uc = arg;
	cJSON *rec = cJSON_Duplicate(uc->rec, 1), *cons = NULL, *prod = NULL;
	int64_t wf = json_int(rec, "workflow_id", 0);
	int st;

	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if (!model_workflow_exists(t, wf))
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	if (uc->consumer > 0 && (cons = views_job_in(t, wf, uc->consumer, 1)) == NULL)
		return cgi_error(rq, 404, "consumer_job_id: job %lld not found in workflow %lld",
		    (long long)uc->consumer, (long long)wf);
	if (uc->producer > 0 && (prod = views_job_in(t, wf, uc->producer, 1)) == NULL)
		return cgi_error(rq, 404, "producer_job_id: job %lld not found in workflow %lld",
		    (long long)uc->producer, (long long)wf);
	int64_t id = store_insert(t, T_USER_DATA, rec);
	store_wf_link(t, T_USER_DATA, wf, id);
	if (cons != NULL && array_add(cons, IN_KEY, id))
		store_put(t, T_JOBS, uc->consumer, cons);
	if (prod != NULL) {
		/* The same job may be both; start from what was just written. */
		if (uc->producer == uc->consumer)
			prod = cons;
		if (array_add(prod, OUT_KEY, id))
			store_put(t, T_JOBS, uc->producer, prod);
	}
	model_shape(&user_data_resource, rec);
	rq->out = rec;
	return 200;
}

int
user_data_create(struct request *rq)
{
	struct ud_create uc;

	uc.consumer = cgi_param_int(rq, "consumer_job_id", 0, 1, INT64_MAX);
	uc.producer = cgi_param_int(rq, "producer_job_id", 0, 1, INT64_MAX);
	uc.rec = model_from_body(rq, &user_data_resource, rq->json);
	if (json_int(uc.rec, "workflow_id", 0) <= 0)
		return cgi_error(rq, 400, "field 'workflow_id' must be a positive integer");
	return store_run(rq, do_create, &uc);
}

int
user_data_get(struct request *rq)
{
	return model_get(rq, &user_data_resource, rq->id[0]);
}

int
user_data_update(struct request *rq)
{
	return model_update(rq, &user_data_resource, rq->id[0]);
}

int
user_data_delete(struct request *rq)
{
	return model_delete(rq, &user_data_resource, rq->id[0]);
}

static int
do_delete_all(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = *(int64_t *)arg;
	long n;
	int st;

	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	int64_t *ids = store_wf_ids(t, T_USER_DATA, wf, &n);	/* ascending */
	for (long i = 0; i < n; i++) {
		store_del(t, T_USER_DATA, ids[i]);
		store_wf_unlink(t, T_USER_DATA, wf, ids[i]);
	}
	if (n > 0)
		unlink_jobs(t, wf, ids, n);
	rq->out = cJSON_CreateObject();
	json_set_int(rq->out, "deleted_count", n);
	return 200;
}

int
user_data_delete_all(struct request *rq)
{
	int64_t wf = views_required_wf(rq);
	return store_run(rq, do_delete_all, &wf);
}

struct ud_list {
	int64_t		 wf;
	struct page	 pg;
	int64_t		 consumer, producer;	/* 0: no filter */
	const cJSON	*cons, *prod;		/* those jobs, NULL if not in wf */
};

static int
keep(struct request *rq, const cJSON *rec, void *arg)
{
	struct ud_list *ul = arg;
	int64_t id = json_int(rec, "id", 0);
	const char *name = cgi_param(rq, "name");

	if (name != NULL && strstr(json_str(rec, "name", ""), name) == NULL)
		return 0;
	if (!model_match_bool(rq, rec, "is_ephemeral"))
		return 0;
	if (ul->consumer > 0 && !views_has_id(ul->cons, IN_KEY, id))
		return 0;
	if (ul->producer > 0 && !views_has_id(ul->prod, OUT_KEY, id))
		return 0;
	return 1;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct ud_list *ul = arg;

	ul->cons = ul->consumer > 0 ? views_job_in(t, ul->wf, ul->consumer, 0) : NULL;
	ul->prod = ul->producer > 0 ? views_job_in(t, ul->wf, ul->producer, 0) : NULL;
	return views_list(rq, t, &user_data_resource, ul->wf, &ul->pg, keep, ul);
}

int
user_data_list(struct request *rq)
{
	struct ud_list ul = { 0 };

	ul.wf = views_required_wf(rq);
	model_page_params(rq, &ul.pg);
	ul.consumer = cgi_param_int(rq, "consumer_job_id", 0, 1, INT64_MAX);
	ul.producer = cgi_param_int(rq, "producer_job_id", 0, 1, INT64_MAX);
	(void)cgi_param_bool(rq, "is_ephemeral", 0);	/* 400 on a bad value, before any work */
	return store_run(rq, do_list, &ul);
}
