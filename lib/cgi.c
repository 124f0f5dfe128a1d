/*
 * cgi.c: the request pipeline every cgi-bin main runs.
 *
 * Order: guard the process (alarm for a bounded lifetime, fds 0-2), read
 * the CGI variables, resolve configuration, identify the caller, match the
 * route, validate query keys, read exactly CONTENT_LENGTH bytes of body
 * (capped, never to end of file), parse JSON, run the handler, write the
 * reply.  All output is buffered until cgi_reply(), so a failure halfway
 * still yields one clean JSON error.
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "auth.h"
#include "cgi.h"
#include "config.h"
#include "fcgi.h"
#include "fdio.h"
#include "json.h"
#include "log.h"

static void (*cleanup_fn)(void);
static void drain_body(void);
static void run_cleanup(void);
static volatile sig_atomic_t replied;

struct status_text {
	int		 code;
	const char	*reason;
};

/* Sorted by code. */
static const struct status_text statuses[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 411, "Length Required" }, { 413, "Payload Too Large" },
	{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Entity" }, { 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

const char *
cgi_reason(int status)
{
	size_t lo = 0, hi = sizeof(statuses) / sizeof(statuses[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (statuses[mid].code == status)
			return statuses[mid].reason;
		if (statuses[mid].code < status)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "Unknown";
}

void
cgi_set_cleanup(void (*fn)(void))
{
	cleanup_fn = fn;
}

/* Run the cleanup hook once (the store's close). */
static void
run_cleanup(void)
{
	if (cleanup_fn != NULL) {
		void (*fn)(void) = cleanup_fn;
		cleanup_fn = NULL;
		fn();
	}
}

/* The reply goes to stdout, or as FastCGI records in a forked FastCGI child. */
static void
write_all(const char *buf, size_t len)
{
	if (fcgi_active())
		fcgi_write(buf, len);
	else
		(void)fd_write_all(STDOUT_FILENO, buf, len);	/* a client that left: lost */
}

/* Error bodies are built without cJSON so die_http works even when the arena cannot. */
static size_t
error_body(char *buf, size_t cap, const char *name, const char *msg)
{
	size_t n = 0;
	const char *pre = "{\"error\":{";
	size_t pl = strlen(pre);
	if (cap < 64)
		return 0;
	memcpy(buf, pre, pl);
	n = pl;
	if (name != NULL)
		n += (size_t)snprintf(buf + n, cap - n, "\"error\":\"%s\",", name);
	n += (size_t)snprintf(buf + n, cap - n, "\"message\":\"");
	for (const unsigned char *p = (const unsigned char *)msg; *p && n + 8 < cap - 4; p++) {
		if (*p == '"' || *p == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)*p;
		} else if (*p < 0x20) {
			n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", *p);
		} else
			buf[n++] = (char)*p;
	}
	memcpy(buf + n, "\"}}", 3);
	n += 3;
	return n;
}

static const char *
error_name(int status)
{
	switch (status) {
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "NotFound";
	case 409: return "Conflict";
	default: return NULL;
	}
}

void
die_http(int status, const char *fmt, ...)
{
	char msg[1024], body[2200], head[512];
	va_list ap;
	int hl;
	size_t bl;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	run_cleanup();
	if (status >= 500)
		log_msg(status == 503 ? LOG_WARN : LOG_ERROR, LOG_T_API, "%d: %s", status, msg);
	if (!replied) {
		replied = 1;
		bl = error_body(body, sizeof(body), error_name(status), msg);
		hl = snprintf(head, sizeof(head),
		    "Status: %d %s\r\nContent-Type: application/json\r\n"
		    "%sContent-Length: %zu\r\n\r\n", status, cgi_reason(status),
		    status == 503 ? "Retry-After: 1\r\n" : "", bl);
		char whole[sizeof(head) + sizeof(body)];
		memcpy(whole, head, (size_t)hl);
		memcpy(whole + hl, body, bl);
		write_all(whole, (size_t)hl + bl);
		fcgi_end();
	}
	arena_free_all();
	exit(0);
}

/*
 * A process that outlives TORC_PROCESS_LIFETIME_S is stuck (a dead peer's mutex).
 * The Content-Length is checked against the body at compile time: one byte
 * too many left clients waiting for the web server's idle timeout.
 */
#define ALARM_BODY "{\"error\":{\"message\":\"server busy: request took too long, retry\"}}"
#define ALARM_BODY_LEN 65
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
_Static_assert(sizeof(ALARM_BODY) - 1 == ALARM_BODY_LEN, "ALARM_BODY_LEN is the body's length");

static void
on_alarm(int sig)
{
	static const char msg[] =
	    "Status: 503 Service Unavailable\r\nContent-Type: application/json\r\n"
	    "Retry-After: 1\r\nContent-Length: " STRINGIFY(ALARM_BODY_LEN) "\r\n\r\n"
	    ALARM_BODY;
	(void)sig;
	if (!replied) {
		write_all(msg, sizeof(msg) - 1);
		fcgi_end();
	}
	_exit(0);
}

void
cgi_header(struct request *rq, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		die_http(500, "refusing header with CR/LF");
	if (rq->nhdr >= CGI_MAX_HEADERS)
		die_http(500, "too many response headers");
	rq->hdr_name[rq->nhdr] = name;
	rq->hdr_val[rq->nhdr] = value;
	rq->nhdr++;
}

/* 404 for a path no route matches; at most TORC_ECHO_MAX bytes of it quoted. */
int
cgi_no_route(struct request *rq, const char *path)
{
	return cgi_error(rq, 404, "no such route: %s %.*s%s", rq->method,
	    TORC_ECHO_MAX, path, strlen(path) > TORC_ECHO_MAX ? "..." : "");
}

static int
vcgi_error(struct request *rq, int status, const char *name, const char *fmt,
    va_list ap)
{
	char *msg = arena_vprintf(fmt, ap);
	cJSON *err = cJSON_CreateObject(), *o = cJSON_CreateObject();
	if (name != NULL)
		cJSON_AddStringToObject(o, "error", name);
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddItemToObject(err, "error", o);
	rq->out = err;
	rq->raw_out = NULL;
	if (status >= 500)
		log_msg(status == 503 ? LOG_WARN : LOG_ERROR, LOG_T_API, "%s %s: %d %s", rq->method,
		    rq->path ? rq->path : "?", status, msg);
	return status;
}

int
cgi_error(struct request *rq, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vcgi_error(rq, status, error_name(status), fmt, ap);
	va_end(ap);
	return r;
}

int
cgi_error_named(struct request *rq, int status, const char *name,
    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vcgi_error(rq, status, name, fmt, ap);
	va_end(ap);
	return r;
}

static void
cgi_reply(struct request *rq)
{
	const char *body = "";
	size_t blen = 0;
	char *head;

	drain_body();
	if (rq->raw_out != NULL)
		body = rq->raw_out;
	else if (rq->out != NULL)
		body = cJSON_PrintUnformatted(rq->out);
	if (body == NULL)
		die_http(500, "cannot format response");
	blen = strlen(body);
	head = arena_printf("Status: %d %s\r\nContent-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n", rq->status, cgi_reason(rq->status));
	for (int i = 0; i < rq->nhdr; i++)
		head = arena_printf("%s%s: %s\r\n", head, rq->hdr_name[i], rq->hdr_val[i]);
	head = arena_printf("%sContent-Length: %zu\r\n\r\n", head, blen);
	replied = 1;
	/*
	 * A reply that fits one FastCGI record goes in one write: a process
	 * killed between the head and the body would leave the client a 200
	 * without its body.  A bigger one is cut into records anyway (and
	 * can be cut short, which the client sees as a truncated answer), so
	 * it is not copied.
	 */
	size_t hl = strlen(head);
	if (strcmp(rq->method, "HEAD") == 0)
		blen = 0;
	if (hl + blen <= FCGI_RECORD_MAX) {
		char *whole = arena_alloc(hl + blen + 1);
		memcpy(whole, head, hl);
		memcpy(whole + hl, body, blen);
		write_all(whole, hl + blen);
	} else {
		write_all(head, hl);
		write_all(body, blen);
	}
}

int
cgi_parse_int64(const char *s, int64_t *out)
{
	int64_t v = 0;
	int neg = 0;
	const char *p = s;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '\0' || strlen(p) > 19)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		int d = *p - '0';
		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cgi_url_decode(char *s, int plus_is_space)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '%') {
			int h = hexval((unsigned char)r[1]), l;
			if (h < 0 || (l = hexval((unsigned char)r[2])) < 0)
				return -1;
			int c = h * 16 + l;
			if (c == 0)
				return -1;
			*w++ = (char)c;
			r += 2;
		} else if (*r == '+' && plus_is_space)
			*w++ = ' ';
		else
			*w++ = *r;
	}
	*w = '\0';
	return 0;
}

