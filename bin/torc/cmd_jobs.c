/*
 * cmd_jobs.c: the read-only views of a workflow's contents: `torc jobs
 * list|get`, `files list`, `results list`, `events list`, `user-data list`
 * and `compute-nodes list`.  Lists page through everything (api_list) and
 * print a table, or JSON as {"jobs": [...]} (the key names the resource).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "commands.h"
#include "output.h"
#include "util.h"

#define NCOLS(a)	(sizeof(a) / sizeof((a)[0]))

#define LIST_OPTIONS(lo, rev) \
	{ "limit", 'l', OPT_COUNT, &(lo).limit }, \
	{ "offset", 'o', OPT_COUNT, &(lo).offset }, \
	{ "sort-by", 0, OPT_STR, &(lo).sort_by }, \
	{ "reverse-sort", 0, OPT_FLAG, &(rev) }

static const char *const job_statuses[] = {
	"uninitialized", "blocked", "ready", "pending", "running", "completed",
	"failed", "canceled", "terminated", "disabled", "pending_failed", NULL
};

static const struct column job_cols[] = {
	{ "id", "ID", 0 }, { "name", "NAME", 40 }, { "status", "STATUS", 0 },
	{ "attempt_id", "ATTEMPT", 0 }, { "command", "COMMAND", 60 },
};
static const struct column file_cols[] = {
	{ "id", "ID", 0 }, { "name", "NAME", 30 }, { "path", "PATH", 60 },
	{ "st_mtime", "MTIME", 0 },
};
static const struct column result_cols[] = {
	{ "id", "ID", 0 }, { "job_id", "JOB", 0 }, { "run_id", "RUN", 0 },
	{ "attempt_id", "ATTEMPT", 0 }, { "status", "STATUS", 0 },
	{ "return_code", "RC", 0 }, { "exec_time_minutes", "MINUTES", 0 },
	{ "completion_time", "COMPLETED", 0 },
};
static const struct column event_cols[] = {
	{ "id", "ID", 0 }, { "timestamp", "TIMESTAMP", 0 },
	{ "data", "DATA", 100 },
};
static const struct column ud_cols[] = {
	{ "id", "ID", 0 }, { "name", "NAME", 30 },
	{ "is_ephemeral", "EPHEMERAL", 0 }, { "data", "DATA", 80 },
};
static const struct column node_cols[] = {
	{ "id", "ID", 0 }, { "hostname", "HOST", 30 }, { "pid", "PID", 0 },
	{ "compute_node_type", "TYPE", 0 }, { "is_active", "ACTIVE", 0 },
	{ "num_cpus", "CPUS", 0 }, { "memory_gb", "MEMORY_GB", 0 },
	{ "start_time", "STARTED", 0 }, { "duration_seconds", "SECONDS", 0 },
};

/* The workflow id argument, and the start of the list path. */
static int
wf_path(const struct command *cmd, const struct opts_out *o,
    const char *resource, struct strbuf *path)
{
	int64_t wf;
	int rc;

	if ((rc = cmd_id(cmd, o->pos[0], "the workflow id", &wf)) != 0)
		return rc;
	sb_printf(path, "/%s?workflow_id=%" PRId64, resource, wf);
	return 0;
}

/* GETs every page of path (freed) and prints the list. */
static int
show_list(char *path, struct list_opts *lo, int reverse,
    const struct column *cols, size_t ncols, const char *json_key)
{
	cJSON *items = NULL;
	int rc;

	lo->reverse = reverse;
	rc = api_list(path, lo, &items);
	free(path);
	if (rc != 0)
		return rc;
	out_list(items, cols, ncols, json_key);
	cJSON_Delete(items);
	return EXIT_OK;
}

