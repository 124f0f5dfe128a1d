/*
 * cmd_misc.c: `torc ping`, `torc version` and the version check every
 * command that talks to the server runs first (GET /version, reference
 * §2.17: another major version is fatal, the rest only warns).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "commands.h"
#include "output.h"
#include "util.h"

#define CLIENT_VERSION	TORC_VERSION " (torc-cgi)"

/* Reads "MAJOR.MINOR.PATCH" at the start of s. */
static int
parse_version(const char *s, long v[3])
{
	int i;

	for (i = 0; i < 3; i++) {
		char *end;

		if (*s < '0' || *s > '9')
			return -1;
		v[i] = strtol(s, &end, 10);
		s = end;
		if (i < 2) {
			if (*s != '.')
				return -1;
			s++;
		}
	}
	return 0;
}

int
version_compare(const char *client, const char *server)
{
	long c[3], s[3];

	if (parse_version(client, c) != 0 || parse_version(server, s) != 0)
		return -1;
	if (c[0] != s[0])
		return 2;
	if (c[1] > s[1] || (c[1] == s[1] && c[2] != s[2]))
		return 1;
	return 0;
}

char *
server_version(int *rc)
{
	cJSON *v = NULL;
	char *s;

	if ((*rc = api_call("GET", NULL, &v, NULL, "/version")) != 0)
		return NULL;
	if (cJSON_IsString(v))
		s = xstrdup(v->valuestring);
	else if (jstr(v, "version") != NULL)
		s = xstrdup(jstr(v, "version"));
	else
		s = xstrdup("");
	cJSON_Delete(v);
	return s;
}

int
server_check_version(void)
{
	int rc;
	char *sv = server_version(&rc);

	if (sv == NULL)
		return rc;
	switch (version_compare(TORC_VERSION, sv)) {
	case 2:
		cli_err("the server runs version %.64s, incompatible with "
		    "this torc %s", sv, TORC_VERSION);
		rc = EXIT_FAIL;
		break;
	case 1:
		cli_warn("the server runs version %.64s; this torc is %s",
		    sv, TORC_VERSION);
		break;
	default:
		break;
	}
	free(sv);
	return rc;
}

int
cmd_ping(const struct command *cmd, int argc, char **argv)
{
	struct opts_out o;
	cJSON *r = NULL;
	int rc;

	if (!cmd_args(cmd, argc, argv, NULL, &o, 0, 0, &rc))
		return rc;
	free(o.pos);
	if ((rc = api_call("GET", NULL, &r, NULL, "/ping")) != 0)
		return rc;
	if (out_format() == FMT_JSON)
		out_json(r);
	else
		printf("%s: %s\n", g_cli.url,
		    jstr(r, "status") ? jstr(r, "status") : "answered");
	cJSON_Delete(r);
	return EXIT_OK;
}

int
cmd_version(const struct command *cmd, int argc, char **argv)
{
	struct opts_out o;
	cJSON *obj;
	char *sv;
	int rc, cmp;

	if (!cmd_args(cmd, argc, argv, NULL, &o, 0, 0, &rc))
		return rc;
	free(o.pos);
	if ((sv = server_version(&rc)) == NULL)
		return rc;
	obj = jnew_object();
	jadd_str(obj, "client", CLIENT_VERSION);
	jadd_str(obj, "server", sv);
	out_object(obj);
	cJSON_Delete(obj);
	cmp = version_compare(TORC_VERSION, sv);
	if (cmp == 2) {
		cli_err("the server's major version differs from this torc's");
		rc = EXIT_FAIL;
	} else if (cmp == 1) {
		cli_warn("the server runs another version than this torc");
	}
	free(sv);
	return rc;
}
