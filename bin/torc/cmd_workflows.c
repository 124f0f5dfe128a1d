/*
 * cmd_workflows.c: `torc workflows create|list|get|update|delete|status|
 * cancel|is-complete`.  The initialize/reset family is in cmd_wfinit.c,
 * the spec upload behind `create` in upload.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "commands.h"
#include "output.h"
#include "spec.h"
#include "upload.h"
#include "util.h"

static const struct column wf_cols[] = {
	{ "id", "ID", 0 }, { "name", "NAME", 40 }, { "user", "USER", 0 },
	{ "description", "DESCRIPTION", 50 }, { "timestamp", "CREATED", 0 },
};

/* Reads ID, GETs path/ID and prints it. */
static int
show_one(const struct command *cmd, int argc, char **argv, const char *fmt)
{
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id;
	int rc;

	if (!cmd_args(cmd, argc, argv, NULL, &o, 1, 1, &rc))
		return rc;
	rc = cmd_id(cmd, o.pos[0], "the workflow id", &id);
	free(o.pos);
	if (rc != 0)
		return rc;
	if ((rc = api_call("GET", NULL, &r, NULL, fmt, id)) != 0)
		return rc;
	out_object(r);
	cJSON_Delete(r);
	return EXIT_OK;
}

int
cmd_wf_get(const struct command *cmd, int argc, char **argv)
{
	return show_one(cmd, argc, argv, "/workflows/%" PRId64);
}

int
cmd_wf_status(const struct command *cmd, int argc, char **argv)
{
	return show_one(cmd, argc, argv, "/workflows/%" PRId64 "/status");
}

int
cmd_wf_is_complete(const struct command *cmd, int argc, char **argv)
{
	return show_one(cmd, argc, argv, "/workflows/%" PRId64 "/is_complete");
}

int
cmd_wf_cancel(const struct command *cmd, int argc, char **argv)
{
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id;
	int rc;

	if (!cmd_args(cmd, argc, argv, NULL, &o, 1, 1, &rc))
		return rc;
	rc = cmd_id(cmd, o.pos[0], "the workflow id", &id);
	free(o.pos);
	if (rc != 0)
		return rc;
	if ((rc = api_call("PUT", NULL, &r, NULL, "/workflows/%" PRId64
	    "/cancel", id)) != 0)
		return rc;
	out_object(r);
	cJSON_Delete(r);
	return EXIT_OK;
}

int
cmd_wf_list(const struct command *cmd, int argc, char **argv)
{
	const char *user = NULL;
	int all = 0, archived_only = 0, include_archived = 0, reverse = 0;
	struct list_opts lo = { 0, -1, NULL, 0 };
	const struct opt opts[] = {
		{ "user", 0, OPT_STR, &user },
		{ "all-users", 0, OPT_FLAG, &all },
		{ "archived-only", 0, OPT_FLAG, &archived_only },
		{ "include-archived", 0, OPT_FLAG, &include_archived },
		{ "limit", 'l', OPT_COUNT, &lo.limit },
		{ "offset", 'o', OPT_COUNT, &lo.offset },
		{ "sort-by", 0, OPT_STR, &lo.sort_by },
		{ "reverse-sort", 0, OPT_FLAG, &reverse },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct strbuf q = { 0 };
	struct opts_out o;
	cJSON *items;
	char *path;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 0, 0, &rc))
		return rc;
	free(o.pos);
	lo.reverse = reverse;
	if (all && user != NULL)
		return cmd_usage_error(cmd, "--user and --all-users exclude "
		    "each other");
	if (archived_only && include_archived)
		return cmd_usage_error(cmd, "--archived-only and "
		    "--include-archived exclude each other");
	if (user == NULL && !all)
		user = g_cli.username;
	sb_puts(&q, "/workflows");
	if (user != NULL) {
		char *u = api_esc(user);

		sb_printf(&q, "?user=%s", u);
		free(u);
	}
	if (!include_archived)
		sb_printf(&q, "%sis_archived=%s", user ? "&" : "?",
		    archived_only ? "true" : "false");
	path = sb_take(&q);
	rc = api_list(path, &lo, &items);
	free(path);
	if (rc != 0)
		return rc;
	out_list(items, wf_cols, sizeof(wf_cols) / sizeof(wf_cols[0]), NULL);
	cJSON_Delete(items);
	return EXIT_OK;
}

