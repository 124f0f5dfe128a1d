/*
 * run.c: `torc run SPEC|ID`: create the workflow from a spec if given,
 * initialize it if it is uninitialized, register this machine as a local
 * compute node, run the loop (runloop.c), mark the node inactive with its
 * duration, and print a summary of the jobs.  Exit 0 only if every job
 * completed (disabled jobs aside).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "cli.h"
#include "commands.h"
#include "http.h"
#include "output.h"
#include "runner.h"
#include "runproc.h"
#include "spec.h"
#include "upload.h"
#include "util.h"
#include "wfinit.h"

#define NCOLS(a)	(sizeof(a) / sizeof((a)[0]))

/* mkdir -p; returns 0 or -1 with errno. */
static int
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

/* POST /compute_nodes for this machine. */
static int
register_node(struct runner *r)
{
	char host[256] = "localhost", ts[40];
	cJSON *body;
	int rc;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	iso_time(wall_now(), ts, sizeof(ts));
	body = jnew_object();
	jadd_num(body, "workflow_id", (double)r->wf);
	jadd_str(body, "hostname", host);
	jadd_num(body, "pid", (double)getpid());
	jadd_str(body, "start_time", ts);
	jadd_bool(body, "is_active", 1);
	jadd_num(body, "num_cpus", (double)(int64_t)r->cpus);
	jadd_num(body, "memory_gb", r->mem_gb);
	jadd_num(body, "num_gpus", (double)(int64_t)r->gpus);
	jadd_num(body, "num_nodes", 1);
	jadd_str(body, "compute_node_type", "local");
	rc = api_call("POST", body, &r->node, NULL, "/compute_nodes");
	cJSON_Delete(body);
	if (rc != 0)
		return rc;
	r->node_id = jint(r->node, "id", 0);
	return 0;
}

static void
unregister_node(struct runner *r)
{
	struct api_error e;
	cJSON *body;

	if (r->node == NULL)
		return;
	body = jdup(r->node);
	jset_bool(body, "is_active", 0);
	jset_num(body, "duration_seconds", mono_now() - r->started);
	if (api_call("PUT", body, NULL, &e, "/compute_nodes/%" PRId64,
	    r->node_id) != 0)
		cli_warn("cannot mark compute node %" PRId64 " inactive: %s",
		    r->node_id, e.msg);
	cJSON_Delete(body);
}

/* The files of the workflow, keyed by id, for the output checks. */
static int
load_files(struct runner *r)
{
	cJSON *items = NULL, *it;
	char *path = xasprintf("/files?workflow_id=%" PRId64, r->wf);
	int rc = api_list(path, NULL, &items);

	free(path);
	if (rc != 0)
		return rc;
	r->files = jnew_object();
	while ((it = cJSON_DetachItemFromArray(items, 0)) != NULL) {
		char key[32];

		snprintf(key, sizeof(key), "%" PRId64, jint(it, "id", 0));
		jadd(r->files, key, it);
	}
	cJSON_Delete(items);
	return 0;
}

/*
 * Prints the summary table (or JSON) and returns 0 if every job completed
 * (or is disabled), else EXIT_FAIL.
 */
