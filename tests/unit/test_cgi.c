/*
 * test_cgi.c: the request pipeline's parsers (integers, percent-decoding,
 * query strings, paths, route patterns), the query-parameter helpers, and
 * cgi_main() itself run in a child process against a small route table:
 * 404, 405 with Allow, unknown and repeated query keys, CONTENT_LENGTH
 * handling (413 without reading, no body without it, short bodies).
 *
 * Paths that end in die_http() exit the process, so they run in a fork
 * whose standard output is captured and checked.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "bounds.h"
#include "cgi.h"
#include "check.h"

/* ---- helpers ------------------------------------------------------------ */

static struct request *
fresh(void)
{
	static struct request rq;
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.status = 200;
	return &rq;
}

/* Run fn(arg) in a child with stdout captured; returns what it wrote (static). */
static const char *
in_child(void (*fn)(void *), void *arg, const char *stdin_text, int *exit_status)
{
	static char out[8192];
	int po[2], pi[2];
	size_t n = 0;

	if (pipe(po) < 0 || pipe(pi) < 0)
		abort();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(po[0]);
		close(pi[1]);
		dup2(po[1], STDOUT_FILENO);
		dup2(pi[0], STDIN_FILENO);
		close(po[1]);
		close(pi[0]);
		alarm(10);
		fn(arg);
		fflush(NULL);
		_exit(77);	/* fn was expected to exit */
	}
	close(po[1]);
	close(pi[0]);
	if (stdin_text != NULL) {
		ssize_t w = write(pi[1], stdin_text, strlen(stdin_text));
		(void)w;
	}
	close(pi[1]);
	for (;;) {
		ssize_t r = read(po[0], out + n, sizeof(out) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(po[0]);
	int st;
	waitpid(pid, &st, 0);
	if (exit_status != NULL)
		*exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return out;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- cgi_parse_int64 ---------------------------------------------------- */

static void
test_parse_int64(void)
{
	int64_t v = -7;

	CHECK_INT(cgi_parse_int64("0", &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(cgi_parse_int64("42", &v), 0);
	CHECK_INT(v, 42);
	CHECK_INT(cgi_parse_int64("-5", &v), 0);
	CHECK_INT(v, -5);
	CHECK_INT(cgi_parse_int64("007", &v), 0);
	CHECK_INT(v, 7);
	CHECK_INT(cgi_parse_int64("9223372036854775807", &v), 0);
	CHECK(v == INT64_MAX);
	CHECK_INT(cgi_parse_int64("-9223372036854775807", &v), 0);
	CHECK(v == -INT64_MAX);

	v = 99;
	const char *bad[] = {
		"", "-", "+1", " 1", "1 ", "1e3", "0x10", "1.0", "--1", "1-",
		"9223372036854775808", "99999999999999999999", "18446744073709551616",
		"00000000000000000001", "١", "12a", "a12", NULL
	};
	for (int i = 0; bad[i] != NULL; i++) {
		if (cgi_parse_int64(bad[i], &v) != -1)
			fprintf(stderr, "accepted bad integer '%s'\n", bad[i]);
		CHECK_INT(cgi_parse_int64(bad[i], &v), -1);
	}
	CHECK_INT(v, 99);	/* untouched on failure */
}

/* ---- cgi_url_decode ----------------------------------------------------- */

static int
dec(const char *in, int plus, char *out, size_t cap)
{
	snprintf(out, cap, "%s", in);
	return cgi_url_decode(out, plus);
}

static void
test_url_decode(void)
{
	char b[256];

	CHECK_INT(dec("plain", 1, b, sizeof(b)), 0);
	CHECK_STR(b, "plain");
	CHECK_INT(dec("%41%62%7a%7A", 1, b, sizeof(b)), 0);
	CHECK_STR(b, "Abzz");
	CHECK_INT(dec("a+b", 1, b, sizeof(b)), 0);
	CHECK_STR(b, "a b");
	CHECK_INT(dec("a+b", 0, b, sizeof(b)), 0);
	CHECK_STR(b, "a+b");
	CHECK_INT(dec("%2B", 1, b, sizeof(b)), 0);
	CHECK_STR(b, "+");		/* an encoded plus is a plus */
	CHECK_INT(dec("%2525", 1, b, sizeof(b)), 0);
	CHECK_STR(b, "%25");		/* decoded once only */
	CHECK_INT(dec("%2F", 0, b, sizeof(b)), 0);
	CHECK_STR(b, "/");
	CHECK_INT(dec("%C3%A9", 0, b, sizeof(b)), 0);
	CHECK_STR(b, "\xc3\xa9");
	CHECK_INT(dec("", 1, b, sizeof(b)), 0);
	CHECK_STR(b, "");

	/* Bad escapes: truncated, non-hex, and NUL. */
	const char *bad[] = { "%", "%4", "a%", "%G1", "%1G", "%zz", "% 1", "%00", "x%00y",
	    "%0", "ok%2", "%-1", NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		if (dec(bad[i], 1, b, sizeof(b)) != -1)
			fprintf(stderr, "accepted bad escape '%s'\n", bad[i]);
		CHECK_INT(dec(bad[i], 1, b, sizeof(b)), -1);
	}
}

/* ---- cgi_parse_query ---------------------------------------------------- */

static void
test_parse_query(void)
{
	struct request *rq = fresh();

	CHECK_INT(cgi_parse_query(rq, NULL), 0);
	CHECK_INT(rq->nparams, 0);
	CHECK_INT(cgi_parse_query(rq, ""), 0);
	CHECK_INT(rq->nparams, 0);

	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, "a=1&b=two+words&c=%26%3D&flag&&e="), 0);
	CHECK_INT(rq->nparams, 5);
	CHECK_STR(rq->params[0].key, "a");
	CHECK_STR(rq->params[0].val, "1");
	CHECK_STR(rq->params[1].key, "b");
	CHECK_STR(rq->params[1].val, "two words");
	CHECK_STR(rq->params[2].key, "c");
	CHECK_STR(rq->params[2].val, "&=");
	CHECK_STR(rq->params[3].key, "flag");
	CHECK_STR(rq->params[3].val, "");
	CHECK_STR(rq->params[4].key, "e");
	CHECK_STR(rq->params[4].val, "");
	CHECK_STR(cgi_param(rq, "b"), "two words");
	CHECK(cgi_param(rq, "missing") == NULL);

	/* A value may hold '='; only the first splits. */
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, "k=a=b"), 0);
	CHECK_STR(rq->params[0].val, "a=b");

	/* Percent-encoded keys decode too. */
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, "sort%5Fby=name"), 0);
	CHECK_STR(rq->params[0].key, "sort_by");

	/* Bad escapes in key or value, %00 anywhere. */
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, "a=%zz"), 400);
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, "a%4=1"), 400);
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, "name=x%00y"), 400);

	/* Repeats are kept; cgi_param_all returns them all. */
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, "id=1&id=2&id=3"), 0);
	const char *vals[4];
	CHECK_INT(cgi_param_all(rq, "id", vals, 4), 3);
	CHECK_STR(vals[2], "3");
	CHECK_INT(cgi_param_all(rq, "id", vals, 2), 2);

	/* Bounds: TORC_MAX_PARAMS parameters fit, one more is 400. */
	char qs[TORC_MAX_QUERY + 64];
	size_t n = 0;
	for (int i = 0; i < TORC_MAX_PARAMS; i++)
		n += (size_t)snprintf(qs + n, sizeof(qs) - n, "%sp%d=1", i ? "&" : "", i);
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, qs), 0);
	CHECK_INT(rq->nparams, TORC_MAX_PARAMS);
	snprintf(qs + n, sizeof(qs) - n, "&one=more");
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, qs), 400);

	/* TORC_MAX_QUERY bytes fit, one more is 414. */
	memset(qs, 'q', TORC_MAX_QUERY);
	qs[0] = 'k';
	qs[1] = '=';
	qs[TORC_MAX_QUERY] = '\0';
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, qs), 0);
	qs[TORC_MAX_QUERY] = 'q';
	qs[TORC_MAX_QUERY + 1] = '\0';
	rq = fresh();
	CHECK_INT(cgi_parse_query(rq, qs), 414);
}

