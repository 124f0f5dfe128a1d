/*
 * runloop.c: the loop of the local job runner (see runner.h): report the
 * jobs that finished, stop once the workflow is complete, claim ready
 * jobs for the free slots, start them, wait; and on SIGINT/SIGTERM
 * terminate the running jobs and report them terminated.
 *
 * Reporting a job: exit 0 is "completed" if every output file exists (each
 * gets its st_mtime recorded), else "failed" with return code 1; a failed
 * job whose failure handler has a rule for its exit code is retried
 * (recovery script first, if any) instead of being completed; otherwise
 * complete_job(id, status, run_id, result).  Errors the server returns
 * for one job are logged and the loop goes on; losing the server for
 * longer than the retry budget ends the run.
 */
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "http.h"
#include "runner.h"
#include "runproc.h"
#include "units.h"
#include "util.h"
#include "wfinit.h"

#define PROGRESS_EVERY	2.0	/* seconds between progress refreshes */

void
runner_log(struct runner *r, const char *fmt, ...)
{
	char ts[40];
	va_list ap;

	if (r->log == NULL)
		return;
	iso_time(wall_now(), ts, sizeof(ts));
	fprintf(r->log, "%s ", ts);
	va_start(ap, fmt);
	vfprintf(r->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->log);
	fflush(r->log);
}

static size_t
running(const struct runner *r)
{
	return r->njobs;
}

static void
held(const struct runner *r, double *cpus, double *mem, double *gpus)
{
	size_t i;

	*cpus = *mem = *gpus = 0;
	for (i = 0; i < r->njobs; i++) {
		*cpus += r->jobs[i].cpus;
		*mem += r->jobs[i].mem_gb;
		*gpus += r->jobs[i].gpus;
	}
}

/* The file with this id: from the cache, else GET /files/{id}. */
static const cJSON *
file_by_id(struct runner *r, int64_t id)
{
	char key[32];
	const cJSON *f;
	cJSON *got = NULL;

	snprintf(key, sizeof(key), "%" PRId64, id);
	if ((f = cJSON_GetObjectItemCaseSensitive(r->files, key)) != NULL)
		return f;
	if (api_call("GET", NULL, &got, NULL, "/files/%" PRId64, id) != 0)
		return NULL;
	jadd(r->files, key, got);
	return got;
}

/* Same for resource requirements and failure handlers. */
static const cJSON *
cached(struct runner *r, cJSON *cache, const char *what, int64_t id)
{
	char key[32];
	const cJSON *v;
	cJSON *got = NULL;

	(void)r;
	snprintf(key, sizeof(key), "%" PRId64, id);
	if ((v = cJSON_GetObjectItemCaseSensitive(cache, key)) != NULL)
		return v;
	if (api_call("GET", NULL, &got, NULL, "/%s/%" PRId64, what, id) != 0)
		return NULL;
	jadd(cache, key, got);
	return got;
}

/*
 * Checks the outputs of a job that exited 0 and records their mtimes.
 * Returns 1 if all exist.
 */
static int
outputs_ok(struct runner *r, const struct rjob *j)
{
	const cJSON *id;
	int ok = 1;

	cJSON_ArrayForEach(id, j->output_file_ids) {
		const cJSON *f;
		cJSON *body;
		double mt;

		if (!cJSON_IsNumber(id))
			continue;
		f = file_by_id(r, (int64_t)id->valuedouble);
		if (f == NULL) {
			cli_warn("job %s: cannot look up output file %.0f",
			    j->name, id->valuedouble);
			ok = 0;
			continue;
		}
		if (!wf_file_mtime(jstr(f, "path"), &mt)) {
			cli_warn("job %s: output file %s is missing", j->name,
			    jstr(f, "path") ? jstr(f, "path") : "?");
			runner_log(r, "job %" PRId64 " (%s): output file %s "
			    "missing", j->id, j->name, jstr(f, "path"));
			ok = 0;
			continue;
		}
		body = jdup(f);
		jset_num(body, "st_mtime", mt);
		if (api_call("PUT", body, NULL, NULL, "/files/%" PRId64,
		    (int64_t)id->valuedouble) != 0)
			cli_warn("job %s: could not record the time of %s",
			    j->name, jstr(f, "path"));
		cJSON_Delete(body);
	}
	return ok;
}

