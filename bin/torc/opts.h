/*
 * opts.h: command-line options of the torc CLI, one small parser for the
 * global options and for every subcommand.
 *
 * Accepted forms: --name VALUE, --name=VALUE, -n VALUE, -nVALUE, --flag,
 * -f; "--" ends the options; a lone "-" is an argument.  Options and
 * arguments may be mixed (unless OPTS_STOP_AT_ARG).  --help and -h set
 * help unless the table defines them.  Numbers are checked strictly:
 * OPT_COUNT takes an integer 0 .. 2^53, OPT_NUM a finite number >= 0.
 * A later occurrence of an option replaces an earlier one.
 */
#ifndef TORC_CLI_OPTS_H
#define TORC_CLI_OPTS_H

#include <stddef.h>
#include <stdint.h>

enum opt_kind {
	OPT_FLAG,	/* int *: set to 1 */
	OPT_STR,	/* const char **: points into argv */
	OPT_COUNT,	/* int64_t * */
	OPT_NUM		/* double * */
};

struct opt {
	const char	*lname;		/* long name without "--" */
	char		 sname;		/* short letter, or 0 */
	enum opt_kind	 kind;
	void		*dest;
};

#define OPTS_STOP_AT_ARG	0x1	/* stop at the first argument */

struct opts_out {
	char	**pos;		/* arguments in order (pointers into argv) */
	int	  npos;
	int	  help;		/* --help or -h seen */
	int	  next;		/* index after the last one parsed */
};

/*
 * Parses argv[0 .. argc-1] (no program or command name) against opts
 * (ended by an entry with lname NULL).  Returns 0 with o filled (free
 * o->pos with free()), or -1 with a message in err (errlen bytes), e.g.
 * "unknown option '--x'" or "option '--limit' needs a whole number".
 * With OPTS_STOP_AT_ARG parsing stops at the first argument; o->next is
 * its index (argc if none) and it is not put into o->pos.
 */
int	 opts_parse(int argc, char **argv, const struct opt *opts, int flags,
	    struct opts_out *o, char *err, size_t errlen);

#endif