int
cmd_wf_update(const struct command *cmd, int argc, char **argv)
{
	const char *name = NULL, *desc = NULL, *owner = NULL;
	const struct opt opts[] = {
		{ "name", 'n', OPT_STR, &name },
		{ "description", 'd', OPT_STR, &desc },
		{ "owner-user", 0, OPT_STR, &owner },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	cJSON *wf = NULL, *r = NULL;
	int64_t id;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	rc = cmd_id(cmd, o.pos[0], "the workflow id", &id);
	free(o.pos);
	if (rc != 0)
		return rc;
	if (name == NULL && desc == NULL && owner == NULL)
		return cmd_usage_error(cmd, "nothing to change: give --name, "
		    "--description or --owner-user");
	if ((rc = api_call("GET", NULL, &wf, NULL, "/workflows/%" PRId64,
	    id)) != 0)
		return rc;
	if (name != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(wf, "name");
		jadd_str(wf, "name", name);
	}
	if (desc != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(wf, "description");
		jadd_str(wf, "description", desc);
	}
	if (owner != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(wf, "user");
		jadd_str(wf, "user", owner);
	}
	rc = api_call("PUT", wf, &r, NULL, "/workflows/%" PRId64, id);
	cJSON_Delete(wf);
	if (rc != 0)
		return rc;
	out_object(r);
	cJSON_Delete(r);
	return EXIT_OK;
}

int
cmd_wf_delete(const struct command *cmd, int argc, char **argv)
{
	int no_prompts = 0;
	const struct opt opts[] = {
		{ "no-prompts", 0, OPT_FLAG, &no_prompts },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	int64_t *ids;
	cJSON *deleted;
	int i, rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, -1, &rc))
		return rc;
	ids = xcalloc((size_t)o.npos, sizeof(*ids));
	for (i = 0; i < o.npos; i++)
		if ((rc = cmd_id(cmd, o.pos[i], "a workflow id", &ids[i])) != 0)
			goto out;
	/* All or nothing: every workflow must exist first. */
	for (i = 0; i < o.npos; i++)
		if ((rc = api_call("GET", NULL, NULL, NULL, "/workflows/%"
		    PRId64, ids[i])) != 0)
			goto out;
	deleted = jnew_array();
	for (i = 0; i < o.npos && rc == 0; i++) {
		cJSON *r = NULL;

		rc = api_call("DELETE", NULL, &r, NULL, "/workflows/%" PRId64,
		    ids[i]);
		if (rc == 0)
			jpush(deleted, r);
	}
	if (out_format() == FMT_JSON) {
		out_list(deleted, NULL, 0, "workflows");
	} else {
		const cJSON *it;

		cJSON_ArrayForEach(it, deleted)
			printf("Deleted workflow %" PRId64 " (%s)\n",
			    jint(it, "id", 0), jstr(it, "name") ?
			    jstr(it, "name") : "");
	}
	cJSON_Delete(deleted);
out:
	free(ids);
	free(o.pos);
	return rc;
}

int
cmd_wf_create(const struct command *cmd, int argc, char **argv)
{
	int dry_run = 0;
	const struct opt opts[] = {
		{ "dry-run", 0, OPT_FLAG, &dry_run },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	struct spec *s = NULL;
	int64_t wf;
	char err[1024];
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	if (spec_load(o.pos[0], stderr, &s, err, sizeof(err)) != 0) {
		cli_err("%s", err);
		free(o.pos);
		return EXIT_FAIL;
	}
	free(o.pos);
	if (dry_run) {
		upload_describe(s);
		spec_free(s);
		return EXIT_OK;
	}
	if (!g_cli.skip_version_check && (rc = server_check_version()) != 0) {
		spec_free(s);
		return rc;
	}
	rc = upload_spec(s, g_cli.username, &wf);
	if (rc == 0)
		rc = upload_report(wf, s);
	spec_free(s);
	return rc;
}