int
cgi_parse_query(struct request *rq, const char *qs)
{
	if (qs == NULL || *qs == '\0')
		return 0;
	if (strlen(qs) > TORC_MAX_QUERY)
		return 414;
	char *copy = arena_strdup(qs), *save = NULL;
	for (char *tok = strtok_r(copy, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		if (rq->nparams >= TORC_MAX_PARAMS)
			return 400;
		if (eq != NULL)
			*eq++ = '\0';
		else
			eq = tok + strlen(tok);
		if (cgi_url_decode(tok, 1) < 0 || cgi_url_decode(eq, 1) < 0)
			return 400;
		rq->params[rq->nparams].key = tok;
		rq->params[rq->nparams].val = eq;
		rq->nparams++;
	}
	return 0;
}

int
cgi_split_path(struct request *rq, const char *path)
{
	if (strlen(path) > TORC_MAX_PATH)
		return 414;
	char *copy = arena_strdup(path), *save = NULL;
	rq->nsegs = 0;
	for (char *tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (rq->nsegs >= TORC_MAX_SEGS)
			return 404;
		if (cgi_url_decode(tok, 0) < 0)
			return 400;
		rq->segs[rq->nsegs++] = tok;
	}
	return 0;
}

int
cgi_match(const struct route *r, struct request *rq)
{
	char buf[512];
	char *save = NULL;
	int i = 0;
	size_t pl = strlen(r->pattern);

	if (strcmp(r->pattern, "*") == 0) {
		rq->nargs = 0;
		return 1;
	}
	if (pl >= sizeof(buf))
		return 0;
	memcpy(buf, r->pattern, pl + 1);
	rq->nargs = 0;
	for (char *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), i++) {
		if (i >= rq->nsegs)
			return 0;
		if (tok[0] != ':') {
			if (strcmp(tok, rq->segs[i]) != 0)
				return 0;
			continue;
		}
		if (rq->nargs >= CGI_MAX_ARGS)
			return 0;
		size_t tl = strlen(tok);
		rq->arg[rq->nargs] = rq->segs[i];
		rq->id[rq->nargs] = 0;
		if (tl >= 3 && strcmp(tok + tl - 2, "id") == 0) {
			int64_t v;
			if (cgi_parse_int64(rq->segs[i], &v) < 0 || v < 0)
				return -400;
			rq->id[rq->nargs] = v;
		}
		rq->nargs++;
	}
	return i == rq->nsegs;
}

