/*
 * cmd.c: what every command does with its command line: --help, option
 * and argument checks, id arguments, usage errors (see cli.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "util.h"

struct cli g_cli;

static void
usage_line(const struct command *cmd, FILE *out)
{
	fprintf(out, "usage: torc %s%s%s%s%s\n",
	    cmd->group ? cmd->group : "", cmd->group ? " " : "", cmd->name,
	    cmd->synopsis && *cmd->synopsis ? " " : "",
	    cmd->synopsis ? cmd->synopsis : "");
}

void
cmd_help(const struct command *cmd, FILE *out)
{
	usage_line(cmd, out);
	if (cmd->help != NULL && *cmd->help != '\0')
		fprintf(out, "\n%s", cmd->help);
}

int
cmd_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("torc: usage error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage_line(cmd, stderr);
	fprintf(stderr, "Run 'torc %s%s%s --help' for more.\n",
	    cmd->group ? cmd->group : "", cmd->group ? " " : "", cmd->name);
	return EXIT_USAGE;
}

int
cmd_args(const struct command *cmd, int argc, char **argv,
    const struct opt *opts, struct opts_out *o, int minpos, int maxpos,
    int *rc)
{
	static const struct opt none[] = { { NULL, 0, OPT_FLAG, NULL } };
	char err[256];

	if (opts_parse(argc, argv, opts ? opts : none, 0, o, err,
	    sizeof(err)) != 0) {
		*rc = cmd_usage_error(cmd, "%s", err);
		return 0;
	}
	if (o->help) {
		cmd_help(cmd, stdout);
		free(o->pos);
		o->pos = NULL;
		*rc = EXIT_OK;
		return 0;
	}
	if (o->npos < minpos || (maxpos >= 0 && o->npos > maxpos)) {
		*rc = cmd_usage_error(cmd, o->npos < minpos ?
		    "missing argument" : "too many arguments");
		free(o->pos);
		o->pos = NULL;
		return 0;
	}
	return 1;
}

int
cmd_id(const struct command *cmd, const char *arg, const char *what,
    int64_t *id)
{
	if (parse_id(arg, id) != 0)
		return cmd_usage_error(cmd, "%s must be a positive whole "
		    "number, not '%.64s'", what, arg);
	return 0;
}