static int
summary(struct runner *r)
{
	static const struct column cols[] = {
		{ "id", "ID", 0 }, { "name", "NAME", 40 },
		{ "status", "STATUS", 0 }, { "return_code", "RC", 0 },
		{ "exec_time_minutes", "MINUTES", 0 },
	};
	cJSON *jobs = NULL, *results = NULL, *res_by_job, *rows;
	const cJSON *j, *res;
	char *path;
	int rc, ok = 1;

	path = xasprintf("/jobs?workflow_id=%" PRId64, r->wf);
	rc = api_list(path, NULL, &jobs);
	free(path);
	if (rc != 0)
		return rc;
	path = xasprintf("/results?workflow_id=%" PRId64, r->wf);
	rc = api_list(path, NULL, &results);
	free(path);
	if (rc != 0) {
		cJSON_Delete(jobs);
		return rc;
	}
	res_by_job = jnew_object();
	cJSON_ArrayForEach(res, results) {
		char key[32];

		snprintf(key, sizeof(key), "%" PRId64, jint(res, "job_id", 0));
		cJSON_DeleteItemFromObjectCaseSensitive(res_by_job, key);
		cJSON_AddItemReferenceToObject(res_by_job, key, (cJSON *)res);
	}
	rows = jnew_array();
	cJSON_ArrayForEach(j, jobs) {
		const char *st = jstr(j, "status");
		cJSON *row = jnew_object();
		char key[32];

		if (st == NULL || (strcmp(st, "completed") != 0 &&
		    strcmp(st, "disabled") != 0))
			ok = 0;
		snprintf(key, sizeof(key), "%" PRId64, jint(j, "id", 0));
		res = cJSON_GetObjectItemCaseSensitive(res_by_job, key);
		jadd_num(row, "id", (double)jint(j, "id", 0));
		jadd_str(row, "name", jstr(j, "name") ? jstr(j, "name") : "");
		jadd_str(row, "status", st ? st : "");
		if (res != NULL) {
			jadd_num(row, "return_code", jnum(res, "return_code",
			    0));
			jadd_num(row, "exec_time_minutes",
			    jnum(res, "exec_time_minutes", 0));
		}
		jpush(rows, row);
	}
	if (out_format() == FMT_JSON) {
		cJSON *o = jnew_object();

		jadd_num(o, "workflow_id", (double)r->wf);
		jadd_num(o, "run_id", (double)r->run_id);
		jadd_bool(o, "all_completed", ok);
		jadd(o, "jobs", rows);
		out_json(o);
		cJSON_Delete(o);
	} else {
		out_list(rows, cols, NCOLS(cols), NULL);
		cJSON_Delete(rows);
	}
	cJSON_Delete(res_by_job);
	cJSON_Delete(jobs);
	cJSON_Delete(results);
	return ok ? EXIT_OK : EXIT_FAIL;
}

/* Counts the jobs already finished when the run starts. */
static int
initial_counts(struct runner *r)
{
	cJSON *jobs = NULL;
	const cJSON *j;
	char *path = xasprintf("/jobs?workflow_id=%" PRId64, r->wf);
	int rc = api_list(path, NULL, &jobs);

	free(path);
	if (rc != 0)
		return rc;
	cJSON_ArrayForEach(j, jobs) {
		const char *st = jstr(j, "status");

		r->total++;
		if (st == NULL)
			continue;
		if (!strcmp(st, "completed") || !strcmp(st, "disabled"))
			r->done++;
		else if (!strcmp(st, "failed") || !strcmp(st, "canceled") ||
		    !strcmp(st, "terminated")) {
			r->done++;
			r->failed++;
		}
	}
	cJSON_Delete(jobs);
	return 0;
}

/* The workflow id: created from a spec file, or parsed. */
static int
workflow_arg(const struct command *cmd, const char *arg, int64_t *wf)
{
	struct stat st;
	struct spec *s = NULL;
	char err[1024];
	int rc;

	if (stat(arg, &st) != 0 || S_ISDIR(st.st_mode)) {
		if (parse_id(arg, wf) == 0)
			return 0;
		return cmd_usage_error(cmd, "'%.200s' is neither a spec file "
		    "nor a workflow id", arg);
	}
	if (spec_load(arg, stderr, &s, err, sizeof(err)) != 0) {
		cli_err("%s", err);
		return EXIT_FAIL;
	}
	rc = upload_spec(s, g_cli.username, wf);
	if (rc == 0)
		cli_info("Created workflow %" PRId64 " (%s) with %zu jobs",
		    *wf, jstr(s->workflow, "name") ? jstr(s->workflow, "name") :
		    "", s->njobs);
	spec_free(s);
	return rc;
}

