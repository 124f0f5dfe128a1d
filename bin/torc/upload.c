/*
 * upload.c: create a workflow on the server from a loaded spec (see
 * upload.h and the loop documented in spec.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "output.h"
#include "spec.h"
#include "upload.h"
#include "util.h"

/* POSTs every object of arr (with workflow_id) to path, recording ids. */
static int
post_all(const cJSON *arr, const char *path, int64_t wf,
    struct spec_idmap *m, const char *what)
{
	const cJSON *it;
	struct api_error e;

	cJSON_ArrayForEach(it, arr) {
		cJSON *body = spec_body(it, wf), *r = NULL;
		int rc = api_call("POST", body, &r, &e, "%s", path);

		cJSON_Delete(body);
		if (rc != 0) {
			cli_err("cannot create %s '%s': %s", what,
			    jstr(it, "name") ? jstr(it, "name") : "?", e.msg);
			return rc;
		}
		if (spec_idmap_add_created(m, r) != 1) {
			cJSON_Delete(r);
			cli_err("the server's answer to POST %s has no name "
			    "and id", path);
			return EXIT_FAIL;
		}
		cJSON_Delete(r);
	}
	return 0;
}

/* PUTs the spec's own "default" resource requirement onto the server's. */
static int
put_default_rr(const cJSON *rr, int64_t wf, struct spec_idmap *m)
{
	struct api_error e;
	cJSON *items = NULL, *body;
	char *path;
	int64_t id;
	int rc;

	path = xasprintf("/resource_requirements?workflow_id=%" PRId64
	    "&name=default", wf);
	rc = api_list_quiet(path, NULL, &items, &e);
	free(path);
	if (rc != 0) {
		cli_err("cannot find the default resource requirements: %s",
		    e.msg);
		return rc;
	}
	id = jint(cJSON_GetArrayItem(items, 0), "id", 0);
	cJSON_Delete(items);
	if (id <= 0) {
		cli_err("the workflow has no default resource requirements");
		return EXIT_FAIL;
	}
	body = spec_body(rr, wf);
	rc = api_call("PUT", body, NULL, &e, "/resource_requirements/%"
	    PRId64, id);
	cJSON_Delete(body);
	if (rc != 0) {
		cli_err("cannot set the default resource requirements: %s",
		    e.msg);
		return rc;
	}
	spec_idmap_put(m, "default", id);
	return 0;
}

static int
post_jobs(const struct spec *s, int64_t wf, struct spec_ids *ids)
{
	const cJSON *level;
	struct api_error e;
	char err[512];

	cJSON_ArrayForEach(level, s->levels) {
		size_t n = (size_t)cJSON_GetArraySize(level), off;

		for (off = 0; off < n; off += SPEC_BULK_BATCH) {
			cJSON *body, *r = NULL;
			int rc;

			body = spec_bulk_body(level, off, SPEC_BULK_BATCH, wf,
			    ids, err, sizeof(err));
			if (body == NULL) {
				cli_err("%s", err);
				return EXIT_FAIL;
			}
			rc = api_call("POST", body, &r, &e, "/bulk_jobs");
			cJSON_Delete(body);
			if (rc != 0) {
				cli_err("cannot create the jobs: %s", e.msg);
				return rc;
			}
			if (spec_idmap_add_created(ids->jobs,
			    cJSON_GetObjectItemCaseSensitive(r, "jobs")) < 0) {
				cJSON_Delete(r);
				cli_err("the answer to POST /bulk_jobs lacks "
				    "job names or ids");
				return EXIT_FAIL;
			}
			cJSON_Delete(r);
		}
	}
	return 0;
}

static int
post_actions(const struct spec *s, int64_t wf, const struct spec_ids *ids)
{
	const cJSON *a;
	struct api_error e;
	char err[512];

	cJSON_ArrayForEach(a, s->actions) {
		cJSON *body = spec_action_body(a, wf, ids, err, sizeof(err));
		int rc;

		if (body == NULL) {
			cli_err("%s", err);
			return EXIT_FAIL;
		}
		rc = api_call("POST", body, NULL, &e, "/workflows/%" PRId64
		    "/actions", wf);
		cJSON_Delete(body);
		if (rc != 0) {
			cli_err("cannot create an action (%s): %s",
			    jstr(a, "trigger_type") ? jstr(a, "trigger_type") :
			    "?", e.msg);
			return rc;
		}
	}
	return 0;
}

