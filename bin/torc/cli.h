/*
 * cli.h: the torc CLI's settings (from the global options and the
 * environment) and its commands: the table of every subcommand with its
 * usage and help text, and the helpers commands use to read their own
 * options and arguments.
 *
 * A command is a function that gets its own arguments (after the command
 * name) and returns an exit code (util.h).  It prints what it produced on
 * stdout (output.h) and messages on stderr.
 */
#ifndef TORC_CLI_CLI_H
#define TORC_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "opts.h"

#define DEFAULT_URL	"http://localhost:8080/torc-service/v1"

/* Settings shared by all commands, filled by main() before a command runs. */
struct cli {
	const char	*url;		/* base URL of the API */
	const char	*username;	/* who we are (workflow owner) */
	int		 have_password;	/* credentials are sent */
	int		 skip_version_check;
};
extern struct cli g_cli;

#define CMD_OFFLINE	0x1	/* does not talk to the server */
#define CMD_NO_VCHECK	0x2	/* does its own version check */

struct command {
	const char	*group;		/* "workflows", or NULL (top level) */
	const char	*name;		/* "list" */
	const char	*synopsis;	/* arguments and options, one line */
	const char	*help;		/* what it does, then its options */
	int		(*run)(const struct command *cmd, int argc, char **argv);
	unsigned	 flags;
};

/* The command table, ended by an entry with name NULL (commands.c). */
extern const struct command commands[];

/* Prints "usage: torc GROUP NAME SYNOPSIS" and the help text. */
void	 cmd_help(const struct command *cmd, FILE *out);

/*
 * Reads a command's options (opts, may be NULL for none) and arguments.
 * Returns 1 when the command should go on (free o->pos afterwards), or 0
 * with *rc set: 0 after printing --help, EXIT_USAGE after a usage error
 * (unknown option, fewer than minpos or more than maxpos arguments; maxpos
 * < 0: no limit).
 */
int	 cmd_args(const struct command *cmd, int argc, char **argv,
	    const struct opt *opts, struct opts_out *o, int minpos, int maxpos,
	    int *rc);

/* Prints "torc: usage error: ..." and the usage line; returns EXIT_USAGE. */
int	 cmd_usage_error(const struct command *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Parses an id argument (what names it in the message).  Returns 0 and
 * sets *id, or prints a usage error and returns EXIT_USAGE.
 */
int	 cmd_id(const struct command *cmd, const char *arg, const char *what,
	    int64_t *id);

/*
 * GET /version and compare with ours, as Torc does: another major version
 * is fatal, a server with a lower minor (or the same minor and another
 * patch level) only warns, an unparsable answer is ignored.  Returns 0,
 * or an exit code after printing the error.
 */
int	 server_check_version(void);

/* The version text of the server ("0.10.0 (torc-cgi)") or NULL; caller frees. */
char	*server_version(int *rc);

/*
 * Compares client and server version strings ("MAJOR.MINOR.PATCH ...").
 * Returns 0 if compatible and equal, 1 if only a warning is due, 2 if the
 * majors differ, -1 if either cannot be parsed.
 */
int	 version_compare(const char *client, const char *server);

#endif
