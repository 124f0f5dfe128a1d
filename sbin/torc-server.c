/*
 * torc-server: run the Torc API under a web server, in the foreground.
 *
 * torc-server has no daemon of its own.  `run` resolves the settings
 * (flags > TORC_* environment > torc.toml [server] > defaults), creates or
 * recovers the database, writes a configuration for the chosen web server
 * into a fresh runtime folder, starts the web server as a child, waits
 * until it accepts connections, prints the base URL, and forwards SIGINT and
 * SIGTERM to it.  When the child is gone the runtime folder is removed.
 * Settings reach each CGI as TORC_* variables that the web server passes on.
 *
 * Started by systemd with listening sockets (LISTEN_PID/LISTEN_FDS, as in
 * sd_listen_fds(3)), `run` binds nothing: lighttpd takes the inherited
 * sockets (server.systemd-socket-activation), and with --idle-exit-secs it
 * exits when idle so that the next connection starts it again.  With
 * --https, lighttpd's mod_openssl serves TLS 1.2 and 1.3 with AEAD ciphers
 * only, and the private key must be readable by its owner alone.
 */
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "config.h"
#include "fronts.h"
#include "htpasswd.h"
#include "log.h"
#include "store.h"

#define PROG		"torc-server"
#define EX_USAGE	100
#define EX_CONFIG	102
#define EX_TEMP		111
#define READY_WAIT_MS	10000
#define SD_FIRST_FD	3	/* the first socket systemd passes */
#define MAX_LISTEN_FDS	16	/* inherited sockets accepted */

static volatile sig_atomic_t got_signal;
static pid_t child = -1;
static char runtime[PATH_MAX];
static int runtime_made;
static int nlisten;		/* sockets inherited from systemd, at fds 3.. */

static void __attribute__((noreturn, format(printf, 2, 3)))
fatal(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: fatal: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: %s run [options]         serve the API in the foreground\n"
	    "       %s show-config [options] print the effective settings and their sources\n"
	    "       %s gen-cert [--tls-cert F] [--tls-key F] [--host H]\n"
	    "                                     make a self-signed certificate for trials\n"
	    "       %s --version | --help\n"
	    "\n"
	    "options (each also a TORC_* variable and a torc.toml [server] key):\n"
	    "  --host H                      bind host (localhost)\n"
	    "  --port P                      port (8080)\n"
	    "  --database DIR                data folder (./torc-data)\n"
	    "  --log-level L                 error|warn|info|debug|trace (info)\n"
	    "  --web-server lighttpd|busybox web server to run (lighttpd)\n"
	    "  --auth-file FILE              htpasswd file (bcrypt); enables authentication\n"
	    "  --require-auth                refuse requests without valid credentials\n"
	    "  --enforce-access-control      users see only their own and shared workflows\n"
	    "  --admin-user U                system administrator (repeatable)\n"
	    "  --credential-cache-ttl-secs N credential cache lifetime (60; 0 disables)\n"
	    "  --cache-dir DIR               credential cache folder (DATABASE/auth-cache)\n"
	    "  --trust-remote-user           take REMOTE_USER from a web server that authenticates\n"
	    "  --durable true|false          flush the log at every commit (true)\n"
	    "  --fastcgi true|false          lighttpd: fork each request from a resident\n"
	    "                                FastCGI process instead of exec (true)\n"
	    "  --https --tls-cert F --tls-key F   serve TLS (lighttpd)\n"
	    "  --runtime-dir DIR             where the web-server configuration is written\n"
	    "  --idle-exit-secs N            exit after N idle seconds (socket activation)\n"
	    "                                (sockets passed by systemd, LISTEN_FDS, are used\n"
	    "                                instead of --host/--port)\n"
	    "  --config FILE                 torc.toml to read (also TORC_CONFIG)\n"
	    "  --cgi-dir DIR                 folder holding the CGI programs\n"
	    "Booleans take an optional value: --require-auth=false turns one off.\n",
	    PROG, PROG, PROG, PROG);
}

/*
 * Flags: --name value or --name=value; a boolean alone means true, and
 * takes true/false (and yes/no, on/off, 1/0) as --name=false, as the next
 * word, or as --no-name.  Every flag wins over the environment and the
 * file, even one set to its default.  Torc's flags with no meaning here
 * (--threads, --log-dir, ...) are accepted and noted.
 */
static int
parse_flags(struct config *c, int argc, char **argv, const char **cgidir)
{
	char err[512];

	for (int i = 0; i < argc; i++) {
		char *a = argv[i], name[128];
		const char *val = NULL, *why;
		int k, b, takes;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, a);
			return -1;
		}
		char *eq = strchr(a, '=');
		if (eq != NULL) {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - a), a);
			val = eq + 1;
		} else
			snprintf(name, sizeof(name), "%s", a);
		if (!strcmp(name, "--config") || !strcmp(name, "--cgi-dir")) {
			if (val == NULL && (val = (i + 1 < argc ? argv[++i] : NULL)) == NULL) {
				fprintf(stderr, "%s: %s needs a value\n", PROG, name);
				return -1;
			}
			if (!strcmp(name, "--cgi-dir"))
				*cgidir = val;
			continue;	/* --config was handled before the file was read */
		}
		if ((why = config_ignored_flag(name, &takes)) != NULL) {
			if (takes && val == NULL && (val = (i + 1 < argc ? argv[++i] : NULL)) == NULL) {
				fprintf(stderr, "%s: %s needs a value\n", PROG, name);
				return -1;
			}
			config_note(c, "%s is ignored: %s", name, why);
			continue;
		}
		k = config_key_index(name);
		if (k < 0 && strncmp(name, "--no-", 5) == 0 && val == NULL) {
			char pos[128];
			snprintf(pos, sizeof(pos), "--%s", name + 5);
			if ((k = config_key_index(pos)) >= 0 && config_keys[k].type == CK_BOOL)
				val = "false";
			else
				k = -1;
		}
		if (k < 0) {
			fprintf(stderr, "%s: unknown option '%s' (see --help)\n", PROG, name);
			return -1;
		}
		if (config_keys[k].type == CK_BOOL && val == NULL) {
			if (i + 1 < argc && config_parse_bool(argv[i + 1], &b) == 0)
				val = argv[++i];
			else
				val = "true";
		} else if (val == NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: %s needs a value\n", PROG, name);
				return -1;
			}
			val = argv[++i];
		}
		if (config_set(c, k, val, SRC_FLAG, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s: %s\n", PROG, name, err);
			return -1;
		}
		c->origin[k] = strdup(name);
	}
	return 0;
}

