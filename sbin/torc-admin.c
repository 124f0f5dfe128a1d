/*
 * torc-admin: look after a torc-cgi database and credential cache.
 *
 *   torc-admin [options] db verify | db backup DIR | db recover [--catastrophic]
 *              | db stats [--json] | cache purge [--all]
 *
 * The database folder and cache folder come from the same resolution as
 * the server's (torc.toml [server], TORC_*), and --database / --cache-dir
 * / --config here.  Options may come before or after the command words.
 * The work is in lib/admin.c; this file parses arguments and maps results
 * to exit codes (docs/hacking.md): 0 ok, 1 failed, 100 usage, 102
 * misconfiguration, 111 temporary.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "log.h"

#define PROG		"torc-admin"
#define EX_USAGE	100
#define EX_CONFIG	102
#define DEFAULT_WAIT_S	30
#define MAX_WORDS	4

#ifndef TORC_VERSION
#define TORC_VERSION	"unknown"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: %s [options] db verify            check every table file (the database is\n"
	    "                                            closed to requests while it runs)\n"
	    "       %s [options] db backup DIR        hot, consistent copy into a new or empty DIR\n"
	    "       %s [options] db recover [--catastrophic]\n"
	    "                                            recover after a crash (with the server up)\n"
	    "       %s [options] db stats [--json]    records per table, log, transactions, locks\n"
	    "       %s [options] cache purge [--all]  remove expired credential-cache entries\n"
	    "\n"
	    "options:\n"
	    "  --database DIR    the database folder (else TORC_DATABASE, torc.toml, ./torc-data)\n"
	    "  --cache-dir DIR   the credential cache (else TORC_CACHE_DIR, torc.toml,\n"
	    "                    DATABASE/auth-cache)\n"
	    "  --config FILE     torc.toml to read (also TORC_CONFIG; default /etc/torc/torc.toml)\n"
	    "  --wait SECS       how long to wait for other processes (%d)\n"
	    "  -v, --verbose     log what the storage layer does\n"
	    "  -h, --help        this text\n"
	    "  --version         the version\n"
	    "Run it as the user that owns the database (the server's user).\n"
	    "Exit status: 0 ok, 1 failed or damage found, 100 usage, 102 misconfiguration,\n"
	    "111 temporary (the database stayed busy; try again).\n",
	    PROG, PROG, PROG, PROG, PROG, DEFAULT_WAIT_S);
}

static void __attribute__((format(printf, 1, 2), noreturn))
usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", PROG);
	exit(EX_USAGE);
}

/* --name value or --name=value; *i is advanced past a separate value. */
static const char *
option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc)
		usage_error("%s needs a value", name);
	return argv[++*i];
}

static int
is_option(const char *a, const char *name)
{
	size_t n = strlen(name);
	return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

/*
 * store_env_attach arms SIGALRM while it opens the environment: an open
 * that long is stuck on a mutex a dead process holds.  It left its mark in
 * torc.failchk, so the next request (or torc-admin db recover) recovers.
 */
static void
on_stuck(int sig)
{
	static const char msg[] = PROG ": the database environment is stuck on a mutex "
	    "a dead process holds; it is marked for recovery: run " PROG " db recover\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(ADMIN_TEMPFAIL);
	_exit(ADMIN_TEMPFAIL);
}

int
main(int argc, char **argv)
{
	const char *words[MAX_WORDS], *database = NULL, *cache_dir = NULL;
	int nwords = 0, json = 0, all = 0, catastrophic = 0, wait = DEFAULT_WAIT_S, verbose = 0;
	char err[1024];
	struct config c;
	int rc;

	signal(SIGALRM, on_stuck);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			printf("%s %s\n", PROG, TORC_VERSION);
			return 0;
		}
		if (is_option(a, "--database"))
			database = option_value(argc, argv, &i, "--database");
		else if (is_option(a, "--cache-dir"))
			cache_dir = option_value(argc, argv, &i, "--cache-dir");
		else if (is_option(a, "--config"))
			setenv("TORC_CONFIG", option_value(argc, argv, &i, "--config"), 1);
		else if (is_option(a, "--wait")) {
			const char *v = option_value(argc, argv, &i, "--wait");
			char *end;
			long w = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0' || w < 1 || w > 86400)
				usage_error("--wait: '%s' is not a number of seconds (1-86400)", v);
			wait = (int)w;
		} else if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "--all"))
			all = 1;
		else if (!strcmp(a, "--catastrophic"))
			catastrophic = 1;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			verbose = 1;
		else if (a[0] == '-' && a[1] != '\0')
			usage_error("unknown option '%s'", a);
		else if (nwords >= MAX_WORDS)
			usage_error("unexpected argument '%s'", a);
		else
			words[nwords++] = a;
	}
	if (nwords < 2) {
		usage(stderr);
		return EX_USAGE;
	}

	/* The server's resolution, then our own flags. */
	log_set_level(verbose ? LOG_DEBUG : LOG_WARN);
	config_defaults(&c);
	if (config_load(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: fatal: %s\n", PROG, err);
		return EX_CONFIG;
	}
	if (database != NULL && config_set(&c, config_key_index("database"), database,
	    SRC_FLAG, err, sizeof(err)) < 0)
		usage_error("--database: %s", err);
	if (cache_dir != NULL && config_set(&c, config_key_index("cache_dir"), cache_dir,
	    SRC_FLAG, err, sizeof(err)) < 0)
		usage_error("--cache-dir: %s", err);

	const char *w0 = words[0], *w1 = words[1];
	int extra = nwords - 2;
	if ((json && strcmp(w1, "stats")) || (all && strcmp(w0, "cache")) ||
	    (catastrophic && strcmp(w1, "recover")))
		usage_error("that option does not go with '%s %s'", w0, w1);
	if (!strcmp(w0, "db") && !strcmp(w1, "verify") && extra == 0)
		rc = admin_verify(&c, wait, stdout, err, sizeof(err));
	else if (!strcmp(w0, "db") && !strcmp(w1, "backup") && extra == 1)
		rc = admin_backup(&c, words[2], wait, stdout, err, sizeof(err));
	else if (!strcmp(w0, "db") && !strcmp(w1, "backup"))
		usage_error("db backup needs one folder to back up into");
	else if (!strcmp(w0, "db") && !strcmp(w1, "recover") && extra == 0)
		rc = admin_recover(&c, catastrophic, wait, stdout, err, sizeof(err));
	else if (!strcmp(w0, "db") && !strcmp(w1, "stats") && extra == 0)
		rc = admin_stats(&c, json, wait, stdout, err, sizeof(err));
	else if (!strcmp(w0, "cache") && !strcmp(w1, "purge") && extra == 0)
		rc = admin_cache_purge(&c, all, stdout, err, sizeof(err));
	else
		usage_error("unknown command '%s %s%s'", w0, w1, extra ? " ..." : "");
	fflush(stdout);
	if (rc != ADMIN_OK)
		fprintf(stderr, "%s: %s%s\n", PROG, rc == ADMIN_FAILED ? "" : "fatal: ", err);
	return rc;
}
