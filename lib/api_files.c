/*
 * api_files.c: the files of a workflow.
 *
 * A file is {id, workflow_id, name, path, st_mtime}.  Which jobs read or
 * write it is kept in the job records (input_file_ids, output_file_ids),
 * so the produced_by_job_id and is_output filters read the workflow's
 * jobs.  PUT keeps absent fields (COALESCE) except st_mtime, which it
 * always overwrites: absent or null clears it, as Torc does, so a client
 * can forget a stale modification time.
 */
#include <stdint.h>

#include "api_files.h"
#include "api_views.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

static const struct field file_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "name", F_STR, F_REQ, NULL },
	{ "path", F_STR, F_REQ, NULL },
	{ "st_mtime", F_NUM, 0, NULL },
	{ NULL, 0, 0, NULL }
};

static int
before_update(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	(void)t; (void)old;
	if (!json_has(rq->json, "st_mtime"))
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "st_mtime");
	return 0;
}

const struct resource files_resource = {
	"files", "File", T_FILES, file_fields, 1,
	NULL, before_update, NULL, "deleted_count", NULL,
	"name,path,produced_by_job_id,is_output"
};

int
files_create(struct request *rq)
{
	return model_create(rq, &files_resource);
}

int
files_get(struct request *rq)
{
	return model_get(rq, &files_resource, rq->id[0]);
}

int
files_update(struct request *rq)
{
	return model_update(rq, &files_resource, rq->id[0]);
}

int
files_delete(struct request *rq)
{
	return model_delete(rq, &files_resource, rq->id[0]);
}

int
files_delete_all(struct request *rq)
{
	return model_delete_all(rq, &files_resource);
}

struct file_list {
	int64_t		 wf;
	struct page	 pg;
	int64_t		 producer;	/* produced_by_job_id, 0: no filter */
	int		 is_output;
	const cJSON	*job;		/* the producer, NULL when not in the workflow */
	int64_t		*outputs;	/* is_output: every job's outputs, sorted */
	long		 noutputs;
};

static int
keep(struct request *rq, const cJSON *rec, void *arg)
{
	struct file_list *fl = arg;
	int64_t id = json_int(rec, "id", 0);

	if (!model_match_str(rq, rec, "name") || !model_match_str(rq, rec, "path"))
		return 0;
	if (fl->producer > 0 && !views_has_id(fl->job, "output_file_ids", id))
		return 0;
	if (fl->is_output && !views_sorted_has(fl->outputs, fl->noutputs, id))
		return 0;
	return 1;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct file_list *fl = arg;

	fl->job = fl->producer > 0 ? views_job_in(t, fl->wf, fl->producer, 0) : NULL;
	if (fl->is_output) {
		long nj;
		cJSON **jobs = views_jobs(t, fl->wf, &nj);
		fl->outputs = views_ids_union(jobs, nj, "output_file_ids", &fl->noutputs);
	}
	return views_list(rq, t, &files_resource, fl->wf, &fl->pg, keep, fl);
}

int
files_list(struct request *rq)
{
	struct file_list fl = { 0 };

	fl.wf = views_required_wf(rq);
	model_page_params(rq, &fl.pg);
	fl.producer = cgi_param_int(rq, "produced_by_job_id", 0, 1, INT64_MAX);
	/* is_output=false means "no filter", as in Torc. */
	fl.is_output = cgi_param_bool(rq, "is_output", 0);
	return store_run(rq, do_list, &fl);
}