/* Defaults, then torc.toml, TORC_*, flags (config_load, parse_flags). */
static void
load_settings(struct config *c, int argc, char **argv, const char **cgidir)
{
	char err[512];

	config_defaults(c);
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			setenv("TORC_CONFIG", argv[i + 1], 1);
		else if (!strncmp(argv[i], "--config=", 9))
			setenv("TORC_CONFIG", argv[i] + 9, 1);
	}
	if (config_load(c, err, sizeof(err)) < 0)
		fatal(EX_CONFIG, "%s", err);
	if (parse_flags(c, argc, argv, cgidir) < 0)
		exit(EX_USAGE);
	log_set_level(c->log_level);
	for (int i = 0; i < c->nnotes; i++)
		log_msg(LOG_WARN, LOG_T_SERVER, "config: %s", c->notes[i]);
}

static char *
absolute(const char *p)
{
	char cwd[PATH_MAX], buf[PATH_MAX * 2];
	if (p == NULL || p[0] == '/')
		return p ? strdup(p) : NULL;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fatal(EX_TEMP, "cannot read the current folder: %s", strerror(errno));
	snprintf(buf, sizeof(buf), "%s/%s", cwd, p);
	return strdup(buf);
}

/*
 * The effective settings, one "key = value  # source" line each, the
 * source as precise as known (file:line, variable, flag).  Unset optional
 * settings print as (unset); a key marked secret as (redacted).
 */
static void
show_config(const struct config *c)
{
	const char *tc = getenv("TORC_CONFIG");

	printf("# torc-server settings: flags > environment > %s > defaults\n",
	    c->config_file ? c->config_file : "torc.toml");
	if (c->config_file == NULL)
		printf("# no config file read (%s)\n", tc != NULL ?
		    "TORC_CONFIG is empty or none" : "/etc/torc/torc.toml does not exist");
	for (int i = 0; i < config_nkeys; i++) {
		char *v = config_value_text(c, i);
		char src[PATH_MAX + 64];
		if (c->src[i] == SRC_DEFAULT || c->origin[i] == NULL)
			snprintf(src, sizeof(src), "%s", config_source_name(c->src[i]));
		else
			snprintf(src, sizeof(src), "%s %s", config_source_name(c->src[i]), c->origin[i]);
		printf("%-28s = %-40s # %s\n", config_keys[i].key,
		    v == NULL || *v == '\0' ? (config_keys[i].type == CK_LIST ? "(none)" : "(unset)") :
		    config_keys[i].secret ? "(redacted)" : v, src);
		free(v);
	}
	for (int i = 0; i < c->nnotes; i++)
		printf("# note: %s\n", c->notes[i]);
}

static int
port_free(const char *host, long port)
{
	struct addrinfo hints, *res, *ai;
	char ps[16];
	int ok = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(ps, sizeof(ps), "%ld", port);
	if (getaddrinfo(host, ps, &hints, &res) != 0)
		fatal(EX_CONFIG, "cannot resolve host '%s'", host);
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype, 0);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno == EADDRINUSE)
			ok = 0;
		close(fd);
		break;		/* the web server binds the first address too */
	}
	freeaddrinfo(res);
	return ok;
}

static int
connectable(const char *host, long port)
{
	struct addrinfo hints, *res;
	char ps[16];
	int ok = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%ld", port);
	if (getaddrinfo(host, ps, &hints, &res) != 0)
		return 0;
	int fd = socket(res->ai_family, res->ai_socktype, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0)
		ok = 1;
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return ok;
}

/* 1 when every address host resolves to is a loopback address. */
static int
is_loopback(const char *host)
{
	struct addrinfo hints, *res, *ai;
	int ok = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)ai->ai_addr;
			if ((ntohl(s->sin_addr.s_addr) >> 24) != 127)
				ok = 0;
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)ai->ai_addr;
			if (!IN6_IS_ADDR_LOOPBACK(&s->sin6_addr))
				ok = 0;
		} else
			ok = 0;
	}
	freeaddrinfo(res);
	return ok;
}

/* host as lighttpd and URLs want it: an IPv6 literal in brackets. */
static const char *
bracketed(const char *host)
{
	static char buf[300];
	if (strchr(host, ':') == NULL || host[0] == '[')
		return host;
	snprintf(buf, sizeof(buf), "[%s]", host);
	return buf;
}

/*
 * Listening sockets passed by systemd (sd_listen_fds(3) protocol): the
 * count, 0 when none are meant for this process.  The variables are
 * removed; the child that takes the sockets gets its own LISTEN_PID.
 */