/* Is key in the comma-separated list? */
static int
in_list(const char *list, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = list; p && *p; ) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == kl && strncmp(p, key, l) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

const char *
cgi_param(struct request *rq, const char *key)
{
	const char *v = NULL;
	for (int i = 0; i < rq->nparams; i++)
		if (strcmp(rq->params[i].key, key) == 0) {
			if (v != NULL)
				die_http(400, "query parameter '%s' given more than once", key);
			v = rq->params[i].val;
		}
	return v;
}

int
cgi_param_all(struct request *rq, const char *key, const char **vals, int max)
{
	int n = 0;
	for (int i = 0; i < rq->nparams && n < max; i++)
		if (strcmp(rq->params[i].key, key) == 0)
			vals[n++] = rq->params[i].val;
	return n;
}

int64_t
cgi_param_int(struct request *rq, const char *key, int64_t def, int64_t min,
    int64_t max)
{
	const char *v = cgi_param(rq, key);
	int64_t x;
	if (v == NULL)
		return def;
	if (cgi_parse_int64(v, &x) < 0)
		die_http(400, "query parameter '%s' must be an integer", key);
	if (x < min || x > max)
		die_http(400, "query parameter '%s' must be between %lld and %lld",
		    key, (long long)min, (long long)max);
	return x;
}

