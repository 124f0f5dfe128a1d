/*
 * cmd_groups.c: `torc access-groups ...` (team access control, reference
 * §2.15) and `torc access-check WORKFLOW USER`.
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

static const struct column group_cols[] = {
	{ "id", "ID", 0 }, { "name", "NAME", 40 },
	{ "description", "DESCRIPTION", 60 }, { "created_at", "CREATED", 0 },
};
static const struct column member_cols[] = {
	{ "id", "ID", 0 }, { "user_name", "USER", 40 }, { "role", "ROLE", 0 },
	{ "created_at", "ADDED", 0 },
};

/* Parses NPOS arguments, the first ones ids as named by what[]. */
static int
args_ids(const struct command *cmd, int argc, char **argv,
    const struct opt *opts, struct opts_out *o, int npos,
    const char *const *what, int64_t *ids, int *rc)
{
	int i;

	if (!cmd_args(cmd, argc, argv, opts, o, npos, npos, rc))
		return 0;
	for (i = 0; i < npos; i++) {
		if (what[i] == NULL)
			continue;
		if ((*rc = cmd_id(cmd, o->pos[i], what[i], &ids[i])) != 0) {
			free(o->pos);
			return 0;
		}
	}
	return 1;
}

/* Shows an answer object, or a line of text in table format. */
static void
show(cJSON *r, const char *line)
{
	if (out_format() == FMT_JSON || line == NULL)
		out_object(r);
	else
		printf("%s\n", line);
	cJSON_Delete(r);
}

/* A paged list of groups or members at path (freed). */
static int
show_list(char *path, struct list_opts *lo, const struct column *cols,
    size_t ncols, const char *key)
{
	cJSON *items = NULL;
	int rc = api_list(path, lo, &items);

	free(path);
	if (rc != 0)
		return rc;
	out_list(items, cols, ncols, key);
	cJSON_Delete(items);
	return EXIT_OK;
}

int
cmd_ag_create(const struct command *cmd, int argc, char **argv)
{
	const char *desc = NULL;
	const struct opt opts[] = {
		{ "description", 'd', OPT_STR, &desc },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	cJSON *body, *r = NULL;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 1, 1, &rc))
		return rc;
	body = jnew_object();
	jadd_str(body, "name", o.pos[0]);
	if (desc != NULL)
		jadd_str(body, "description", desc);
	free(o.pos);
	rc = api_call("POST", body, &r, NULL, "/access_groups");
	cJSON_Delete(body);
	if (rc != 0)
		return rc;
	out_object(r);
	cJSON_Delete(r);
	return EXIT_OK;
}

int
cmd_ag_list(const struct command *cmd, int argc, char **argv)
{
	struct list_opts lo = { 0, -1, NULL, 0 };
	const struct opt opts[] = {
		{ "limit", 'l', OPT_COUNT, &lo.limit },
		{ "offset", 'o', OPT_COUNT, &lo.offset },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 0, 0, &rc))
		return rc;
	free(o.pos);
	return show_list(xstrdup("/access_groups"), &lo, group_cols,
	    NCOLS(group_cols), "access_groups");
}

int
cmd_ag_get(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the group id" };
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id[1];
	int rc;

	if (!args_ids(cmd, argc, argv, NULL, &o, 1, what, id, &rc))
		return rc;
	free(o.pos);
	if ((rc = api_call("GET", NULL, &r, NULL, "/access_groups/%" PRId64,
	    id[0])) != 0)
		return rc;
	show(r, NULL);
	return EXIT_OK;
}

int
cmd_ag_delete(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the group id" };
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id[1];
	char line[64];
	int rc;

	if (!args_ids(cmd, argc, argv, NULL, &o, 1, what, id, &rc))
		return rc;
	free(o.pos);
	if ((rc = api_call("DELETE", NULL, &r, NULL, "/access_groups/%" PRId64,
	    id[0])) != 0)
		return rc;
	snprintf(line, sizeof(line), "Deleted access group %" PRId64, id[0]);
	show(r, line);
	return EXIT_OK;
}

