/*
 * main.c: the torc command: global options (before the subcommand, as in
 * the real Torc CLI), where the server URL, the user name and the password
 * come from, the connection set-up, the version check, and dispatch to
 * the command table (commands.c).
 *
 * The password comes from --password (warned about: it shows in process
 * lists; the argv copy is overwritten at once), --prompt-password (no-echo
 * prompt on /dev/tty) or TORC_PASSWORD (taken out of the environment before
 * anything else runs, so jobs started by `torc run` never see it).  It is
 * handed to libcurl and our copy is wiped right away.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "api.h"
#include "opts.h"
#include "output.h"
#include "password.h"
#include "util.h"



static const char usage_text[] =
"usage: torc [GLOBAL OPTIONS] COMMAND [ARGS]\n"
"\n"
"The command-line client of a Torc workflow server.\n"
"\n"
"Global options (before the command):\n"
"  --url URL            API base URL (TORC_API_URL;\n"
"                       default " DEFAULT_URL ")\n"
"  --username USER      user name (TORC_USERNAME, else $USER)\n"
"  --prompt-password    ask for the password on the terminal\n"
"  --password PW        the password (visible to other users in process\n"
"                       lists: prefer TORC_PASSWORD or --prompt-password)\n"
"  -f, --format F       table (default) or json\n"
"  --cacert FILE        CA certificates to check the server's with\n"
"  --insecure           do not check the server's TLS certificate\n"
"  --skip-version-check do not compare versions with the server\n"
"  --version            print torc's version and exit\n"
"  -h, --help           this text; COMMAND --help for a command's\n"
"\n"
"Commands:\n";

static void
print_commands(FILE *out, const char *group)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++) {
		if (group != NULL && (c->group == NULL ||
		    strcmp(c->group, group) != 0))
			continue;
		fprintf(out, "  %s%s%s\n", c->group ? c->group : "",
		    c->group ? " " : "", c->name);
	}
}

static void
usage(FILE *out)
{
	fputs(usage_text, out);
	print_commands(out, NULL);
	fputs("\nExit status: 0 ok, 1 failed or refused, 100 usage error, "
	    "111 network or\ntemporary failure.  See torc(1).\n", out);
}

static int
is_group(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (c->group != NULL && strcmp(c->group, name) == 0)
			return 1;
	return 0;
}

static const struct command *
find(const char *group, const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++) {
		if ((group == NULL) != (c->group == NULL))
			continue;
		if (group != NULL && strcmp(group, c->group) != 0)
			continue;
		if (strcmp(name, c->name) == 0)
			return c;
	}
	return NULL;
}

static const char *
default_username(void)
{
	const char *u;
	struct passwd *pw;

	if ((u = getenv("TORC_USERNAME")) != NULL && *u)
		return u;
	if ((u = getenv("USER")) != NULL && *u)
		return u;
	if ((u = getenv("USERNAME")) != NULL && *u)
		return u;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *url = NULL, *username = NULL, *format = NULL;
	const char *cacert = NULL, *password_arg = NULL;
	int prompt = 0, insecure = 0, skipv = 0, version = 0;
	const struct opt gopts[] = {
		{ "url", 0, OPT_STR, &url },
		{ "username", 0, OPT_STR, &username },
		{ "password", 0, OPT_STR, &password_arg },
		{ "prompt-password", 0, OPT_FLAG, &prompt },
		{ "format", 'f', OPT_STR, &format },
		{ "cacert", 0, OPT_STR, &cacert },
		{ "insecure", 0, OPT_FLAG, &insecure },
		{ "skip-version-check", 0, OPT_FLAG, &skipv },
		{ "version", 0, OPT_FLAG, &version },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct http_config hc;
	const struct command *cmd;
	struct opts_out o;
	char *password, err[512];
	int i, rc;

	/* Before anything else: no child may inherit the password. */
	password = pw_take_env();

	if (opts_parse(argc - 1, argv + 1, gopts, OPTS_STOP_AT_ARG, &o, err,
	    sizeof(err)) != 0) {
		pw_free(password);
		fprintf(stderr, "torc: usage error: %s\n", err);
		fputs("Run 'torc --help' for the usage.\n", stderr);
		return EXIT_USAGE;
	}
	free(o.pos);
	if (password_arg != NULL) {
		pw_free(password);
		password = xstrdup(password_arg);
		for (i = 1; i < argc; i++)
			if (argv[i] == password_arg)
				pw_scrub(argv[i]);
			else if (strncmp(argv[i], "--password=", 11) == 0)
				pw_scrub(argv[i] + 11);
		cli_warn("--password shows the password to other users in "
		    "process lists; prefer TORC_PASSWORD or --prompt-password");
	}
	i = o.next + 1;
	if (o.help) {
		pw_free(password);
		usage(stdout);
		return EXIT_OK;
	}
	if (version) {
		pw_free(password);
		printf("torc %s (torc-cgi)\n", TORC_VERSION);
		return EXIT_OK;
	}
	if (format != NULL && strcmp(format, "json") == 0) {
		out_set_format(FMT_JSON);
	} else if (format != NULL && strcmp(format, "table") != 0) {
		pw_free(password);
		fprintf(stderr, "torc: usage error: --format must be table or "
		    "json, not '%.32s'\n", format);
		return EXIT_USAGE;
	}
	if (i >= argc) {
		pw_free(password);
		usage(stderr);
		return EXIT_USAGE;
	}

	/* The command: GROUP NAME or NAME. */
	if (is_group(argv[i])) {
		const char *group = argv[i];

		if (i + 1 >= argc || strcmp(argv[i + 1], "--help") == 0 ||
		    strcmp(argv[i + 1], "-h") == 0) {
			FILE *out = i + 1 >= argc ? stderr : stdout;

			pw_free(password);
			fprintf(out, "usage: torc %s COMMAND [ARGS]\n\n"
			    "Commands:\n", group);
			print_commands(out, group);
			return i + 1 >= argc ? EXIT_USAGE : EXIT_OK;
		}
		cmd = find(group, argv[i + 1]);
		if (cmd == NULL) {
			pw_free(password);
			fprintf(stderr, "torc: usage error: unknown command "
			    "'%s %.64s'\nRun 'torc %s --help' for the "
			    "list.\n", group, argv[i + 1], group);
			return EXIT_USAGE;
		}
		i += 2;
	} else {
		cmd = find(NULL, argv[i]);
		if (cmd == NULL) {
			pw_free(password);
			fprintf(stderr, "torc: usage error: unknown command "
			    "'%.64s'\nRun 'torc --help' for the list.\n",
			    argv[i]);
			return EXIT_USAGE;
		}
		i += 1;
	}

	g_cli.url = url ? url : getenv("TORC_API_URL");
	if (g_cli.url == NULL || *g_cli.url == '\0')
		g_cli.url = DEFAULT_URL;
	g_cli.username = username ? username : default_username();
	g_cli.skip_version_check = skipv;

	/* --help of a command needs no server. */
	for (int k = i; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0)
			break;
		if (strcmp(argv[k], "--help") == 0 ||
		    strcmp(argv[k], "-h") == 0) {
			pw_free(password);
			cmd_help(cmd, stdout);
			return EXIT_OK;
		}
	}
	if (cmd->flags & CMD_OFFLINE) {
		pw_free(password);
		return cmd->run(cmd, argc - i, argv + i);
	}

	if (prompt && password_arg == NULL) {
		char *prompt_text = xasprintf("Password for %s: ",
		    g_cli.username ? g_cli.username : "torc");

		pw_free(password);
		password = pw_prompt(prompt_text, err, sizeof(err));
		free(prompt_text);
		if (password == NULL) {
			cli_err("%s", err);
			return EXIT_FAIL;
		}
	}
	if (password != NULL && g_cli.username == NULL) {
		pw_free(password);
		cli_err("no user name: set TORC_USERNAME or use --username");
		return EXIT_USAGE;
	}
	memset(&hc, 0, sizeof(hc));
	hc.base_url = g_cli.url;
	hc.username = g_cli.username;
	hc.password = password;
	hc.cacert = cacert;
	hc.insecure = insecure;
	g_cli.have_password = password != NULL;
	api_set_have_password(g_cli.have_password);
	rc = http_open(&hc, err, sizeof(err));
	pw_free(password);
	password = NULL;
	if (rc != 0) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	rc = 0;
	if (!skipv && !(cmd->flags & CMD_NO_VCHECK))
		rc = server_check_version();
	if (rc == 0)
		rc = cmd->run(cmd, argc - i, argv + i);
	fflush(stdout);
	http_close();
	if (ferror(stdout)) {
		cli_err("cannot write the output");
		if (rc == 0)
			rc = EXIT_FAIL;
	}
	return rc;
}
