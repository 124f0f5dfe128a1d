/*
 * wfinit.c: the initialize and reinitialize flows (see wfinit.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"
#include "util.h"
#include "wfinit.h"

#define SHOWN_MISSING	5	/* missing files named in a message */
#define MTIME_EPSILON	1e-3	/* seconds: a smaller change is no change */

int
wf_file_mtime(const char *path, double *mtime)
{
	struct stat st;

	if (path == NULL || stat(path, &st) != 0)
		return 0;
	*mtime = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
	return 1;
}

int
wf_run_id(int64_t wf, int64_t *run_id)
{
	cJSON *st = NULL;
	int rc;

	if ((rc = api_call("GET", NULL, &st, NULL, "/workflows/%" PRId64
	    "/status", wf)) != 0)
		return rc;
	*run_id = jint(st, "run_id", 0);
	cJSON_Delete(st);
	return 0;
}

int
wf_bump_run_id(int64_t wf, int64_t *run_id)
{
	cJSON *st = NULL;
	int64_t next;
	int rc;

	if ((rc = api_call("GET", NULL, &st, NULL, "/workflows/%" PRId64
	    "/status", wf)) != 0)
		return rc;
	next = jint(st, "run_id", 0) + 1;
	jset_num(st, "run_id", (double)next);
	rc = api_call("PUT", st, NULL, NULL, "/workflows/%" PRId64 "/status",
	    wf);
	cJSON_Delete(st);
	if (rc == 0)
		*run_id = next;
	return rc;
}

/* PUT a file back with a new st_mtime (NAN: null). */
static int
put_mtime(const cJSON *file, double mtime)
{
	cJSON *body = jdup(file);
	int rc;

	cJSON_DeleteItemFromObjectCaseSensitive(body, "st_mtime");
	if (isnan(mtime))
		jadd(body, "st_mtime", cJSON_CreateNull());
	else
		jadd_num(body, "st_mtime", mtime);
	rc = api_call("PUT", body, NULL, NULL, "/files/%" PRId64,
	    jint(file, "id", 0));
	cJSON_Delete(body);
	return rc;
}

/* GETs the list at path (all pages) into *items; frees path. */
static int
list(cJSON **items, char *path)
{
	int rc = api_list(path, NULL, items);

	free(path);
	return rc;
}

static int
list_files(cJSON **items, int64_t wf)
{
	return list(items, xasprintf("/files?workflow_id=%" PRId64, wf));
}

/* Required input files must exist; missing user data must not. */
static int
check_inputs(int64_t wf, int force)
{
	cJSON *req = NULL, *mud = NULL;
	const cJSON *id, *arr;
	struct strbuf missing = { 0 };
	int rc, nmissing = 0, nud;

	if ((rc = api_call("GET", NULL, &req, NULL, "/workflows/%" PRId64
	    "/required_existing_files", wf)) != 0)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(req, "files");
	cJSON_ArrayForEach(id, arr) {
		cJSON *f = NULL;
		double mt;
		int64_t fid = cJSON_IsNumber(id) ? (int64_t)id->valuedouble :
		    (cJSON_IsString(id) ? strtoll(id->valuestring, NULL, 10) :
		    0);

		if ((rc = api_call("GET", NULL, &f, NULL, "/files/%" PRId64,
		    fid)) != 0)
			goto out;
		if (!wf_file_mtime(jstr(f, "path"), &mt)) {
			if (nmissing++ < SHOWN_MISSING)
				sb_printf(&missing, "%s%s", missing.len ?
				    ", " : "", jstr(f, "path") ?
				    jstr(f, "path") : "?");
		}
		cJSON_Delete(f);
	}
	if (nmissing > 0) {
		char *m = sb_take(&missing);

		if (force) {
			cli_warn("%d required input file(s) missing: %s%s",
			    nmissing, m, nmissing > SHOWN_MISSING ? ", ..." : "");
		} else {
			cli_err("%d required input file(s) missing: %s%s "
			    "(--force to go on anyway)", nmissing, m,
			    nmissing > SHOWN_MISSING ? ", ..." : "");
			rc = EXIT_FAIL;
		}
		free(m);
		if (rc != 0)
			goto out;
	}
	if ((rc = api_call("GET", NULL, &mud, NULL, "/workflows/%" PRId64
	    "/missing_user_data", wf)) != 0)
		goto out;
	nud = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mud,
	    "user_data"));
	if (nud > 0) {
		if (force) {
			cli_warn("%d user data item(s) have no data", nud);
		} else {
			cli_err("%d user data item(s) that jobs need have no "
			    "data (--force to go on anyway)", nud);
			rc = EXIT_FAIL;
		}
	}
out:
	free(missing.p);
	cJSON_Delete(req);
	cJSON_Delete(mud);
	return rc;
}

/* Records every file's modification time on disk (null if absent). */
static int
refresh_mtimes(int64_t wf)
{
	cJSON *files = NULL;
	const cJSON *f;
	int rc;

	if ((rc = list_files(&files, wf)) != 0)
		return rc;
	cJSON_ArrayForEach(f, files) {
		double mt;
		const cJSON *old = cJSON_GetObjectItemCaseSensitive(f,
		    "st_mtime");

		if (wf_file_mtime(jstr(f, "path"), &mt)) {
			if (cJSON_IsNumber(old) &&
			    fabs(old->valuedouble - mt) < MTIME_EPSILON)
				continue;
		} else {
			if (old == NULL || cJSON_IsNull(old))
				continue;
			mt = NAN;
		}
		if ((rc = put_mtime(f, mt)) != 0)
			break;
	}
	cJSON_Delete(files);
	return rc;
}