int
cmd_ag_add_user(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the group id", NULL };
	const char *role = "member";
	const struct opt opts[] = {
		{ "role", 0, OPT_STR, &role },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	cJSON *body, *r = NULL;
	int64_t id[2];
	int rc;

	if (!args_ids(cmd, argc, argv, opts, &o, 2, what, id, &rc))
		return rc;
	if (strcmp(role, "member") != 0 && strcmp(role, "admin") != 0) {
		free(o.pos);
		return cmd_usage_error(cmd, "--role must be member or admin");
	}
	body = jnew_object();
	jadd_str(body, "user_name", o.pos[1]);
	jadd_num(body, "group_id", (double)id[0]);
	jadd_str(body, "role", role);
	free(o.pos);
	rc = api_call("POST", body, &r, NULL, "/access_groups/%" PRId64
	    "/members", id[0]);
	cJSON_Delete(body);
	if (rc != 0)
		return rc;
	show(r, NULL);
	return EXIT_OK;
}

int
cmd_ag_remove_user(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the group id", NULL };
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id[2];
	char *user, *line;
	int rc;

	if (!args_ids(cmd, argc, argv, NULL, &o, 2, what, id, &rc))
		return rc;
	user = api_esc(o.pos[1]);
	line = xasprintf("Removed %s from access group %" PRId64, o.pos[1],
	    id[0]);
	free(o.pos);
	rc = api_call("DELETE", NULL, &r, NULL, "/access_groups/%" PRId64
	    "/members/%s", id[0], user);
	free(user);
	if (rc == 0)
		show(r, line);
	free(line);
	return rc;
}

int
cmd_ag_list_members(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the group id" };
	struct list_opts lo = { 0, -1, NULL, 0 };
	const struct opt opts[] = {
		{ "limit", 'l', OPT_COUNT, &lo.limit },
		{ "offset", 'o', OPT_COUNT, &lo.offset },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	int64_t id[1];
	int rc;

	if (!args_ids(cmd, argc, argv, opts, &o, 1, what, id, &rc))
		return rc;
	free(o.pos);
	return show_list(xasprintf("/access_groups/%" PRId64 "/members", id[0]),
	    &lo, member_cols, NCOLS(member_cols), "members");
}

int
cmd_ag_add_workflow(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the workflow id", "the group id" };
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id[2];
	int rc;

	if (!args_ids(cmd, argc, argv, NULL, &o, 2, what, id, &rc))
		return rc;
	free(o.pos);
	if ((rc = api_call("POST", NULL, &r, NULL, "/workflows/%" PRId64
	    "/access_groups/%" PRId64, id[0], id[1])) != 0)
		return rc;
	show(r, NULL);
	return EXIT_OK;
}

int
cmd_ag_remove_workflow(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the workflow id", "the group id" };
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id[2];
	char line[96];
	int rc;

	if (!args_ids(cmd, argc, argv, NULL, &o, 2, what, id, &rc))
		return rc;
	free(o.pos);
	if ((rc = api_call("DELETE", NULL, &r, NULL, "/workflows/%" PRId64
	    "/access_groups/%" PRId64, id[0], id[1])) != 0)
		return rc;
	snprintf(line, sizeof(line), "Removed workflow %" PRId64 " from access "
	    "group %" PRId64, id[0], id[1]);
	show(r, line);
	return EXIT_OK;
}

int
cmd_ag_list_groups(const struct command *cmd, int argc, char **argv)
{
	struct list_opts lo = { 0, -1, NULL, 0 };
	const struct opt opts[] = {
		{ "limit", 'l', OPT_COUNT, &lo.limit },
		{ "offset", 'o', OPT_COUNT, &lo.offset },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	char *user;
	int rc;

	if (!cmd_args(cmd, argc, argv, opts, &o, 0, 1, &rc))
		return rc;
	if (o.npos == 0 && g_cli.username == NULL) {
		free(o.pos);
		return cmd_usage_error(cmd, "no user name known: give USER");
	}
	user = api_esc(o.npos ? o.pos[0] : g_cli.username);
	free(o.pos);
	rc = show_list(xasprintf("/users/%s/groups", user), &lo, group_cols,
	    NCOLS(group_cols), "access_groups");
	free(user);
	return rc;
}

int
cmd_ag_list_workflow_groups(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the workflow id" };
	struct list_opts lo = { 0, -1, NULL, 0 };
	const struct opt opts[] = {
		{ "limit", 'l', OPT_COUNT, &lo.limit },
		{ "offset", 'o', OPT_COUNT, &lo.offset },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;
	int64_t id[1];
	int rc;

	if (!args_ids(cmd, argc, argv, opts, &o, 1, what, id, &rc))
		return rc;
	free(o.pos);
	return show_list(xasprintf("/workflows/%" PRId64 "/access_groups",
	    id[0]), &lo, group_cols, NCOLS(group_cols), "access_groups");
}

int
cmd_access_check(const struct command *cmd, int argc, char **argv)
{
	static const char *const what[] = { "the workflow id", NULL };
	struct opts_out o;
	cJSON *r = NULL;
	int64_t id[2];
	char *user, *line;
	int rc, has;

	if (!args_ids(cmd, argc, argv, NULL, &o, 2, what, id, &rc))
		return rc;
	user = api_esc(o.pos[1]);
	rc = api_call("GET", NULL, &r, NULL, "/access_check/%" PRId64 "/%s",
	    id[0], user);
	free(user);
	if (rc != 0) {
		free(o.pos);
		return rc;
	}
	has = jbool(r, "has_access", 0);
	line = xasprintf("%s %s access workflow %" PRId64, o.pos[1],
	    has ? "may" : "may not", id[0]);
	free(o.pos);
	show(r, line);
	free(line);
	return has ? EXIT_OK : EXIT_FAIL;
}