/* ---- cgi_split_path ----------------------------------------------------- */

static void
test_split_path(void)
{
	struct request *rq = fresh();

	CHECK_INT(cgi_split_path(rq, "/workflows/3/status"), 0);
	CHECK_INT(rq->nsegs, 3);
	CHECK_STR(rq->segs[0], "workflows");
	CHECK_STR(rq->segs[1], "3");
	CHECK_STR(rq->segs[2], "status");

	rq = fresh();
	CHECK_INT(cgi_split_path(rq, "/"), 0);
	CHECK_INT(rq->nsegs, 0);

	/* Empty segments and a trailing slash collapse. */
	rq = fresh();
	CHECK_INT(cgi_split_path(rq, "//workflows//7/"), 0);
	CHECK_INT(rq->nsegs, 2);
	CHECK_STR(rq->segs[1], "7");

	/* Segments are decoded after splitting, '+' stays a plus. */
	rq = fresh();
	CHECK_INT(cgi_split_path(rq, "/users/a%2Fb+c%20d/groups"), 0);
	CHECK_INT(rq->nsegs, 3);
	CHECK_STR(rq->segs[1], "a/b+c d");

	rq = fresh();
	CHECK_INT(cgi_split_path(rq, "/users/%zz/groups"), 400);
	rq = fresh();
	CHECK_INT(cgi_split_path(rq, "/users/a%00/groups"), 400);

	/* TORC_MAX_SEGS segments fit, one more is 404. */
	char p[TORC_MAX_PATH + 64];
	size_t n = 0;
	for (int i = 0; i < TORC_MAX_SEGS; i++)
		n += (size_t)snprintf(p + n, sizeof(p) - n, "/s%d", i);
	rq = fresh();
	CHECK_INT(cgi_split_path(rq, p), 0);
	CHECK_INT(rq->nsegs, TORC_MAX_SEGS);
	snprintf(p + n, sizeof(p) - n, "/x");
	rq = fresh();
	CHECK_INT(cgi_split_path(rq, p), 404);

	/* TORC_MAX_PATH bytes fit, one more is 414. */
	memset(p, 'a', TORC_MAX_PATH);
	p[0] = '/';
	p[TORC_MAX_PATH] = '\0';
	rq = fresh();
	CHECK_INT(cgi_split_path(rq, p), 0);
	p[TORC_MAX_PATH] = 'a';
	p[TORC_MAX_PATH + 1] = '\0';
	rq = fresh();
	CHECK_INT(cgi_split_path(rq, p), 414);
}