int
cmd_jobs_list(const struct command *cmd, int argc, char **argv)
{
	struct list_opts lo = { 0, -1, NULL, 0 };
	const char *status = NULL;
	int64_t upstream = 0;
	int rev = 0, rel = 0, rc, i;
	const struct opt opts[] = {
		{ "status", 's', OPT_STR, &status },
		{ "upstream-job-id", 0, OPT_COUNT, &upstream },
		{ "include-relationships", 0, OPT_FLAG, &rel },
		LIST_OPTIONS(lo, rev),
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct strbuf path = { 0 };
	struct opts_out o;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = wf_path(cmd, &o, "jobs", &path);
	free(o.pos);
	if (rc != 0)
		goto bad;
	if (status != NULL) {
		for (i = 0; job_statuses[i] != NULL; i++)
			if (strcmp(status, job_statuses[i]) == 0)
				break;
		if (job_statuses[i] == NULL) {
			rc = cmd_usage_error(cmd, "unknown job status '%.32s'",
			    status);
			goto bad;
		}
		sb_printf(&path, "&status=%s", status);
	}
	if (upstream > 0)
		sb_printf(&path, "&upstream_job_id=%" PRId64, upstream);
	if (rel)
		sb_puts(&path, "&include_relationships=true");
	return show_list(sb_take(&path), &lo, rev, job_cols, NCOLS(job_cols),
	    "jobs");
bad:
	free(path.p);
	return rc;
}

int
cmd_jobs_get(const struct command *cmd, int argc, char **argv)
{
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id;
	int rc;

	if (!cmd_args(cmd, argc, argv, NULL, &o, 1, 1, &rc))
		return rc;
	rc = cmd_id(cmd, o.pos[0], "the job id", &id);
	free(o.pos);
	if (rc != 0 || (rc = api_call("GET", NULL, &r, NULL, "/jobs/%" PRId64,
	    id)) != 0)
		return rc;
	out_object(r);
	cJSON_Delete(r);
	return EXIT_OK;
}

int
cmd_files_list(const struct command *cmd, int argc, char **argv)
{
	struct list_opts lo = { 0, -1, NULL, 0 };
	int rev = 0, output_only = 0, rc;
	const struct opt opts[] = {
		{ "output-only", 0, OPT_FLAG, &output_only },
		LIST_OPTIONS(lo, rev),
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct strbuf path = { 0 };
	struct opts_out o;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = wf_path(cmd, &o, "files", &path);
	free(o.pos);
	if (rc != 0) {
		free(path.p);
		return rc;
	}
	if (output_only)
		sb_puts(&path, "&is_output=true");
	return show_list(sb_take(&path), &lo, rev, file_cols,
	    NCOLS(file_cols), "files");
}

int
cmd_results_list(const struct command *cmd, int argc, char **argv)
{
	struct list_opts lo = { 0, -1, NULL, 0 };
	int64_t job = 0, run = -1;
	int rev = 0, all_runs = 0, rc;
	const struct opt opts[] = {
		{ "job-id", 0, OPT_COUNT, &job },
		{ "run-id", 0, OPT_COUNT, &run },
		{ "all-runs", 0, OPT_FLAG, &all_runs },
		LIST_OPTIONS(lo, rev),
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct strbuf path = { 0 };
	struct opts_out o;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = wf_path(cmd, &o, "results", &path);
	free(o.pos);
	if (rc != 0) {
		free(path.p);
		return rc;
	}
	if (job > 0)
		sb_printf(&path, "&job_id=%" PRId64, job);
	if (run >= 0)
		sb_printf(&path, "&run_id=%" PRId64, run);
	if (all_runs)
		sb_puts(&path, "&all_runs=true");
	return show_list(sb_take(&path), &lo, rev, result_cols,
	    NCOLS(result_cols), "results");
}

int
cmd_events_list(const struct command *cmd, int argc, char **argv)
{
	struct list_opts lo = { 0, -1, NULL, 0 };
	int64_t after = -1;
	int rev = 0, rc;
	const struct opt opts[] = {
		{ "after-timestamp", 0, OPT_COUNT, &after },
		LIST_OPTIONS(lo, rev),
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct strbuf path = { 0 };
	struct opts_out o;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = wf_path(cmd, &o, "events", &path);
	free(o.pos);
	if (rc != 0) {
		free(path.p);
		return rc;
	}
	if (after >= 0)
		sb_printf(&path, "&after_timestamp=%" PRId64, after);
	return show_list(sb_take(&path), &lo, rev, event_cols,
	    NCOLS(event_cols), "events");
}

/* A plain list of a workflow's resource with the list options only. */
static int
plain_list(const struct command *cmd, int argc, char **argv,
    const char *resource, const struct column *cols, size_t ncols,
    const char *json_key)
{
	struct list_opts lo = { 0, -1, NULL, 0 };
	int rev = 0, rc;
	const struct opt opts[] = {
		LIST_OPTIONS(lo, rev),
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct strbuf path = { 0 };
	struct opts_out o;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = wf_path(cmd, &o, resource, &path);
	free(o.pos);
	if (rc != 0) {
		free(path.p);
		return rc;
	}
	return show_list(sb_take(&path), &lo, rev, cols, ncols, json_key);
}

int
cmd_user_data_list(const struct command *cmd, int argc, char **argv)
{
	return plain_list(cmd, argc, argv, "user_data", ud_cols,
	    NCOLS(ud_cols), "user_data");
}

int
cmd_nodes_list(const struct command *cmd, int argc, char **argv)
{
	return plain_list(cmd, argc, argv, "compute_nodes", node_cols,
	    NCOLS(node_cols), "compute_nodes");
}