/* Prepares r for the loop; returns 0 or an exit code. */
static int
prepare(struct runner *r, int skip_checks)
{
	cJSON *un = NULL;
	char *logp, host[256] = "localhost";
	int rc;

	if ((rc = api_call("GET", NULL, &r->workflow, NULL, "/workflows/%"
	    PRId64, r->wf)) != 0)
		return rc;
	r->wait_new = jnum(r->workflow,
	    "compute_node_wait_for_new_jobs_seconds", RUN_DEFAULT_WAIT);
	if (r->wait_new < r->poll * 2)
		r->wait_new = r->poll * 2;
	if ((rc = api_call("GET", NULL, &un, NULL, "/workflows/%" PRId64
	    "/is_uninitialized", r->wf)) != 0)
		return rc;
	if (jbool(un, "is_uninitialized", 0)) {
		if ((rc = wf_initialize(r->wf, skip_checks)) != 0) {
			cJSON_Delete(un);
			return rc;
		}
	}
	cJSON_Delete(un);
	if ((rc = wf_run_id(r->wf, &r->run_id)) != 0)
		return rc;
	cli_info("Running workflow %" PRId64 " (run %" PRId64 ")", r->wf,
	    r->run_id);

	logp = xasprintf("%s/job_stdio", r->outdir);
	if (mkdirs(logp) != 0) {
		cli_err("cannot create %s: %s", logp, strerror(errno));
		free(logp);
		return EXIT_FAIL;
	}
	free(logp);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	logp = xasprintf("%s/job_runner_%s_wf%" PRId64 "_r%" PRId64 ".log",
	    r->outdir, host, r->wf, r->run_id);
	if ((r->log = fopen(logp, "a")) == NULL)
		cli_warn("cannot open %s: %s", logp, strerror(errno));
	free(logp);

	if ((rc = register_node(r)) != 0 || (rc = load_files(r)) != 0 ||
	    (rc = initial_counts(r)) != 0)
		return rc;
	runner_log(r, "runner started: workflow %" PRId64 ", run %" PRId64
	    ", compute node %" PRId64 ", %s", r->wf, r->run_id, r->node_id,
	    r->max_parallel > 0 ? "parallel mode" : "resource mode");
	return 0;
}

static void
detect_resources(struct runner *r)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	if (r->cpus <= 0)
		r->cpus = n > 0 ? (double)n : 1;
	if (r->mem_gb <= 0)
		r->mem_gb = pages > 0 && psize > 0 ?
		    (double)pages * (double)psize / 1073741824.0 : 1;
}

int
cmd_run(const struct command *cmd, int argc, char **argv)
{
	struct runner r;
	const char *outdir = "output";
	int64_t maxp = -1, cpus = 0, gpus = 0;
	double mem = 0, poll = 5;
	int skip = 0, rc;
	const struct opt opts[] = {
		{ "max-parallel-jobs", 0, OPT_COUNT, &maxp },
		{ "num-cpus", 0, OPT_COUNT, &cpus },
		{ "memory-gb", 0, OPT_NUM, &mem },
		{ "num-gpus", 0, OPT_COUNT, &gpus },
		{ "output-dir", 'o', OPT_STR, &outdir },
		{ "poll-interval", 'p', OPT_NUM, &poll },
		{ "skip-checks", 0, OPT_FLAG, &skip },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	char err[256];

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	memset(&r, 0, sizeof(r));
	if (maxp == 0 || poll < 0.01 || *outdir == '\0') {
		free(o.pos);
		return cmd_usage_error(cmd, maxp == 0 ? "--max-parallel-jobs "
		    "must be at least 1" : *outdir == '\0' ? "--output-dir "
		    "is empty" : "--poll-interval must be at least 0.01");
	}
	r.max_parallel = maxp > 0 ? maxp : 0;
	r.cpus = (double)cpus;
	r.mem_gb = mem;
	r.gpus = (double)gpus;
	r.poll = poll;
	r.outdir = xstrdup(outdir);
	r.tty = isatty(2);
	r.started = mono_now();
	r.rrs = jnew_object();
	r.handlers = jnew_object();
	detect_resources(&r);
	rc = workflow_arg(cmd, o.pos[0], &r.wf);
	free(o.pos);
	if (rc != 0)
		goto out;
	http_set_retry(RUN_RETRY_SECS, &proc_stop_requests);
	if ((rc = prepare(&r, skip)) != 0)
		goto out;
	if (proc_setup(err, sizeof(err)) != 0) {
		cli_err("%s", err);
		rc = EXIT_TEMP;
		goto out;
	}
	rc = runner_loop(&r);
	proc_teardown();
	unregister_node(&r);
	runner_log(&r, "runner stopped");
	if (rc != EXIT_TEMP) {
		int src = summary(&r);

		if (rc == 0)
			rc = src;
	}
out:
	http_set_retry(0, NULL);
	if (r.log != NULL)
		fclose(r.log);
	free(r.jobs);
	free(r.outdir);
	cJSON_Delete(r.workflow);
	cJSON_Delete(r.node);
	cJSON_Delete(r.files);
	cJSON_Delete(r.rrs);
	cJSON_Delete(r.handlers);
	return rc;
}