/* ---- cgi_match ---------------------------------------------------------- */

static int
dummy(struct request *rq)
{
	(void)rq;
	return 200;
}

static int
match(const char *pattern, const char *path, struct request **out)
{
	struct route r = { "GET", pattern, dummy, 0, "" };
	struct request *rq = fresh();
	if (cgi_split_path(rq, path) != 0)
		return 99;
	*out = rq;
	return cgi_match(&r, rq);
}

static void
test_match(void)
{
	struct request *rq;

	CHECK_INT(match("/workflows", "/workflows", &rq), 1);
	CHECK_INT(rq->nargs, 0);
	CHECK_INT(match("/workflows", "/workflows/1", &rq), 0);
	CHECK_INT(match("/workflows/:id", "/workflows", &rq), 0);
	CHECK_INT(match("/workflows/:id", "/files/1", &rq), 0);
	CHECK_INT(match("/workflows/:id/status", "/workflows/1/statuses", &rq), 0);

	CHECK_INT(match("/workflows/:id", "/workflows/12", &rq), 1);
	CHECK_INT(rq->nargs, 1);
	CHECK_INT(rq->id[0], 12);
	CHECK_STR(rq->arg[0], "12");

	/* Several captures, in order; only names ending in "id" are integers. */
	CHECK_INT(match("/jobs/:id/complete_job/:status/:run_id", "/jobs/5/complete_job/done/3", &rq), 1);
	CHECK_INT(rq->nargs, 3);
	CHECK_INT(rq->id[0], 5);
	CHECK_STR(rq->arg[1], "done");
	CHECK_INT(rq->id[1], 0);
	CHECK_INT(rq->id[2], 3);
	CHECK_INT(match("/access_check/:workflow_id/:user_name", "/access_check/9/bob", &rq), 1);
	CHECK_INT(rq->id[0], 9);
	CHECK_STR(rq->arg[1], "bob");
	CHECK_INT(match("/users/:user_name/groups", "/users/123abc/groups", &rq), 1);
	CHECK_STR(rq->arg[0], "123abc");

	/* Id captures: non-integer, negative, out of range are 400. */
	CHECK_INT(match("/workflows/:id", "/workflows/abc", &rq), -400);
	CHECK_INT(match("/workflows/:id", "/workflows/-1", &rq), -400);
	CHECK_INT(match("/workflows/:id", "/workflows/1.5", &rq), -400);
	CHECK_INT(match("/workflows/:id", "/workflows/1e3", &rq), -400);
	CHECK_INT(match("/workflows/:id", "/workflows/99999999999999999999", &rq), -400);
	CHECK_INT(match("/workflows/:id", "/workflows/9223372036854775808", &rq), -400);
	CHECK_INT(match("/workflows/:id", "/workflows/%2B1", &rq), -400);
	CHECK_INT(match("/jobs/:id/start_job/:run_id/:compute_node_id",
	    "/jobs/1/start_job/1/x", &rq), -400);
	CHECK_INT(match("/workflows/:id", "/workflows/9223372036854775807", &rq), 1);
	CHECK(rq->id[0] == INT64_MAX);

	/* "*" matches anything, with no captures. */
	CHECK_INT(match("*", "/anything/at/all", &rq), 1);
	CHECK_INT(rq->nargs, 0);
}