static int
take_listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long p, n = 0;

	if (pid != NULL && fds != NULL) {
		errno = 0;
		p = strtol(pid, &end, 10);
		if (errno == 0 && *end == '\0' && p == (long)getpid()) {
			n = strtol(fds, &end, 10);
			if (*end != '\0' || n < 1 || n > MAX_LISTEN_FDS)
				fatal(EX_CONFIG, "LISTEN_FDS=%s is not a count of sockets (1-%d)",
				    fds, MAX_LISTEN_FDS);
		}
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	for (int fd = SD_FIRST_FD; fd < SD_FIRST_FD + n; fd++) {
		int type = 0, listening = 0;
		socklen_t l = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_STREAM)
			fatal(EX_CONFIG, "inherited fd %d is not a stream socket "
			    "(ListenStream= in the .socket unit, Accept=no)", fd);
		l = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l) < 0 || !listening)
			fatal(EX_CONFIG, "inherited fd %d is not a listening socket "
			    "(Accept=no in the .socket unit)", fd);
	}
	return (int)n;
}

/* The numeric address and port a listening socket is bound to. */
static void
socket_address(int fd, char *host, size_t hostlen, long *port)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		fatal(EX_CONFIG, "inherited fd %d: %s", fd, strerror(errno));
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&ss;
		inet_ntop(AF_INET, &s->sin_addr, host, (socklen_t)hostlen);
		*port = ntohs(s->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&ss;
		inet_ntop(AF_INET6, &s->sin6_addr, host, (socklen_t)hostlen);
		*port = ntohs(s->sin6_port);
	} else
		fatal(EX_CONFIG, "inherited fd %d is not a TCP socket "
		    "(ListenStream= must name an address and port)", fd);
}

static char *
find_in_path(const char *name)
{
	static const char *extra[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin", NULL };
	char buf[PATH_MAX];
	const char *path = getenv("PATH");
	char *copy = strdup(path ? path : ""), *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", d, name);
		if (access(buf, X_OK) == 0) {
			free(copy);
			return strdup(buf);
		}
	}
	free(copy);
	for (int i = 0; extra[i]; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", extra[i], name);
		if (access(buf, X_OK) == 0)
			return strdup(buf);
	}
	return NULL;
}

static char *
default_cgidir(const char *argv0)
{
	char exe[PATH_MAX], buf[PATH_MAX * 2];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	(void)argv0;
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(buf, sizeof(buf), "%s/../cgi-bin/torc-service/v1", exe);
		if (access(buf, X_OK) == 0)
			return realpath(buf, NULL);
		snprintf(buf, sizeof(buf), "%s/../lib/torc/cgi-bin/torc-service/v1", exe);
		if (access(buf, X_OK) == 0)
			return realpath(buf, NULL);
	}
	return NULL;
}

/* Characters that could break out of a quoted lighttpd string. */
static void
conf_safe(const char *what, const char *s)
{
	if (s != NULL && strpbrk(s, "\"\\\n\r$") != NULL)
		fatal(EX_CONFIG, "%s contains a quote, backslash, '$' or newline: %s", what, s);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
		fatal(EX_TEMP, "cannot write %s: %s", path, strerror(errno));
}

/* TORC_* settings for the CGIs, as lighttpd setenv pairs or env strings. */
static char *
env_pairs(const struct config *c, int lighttpd_syntax)
{
	size_t cap = 8192, n = 0;
	char *out = calloc(1, cap);
	for (int i = 0; i < config_nkeys; i++) {
		char *v = config_value_text(c, i);
		if (v == NULL)
			continue;
		conf_safe(config_keys[i].key, v);
		if (lighttpd_syntax)
			n += (size_t)snprintf(out + n, cap - n, "%s  \"%s\" => \"%s\"",
			    n ? ",\n" : "", config_keys[i].env, v);
		else
			setenv(config_keys[i].env, v, 1);
		free(v);
		if (n + 512 > cap) {
			cap *= 2;
			out = realloc(out, cap);
		}
	}
	/*
	 * Every setting is exported above, so the CGIs must read no file: a
	 * broken /etc/torc/torc.toml would otherwise fail every request.
	 */
	if (lighttpd_syntax)
		n += (size_t)snprintf(out + n, cap - n, ",\n  \"TORC_CONFIG\" => \"none\"");
	else
		setenv("TORC_CONFIG", "none", 1);
	/* Test-only fault injection reaches the CGIs too (see store_fault). */
	static const char *faults[] = { "TORC_FAULT", "TORC_FAULT_RATE", "TORC_FAULT_SLEEP_MS", NULL };
	for (int i = 0; lighttpd_syntax && faults[i]; i++) {
		const char *v = getenv(faults[i]);
		if (v != NULL && !strpbrk(v, "\"\\\n$"))
			n += (size_t)snprintf(out + n, cap - n, ",\n  \"%s\" => \"%s\"", faults[i], v);
	}
	return out;
}

/* snprintf at buf + *n that never writes past cap; *n may end >= cap. */
static void __attribute__((format(printf, 4, 5)))
appendf(char *buf, size_t cap, int *n, const char *fmt, ...)
{
	va_list ap;
	if (*n < 0 || (size_t)*n >= cap)
		return;
	va_start(ap, fmt);
	*n += vsnprintf(buf + *n, cap - (size_t)*n, fmt, ap);
	va_end(ap);
}

/*
 * Reap every child that has ended: a front is started again, a request
 * left by a front that died is only reaped.  Returns 1 when the web
 * server itself has ended (its status in *status).
 */
