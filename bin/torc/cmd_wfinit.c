/*
 * cmd_wfinit.c: `torc workflows initialize|reinitialize|reset-status`, the
 * commands over the flows in wfinit.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "cli.h"
#include "commands.h"
#include "output.h"
#include "util.h"
#include "wfinit.h"

/* Prints the workflow's status after a flow. */
static int
show_status(int64_t wf, const char *what)
{
	cJSON *st = NULL;
	int rc;

	if ((rc = api_call("GET", NULL, &st, NULL, "/workflows/%" PRId64
	    "/status", wf)) != 0)
		return rc;
	if (out_format() == FMT_JSON)
		out_json(st);
	else
		printf("%s workflow %" PRId64 " (run %" PRId64 ")\n", what, wf,
		    jint(st, "run_id", 0));
	cJSON_Delete(st);
	return 0;
}

int
cmd_wf_initialize(const struct command *cmd, int argc, char **argv)
{
	int force = 0, no_prompts = 0;
	const struct opt opts[] = {
		{ "force", 0, OPT_FLAG, &force },
		{ "no-prompts", 0, OPT_FLAG, &no_prompts },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	int64_t wf;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = cmd_id(cmd, o.pos[0], "the workflow id", &wf);
	free(o.pos);
	if (rc != 0 || (rc = wf_initialize(wf, force)) != 0)
		return rc;
	return show_status(wf, "Initialized");
}

int
cmd_wf_reinitialize(const struct command *cmd, int argc, char **argv)
{
	int force = 0, no_prompts = 0;
	const struct opt opts[] = {
		{ "force", 0, OPT_FLAG, &force },
		{ "no-prompts", 0, OPT_FLAG, &no_prompts },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	int64_t wf;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = cmd_id(cmd, o.pos[0], "the workflow id", &wf);
	free(o.pos);
	if (rc != 0 || (rc = wf_reinitialize(wf, force)) != 0)
		return rc;
	return show_status(wf, "Reinitialized");
}

int
cmd_wf_reset_status(const struct command *cmd, int argc, char **argv)
{
	int failed_only = 0, reinit = 0, force = 0, no_prompts = 0;
	const struct opt opts[] = {
		{ "failed-only", 0, OPT_FLAG, &failed_only },
		{ "reinitialize", 'r', OPT_FLAG, &reinit },
		{ "force", 0, OPT_FLAG, &force },
		{ "no-prompts", 0, OPT_FLAG, &no_prompts },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	cJSON *r = NULL;
	int64_t wf;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = cmd_id(cmd, o.pos[0], "the workflow id", &wf);
	free(o.pos);
	if (rc != 0)
		return rc;
	if ((rc = api_call("POST", NULL, NULL, NULL, "/workflows/%" PRId64
	    "/reset_status?force=%s", wf, api_bool(force))) != 0 ||
	    (rc = api_call("POST", NULL, &r, NULL, "/workflows/%" PRId64
	    "/reset_job_status?failed_only=%s", wf,
	    api_bool(failed_only))) != 0)
		return rc;
	if (reinit && (rc = wf_reinitialize(wf, force)) != 0) {
		cJSON_Delete(r);
		return rc;
	}
	if (out_format() == FMT_JSON)
		out_json(r);
	else
		printf("Reset %" PRId64 " job(s) of workflow %" PRId64 "%s%s\n",
		    jint(r, "updated_count", 0), wf,
		    failed_only ? " (failed only)" : "",
		    reinit ? "; reinitialized" : "");
	cJSON_Delete(r);
	return EXIT_OK;
}