/* ---- query-parameter helpers (the dying paths run in a child) ----------- */

struct pcase {
	const char	*qs;
	int		 kind;	/* 0 int, 1 bool, 2 double, 3 plain */
};

static void
param_child(void *arg)
{
	struct pcase *pc = arg;
	struct request *rq = fresh();
	if (cgi_parse_query(rq, pc->qs) != 0)
		_exit(3);
	switch (pc->kind) {
	case 0: printf("=%lld", (long long)cgi_param_int(rq, "n", -1, 0, 100)); break;
	case 1: printf("=%d", cgi_param_bool(rq, "b", 7)); break;
	case 2: printf("=%g", cgi_param_double(rq, "d", -1)); break;
	default: printf("=%s", cgi_param(rq, "s") ? cgi_param(rq, "s") : "(null)"); break;
	}
	fflush(stdout);
	_exit(0);
}

static const char *
param(const char *qs, int kind)
{
	struct pcase pc = { qs, kind };
	return in_child(param_child, &pc, NULL, NULL);
}

static void
test_params(void)
{
	const char *o;

	CHECK_STR(param("", 0), "=-1");
	CHECK_STR(param("n=0", 0), "=0");
	CHECK_STR(param("n=100", 0), "=100");
	CHECK_STR(param("other=5", 0), "=-1");
	o = param("n=101", 0);
	CHECK(starts(o, "Status: 400 Bad Request\r\nContent-Type: application/json\r\n"));
	CHECK(strstr(o, "\"message\":\"query parameter 'n' must be between 0 and 100\"") != NULL);
	o = param("n=-1", 0);
	CHECK(starts(o, "Status: 400 "));
	o = param("n=abc", 0);
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "'n' must be an integer") != NULL);
	o = param("n=", 0);
	CHECK(starts(o, "Status: 400 "));
	o = param("n=1&n=2", 0);
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "'n' given more than once") != NULL);
	o = param("n=1&n=1", 0);
	CHECK(starts(o, "Status: 400 "));

	CHECK_STR(param("", 1), "=7");
	CHECK_STR(param("b=true", 1), "=1");
	CHECK_STR(param("b=false", 1), "=0");
	o = param("b=yes", 1);
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "'b' must be true or false") != NULL);
	CHECK(starts(param("b=TRUE", 1), "Status: 400 "));
	CHECK(starts(param("b=", 1), "Status: 400 "));
	CHECK(starts(param("b=true&b=true", 1), "Status: 400 "));

	CHECK_STR(param("d=2.5", 2), "=2.5");
	CHECK_STR(param("d=-3", 2), "=-3");
	CHECK(starts(param("d=", 2), "Status: 400 "));
	CHECK(starts(param("d=2.5x", 2), "Status: 400 "));
	CHECK(starts(param("d=1e999", 2), "Status: 400 "));

	CHECK_STR(param("s=x", 3), "=x");
	CHECK(starts(param("s=x&s=y", 3), "Status: 400 "));

	/* Every error body is the JSON error shape with a Content-Length. */
	o = param("n=zz", 0);
	const char *body = strstr(o, "\r\n\r\n");
	CHECK(body != NULL);
	if (body != NULL) {
		body += 4;
		CHECK(starts(body, "{\"error\":{\"message\":"));
		char cl[64];
		snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", strlen(body));
		CHECK(strstr(o, cl) != NULL);
	}
}