static int
reap(int *status)
{
	int st;
	pid_t w;
	while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
		if (w == child) {
			*status = st;
			return 1;
		}
		fronts_reaped(w, st);
	}
	if (w < 0 && errno == ECHILD) {
		*status = 0;
		return 1;		/* nothing left to wait for */
	}
	return 0;
}

/*
 * Wait for the requests the web server left running (see the subreaper
 * above).  Each ends within its lifetime (TORC_PROCESS_LIFETIME_S), so
 * the wait is bounded.
 */
static void
reap_orphans(void)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int told = 0;
	for (int waited = 0; waited < (TORC_PROCESS_LIFETIME_S + 2) * 1000; waited += 20) {
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG);
		if (w > 0)
			continue;
		if (w < 0 && errno == ECHILD)
			return;
		/* The fronts are gone already: what is left is requests. */
		if (!told++)
			fprintf(stderr, "%s: waiting for requests in progress to finish\n", PROG);
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "%s: requests still running after %d s\n", PROG, TORC_PROCESS_LIFETIME_S + 2);
}

/*
 * Errors lighttpd answers itself, before any CGI runs (an unparsable
 * request line, a body over max-request-size, a CGI that died without a
 * reply), get a JSON body like every other error: errorfile-prefix names
 * these files, and .html maps to application/json (nothing else is served
 * from files).  "web server:" tells them apart from the CGIs' own errors.
 */
static const struct {
	int		 status;
	const char	*message;
} server_errors[] = {
	{ 400, "bad request: the web server could not parse it" },
	{ 403, "forbidden" },
	{ 404, "not found" },
	{ 405, "method not allowed" },
	{ 408, "request timeout" },
	{ 411, "length required: a POST or PUT needs a Content-Length, even of 0 (curl: -d '')" },
	{ 413, "request too large" },
	{ 414, "request URI too long" },
	{ 417, "expectation failed" },
	{ 431, "request header fields too large" },
	{ 500, "the request ended without an answer; it may or may not have taken effect" },
	{ 501, "not implemented" },
	{ 502, "bad gateway: the request ended without an answer; it may or may not have taken effect" },
	{ 503, "service unavailable; retry" },
	{ 504, "gateway timeout: no answer in time; the request may or may not have taken effect" },
	{ 505, "HTTP version not supported" },
};

static void
write_error_pages(void)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/errors", runtime);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		fatal(EX_TEMP, "cannot create %s: %s", path, strerror(errno));
	for (size_t i = 0; i < sizeof(server_errors) / sizeof(server_errors[0]); i++) {
		snprintf(path, sizeof(path), "%s/errors/status-%d.html", runtime,
		    server_errors[i].status);
		FILE *f = fopen(path, "w");
		if (f == NULL || fprintf(f, "{\"error\":{\"message\":\"web server: %s\"}}\n",
		    server_errors[i].message) < 0 || fclose(f) != 0)
			fatal(EX_TEMP, "cannot write %s: %s", path, strerror(errno));
	}
}

/*
 * The programs of cgi-bin/ that speak FastCGI (cgi_main in lib/cgi.c);
 * another program in the CGI folder (a site's own, the benchmark's no-op)
 * stays a plain CGI.  notfound is left out: it only answers 404s.
 */
static const char *const fastcgi_resources[] = {
	"access_check", "access_groups", "bulk_jobs", "compute_nodes", "events",
	"failure_handlers", "files", "jobs", "local_schedulers", "ping",
	"resource_requirements", "results", "scheduled_compute_nodes",
	"slurm_schedulers", "user_data", "users", "version", "workflows", NULL
};

/*
 * With fastcgi on, each resource's CGI program runs resident on a socket
 * in <runtime>/fcgi that torc-server binds, and forks a child per request
 * (lib/fcgi.c); torc-server starts the fronts and starts again one that
 * dies (lib/fronts.c).  lighttpd only connects.
 * Returns 0 when a socket path would not fit a sockaddr_un, and the
 * server then runs every request as a plain CGI.
 */
