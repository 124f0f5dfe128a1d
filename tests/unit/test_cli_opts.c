/*
 * test_cli_opts.c: unit tests of the torc CLI's option parsing
 * (bin/torc/opts.c) and strict number parsing (bin/torc/util.c): every
 * accepted form, arguments mixed with options, "--", --help, stopping at
 * the first argument for the global options, and the usage errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../bin/torc/opts.h"
#include "../../bin/torc/util.h"

static char err[256];

/* Parses the NULL-terminated list with opts; returns opts_parse's result. */
static int
parse(const struct opt *opts, int flags, struct opts_out *o, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;
	char *a;

	va_start(ap, o);
	while ((a = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return opts_parse(argc, argv, opts, flags, o, err, sizeof(err));
}

static void
test_forms(void)
{
	const char *name = NULL;
	int64_t limit = -1;
	double poll = -1;
	int flag = 0;
	const struct opt opts[] = {
		{ "name", 'n', OPT_STR, &name },
		{ "limit", 'l', OPT_COUNT, &limit },
		{ "poll-interval", 'p', OPT_NUM, &poll },
		{ "reverse-sort", 0, OPT_FLAG, &flag },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;

	CHECK_INT(parse(opts, 0, &o, "7", "--name", "x", "--limit=3", "8",
	    "-p0.5", "--reverse-sort", NULL), 0);
	CHECK_STR(name, "x");
	CHECK_INT(limit, 3);
	CHECK(poll == 0.5);
	CHECK_INT(flag, 1);
	CHECK_INT(o.npos, 2);
	CHECK_STR(o.pos[0], "7");
	CHECK_STR(o.pos[1], "8");
	CHECK_INT(o.help, 0);
	free(o.pos);

	/* Short forms with a separate value; a later value wins. */
	CHECK_INT(parse(opts, 0, &o, "-n", "a", "-n", "b", "-l", "0", NULL), 0);
	CHECK_STR(name, "b");
	CHECK_INT(limit, 0);
	free(o.pos);

	/* "--" ends options; "-" is an argument; values may start with '-'. */
	CHECK_INT(parse(opts, 0, &o, "--name", "--odd", "--", "--limit", "-",
	    NULL), 0);
	CHECK_STR(name, "--odd");
	CHECK_INT(o.npos, 2);
	CHECK_STR(o.pos[0], "--limit");
	CHECK_STR(o.pos[1], "-");
	free(o.pos);

	/* --name= gives an empty value. */
	CHECK_INT(parse(opts, 0, &o, "--name=", NULL), 0);
	CHECK_STR(name, "");
	free(o.pos);

	/* --help and -h anywhere. */
	CHECK_INT(parse(opts, 0, &o, "1", "--help", NULL), 0);
	CHECK_INT(o.help, 1);
	free(o.pos);
	CHECK_INT(parse(opts, 0, &o, "-h", NULL), 0);
	CHECK_INT(o.help, 1);
	free(o.pos);
}

static void
test_errors(void)
{
	int64_t n = 0;
	double d = 0;
	int flag = 0;
	const char *s = NULL;
	const struct opt opts[] = {
		{ "count", 'c', OPT_COUNT, &n },
		{ "num", 0, OPT_NUM, &d },
		{ "flag", 'f', OPT_FLAG, &flag },
		{ "str", 0, OPT_STR, &s },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;

	CHECK_INT(parse(opts, 0, &o, "--bogus", NULL), -1);
	CHECK_STR(err, "unknown option '--bogus'");
	CHECK(o.pos == NULL);
	CHECK_INT(parse(opts, 0, &o, "--bogus=1", NULL), -1);
	CHECK_STR(err, "unknown option '--bogus'");
	CHECK_INT(parse(opts, 0, &o, "-z", NULL), -1);
	CHECK_STR(err, "unknown option '-z'");
	CHECK_INT(parse(opts, 0, &o, "--count", NULL), -1);
	CHECK_STR(err, "option '--count' needs a value");
	CHECK_INT(parse(opts, 0, &o, "-c", NULL), -1);
	CHECK_STR(err, "option '-c' needs a value");
	CHECK_INT(parse(opts, 0, &o, "--count", "x", NULL), -1);
	CHECK_STR(err, "option '--count' needs a whole number >= 0, not 'x'");
	CHECK_INT(parse(opts, 0, &o, "--count", "-1", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--count", "1.5", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--count", " 1", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--count", "99999999999999999999", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--num", "nan", NULL), -1);
	CHECK_STR(err, "option '--num' needs a number >= 0, not 'nan'");
	CHECK_INT(parse(opts, 0, &o, "--num", "inf", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--num", "-0.1", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--num", "", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--flag=1", NULL), -1);
	CHECK_STR(err, "option '--flag' takes no value");
	CHECK_INT(parse(opts, 0, &o, "-fx", NULL), -1);
	CHECK_STR(err, "option '-f' takes no value");
	CHECK_INT(parse(opts, 0, &o, "--helpme", NULL), -1);
	CHECK_INT(parse(opts, 0, &o, "--help=1", NULL), -1);
	/* A long unknown name is cut in the message. */
	{
		char longopt[200];

		memset(longopt, 'a', sizeof(longopt));
		longopt[0] = longopt[1] = '-';
		longopt[sizeof(longopt) - 1] = '\0';
		CHECK_INT(parse(opts, 0, &o, longopt, NULL), -1);
		CHECK(strlen(err) < 100);
	}
}

static void
test_stop_at_arg(void)
{
	const char *url = NULL, *format = NULL;
	const struct opt gopts[] = {
		{ "url", 0, OPT_STR, &url },
		{ "format", 'f', OPT_STR, &format },
		{ NULL, 0, OPT_FLAG, NULL }
	};
	struct opts_out o;

	CHECK_INT(parse(gopts, OPTS_STOP_AT_ARG, &o, "--url", "u", "-f", "json",
	    "workflows", "list", "--limit", "3", NULL), 0);
	CHECK_STR(url, "u");
	CHECK_STR(format, "json");
	CHECK_INT(o.next, 4);
	CHECK_INT(o.npos, 0);
	free(o.pos);
	/* Command options are not global ones: parsing stopped before them. */
	CHECK_INT(parse(gopts, OPTS_STOP_AT_ARG, &o, "ping", "--bogus", NULL), 0);
	CHECK_INT(o.next, 0);
	free(o.pos);
	CHECK_INT(parse(gopts, OPTS_STOP_AT_ARG, &o, "--", "ping", NULL), 0);
	CHECK_INT(o.next, 1);
	free(o.pos);
	CHECK_INT(parse(gopts, OPTS_STOP_AT_ARG, &o, NULL), 0);
	CHECK_INT(o.next, 0);
	free(o.pos);
}

static void
test_numbers(void)
{
	int64_t i;
	double d;

	CHECK_INT(parse_id("1", &i), 0);
	CHECK_INT(i, 1);
	CHECK_INT(parse_id("9007199254740992", &i), 0);
	CHECK_INT(parse_id("9007199254740993", &i), -1);
	CHECK_INT(parse_id("0", &i), -1);
	CHECK_INT(parse_id("-3", &i), -1);
	CHECK_INT(parse_id("+3", &i), -1);
	CHECK_INT(parse_id("3x", &i), -1);
	CHECK_INT(parse_id("", &i), -1);
	CHECK_INT(parse_id(" 3", &i), -1);
	CHECK_INT(parse_id(NULL, &i), -1);
	CHECK_INT(parse_i64("-5", -10, 10, &i), 0);
	CHECK_INT(i, -5);
	CHECK_INT(parse_i64("11", -10, 10, &i), -1);
	CHECK_INT(parse_f64("0.25", 0, 1, &d), 0);
	CHECK(d == 0.25);
	CHECK_INT(parse_f64("1e400", 0, 1e300, &d), -1);
	CHECK_INT(parse_f64("2", 0, 1, &d), -1);
	CHECK_INT(parse_f64("0x10", 0, 100, &d), 0);	/* strtod accepts hex */
}

int
main(void)
{
	test_forms();
	test_errors();
	test_stop_at_arg();
	test_numbers();
	return check_done();
}