static int
reset_status(int64_t wf, int force)
{
	return api_call("POST", NULL, NULL, NULL, "/workflows/%" PRId64
	    "/reset_status?force=%s", wf, api_bool(force));
}

int
wf_initialize(int64_t wf, int force)
{
	cJSON *st = NULL;
	int64_t run_id;
	int rc;

	if ((rc = api_call("GET", NULL, &st, NULL, "/workflows/%" PRId64
	    "/status", wf)) != 0)
		return rc;
	if (jbool(st, "is_archived", 0)) {
		cJSON_Delete(st);
		cli_err("workflow %" PRId64 " is archived", wf);
		return EXIT_FAIL;
	}
	cJSON_Delete(st);
	if ((rc = check_inputs(wf, force)) != 0 ||
	    (rc = reset_status(wf, force)) != 0 ||
	    (rc = api_call("POST", NULL, NULL, NULL, "/workflows/%" PRId64
	    "/reset_job_status?failed_only=false", wf)) != 0 ||
	    (rc = wf_bump_run_id(wf, &run_id)) != 0 ||
	    (rc = refresh_mtimes(wf)) != 0)
		return rc;
	return api_call("POST", NULL, NULL, NULL, "/workflows/%" PRId64
	    "/initialize_jobs?only_uninitialized=false", wf);
}

/* manage_status_change(job, uninitialized, run_id) for a finished job. */
static int
reset_job(const cJSON *job, int64_t run_id)
{
	const char *s = jstr(job, "status");

	if (s == NULL || (strcmp(s, "completed") != 0 &&
	    strcmp(s, "failed") != 0 && strcmp(s, "canceled") != 0 &&
	    strcmp(s, "terminated") != 0))
		return 0;
	return api_call("PUT", NULL, NULL, NULL, "/jobs/%" PRId64
	    "/manage_status_change/uninitialized/%" PRId64,
	    jint(job, "id", 0), run_id);
}

/* Resets the finished consumers of files whose mtime changed. */
static int
reset_changed_inputs(int64_t wf, int64_t run_id)
{
	cJSON *files = NULL, *jobs = NULL;
	const cJSON *f, *j;
	int rc;

	if ((rc = list_files(&files, wf)) != 0)
		return rc;
	cJSON_ArrayForEach(f, files) {
		const cJSON *old = cJSON_GetObjectItemCaseSensitive(f,
		    "st_mtime");
		double mt;

		if (!wf_file_mtime(jstr(f, "path"), &mt) ||
		    (cJSON_IsNumber(old) &&
		    fabs(old->valuedouble - mt) < MTIME_EPSILON))
			continue;
		if ((rc = put_mtime(f, mt)) != 0 ||
		    (rc = list(&jobs, xasprintf("/jobs?workflow_id=%" PRId64
		    "&needs_file_id=%" PRId64, wf, jint(f, "id", 0)))) != 0)
			break;
		cJSON_ArrayForEach(j, jobs)
			if ((rc = reset_job(j, run_id)) != 0)
				break;
		cJSON_Delete(jobs);
		jobs = NULL;
		if (rc != 0)
			break;
	}
	cJSON_Delete(files);
	return rc;
}

/* Resets completed jobs one of whose output files is gone. */
static int
reset_missing_outputs(int64_t wf, int64_t run_id)
{
	cJSON *jobs = NULL, *files = NULL;
	const cJSON *j, *id, *f;
	int rc;

	if ((rc = list_files(&files, wf)) != 0)
		return rc;
	if ((rc = list(&jobs, xasprintf("/jobs?workflow_id=%" PRId64
	    "&status=completed&include_relationships=true", wf))) != 0) {
		cJSON_Delete(files);
		return rc;
	}
	cJSON_ArrayForEach(j, jobs) {
		int gone = 0;

		cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(j,
		    "output_file_ids")) {
			cJSON_ArrayForEach(f, files) {
				double mt;

				if (jint(f, "id", -1) == (int64_t)id->valuedouble &&
				    !wf_file_mtime(jstr(f, "path"), &mt))
					gone = 1;
			}
		}
		if (gone && (rc = reset_job(j, run_id)) != 0)
			break;
	}
	cJSON_Delete(jobs);
	cJSON_Delete(files);
	return rc;
}

int
wf_reinitialize(int64_t wf, int force)
{
	int64_t run_id;
	int rc;

	if ((rc = wf_bump_run_id(wf, &run_id)) != 0 ||
	    (rc = reset_status(wf, force)) != 0 ||
	    (rc = reset_changed_inputs(wf, run_id)) != 0 ||
	    (rc = reset_missing_outputs(wf, run_id)) != 0 ||
	    (rc = api_call("POST", NULL, NULL, NULL, "/workflows/%" PRId64
	    "/process_changed_job_inputs?dry_run=false", wf)) != 0)
		return rc;
	return api_call("POST", NULL, NULL, NULL, "/workflows/%" PRId64
	    "/initialize_jobs?only_uninitialized=true", wf);
}