int
upload_spec(const struct spec *s, const char *user, int64_t *wfp)
{
	struct spec_ids ids;
	struct api_error e;
	cJSON *body, *r = NULL;
	int64_t wf;
	int rc;

	body = jdup(s->workflow);
	if (user != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(body, "user");
		jadd_str(body, "user", user);
	}
	rc = api_call("POST", body, &r, &e, "/workflows");
	cJSON_Delete(body);
	if (rc != 0) {
		cli_err("cannot create the workflow: %s", e.msg);
		return rc;
	}
	wf = jint(r, "id", 0);
	cJSON_Delete(r);
	if (wf <= 0) {
		cli_err("the answer to POST /workflows has no id");
		return EXIT_FAIL;
	}

	memset(&ids, 0, sizeof(ids));
	ids.jobs = spec_idmap_new();
	ids.files = spec_idmap_new();
	ids.user_data = spec_idmap_new();
	ids.resource_requirements = spec_idmap_new();
	ids.slurm_schedulers = spec_idmap_new();
	ids.failure_handlers = spec_idmap_new();
	if ((rc = post_all(s->files, "/files", wf, ids.files, "file")) ||
	    (rc = post_all(s->user_data, "/user_data", wf, ids.user_data,
	    "user data")) ||
	    (rc = post_all(s->resource_requirements, "/resource_requirements",
	    wf, ids.resource_requirements, "resource requirements")) ||
	    (rc = post_all(s->slurm_schedulers, "/slurm_schedulers", wf,
	    ids.slurm_schedulers, "slurm scheduler")) ||
	    (rc = post_all(s->failure_handlers, "/failure_handlers", wf,
	    ids.failure_handlers, "failure handler")))
		goto out;
	if (s->default_rr != NULL &&
	    (rc = put_default_rr(s->default_rr, wf,
	    ids.resource_requirements)) != 0)
		goto out;
	if ((rc = post_jobs(s, wf, &ids)) != 0)
		goto out;
	rc = post_actions(s, wf, &ids);
out:
	spec_idmap_free(ids.jobs);
	spec_idmap_free(ids.files);
	spec_idmap_free(ids.user_data);
	spec_idmap_free(ids.resource_requirements);
	spec_idmap_free(ids.slurm_schedulers);
	spec_idmap_free(ids.failure_handlers);
	if (rc != 0) {
		if (api_call("DELETE", NULL, NULL, &e, "/workflows/%" PRId64,
		    wf) != 0)
			cli_warn("could not delete the incomplete workflow %"
			    PRId64 ": %s", wf, e.msg);
		else
			cli_info("deleted the incomplete workflow %" PRId64,
			    wf);
		return rc;
	}
	*wfp = wf;
	return 0;
}

int
upload_report(int64_t wf, const struct spec *s)
{
	cJSON *r = NULL;
	int rc;

	if (out_format() != FMT_JSON) {
		printf("Created workflow %" PRId64 " (%s): %zu jobs, %d files, "
		    "%d user data\n", wf, jstr(s->workflow, "name") ?
		    jstr(s->workflow, "name") : "", s->njobs,
		    cJSON_GetArraySize(s->files),
		    cJSON_GetArraySize(s->user_data));
		return 0;
	}
	if ((rc = api_call("GET", NULL, &r, NULL, "/workflows/%" PRId64,
	    wf)) != 0)
		return rc;
	out_json(r);
	cJSON_Delete(r);
	return 0;
}

void
upload_describe(const struct spec *s)
{
	if (out_format() == FMT_JSON) {
		out_json(s->doc);
		return;
	}
	printf("Workflow '%s': %zu jobs in %d levels, %d files, %d user data, "
	    "%d resource requirements, %d schedulers, %d failure handlers, "
	    "%d actions\n", jstr(s->workflow, "name") ?
	    jstr(s->workflow, "name") : "", s->njobs,
	    cJSON_GetArraySize(s->levels), cJSON_GetArraySize(s->files),
	    cJSON_GetArraySize(s->user_data),
	    cJSON_GetArraySize(s->resource_requirements) +
	    (s->default_rr != NULL),
	    cJSON_GetArraySize(s->slurm_schedulers),
	    cJSON_GetArraySize(s->failure_handlers),
	    cJSON_GetArraySize(s->actions));
}