/* The env entries of a job (or recovery script); free with env_free(). */
static char **
job_env(const struct runner *r, const struct rjob *j, int rc)
{
	char **env = xcalloc(9, sizeof(char *));
	size_t n = 0;

	env[n++] = xasprintf("TORC_WORKFLOW_ID=%" PRId64, r->wf);
	env[n++] = xasprintf("TORC_JOB_ID=%" PRId64, j->id);
	env[n++] = xasprintf("TORC_JOB_NAME=%s", j->name);
	env[n++] = xasprintf("TORC_OUTPUT_DIR=%s", r->outdir);
	env[n++] = xasprintf("TORC_ATTEMPT_ID=%" PRId64, j->attempt);
	env[n++] = xasprintf("TORC_RUN_ID=%" PRId64, r->run_id);
	env[n++] = xasprintf("TORC_API_URL=%s", http_base_url());
	if (rc >= 0)
		env[n++] = xasprintf("TORC_RETURN_CODE=%d", rc);
	return env;
}

static void
env_free(char **env)
{
	for (size_t i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/*
 * A failed job with a failure handler: finds the rule for its exit code,
 * runs the recovery script and asks for a retry.  Returns 1 if the job
 * was retried (no complete_job then).
 */
static int
try_retry(struct runner *r, const struct rjob *j)
{
	const cJSON *fh, *rule, *code, *match = NULL;
	cJSON *rules;
	const char *text;
	int64_t max;
	int ok;

	if (j->failure_handler_id <= 0 ||
	    (fh = cached(r, r->handlers, "failure_handlers",
	    j->failure_handler_id)) == NULL)
		return 0;
	text = jstr(fh, "rules");
	rules = text ? cJSON_Parse(text) : NULL;
	cJSON_ArrayForEach(rule, rules) {
		if (jbool(rule, "match_all_exit_codes", 0))
			match = rule;
		cJSON_ArrayForEach(code, cJSON_GetObjectItemCaseSensitive(rule,
		    "exit_codes"))
			if (cJSON_IsNumber(code) && code->valuedouble == j->rc)
				match = rule;
		if (match != NULL)
			break;
	}
	if (match == NULL) {
		cJSON_Delete(rules);
		return 0;
	}
	max = jint(match, "max_retries", 3);
	if (j->attempt >= max) {
		cJSON_Delete(rules);
		return 0;
	}
	if (jstr(match, "recovery_script") != NULL) {
		char *logp = xasprintf("%s/job_stdio/job_wf%" PRId64 "_j%" PRId64
		    "_r%" PRId64 "_a%" PRId64 ".recovery", r->outdir, r->wf,
		    j->id, r->run_id, j->attempt);
		char **env = job_env(r, j, j->rc);
		int src = proc_run_sync(jstr(match, "recovery_script"), logp,
		    env);

		env_free(env);
		free(logp);
		if (src != 0) {
			runner_log(r, "job %" PRId64 " (%s): recovery script "
			    "failed (%d); no retry", j->id, j->name, src);
			cJSON_Delete(rules);
			return 0;
		}
	}
	cJSON_Delete(rules);
	ok = api_call("POST", NULL, NULL, NULL, "/jobs/%" PRId64 "/retry/%"
	    PRId64 "?max_retries=%" PRId64, j->id, r->run_id, max) == 0;
	if (ok)
		runner_log(r, "job %" PRId64 " (%s): exit %d, retrying "
		    "(attempt %" PRId64 " of %" PRId64 ")", j->id, j->name,
		    j->rc, j->attempt + 1, max);
	return ok;
}

/* complete_job for a reaped (or terminated) job. */
static void
report(struct runner *r, struct rjob *j, const char *status)
{
	struct api_error e;
	cJSON *res;
	char ts[40];
	double minutes = (mono_now() - j->start) / 60.0;

	iso_time(wall_now(), ts, sizeof(ts));
	res = jnew_object();
	jadd_num(res, "job_id", (double)j->id);
	jadd_num(res, "workflow_id", (double)r->wf);
	jadd_num(res, "run_id", (double)r->run_id);
	jadd_num(res, "attempt_id", (double)j->attempt);
	jadd_num(res, "compute_node_id", (double)r->node_id);
	jadd_num(res, "return_code", j->rc);
	jadd_num(res, "exec_time_minutes", minutes);
	jadd_str(res, "completion_time", ts);
	jadd_str(res, "status", status);
	if (api_call("POST", res, NULL, &e, "/jobs/%" PRId64
	    "/complete_job/%s/%" PRId64, j->id, status, r->run_id) != 0) {
		cli_warn("job %s: cannot report it %s: %s", j->name, status,
		    e.msg);
		runner_log(r, "job %" PRId64 " (%s): complete_job %s failed: %s",
		    j->id, j->name, status, e.msg);
	} else {
		runner_log(r, "job %" PRId64 " (%s): %s, return code %d, %.3f "
		    "min", j->id, j->name, status, j->rc, minutes);
	}
	cJSON_Delete(res);
	r->done++;
	if (strcmp(status, "completed") != 0)
		r->failed++;
}

static void
forget(struct runner *r, size_t i)
{
	free(r->jobs[i].name);
	cJSON_Delete(r->jobs[i].output_file_ids);
	r->jobs[i] = r->jobs[--r->njobs];
}

/* Handles one finished job (index i); removes it from the list. */
static void
finish(struct runner *r, size_t i)
{
	struct rjob *j = &r->jobs[i];
	const char *status = "completed";

	if (j->rc == 0 && !outputs_ok(r, j)) {
		j->rc = 1;
		status = "failed";
	} else if (j->rc != 0) {
		status = "failed";
	}
	if (j->rc != 0 && try_retry(r, j)) {
		forget(r, i);
		return;
	}
	if (j->rc != 0 && jbool(r->workflow, "use_pending_failed", 0))
		status = "pending_failed";
	report(r, j, status);
	forget(r, i);
}

/* Reaps and reports every finished job.  Returns how many. */
static int
reap_all(struct runner *r)
{
	int n = 0, rc;
	pid_t pid;

	while ((pid = proc_reap(&rc)) > 0) {
		for (size_t i = 0; i < r->njobs; i++) {
			if (r->jobs[i].pid == pid) {
				r->jobs[i].pid = 0;
				r->jobs[i].rc = rc;
				finish(r, i);
				n++;
				break;
			}
		}
	}
	return n;
}

/*
 * SIGTERM to every running job, SIGKILL after the grace time (or a second
 * Ctrl-C), then each is reported terminated if report_them.
 */
static void
terminate_all(struct runner *r, int report_them)
{
	double until = mono_now() + RUN_TERM_GRACE;
	sig_atomic_t seen = proc_stop_requests;
	size_t i, left;
	int killed = 0;

	for (i = 0; i < r->njobs; i++)
		proc_kill(r->jobs[i].pid, SIGTERM);
	for (;;) {
		int rc;
		pid_t pid;

		while ((pid = proc_reap(&rc)) > 0)
			for (i = 0; i < r->njobs; i++)
				if (r->jobs[i].pid == pid) {
					r->jobs[i].pid = 0;
					r->jobs[i].rc = rc;
				}
		for (left = 0, i = 0; i < r->njobs; i++)
			left += r->jobs[i].pid != 0;
		if (left == 0)
			break;
		if (!killed && (mono_now() >= until ||
		    proc_stop_requests != seen)) {
			for (i = 0; i < r->njobs; i++)
				proc_kill(r->jobs[i].pid, SIGKILL);
			killed = 1;
		}
		proc_wait(0.1);
	}
	while (r->njobs > 0) {
		struct rjob *j = &r->jobs[r->njobs - 1];

		if (report_them)
			report(r, j, "terminated");
		else
			runner_log(r, "job %" PRId64 " (%s): stopped, the "
			    "workflow was canceled", j->id, j->name);
		forget(r, r->njobs - 1);
	}
}

/* Starts one claimed job.  Returns 1 if it runs. */
static int
start(struct runner *r, const cJSON *claimed)
{
	struct api_error e;
	struct rjob j;
	cJSON *started = NULL;
	const char *cmd, *script;
	char *full, *outp, *errp, **env, err[256];

	memset(&j, 0, sizeof(j));
	j.id = jint(claimed, "id", 0);
	j.attempt = jint(claimed, "attempt_id", 1);
	j.name = xstrdup(jstr(claimed, "name") ? jstr(claimed, "name") : "?");
	j.failure_handler_id = jint(claimed, "failure_handler_id", 0);
	if (cJSON_GetObjectItemCaseSensitive(claimed, "output_file_ids"))
		j.output_file_ids = jdup(cJSON_GetObjectItemCaseSensitive(
		    claimed, "output_file_ids"));
	if (r->max_parallel == 0) {
		const cJSON *rr = cached(r, r->rrs, "resource_requirements",
		    jint(claimed, "resource_requirements_id", 0));

		int64_t bytes = 0;

		j.cpus = jnum(rr, "num_cpus", 1);
		j.gpus = jnum(rr, "num_gpus", 0);
		if (jstr(rr, "memory") != NULL &&
		    units_memory(jstr(rr, "memory"), &bytes) == 0)
			j.mem_gb = (double)bytes / 1073741824.0;
	}
	if (api_call("PUT", NULL, &started, &e, "/jobs/%" PRId64
	    "/start_job/%" PRId64 "/%" PRId64, j.id, r->run_id,
	    r->node_id) != 0) {
		cli_warn("job %s: cannot start it: %s", j.name, e.msg);
		runner_log(r, "job %" PRId64 " (%s): start_job failed: %s",
		    j.id, j.name, e.msg);
		free(j.name);
		cJSON_Delete(j.output_file_ids);
		return 0;
	}
	cmd = jstr(claimed, "command");
	if (cmd == NULL)
		cmd = jstr(started, "command");
	script = jstr(started, "invocation_script");
	if (script == NULL)
		script = jstr(claimed, "invocation_script");
	full = script && *script ? xasprintf("%s %s", script, cmd ? cmd : "") :
	    xstrdup(cmd ? cmd : "");
	outp = xasprintf("%s/job_stdio/job_wf%" PRId64 "_j%" PRId64 "_r%"
	    PRId64 "_a%" PRId64 ".o", r->outdir, r->wf, j.id, r->run_id,
	    j.attempt);
	errp = xasprintf("%.*s.e", (int)strlen(outp) - 2, outp);
	env = job_env(r, &j, -1);
	j.start = mono_now();
	j.pid = proc_spawn(full, outp, errp, env, err, sizeof(err));
	env_free(env);
	free(full);
	free(outp);
	free(errp);
	cJSON_Delete(started);
	if (r->njobs == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->jobs = xrealloc(r->jobs, r->cap * sizeof(*r->jobs));
	}
	r->jobs[r->njobs++] = j;
	if (j.pid < 0) {
		cli_warn("job %s: %s", j.name, err);
		r->jobs[r->njobs - 1].pid = 0;
		r->jobs[r->njobs - 1].rc = 127;
		finish(r, r->njobs - 1);
		return 0;
	}
	runner_log(r, "job %" PRId64 " (%s): started, attempt %" PRId64
	    ", pid %ld", j.id, j.name, j.attempt, (long)j.pid);
	return 1;
}

/* Claims jobs for the free slots and starts them.  Returns how many. */
static int
claim(struct runner *r)
{
	struct api_error e;
	cJSON *resp = NULL, *body = NULL;
	const cJSON *job;
	int n = 0, rc;

	if (r->max_parallel > 0) {
		int64_t free_slots = r->max_parallel - (int64_t)running(r);

		if (free_slots <= 0)
			return 0;
		rc = api_call("POST", NULL, &resp, &e, "/workflows/%" PRId64
		    "/claim_next_jobs?limit=%" PRId64, r->wf, free_slots);
	} else {
		double c, m, g;
		int64_t limit;
		const char *sort = jstr(r->workflow, "jobs_sort_method");

		held(r, &c, &m, &g);
		limit = (int64_t)(r->cpus - c + 1e-9);
		if (limit < 1)
			return 0;
		body = jnew_object();
		jadd_num(body, "num_cpus", (double)limit);
		jadd_num(body, "memory_gb", r->mem_gb - m > 0 ?
		    r->mem_gb - m : 0);
		jadd_num(body, "num_gpus", (double)(int64_t)(r->gpus - g + 1e-9));
		jadd_num(body, "num_nodes", 1);
		rc = api_call("POST", body, &resp, &e, "/workflows/%" PRId64
		    "/claim_jobs_based_on_resources/%" PRId64 "%s%s", r->wf,
		    limit, sort ? "?sort_method=" : "", sort ? sort : "");
		cJSON_Delete(body);
	}
	if (rc != 0) {
		cli_warn("cannot claim jobs: %s", e.msg);
		runner_log(r, "claim failed: %s", e.msg);
		return rc == EXIT_TEMP ? -1 : 0;
	}
	cJSON_ArrayForEach(job, cJSON_GetObjectItemCaseSensitive(resp, "jobs"))
		n += start(r, job);
	cJSON_Delete(resp);
	return n;
}

/* Status counts from the server (LIMIT 0 lists: total_count only). */
static int64_t
count(const struct runner *r, const char *status)
{
	cJSON *page = NULL;
	int64_t n;

	if (api_call("GET", NULL, &page, NULL, "/jobs?workflow_id=%" PRId64
	    "%s%s&limit=0", r->wf, status ? "&status=" : "",
	    status ? status : "") != 0)
		return -1;
	n = jint(page, "total_count", -1);
	cJSON_Delete(page);
	return n;
}

/* Refreshes the counts from the server and redraws the progress line. */
static void
progress(struct runner *r, int final)
{
	static double last;
	double now = mono_now();

	if (!r->tty)
		return;
	if (final || now - last >= PROGRESS_EVERY) {
		int64_t c = count(r, "completed"), f = count(r, "failed"),
		    x = count(r, "canceled"), t = count(r, "terminated"),
		    d = count(r, "disabled");

		if (c >= 0 && f >= 0 && x >= 0 && t >= 0 && d >= 0) {
			r->done = c + f + x + t + d;
			r->failed = f + x + t;
		}
		last = now;
	}
	fprintf(stderr, "\r\033[Kworkflow %" PRId64 ": %" PRId64 "/%" PRId64
	    " done, %zu running, %" PRId64 " failed", r->wf, r->done, r->total,
	    running(r), r->failed);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* GET is_complete: 1 complete, 0 not, -1 lost the server. */
static int
complete(struct runner *r)
{
	struct api_error e;
	cJSON *ic = NULL;
	int done;

	if (api_call("GET", NULL, &ic, &e, "/workflows/%" PRId64
	    "/is_complete", r->wf) != 0) {
		cli_warn("cannot ask whether the workflow is complete: %s",
		    e.msg);
		return e.status == 0 ? -1 : 0;
	}
	done = jbool(ic, "is_complete", 0);
	if (jbool(ic, "is_canceled", 0))
		r->canceled = 1;
	cJSON_Delete(ic);
	return done;
}

int
runner_loop(struct runner *r)
{
	double idle_since = mono_now();
	int rc = 0, c, n;

	for (;;) {
		if (proc_stop_requests) {
			r->interrupted = 1;
			if (r->tty)
				fputc('\n', stderr);
			reap_all(r);	/* those that ended on their own */
			cli_info("stopping: terminating %zu running job(s)",
			    running(r));
			terminate_all(r, 1);
			rc = EXIT_FAIL;
			break;
		}
		reap_all(r);
		if ((c = complete(r)) < 0) {
			cli_err("lost the server; terminating the running jobs");
			terminate_all(r, 0);
			rc = EXIT_TEMP;
			break;
		}
		if (c && r->canceled) {
			if (running(r) > 0)
				cli_info("the workflow was canceled: stopping "
				    "%zu job(s)", running(r));
			terminate_all(r, 0);
			break;
		}
		if (c && running(r) == 0)
			break;
		if ((n = claim(r)) < 0) {
			cli_err("lost the server; terminating the running jobs");
			terminate_all(r, 0);
			rc = EXIT_TEMP;
			break;
		}
		if (running(r) > 0 || n > 0) {
			idle_since = mono_now();
		} else if (mono_now() - idle_since >= r->wait_new) {
			r->gave_up = 1;
			if (r->tty)
				fputc('\n', stderr);
			cli_warn("no job became ready for %.0f s; stopping",
			    r->wait_new);
			break;
		}
		progress(r, 0);
		proc_wait(r->poll);
	}
	progress(r, 1);
	return rc;
}