static int
fastcgi_block(char *buf, size_t cap, int *n, const char *cgidir)
{
	struct sockaddr_un sun;
	char path[PATH_MAX + 64], err[512];

	if (strlen(runtime) + strlen("/fcgi/") + strlen("scheduled_compute_nodes") >=
	    sizeof(sun.sun_path)) {
		log_msg(LOG_WARN, LOG_T_SERVER, "runtime folder %s is too long a path for "
		    "FastCGI sockets; every request runs as a plain CGI (use a shorter "
		    "--runtime-dir)", runtime);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/fcgi", runtime);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		fatal(EX_TEMP, "cannot create %s: %s", path, strerror(errno));
	if (fronts_open(cgidir, path, fastcgi_resources, err, sizeof(err)) < 0)
		fatal(EX_TEMP, "%s", err);
	/*
	 * lighttpd matches fastcgi.server keys as prefixes: without this
	 * condition /torc-service/v1/workflowsX would reach workflows, not
	 * notfound.  $HTTP["url"] is the decoded path without the query.
	 */
	appendf(buf, cap, n, "$HTTP[\"url\"] =~ \"^/torc-service/v1/(");
	for (int i = 0; fastcgi_resources[i] != NULL; i++)
		appendf(buf, cap, n, "%s%s", i ? "|" : "", fastcgi_resources[i]);
	appendf(buf, cap, n, ")(/|$)\" {\nfastcgi.server = (\n");
	for (int i = 0; i < fronts_count(); i++)
		appendf(buf, cap, n,
		    "  \"/torc-service/v1/%s\" => ((\n"
		    "    \"socket\" => \"%s\",\n"
		    "    \"check-local\" => \"disable\",\n"
		    /* A front that cannot answer (stopped, say) must not hold
		       its requests for ever: past a CGI's whole lifetime, 504. */
		    "    \"read-timeout\" => %d,\n"
		    "    \"write-timeout\" => %d\n"
		    "  )),\n", fronts_name(i), fronts_socket(i), FRONT_TIMEOUT_S, FRONT_TIMEOUT_S);
	appendf(buf, cap, n, ")\n}\n");
	return 1;
}

static void
write_lighttpd_conf(const struct config *c, const char *cgidir, const char *conf)
{
	char buf[65536];
	char *env = env_pairs(c, 1);
	const char *tz = getenv("TZ");
	int n;

	conf_safe("cgi folder", cgidir);
	conf_safe("runtime folder", runtime);
	write_error_pages();
	n = snprintf(buf, sizeof(buf),
	    "# Written by torc-server; regenerated on every start.\n"
	    "server.modules = ( \"mod_access\", \"mod_alias\", \"mod_setenv\", \"mod_fastcgi\", \"mod_cgi\"%s )\n"
	    "server.document-root = \"%s/www\"\n"
	    "server.bind = \"%s\"\n"
	    "server.port = %ld\n"
	    "server.tag = \"torc-cgi\"\n"
	    "server.max-request-size = %ld\n"
	    "server.upload-dirs = ( \"%s\" )\n"
	    "server.max-connections = 256\n"
	    /* Let an over-long Authorization header reach the CGI, which
	       answers 401 (required mode) instead of lighttpd's 431. */
	    "server.max-request-field-size = %d\n"
	    "server.max-keep-alive-requests = 1000\n"
	    "server.error-handler-404 = \"/torc-service/v1/notfound\"\n"
	    "server.errorfile-prefix = \"%s/errors/status-\"\n"
	    "mimetype.assign = ( \".html\" => \"application/json\" )\n"
	    "url.access-deny = ( \"~\", \".inc\" )\n"
	    "alias.url = ( \"/torc-service/v1/\" => \"%s/\" )\n"
	    "$HTTP[\"url\"] =~ \"^/torc-service/v1/\" {\n"
	    "  cgi.assign = ( \"\" => \"\" )\n"
	    "}\n"
	    "setenv.add-environment = (\n%s,\n  \"TZ\" => \"%s\"\n)\n",
	    c->https ? ", \"mod_openssl\"" : "",
	    runtime, bracketed(c->host), c->port, (long)(TORC_MAX_BODY / 1024 + 1024),
	    runtime, 4 * TORC_MAX_HEADER, runtime, cgidir, env, tz && !strpbrk(tz, "\"\\\n$") ? tz : "UTC");
	if (n < 0 || (size_t)n >= sizeof(buf))
		fatal(EX_TEMP, "lighttpd configuration too long");
	if (c->fastcgi)
		fastcgi_block(buf, sizeof(buf), &n, cgidir);
	if (c->https) {
		conf_safe("tls_cert", c->tls_cert);
		conf_safe("tls_key", c->tls_key);
		appendf(buf, sizeof(buf), &n,
		    "ssl.engine = \"enable\"\n"
		    "ssl.pemfile = \"%s\"\n"
		    "ssl.privkey = \"%s\"\n"
		    "ssl.openssl.ssl-conf-cmd = ( \"MinProtocol\" => \"TLSv1.2\",\n"
		    "  \"CipherString\" => \"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:!MD5:!DSS:!SHA1\",\n"
		    "  \"Options\" => \"-SessionTicket\" )\n",
		    c->tls_cert, c->tls_key);
	}
	if (nlisten > 0) {
		/* server.bind/port above name the first inherited socket; the
		   others get a block each, or lighttpd would bind them anew. */
		appendf(buf, sizeof(buf), &n,
		    "server.systemd-socket-activation = \"enable\"\n");
		for (int fd = SD_FIRST_FD + 1; fd < SD_FIRST_FD + nlisten; fd++) {
			char host[INET6_ADDRSTRLEN];
			long port;
			socket_address(fd, host, sizeof(host), &port);
			appendf(buf, sizeof(buf), &n,
			    "$SERVER[\"socket\"] == \"%s:%ld\" {%s }\n", bracketed(host), port,
			    c->https ? " ssl.engine = \"enable\"" : "");
		}
	}
	if ((size_t)n >= sizeof(buf))
		fatal(EX_TEMP, "lighttpd configuration too long");
	free(env);
	write_file(conf, buf, 0600);
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
remove_runtime(void)
{
	char path[PATH_MAX + 64];
	static const char *files[] = { "lighttpd.conf", "www", "cgi-bin/torc-service/v1",
	    "cgi-bin/torc-service", "cgi-bin", "torc-server.lock", NULL };
	if (!runtime_made)
		return;
	for (size_t i = 0; i < sizeof(server_errors) / sizeof(server_errors[0]); i++) {
		snprintf(path, sizeof(path), "%s/errors/status-%d.html", runtime,
		    server_errors[i].status);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/errors", runtime);
	rmdir(path);
	/* FastCGI sockets lighttpd left behind (it removes them when it stops cleanly). */
	snprintf(path, sizeof(path), "%s/fcgi", runtime);
	DIR *d = opendir(path);
	for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL; ) {
		char sock[PATH_MAX + 320];
		if (e->d_name[0] == '.')
			continue;
		snprintf(sock, sizeof(sock), "%s/%s", path, e->d_name);
		unlink(sock);
	}
	if (d != NULL)
		closedir(d);
	rmdir(path);
	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", runtime, files[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(runtime);
	runtime_made = 0;
}

/*
 * The certificate and key must be readable regular files, and the key
 * readable by its owner alone: a key others can read is a key to replace.
 */
static void
check_tls_files(const struct config *c)
{
	const char *what[2] = { "certificate", "private key" };
	const char *path[2] = { c->tls_cert, c->tls_key };
	struct stat st;

	for (int i = 0; i < 2; i++) {
		int fd = open(path[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			fatal(EX_CONFIG, "cannot read TLS %s %s: %s", what[i], path[i],
			    strerror(errno));
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			fatal(EX_CONFIG, "TLS %s %s is not a regular file", what[i], path[i]);
		close(fd);
		if (i == 1 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
			fatal(EX_CONFIG, "refusing TLS private key %s: group or others have "
			    "access to it (mode %04o); run chmod 600 on it",
			    path[i], (unsigned)(st.st_mode & 07777));
	}
}

static int
cmd_run(struct config *c, const char *cgidir, const char *argv0)
{
	char err[512], conf[PATH_MAX + 32], url[512];
	char *server;
	int status = 0;

	if (c->require_auth && c->auth_file == NULL)
		fatal(EX_CONFIG, "--require-auth specified but no --auth-file provided");
	if (c->https && (c->tls_cert == NULL || c->tls_key == NULL))
		fatal(EX_CONFIG, "--https needs --tls-cert and --tls-key");
	if (c->https && strcmp(c->web_server, "lighttpd") != 0)
		fatal(EX_CONFIG, "--https is served by lighttpd only");
	if (c->auth_file != NULL && strcmp(c->web_server, "busybox") == 0 && !c->trust_remote_user)
		fatal(EX_CONFIG, "busybox httpd does not pass the Authorization header to CGI "
		    "programs (and its own Basic auth cannot check bcrypt), so --auth-file cannot "
		    "work under it; use lighttpd (the default), Apache or nginx "
		    "(docs/hosts/busybox.md)");
	if (c->auth_file != NULL && access(c->auth_file, R_OK) < 0)
		fatal(EX_CONFIG, "cannot read auth file %s: %s", c->auth_file, strerror(errno));
	if (c->https)
		check_tls_files(c);
	if ((nlisten = take_listen_fds()) > 0) {
		static char host[INET6_ADDRSTRLEN];
		if (strcmp(c->web_server, "lighttpd") != 0)
			fatal(EX_CONFIG, "sockets passed by systemd are taken by lighttpd only, "
			    "not by %s", c->web_server);
		socket_address(SD_FIRST_FD, host, sizeof(host), &c->port);
		c->host = host;
	}
	c->database = absolute(c->database);
	c->auth_file = absolute(c->auth_file);
	c->cache_dir = absolute(c->cache_dir);
	c->tls_cert = absolute(c->tls_cert);
	c->tls_key = absolute(c->tls_key);
	if (cgidir == NULL && (cgidir = default_cgidir(argv0)) == NULL)
		fatal(EX_CONFIG, "cannot find the CGI programs; build them (make) or pass --cgi-dir");
	/* TORC_LIGHTTPD / TORC_BUSYBOX name the binary outright. */
	const char *override = getenv(strcmp(c->web_server, "lighttpd") == 0 ?
	    "TORC_LIGHTTPD" : "TORC_BUSYBOX");
	if (override != NULL && *override != '\0')
		server = access(override, X_OK) == 0 ? strdup(override) : NULL;
	else
		server = find_in_path(c->web_server);
	if (server == NULL)
		fatal(EX_CONFIG, "web server '%s' not found in PATH; install it (make deps)", c->web_server);
	if (nlisten == 0 && !port_free(c->host, c->port))
		fatal(1, "port %ld on %s is already in use", c->port, c->host);
	if (mkdir(c->database, 0700) < 0 && errno != EEXIST)
		fatal(1, "cannot create database folder %s: %s", c->database, strerror(errno));
	if (access(c->database, W_OK | X_OK) < 0)
		fatal(1, "database folder %s is not writable: %s", c->database, strerror(errno));
	if (store_create(c, 1, err, sizeof(err)) < 0)
		fatal(1, "%s", err);
	store_close();

	if (c->runtime_dir != NULL) {
		snprintf(runtime, sizeof(runtime), "%s", c->runtime_dir);
		if (mkdir(runtime, 0700) < 0 && errno != EEXIST)
			fatal(1, "cannot create runtime folder %s: %s", runtime, strerror(errno));
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(runtime, sizeof(runtime), "%s/torc-server.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(runtime) == NULL)
			fatal(EX_TEMP, "cannot create a runtime folder: %s", strerror(errno));
	}
	/* One server per runtime folder: a second would take over its sockets. */
	snprintf(conf, sizeof(conf), "%s/torc-server.lock", runtime);
	int rlock = open(conf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (rlock < 0 || flock(rlock, LOCK_EX | LOCK_NB) < 0)
		fatal(1, "runtime folder %s is in use by another torc-server (%s); "
		    "give each server its own --runtime-dir", runtime,
		    rlock < 0 ? strerror(errno) : "locked");
	runtime_made = 1;
	atexit(remove_runtime);
	snprintf(conf, sizeof(conf), "%s/www", runtime);
	mkdir(conf, 0700);

	log_msg(LOG_INFO, LOG_T_SERVER, "database: %s", c->database);
	if (c->auth_file == NULL)
		log_msg(LOG_INFO, LOG_T_SERVER, "No htpasswd file configured, authentication disabled");
	else {
		log_msg(LOG_INFO, LOG_T_SERVER, "Loading htpasswd file from: %s", c->auth_file);
		/* Warns about every refused, malformed or duplicate line. */
		int nusers = htpasswd_check(c->auth_file);
		if (nusers < 0)
			fatal(EX_CONFIG, "cannot read auth file %s: %s", c->auth_file, strerror(errno));
		log_msg(LOG_INFO, LOG_T_SERVER, "Loaded %d users from htpasswd file", nusers);
		if (nusers == 0)
			log_msg(LOG_WARN, LOG_T_SERVER, "No valid users found in htpasswd file: "
			    "no one can authenticate until a user is added (read per request)");
		log_msg(LOG_INFO, LOG_T_SERVER, c->require_auth ?
		    "Authentication is REQUIRED for all requests" :
		    "Authentication is OPTIONAL (backward compatible mode)");
	}
	if (c->enforce_access_control)
		log_msg(LOG_INFO, LOG_T_SERVER, "Access control is ENABLED - users can only access their own workflows and workflows shared with their groups");
	if (c->auth_file != NULL && !c->https && !is_loopback(c->host)) {
		/* Printed whatever the log level: it is the one warning that matters. */
		int level = log_get_level();
		log_set_level(level < LOG_WARN ? LOG_WARN : level);
		log_msg(LOG_WARN, LOG_T_SERVER, "WARNING: authentication is enabled on plain HTTP "
		    "on a non-loopback address (%s): passwords cross the network readable. "
		    "Use --https, or terminate TLS in front of a server bound to loopback "
		    "(docs/https.md).", c->host);
		log_set_level(level);
	}

	const char *argvv[8];
	int ac = 0;
	if (strcmp(c->web_server, "lighttpd") == 0) {
		snprintf(conf, sizeof(conf), "%s/lighttpd.conf", runtime);
		write_lighttpd_conf(c, cgidir, conf);
		argvv[ac++] = server;
		argvv[ac++] = "-D";
		argvv[ac++] = "-f";
		argvv[ac++] = conf;
		if (c->idle_exit_secs > 0) {
			static char idle[32];
			snprintf(idle, sizeof(idle), "%ld", c->idle_exit_secs);
			argvv[ac++] = "-i";
			argvv[ac++] = idle;
		}
		snprintf(url, sizeof(url), "%s://%s:%ld/torc-service/v1",
		    c->https ? "https" : "http", bracketed(c->host), c->port);
	} else {
		/* busybox serves CGI only below /cgi-bin of its home folder. */
		char link[PATH_MAX + 64];
		snprintf(link, sizeof(link), "%s/cgi-bin", runtime);
		mkdir(link, 0700);
		snprintf(link, sizeof(link), "%s/cgi-bin/torc-service", runtime);
		mkdir(link, 0700);
		snprintf(link, sizeof(link), "%s/cgi-bin/torc-service/v1", runtime);
		if (symlink(cgidir, link) < 0)
			fatal(EX_TEMP, "cannot link %s: %s", link, strerror(errno));
		free(env_pairs(c, 0));
		static char hostport[300];
		snprintf(hostport, sizeof(hostport), "%s:%ld",
		    strcmp(c->host, "localhost") == 0 ? "127.0.0.1" : c->host, c->port);
		argvv[ac++] = server;
		argvv[ac++] = "httpd";
		argvv[ac++] = "-f";
		argvv[ac++] = "-p";
		argvv[ac++] = hostport;
		argvv[ac++] = "-h";
		argvv[ac++] = runtime;
		snprintf(url, sizeof(url), "http://%s:%ld/cgi-bin/torc-service/v1", c->host, c->port);
	}
	argvv[ac] = NULL;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/*
	 * CGIs hold off termination signals until their request is done (a
	 * death inside Berkeley DB costs everyone a recovery), so a web
	 * server that stops, or is killed, can leave some running.  As their
	 * subreaper we inherit them and wait for them below.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	fflush(NULL);
	fronts_start();
	pid_t self = getpid();
	if ((child = fork()) < 0)
		fatal(EX_TEMP, "fork: %s", strerror(errno));
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/*
		 * A group of its own: a terminal's ^C reaches torc-server alone,
		 * which passes one SIGINT on.  lighttpd takes a second SIGINT
		 * during a graceful stop as "stop now", which cut off the replies
		 * of requests in progress.
		 */
		setpgid(0, 0);
		/* It ends with torc-server, however torc-server ends. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != self)
			_exit(EX_TEMP);
		if (nlisten > 0) {
			/* Hand the sockets on: lighttpd checks LISTEN_PID. */
			char v[32];
			for (int fd = SD_FIRST_FD; fd < SD_FIRST_FD + nlisten; fd++)
				fcntl(fd, F_SETFD, 0);
			snprintf(v, sizeof(v), "%ld", (long)getpid());
			setenv("LISTEN_PID", v, 1);
			snprintf(v, sizeof(v), "%d", nlisten);
			setenv("LISTEN_FDS", v, 1);
		}
		execv(server, (char *const *)argvv);
		fprintf(stderr, "%s: fatal: cannot run %s: %s\n", PROG, server, strerror(errno));
		_exit(EX_TEMP);
	}

	/*
	 * Wait until it accepts connections, or died.  Inherited sockets
	 * listen already: connections wait in their queue for lighttpd.
	 */
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int ready = nlisten > 0;
	for (int waited = 0; !ready && waited < READY_WAIT_MS && !got_signal; waited += 20) {
		if (reap(&status)) {
			child = -1;
			fronts_stop();
			fatal(1, "%s exited during startup (status %d); see the messages above",
			    c->web_server, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		}
		if (connectable(strcmp(c->host, "localhost") == 0 && strcmp(c->web_server, "busybox") == 0 ?
		    "127.0.0.1" : c->host, c->port)) {
			ready = 1;
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (ready) {
		printf("TORC_SERVER_PORT=%ld\n", c->port);
		printf("torc-server: serving %s (%s, pid %ld); Ctrl-C stops it\n", url,
		    c->web_server, (long)child);
		fflush(stdout);
		log_msg(LOG_INFO, LOG_T_SERVER, "Listening on %s:%ld", c->host, c->port);
	} else if (!got_signal)
		log_msg(LOG_WARN, LOG_T_SERVER, "%s did not accept connections within %d ms",
		    c->web_server, READY_WAIT_MS);

	/*
	 * Poll rather than block in waitpid: a signal that lands between a
	 * check of got_signal and a blocking wait would otherwise be lost.
	 */
	for (;;) {
		if (reap(&status))
			break;
		fronts_tick();
		if (got_signal) {
			/* lighttpd: SIGINT is a graceful stop; busybox: TERM. */
			kill(child, strcmp(c->web_server, "lighttpd") == 0 ? SIGINT : SIGTERM);
			got_signal = 0;
			/* Give it 5 s, then insist. */
			for (int i = 0; i < 250; i++) {
				if (waitpid(child, &status, WNOHANG) == child)
					goto done;
				nanosleep(&nap, NULL);
			}
			/* A stop was asked for: insisting is still a clean stop. */
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			status = 0;
			break;
		}
		nanosleep(&nap, NULL);
	}
done:
	child = -1;
	fronts_stop();
	reap_orphans();
	remove_runtime();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
		return 0;
	if (!ready)
		return 1;
	fprintf(stderr, "%s: %s stopped (status %d)\n", PROG, c->web_server,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/*
 * A self-signed certificate for trials: ECDSA P-256, one year, with the
 * host (as a name or an address) and the loopback names as subjectAltName.
 * Existing files are never overwritten.
 */
static int
cmd_gen_cert(struct config *c)
{
	const char *cert = c->tls_cert ? c->tls_cert : "torc-cert.pem";
	const char *key = c->tls_key ? c->tls_key : "torc-key.pem";
	const char *files[2] = { cert, key };
	char subj[300], san[600];
	unsigned char addr[sizeof(struct in6_addr)];
	char out[4096];
	size_t nout = 0;
	ssize_t r;
	pid_t pid;
	int status, p[2];

	for (int i = 0; i < 2; i++)
		if (access(files[i], F_OK) == 0)
			fatal(1, "%s exists already; remove it or name another file "
			    "with --tls-cert/--tls-key", files[i]);
	conf_safe("host", c->host);
	snprintf(subj, sizeof(subj), "/CN=%s", c->host);
	if (inet_pton(AF_INET, c->host, addr) == 1 || inet_pton(AF_INET6, c->host, addr) == 1)
		snprintf(san, sizeof(san), "subjectAltName=IP:%s,DNS:localhost,IP:127.0.0.1,IP:::1",
		    c->host);
	else if (strcmp(c->host, "localhost") == 0)
		snprintf(san, sizeof(san), "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1");
	else
		snprintf(san, sizeof(san), "subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1",
		    c->host);
	/* openssl's chatter is shown only when it fails. */
	fflush(NULL);
	if (pipe(p) < 0)
		fatal(EX_TEMP, "pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		umask(077);
		execlp("openssl", "openssl", "req", "-x509", "-newkey", "ec",
		    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc", "-batch",
		    "-sha256", "-days", "365", "-subj", subj, "-addext", san,
		    "-addext", "basicConstraints=critical,CA:FALSE",
		    "-addext", "extendedKeyUsage=serverAuth",
		    "-keyout", key, "-out", cert, (char *)NULL);
		fprintf(stderr, "%s: fatal: cannot run openssl: %s\n", PROG, strerror(errno));
		_exit(EX_TEMP);
	}
	close(p[1]);
	for (;;) {
		char scratch[512];
		int full = nout == sizeof(out);
		r = read(p[0], full ? scratch : out + nout, full ? sizeof(scratch) : sizeof(out) - nout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!full)
			nout += (size_t)r;	/* past the first 4 KiB: read and dropped */
	}
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fwrite(out, 1, nout, stderr);
		unlink(key);	/* neither existed before */
		unlink(cert);
		fatal(1, "openssl failed to make the certificate");
	}
	if (chmod(key, 0600) < 0 || chmod(cert, 0644) < 0)
		fatal(1, "cannot set the modes of %s and %s: %s", key, cert, strerror(errno));
	printf("certificate: %s\nprivate key: %s (mode 0600)\n"
	    "self-signed, for trials: clients need --cacert %s\n", cert, key, cert);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config c;
	const char *cgidir = NULL;

	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("torc-server (torc-cgi) %s\n", TORC_VERSION);
		return 0;
	}
	load_settings(&c, argc - 2, argv + 2, &cgidir);
	log_set_level(c.log_level);
	if (!strcmp(argv[1], "run"))
		return cmd_run(&c, cgidir, argv[0]);
	if (!strcmp(argv[1], "show-config")) {
		show_config(&c);
		return 0;
	}
	if (!strcmp(argv[1], "gen-cert"))
		return cmd_gen_cert(&c);
	fprintf(stderr, "%s: unknown command '%s' (see --help)\n", PROG, argv[1]);
	return EX_USAGE;
}