/* ---- cgi_main in a child: routing, 404/405, query keys, body ----------- */

static int
h_echo(struct request *rq)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)rq->id[0]);
	cJSON_AddNumberToObject(o, "body_len", (double)rq->body_len);
	if (rq->json != NULL)
		cJSON_AddItemToObject(o, "json", cJSON_Duplicate(rq->json, 1));
	rq->out = o;
	return 200;
}

/* A handler that outlives the process lifetime: the alarm fires inside it. */
static int
h_stuck(struct request *rq)
{
	(void)rq;
	raise(SIGALRM);
	return 200;
}

static const struct route test_routes[] = {
	{ "GET", "/things/stuck", h_stuck, 0, "" },
	{ "GET", "/things", h_echo, 0, "offset,limit" },
	{ "POST", "/things", h_echo, ROUTE_JSON, "" },
	{ "GET", "/things/:id", h_echo, 0, "" },
	{ "PUT", "/things/:id", h_echo, ROUTE_JSON, "" },
	{ "DELETE", "/things/:id", h_echo, 0, "" },
	{ "POST", "/things/:id/poke", h_echo, ROUTE_JSON_OPT, "" },
	{ NULL, NULL, NULL, 0, NULL }
};

struct mcase {
	const char	*method;
	const char	*path_info;	/* after /things */
	const char	*query;
	const char	*content_length;	/* NULL: unset */
};

static void
main_child(void *arg)
{
	struct mcase *mc = arg;
	char *argv[] = { (char *)"things", NULL };

	setenv("TORC_CONFIG", "/dev/null", 1);
	setenv("REQUEST_METHOD", mc->method, 1);
	setenv("SCRIPT_NAME", "/torc-service/v1/things", 1);
	if (mc->path_info != NULL)
		setenv("PATH_INFO", mc->path_info, 1);
	else
		unsetenv("PATH_INFO");
	if (mc->query != NULL)
		setenv("QUERY_STRING", mc->query, 1);
	else
		unsetenv("QUERY_STRING");
	if (mc->content_length != NULL)
		setenv("CONTENT_LENGTH", mc->content_length, 1);
	else
		unsetenv("CONTENT_LENGTH");
	unsetenv("HTTP_AUTHORIZATION");
	unsetenv("REMOTE_USER");
	exit(cgi_main(1, argv, test_routes));
}

static const char *
run_main(const char *method, const char *path_info, const char *query,
    const char *content_length, const char *stdin_text)
{
	struct mcase mc = { method, path_info, query, content_length };
	int st;
	const char *o = in_child(main_child, &mc, stdin_text, &st);
	if (st != 0)
		fprintf(stderr, "cgi_main exited %d: %s\n", st, o);
	/* Every reply: Content-Length is the body's length (HEAD: no body). */
	const char *cl = strstr(o, "\r\nContent-Length: "), *body = strstr(o, "\r\n\r\n");
	CHECK(cl != NULL && body != NULL);
	if (cl != NULL && body != NULL && strcmp(method, "HEAD") != 0) {
		long want = strtol(cl + 18, NULL, 10);
		if (want != (long)strlen(body + 4))
			fprintf(stderr, "Content-Length %ld, body %zu: %s\n", want, strlen(body + 4), o);
		CHECK_INT(want, strlen(body + 4));
	}
	return o;
}