int
cgi_param_bool(struct request *rq, const char *key, int def)
{
	const char *v = cgi_param(rq, key);
	if (v == NULL)
		return def;
	if (strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "false") == 0)
		return 0;
	die_http(400, "query parameter '%s' must be true or false", key);
}

double
cgi_param_double(struct request *rq, const char *key, double def)
{
	const char *v = cgi_param(rq, key);
	char *end;
	if (v == NULL)
		return def;
	errno = 0;
	double d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0)
		die_http(400, "query parameter '%s' must be a number", key);
	return d;
}

static int body_consumed;

/*
 * Before an early reply (401, 404, 405, 413...), read and discard a small
 * unread body: Apache's mod_cgid resets the connection when a CGI exits
 * with request bytes still unread, and the client never sees the answer.
 * Bounded by TORC_DRAIN_MAX and the process lifetime; never waits for EOF.
 */
static void
drain_body(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	char buf[8192];
	int64_t left;

	if (body_consumed || cl == NULL || cgi_parse_int64(cl, &left) < 0 ||
	    left <= 0 || left > TORC_DRAIN_MAX)
		return;
	body_consumed = 1;
	while (left > 0) {
		ssize_t n = read(STDIN_FILENO, buf, left < (int64_t)sizeof(buf) ?
		    (size_t)left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		left -= n;
	}
}

static int
read_body(struct request *rq)
{
	const char *cl = getenv("CONTENT_LENGTH");
	int64_t len;

	if (cl == NULL || *cl == '\0')
		return 0;		/* no body; never read to end of input */
	if (strspn(cl, "0123456789") == strlen(cl) && cgi_parse_int64(cl, &len) < 0)
		return cgi_error(rq, 413, "request body of %.40s bytes exceeds the limit of %ld bytes",
		    cl, (long)TORC_MAX_BODY);	/* all digits, too many for int64 */
	if (cgi_parse_int64(cl, &len) < 0 || len < 0)
		return cgi_error(rq, 400, "invalid CONTENT_LENGTH");
	if (len > TORC_MAX_BODY)
		return cgi_error(rq, 413, "request body of %lld bytes exceeds the limit of %ld bytes",
		    (long long)len, (long)TORC_MAX_BODY);
	body_consumed = 1;
	rq->body = arena_alloc((size_t)len + 1);
	size_t got = 0;
	while (got < (size_t)len) {
		ssize_t n = read(STDIN_FILENO, rq->body + got, (size_t)len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cgi_error(rq, 400, "request body shorter than CONTENT_LENGTH");
		got += (size_t)n;
	}
	rq->body[len] = '\0';
	rq->body_len = (size_t)len;
	return 0;
}

static int
dispatch(struct request *rq, const struct route *routes)
{
	const struct route *hit = NULL;
	char allow[128] = "";
	int pathmatch = 0, st;

	for (const struct route *r = routes; r->method != NULL; r++) {
		int m = cgi_match(r, rq);
		if (m < 0)
			return cgi_error(rq, -m, "invalid id in path '%s'", rq->path);
		if (m == 0)
			continue;
		pathmatch = 1;
		if (strcmp(r->method, rq->method) == 0 ||
		    (strcmp(rq->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
			hit = r;
			break;
		}
		if (!in_list(allow, r->method)) {
			size_t al = strlen(allow);
			snprintf(allow + al, sizeof(allow) - al, "%s%s", al ? ", " : "", r->method);
		}
	}
	if (hit == NULL && pathmatch) {
		cgi_header(rq, "Allow", arena_strdup(allow));
		return cgi_error(rq, 405, "method %s not allowed on %s", rq->method, rq->path);
	}
	if (hit == NULL)
		return cgi_no_route(rq, rq->path);
	/* cgi_match of a later row may have overwritten captures: redo this one. */
	cgi_match(hit, rq);

	for (int i = 0; i < rq->nparams; i++)
		if (hit->query != NULL && !in_list(hit->query, rq->params[i].key))
			return cgi_error(rq, 400, "unknown query parameter '%s'", rq->params[i].key);

	if ((st = read_body(rq)) != 0)
		return st;
	if (hit->flags & (ROUTE_JSON | ROUTE_JSON_OPT)) {
		if (rq->body_len == 0 || rq->body == NULL) {
			if (hit->flags & ROUTE_JSON)
				return cgi_error(rq, 400, "a JSON request body is required");
		} else {
			char err[256];
			rq->json = json_parse(rq->body, rq->body_len, err, sizeof(err));
			if (rq->json == NULL)
				return cgi_error(rq, 400, "invalid JSON body: %s", err);
		}
	}
	return hit->fn(rq);
}

static void
ensure_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", O_RDWR);
			if (n < 0)
				_exit(111);
		}
}

/*
 * A web server signals its CGIs when the client goes away (lighttpd:
 * SIGTERM) and a terminal's ^C reaches them too.  A process that dies inside
 * a Berkeley DB call leaves the environment needing recovery, so these wait:
 * the request finishes (bounded by the lifetime alarm), and the signal is
 * dropped with the process.  A reply to a client that left is lost on EPIPE.
 */
static void
hold_termination(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/*
 * A core file of a request would hold its Authorization header (and, on
 * a first authentication, the password): none is written.  Under FastCGI
 * the resident process sets this once and its children inherit it.
 */
static void
no_core_files(void)
{
	struct rlimit none = { 0, 0 };
	setrlimit(RLIMIT_CORE, &none);
}

int
cgi_main(int argc, char **argv, const struct route *routes)
{
	static struct config cfg;
	struct request rq;
	char err[256];
	const char *script, *pinfo, *base;
	int st;

	(void)argc;
	no_core_files();
	fcgi_fork_per_request();	/* returns at once under a plain CGI host */
	ensure_fds();
	hold_termination();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(TORC_PROCESS_LIFETIME_S);
	arena_use_for_cjson();
	memset(&rq, 0, sizeof(rq));
	rq.status = 200;
	rq.user = "anonymous";
	rq.method = getenv("REQUEST_METHOD");
	if (rq.method == NULL || *rq.method == '\0')
		rq.method = "GET";

	config_defaults(&cfg);
	if (config_load(&cfg, err, sizeof(err)) < 0)
		die_http(500, "server misconfigured: %s", err);
	log_set_level(cfg.log_level);
	rq.cfg = &cfg;

	/* The resource is the executable's name; PATH_INFO is the rest. */
	script = getenv("SCRIPT_NAME");
	if (script == NULL || *script == '\0')
		script = argv[0];
	base = strrchr(script, '/');
	base = base ? base + 1 : script;
	rq.resource = base;
	pinfo = getenv("PATH_INFO");
	rq.path = arena_printf("/%s%s", base, pinfo ? pinfo : "");

	st = auth_identify(&cfg, getenv("HTTP_AUTHORIZATION"), getenv("REMOTE_USER"),
	    &rq.user, &rq.authenticated);
	if (st == 401) {
		cgi_header(&rq, "WWW-Authenticate", "Basic realm=\"Torc\"");
		rq.status = cgi_error(&rq, 401, "Unauthorized");
		goto reply;
	}
	if ((st = cgi_split_path(&rq, rq.path)) != 0 ||
	    (st = cgi_parse_query(&rq, getenv("QUERY_STRING"))) != 0) {
		rq.status = cgi_error(&rq, st, st == 414 ? "request URI too long" :
		    "malformed path or query string");
		goto reply;
	}
	rq.status = dispatch(&rq, routes);
reply:
	/*
	 * Under FastCGI the client has its answer before the store closes
	 * (the handler committed or aborted already; closing is teardown).
	 * A plain CGI answers at exit whatever the order.
	 */
	if (!fcgi_active())
		run_cleanup();
	cgi_reply(&rq);
	fcgi_end();
	run_cleanup();
	arena_free_all();
	return 0;
}