static void
test_main(void)
{
	const char *o;

	o = run_main("GET", "/5", NULL, NULL, NULL);
	CHECK(starts(o, "Status: 200 OK\r\nContent-Type: application/json\r\n"));
	CHECK(strstr(o, "\r\n\r\n{\"id\":5,\"body_len\":0}") != NULL);

	/* Wrong method: 405 with every method of the path in Allow. */
	o = run_main("PATCH", "/5", NULL, NULL, NULL);
	CHECK(starts(o, "Status: 405 Method Not Allowed\r\n"));
	CHECK(strstr(o, "\r\nAllow: GET, PUT, DELETE\r\n") != NULL);
	CHECK(strstr(o, "\"message\":\"method PATCH not allowed on /things/5\"") != NULL);
	o = run_main("DELETE", NULL, NULL, NULL, NULL);
	CHECK(starts(o, "Status: 405 "));
	CHECK(strstr(o, "\r\nAllow: GET, POST\r\n") != NULL);
	o = run_main("GET", "/5/poke", NULL, NULL, NULL);
	CHECK(starts(o, "Status: 405 "));
	CHECK(strstr(o, "\r\nAllow: POST\r\n") != NULL);

	/* Unknown routes: 404 JSON. */
	o = run_main("GET", "/5/nope", NULL, NULL, NULL);
	CHECK(starts(o, "Status: 404 Not Found\r\nContent-Type: application/json\r\n"));
	CHECK(strstr(o, "{\"error\":{\"error\":\"NotFound\",\"message\":\"no such route: GET /things/5/nope\"}}") != NULL);

	/* Bad ids: 400. */
	CHECK(starts(run_main("GET", "/abc", NULL, NULL, NULL), "Status: 400 "));
	CHECK(starts(run_main("GET", "/-3", NULL, NULL, NULL), "Status: 400 "));
	CHECK(starts(run_main("GET", "/99999999999999999999", NULL, NULL, NULL), "Status: 400 "));
	o = run_main("DELETE", "/1x", NULL, NULL, NULL);
	CHECK(strstr(o, "invalid id in path '/things/1x'") != NULL);

	/* Query keys: only the route's own; malformed or too long is refused. */
	CHECK(starts(run_main("GET", NULL, "offset=1&limit=2", NULL, NULL), "Status: 200 "));
	o = run_main("GET", NULL, "offset=1&bogus=2", NULL, NULL);
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "unknown query parameter 'bogus'") != NULL);
	CHECK(starts(run_main("GET", "/5", "offset=1", NULL, NULL), "Status: 400 "));
	CHECK(starts(run_main("GET", NULL, "offset=%zz", NULL, NULL), "Status: 400 "));

	/* Bodies: exactly CONTENT_LENGTH bytes are read and parsed. */
	o = run_main("POST", NULL, NULL, "9", "{\"a\":[1]}trailing bytes never read");
	CHECK(starts(o, "Status: 200 "));
	CHECK(strstr(o, "{\"id\":0,\"body_len\":9,\"json\":{\"a\":[1]}}") != NULL);
	o = run_main("PUT", "/2", NULL, "7", "{\"b\":2}");
	CHECK(strstr(o, "\"json\":{\"b\":2}") != NULL);

	/* A body over the cap: 413 without reading it. */
	o = run_main("POST", NULL, NULL, "999999999999", "{}");
	CHECK(starts(o, "Status: 413 Payload Too Large\r\nContent-Type: application/json\r\n"));
	CHECK(strstr(o, "exceeds the limit") != NULL);
	char cl[32];
	snprintf(cl, sizeof(cl), "%ld", (long)TORC_MAX_BODY + 1);
	CHECK(starts(run_main("POST", NULL, NULL, cl, "{}"), "Status: 413 "));
	/* A length too large even to parse is still over the cap. */
	CHECK(starts(run_main("POST", NULL, NULL, "99999999999999999999999", "{}"), "Status: 413 "));

	/* Lengths that are not lengths. */
	CHECK(starts(run_main("POST", NULL, NULL, "-1", "{}"), "Status: 400 "));
	CHECK(starts(run_main("POST", NULL, NULL, "12abc", "{}"), "Status: 400 "));
	CHECK(starts(run_main("POST", NULL, NULL, " 2", "{}"), "Status: 400 "));

	/* A short body: 400, not a hang. */
	o = run_main("POST", NULL, NULL, "100", "{\"a\":1}");
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "shorter than CONTENT_LENGTH") != NULL);

	/* No CONTENT_LENGTH: no body is read, and a JSON route says it needs one. */
	o = run_main("POST", NULL, NULL, NULL, "{\"a\":1}");
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "body is required") != NULL);
	CHECK(starts(run_main("POST", NULL, NULL, "", "{\"a\":1}"), "Status: 400 "));
	CHECK(starts(run_main("POST", NULL, NULL, "0", ""), "Status: 400 "));
	/* ... but an optional body may be absent. */
	o = run_main("POST", "/3/poke", NULL, NULL, "{\"ignored\":1}");
	CHECK(starts(o, "Status: 200 "));
	CHECK(strstr(o, "{\"id\":3,\"body_len\":0}") != NULL);

	/* Malformed JSON, duplicates, depth: 400 with the parser's reason. */
	o = run_main("POST", NULL, NULL, "5", "{\"a\":");
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "invalid JSON body: malformed JSON") != NULL);
	o = run_main("POST", NULL, NULL, "13", "{\"a\":1,\"a\":2}");
	CHECK(starts(o, "Status: 400 "));
	CHECK(strstr(o, "duplicate key 'a'") != NULL);

	/* A process past its lifetime answers 503 with Retry-After, whole. */
	o = run_main("GET", "/stuck", NULL, NULL, NULL);
	CHECK(starts(o, "Status: 503 Service Unavailable\r\nContent-Type: application/json\r\n"));
	CHECK(strstr(o, "\r\nRetry-After: 1\r\n") != NULL);
	CHECK(strstr(o, "\r\n\r\n{\"error\":{\"message\":\"server busy") != NULL);

	/* HEAD is GET without a body. */
	o = run_main("HEAD", "/5", NULL, NULL, NULL);
	CHECK(starts(o, "Status: 200 "));
	CHECK(strstr(o, "Content-Length: 21\r\n") != NULL);
	CHECK(strstr(o, "{\"id\"") == NULL);
}

/* A POST with no CONTENT_LENGTH and a stdin that never ends must not wait. */
static void
test_no_length_never_waits(void)
{
	int po[2], pi[2];
	struct mcase mc = { "POST", NULL, NULL, NULL };
	char out[2048];
	size_t n = 0;

	if (pipe(po) < 0 || pipe(pi) < 0)
		abort();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(po[0]);
		close(pi[1]);
		dup2(po[1], STDOUT_FILENO);
		dup2(pi[0], STDIN_FILENO);
		alarm(10);
		main_child(&mc);
	}
	close(po[1]);
	close(pi[0]);
	ssize_t w = write(pi[1], "{\"name\":", 8);	/* and keep pi[1] open */
	(void)w;
	time_t t0 = time(NULL);
	for (;;) {
		ssize_t r = read(po[0], out + n, sizeof(out) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	int st;
	waitpid(pid, &st, 0);
	close(pi[1]);
	close(po[0]);
	CHECK(time(NULL) - t0 < 5);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(starts(out, "Status: 400 "));
	CHECK(strstr(out, "body is required") != NULL);
}

int
main(void)
{
	arena_use_for_cjson();
	signal(SIGPIPE, SIG_IGN);
	test_parse_int64();
	test_url_decode();
	test_parse_query();
	test_split_path();
	test_match();
	test_params();
	test_main();
	test_no_length_never_waits();
	arena_free_all();
	return check_done();
}
