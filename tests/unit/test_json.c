/*
 * test_json.c: strict parsing (malformed text, duplicate keys at any
 * depth, the nesting limit, trailing data, NUL bytes and \u0000, numbers
 * outside the JSON grammar or range, control characters and invalid UTF-8
 * in strings, many keys in linear-ish time) and the typed field helpers.
 *
 * Helpers that refuse a field answer 400 through die_http(), which exits:
 * those run in a fork whose standard output is captured and checked.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "bounds.h"
#include "check.h"
#include "json.h"

static char err[256];

static cJSON *
parse(const char *s)
{
	err[0] = '\0';
	return json_parse(s, strlen(s), err, sizeof(err));
}

/* 1 if s parses, else 0 (err holds the reason). */
static int
ok(const char *s)
{
	cJSON *v = parse(s);
	if (v == NULL)
		return 0;
	cJSON_Delete(v);
	return 1;
}

#define GOOD(s) do { int good_ = ok(s); if (!good_) fprintf(stderr, "refused: %s (%s)\n", s, err); CHECK(good_); } while (0)
#define BAD(s, why) do { int good_ = ok(s); if (good_) fprintf(stderr, "accepted: %s\n", s); \
	CHECK(!good_ && strstr(err, why) != NULL); \
	if (!good_ && strstr(err, why) == NULL) fprintf(stderr, "  reason '%s', expected '%s'\n", err, why); } while (0)

static char *
nest(int depth, const char *open, const char *inner, const char *close)
{
	size_t ol = strlen(open), cl = strlen(close), il = strlen(inner);
	char *s = malloc((size_t)depth * (ol + cl) + il + 1), *p = s;
	for (int i = 0; i < depth; i++, p += ol)
		memcpy(p, open, ol);
	memcpy(p, inner, il);
	p += il;
	for (int i = 0; i < depth; i++, p += cl)
		memcpy(p, close, cl);
	*p = '\0';
	return s;
}

static void
test_wellformed(void)
{
	GOOD("{}");
	GOOD("[]");
	GOOD("  {\"a\" : [1, -2.5e3, 0, -0, 0.5, 1E+2, 1e-2, true, false, null, \"s\"]}\r\n\t ");
	GOOD("1");
	GOOD("\"just a string\"");
	GOOD("{\"a\":{\"a\":{\"a\":1}}}");		/* same key, different objects */
	GOOD("[{\"a\":1},{\"a\":1}]");
	GOOD("{\"a\":1,\"A\":2}");			/* keys are case-sensitive */
	GOOD("{\"esc\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00\"}");
	GOOD("{\"utf8\":\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");
	GOOD("{\"brackets in strings\":\"[[[[{{{{\"}");

	cJSON *v = parse("{\"name\":\"x\",\"n\":3,\"list\":[1,2]}");
	CHECK(v != NULL);
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring, "x");
	cJSON_Delete(v);
}

static void
test_malformed(void)
{
	BAD("", "malformed JSON");
	BAD("   ", "malformed JSON");
	BAD("{", "malformed JSON");
	BAD("{\"a\":}", "malformed JSON");
	BAD("{\"a\" 1}", "malformed JSON");
	BAD("{'a':1}", "malformed JSON");
	BAD("{a:1}", "malformed JSON");
	BAD("[1,]", "malformed JSON");
	BAD("{\"a\":1,}", "malformed JSON");
	BAD("{\"a\":NaN}", "malformed JSON");
	BAD("{\"a\":\"\\x\"}", "malformed JSON");
	BAD("{\"a\":\"\\ud800\"}", "malformed JSON");	/* lone surrogate */
	BAD("{\"a\":\"unterminated}", "malformed JSON");
	BAD("{\"a\":1} x", "trailing data after JSON value at byte 8");
	BAD("{}{}", "trailing data");
	BAD("{\"a\":1}/", "trailing data");
	BAD("[1] [2]", "trailing data");

	/* Only len bytes count: a cut body is malformed. */
	CHECK(json_parse("{\"a\":1}", 5, err, sizeof(err)) == NULL);
}

static void
test_numbers(void)
{
	/* Outside the JSON number grammar. */
	BAD("{\"a\":01}", "number");
	BAD("{\"a\":-01}", "number");
	BAD("{\"a\":1.}", "number");
	BAD("{\"a\":.5}", "");
	BAD("{\"a\":+1}", "");
	BAD("{\"a\":1e}", "number");
	BAD("{\"a\":1e+}", "number");
	BAD("{\"a\":0x10}", "");
	BAD("[-]", "");
	BAD("[00]", "number");
	/* Finite doubles only: 1e400 would be stored as null. */
	BAD("{\"a\":1e400}", "out of range");
	BAD("[-1e400]", "out of range");
	GOOD("{\"a\":1e300,\"b\":-0.0,\"c\":10,\"d\":0e0}");
}

static void
test_strings(void)
{
	/* NUL: raw bytes and the \u0000 escape (a C string would cut there). */
	CHECK(json_parse("{\"a\":\"x\0y\"}", 11, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "NUL") != NULL);
	CHECK(json_parse("{\"a\":1}\0", 8, err, sizeof(err)) == NULL);
	BAD("{\"a\":\"x\\u0000y\"}", "NUL");
	BAD("{\"a\\u0000b\":1}", "NUL");
	GOOD("{\"a\":\"x\\\\u0000y\"}");		/* an escaped backslash, then text */
	GOOD("{\"a\":\"\\u0001\"}");

	/* Control characters must be escaped. */
	BAD("{\"a\":\"tab\there\"}", "control character");
	BAD("{\"a\":\"line\nbreak\"}", "control character");
	BAD("{\"a\x01\":1}", "control character");

	/* Invalid UTF-8: stray continuation, truncated, overlong, surrogate, > U+10FFFF. */
	BAD("{\"a\":\"\x80\"}", "UTF-8");
	BAD("{\"a\":\"\xff\xfe\"}", "UTF-8");
	BAD("{\"a\":\"\xc3\"}", "UTF-8");
	BAD("{\"a\":\"\xe2\x82\"}", "UTF-8");
	BAD("{\"a\":\"\xc0\xaf\"}", "UTF-8");
	BAD("{\"a\":\"\xe0\x80\xaf\"}", "UTF-8");
	BAD("{\"a\":\"\xed\xa0\x80\"}", "UTF-8");
	BAD("{\"a\":\"\xf4\x90\x80\x80\"}", "UTF-8");
	BAD("{\"\xc3\":1}", "UTF-8");
	GOOD("{\"a\":\"\xef\xbf\xbf \xf4\x8f\xbf\xbf \xed\x9f\xbf\"}");
}

static void
test_duplicates(void)
{
	BAD("{\"a\":1,\"a\":2}", "duplicate key 'a'");
	BAD("{\"a\":1,\"b\":2,\"a\":1}", "duplicate key 'a'");
	BAD("{\"x\":{\"y\":[{\"z\":1,\"k\":2,\"z\":3}]}}", "duplicate key 'z'");
	BAD("[[[{\"deep\":1,\"deep\":null}]]]", "duplicate key 'deep'");
	BAD("{\"a\":1,\"\\u0061\":2}", "duplicate key 'a'");	/* same key, escaped */
	BAD("{\"\":1,\"\":2}", "duplicate key ''");

	/* Many keys: a duplicate among them is found, and quickly. */
	int n = 200000;
	char *s = malloc((size_t)n * 16 + 32), *p = s;
	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s\"k%d\":%d", i ? "," : "", i, i);
	strcpy(p, "}");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(ok(s));
	strcpy(p, ",\"k123456\":0}");
	BAD(s, "duplicate key 'k123456'");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (secs >= 3)
		fprintf(stderr, "two parses of %d keys took %.2f s\n", n, secs);
	CHECK(secs < 3);
	free(s);
}

static void
test_depth(void)
{
	char *s;

	s = nest(TORC_MAX_JSON_DEPTH, "[", "1", "]");
	GOOD(s);
	free(s);
	s = nest(TORC_MAX_JSON_DEPTH + 1, "[", "1", "]");
	BAD(s, "nesting deeper than 64 levels");
	free(s);
	s = nest(TORC_MAX_JSON_DEPTH, "{\"k\":", "1", "}");
	GOOD(s);
	free(s);
	s = nest(TORC_MAX_JSON_DEPTH + 1, "{\"k\":", "1", "}");
	BAD(s, "nesting deeper");
	free(s);
	s = nest(TORC_MAX_JSON_DEPTH - 1, "[", "{\"a\":[]}", "]");	/* 64 + 1 */
	BAD(s, "nesting deeper");
	free(s);
	/* Far deeper than cJSON's own limit: still our message, not a crash. */
	s = nest(5000, "[", "", "]");
	BAD(s, "nesting deeper");
	free(s);
	/* Brackets inside strings (and after escaped quotes) do not count. */
	s = nest(TORC_MAX_JSON_DEPTH, "[", "\"[[[[\\\"[[[[{{{{\"", "]");
	GOOD(s);
	free(s);
	/* Depth is nesting, not the total number of containers. */
	char wide[4096] = "[";
	for (int i = 0; i < 500; i++)
		strcat(wide, i ? ",[]" : "[]");
	strcat(wide, "]");
	GOOD(wide);
	/* One string may hold TORC_MAX_STRING bytes, not one more. */
	size_t n = (size_t)TORC_MAX_STRING;
	char *big = malloc(n + 16);
	memcpy(big, "{\"s\":\"", 6);
	memset(big + 6, 'x', n);
	memcpy(big + 6 + n, "\"}", 3);
	GOOD(big);
	big = realloc(big, n + 17);
	memset(big + 6, 'x', n + 1);
	memcpy(big + 6 + n + 1, "\"}", 3);
	BAD(big, "string longer than 1048576 bytes at byte 5");
	free(big);
}

/* ---- field helpers ------------------------------------------------------ */

static void
test_fields_ok(void)
{
	cJSON *o = parse("{\"i\":7,\"neg\":-3,\"f\":2.5,\"b\":true,\"s\":\"str\",\"nul\":null,"
	    "\"ids\":[3,1,2],\"empty\":[],\"big\":9007199254740992}");
	CHECK(o != NULL);

	CHECK(json_has(o, "i"));
	CHECK(!json_has(o, "nul"));		/* null is absent */
	CHECK(!json_has(o, "missing"));
	CHECK(!json_has(NULL, "i"));
	CHECK(!json_has(cJSON_GetObjectItemCaseSensitive(o, "ids"), "i"));	/* not an object */

	CHECK_INT(json_int(o, "i", -1), 7);
	CHECK_INT(json_int(o, "neg", -1), -3);
	CHECK_INT(json_int(o, "missing", -1), -1);
	CHECK_INT(json_int(o, "nul", 42), 42);
	CHECK_INT(json_int(NULL, "i", 5), 5);
	CHECK_INT(json_req_int(o, "i"), 7);
	CHECK(json_int(o, "big", 0) == 9007199254740992LL);

	CHECK(json_num(o, "f", 0) == 2.5);
	CHECK(json_num(o, "i", 0) == 7);
	CHECK(json_num(o, "missing", 1.25) == 1.25);
	CHECK(json_req_num(o, "f") == 2.5);

	CHECK_INT(json_bool(o, "b", 0), 1);
	CHECK_INT(json_bool(o, "missing", 1), 1);
	CHECK_INT(json_bool(o, "nul", 0), 0);

	CHECK_STR(json_str(o, "s", NULL), "str");
	CHECK_STR(json_str(o, "missing", "dflt"), "dflt");
	CHECK(json_str(o, "nul", NULL) == NULL);
	CHECK_STR(json_req_str(o, "s"), "str");

	int64_t *ids;
	CHECK_INT(json_int_array(o, "ids", &ids), 3);
	CHECK(ids != NULL && ids[0] == 3 && ids[1] == 1 && ids[2] == 2);
	CHECK_INT(json_int_array(o, "empty", &ids), 0);
	CHECK(ids == NULL);
	CHECK_INT(json_int_array(o, "missing", &ids), 0);
	CHECK(ids == NULL);

	/* Building: set replaces in place, NULL string removes. */
	cJSON *b = cJSON_CreateObject();
	json_set_int(b, "id", 1);
	json_set_str(b, "name", "n");
	json_set_num(b, "x", 0.5);
	json_set_bool(b, "flag", 1);
	json_set_int(b, "id", 2);
	json_set_str(b, "name", "m");
	CHECK_STR(json_print(b), "{\"id\":2,\"name\":\"m\",\"x\":0.5,\"flag\":true}");
	json_set_str(b, "name", NULL);
	json_set_str(b, "never_there", NULL);
	json_set(b, "list", json_int_list((const int64_t[]){ 4, 5 }, 2));
	json_set(b, "none", json_int_list(NULL, 0));
	CHECK_STR(json_print(b), "{\"id\":2,\"x\":0.5,\"flag\":true,\"list\":[4,5],\"none\":[]}");
	cJSON_Delete(b);
	cJSON_Delete(o);
}

/* Run one refusing helper in a child; return its captured output. */
struct fcase {
	const char	*body;
	int		 which;
	const char	*key;
};

static void
field_child(const struct fcase *fc)
{
	cJSON *o = parse(fc->body);
	int64_t *ids;
	if (o == NULL)
		_exit(3);
	switch (fc->which) {
	case 0: printf("=%lld", (long long)json_int(o, fc->key, 0)); break;
	case 1: printf("=%lld", (long long)json_req_int(o, fc->key)); break;
	case 2: printf("=%g", json_num(o, fc->key, 0)); break;
	case 3: printf("=%g", json_req_num(o, fc->key)); break;
	case 4: printf("=%d", json_bool(o, fc->key, 0)); break;
	case 5: printf("=%s", json_str(o, fc->key, "")); break;
	case 6: printf("=%s", json_req_str(o, fc->key)); break;
	default: printf("=%d", json_int_array(o, fc->key, &ids)); break;
	}
	fflush(stdout);
	_exit(0);
}

static const char *
field(const char *body, int which, const char *key)
{
	static char out[4096];
	struct fcase fc = { body, which, key };
	int p[2];
	size_t n = 0;

	if (pipe(p) < 0)
		abort();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDOUT_FILENO);
		alarm(10);
		field_child(&fc);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], out + n, sizeof(out) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(p[0]);
	waitpid(pid, NULL, 0);
	return out;
}

#define REFUSED(body, which, key, msg) do { \
	const char *o_ = field(body, which, key); \
	int r_ = strncmp(o_, "Status: 400 Bad Request\r\nContent-Type: application/json\r\n", 57) == 0 && \
	    strstr(o_, "{\"error\":{\"message\":\"" msg "\"}}") != NULL; \
	if (!r_) fprintf(stderr, "%s / %s: got '%s'\n", body, key, o_); \
	CHECK(r_); } while (0)

static void
test_fields_refused(void)
{
	REFUSED("{}", 1, "run_id", "missing required field 'run_id'");
	REFUSED("{\"run_id\":null}", 1, "run_id", "missing required field 'run_id'");
	REFUSED("{}", 3, "x", "missing required field 'x'");
	REFUSED("{}", 6, "name", "missing required field 'name'");

	REFUSED("{\"n\":\"7\"}", 0, "n", "field 'n' must be an integer");
	REFUSED("{\"n\":2.5}", 0, "n", "field 'n' must be an integer");
	REFUSED("{\"n\":true}", 1, "n", "field 'n' must be an integer");
	REFUSED("{\"n\":1e300}", 0, "n", "field 'n' must be an integer");
	REFUSED("{\"n\":[1]}", 0, "n", "field 'n' must be an integer");
	REFUSED("{\"x\":\"1.5\"}", 2, "x", "field 'x' must be a number");
	REFUSED("{\"x\":{}}", 3, "x", "field 'x' must be a number");
	REFUSED("{\"b\":1}", 4, "b", "field 'b' must be true or false");
	REFUSED("{\"b\":\"true\"}", 4, "b", "field 'b' must be true or false");
	REFUSED("{\"s\":5}", 5, "s", "field 's' must be a string");
	REFUSED("{\"s\":[\"a\"]}", 6, "s", "field 's' must be a string");
	REFUSED("{\"ids\":5}", 7, "ids", "field 'ids' must be an array of integers");
	REFUSED("{\"ids\":{\"0\":1}}", 7, "ids", "field 'ids' must be an array of integers");
	REFUSED("{\"ids\":[1,\"2\"]}", 7, "ids", "field 'ids' must be an integer");
	REFUSED("{\"ids\":[1,0]}", 7, "ids", "field 'ids' must hold positive ids");
	REFUSED("{\"ids\":[-4]}", 7, "ids", "field 'ids' must hold positive ids");

	/* The message quotes the key safely even when it holds a quote. */
	const char *o = field("{\"a\\\"b\":\"x\"}", 0, "a\"b");
	CHECK(strstr(o, "\"message\":\"field 'a\\\"b' must be an integer\"") != NULL);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_wellformed();
	test_malformed();
	test_numbers();
	test_strings();
	test_duplicates();
	test_depth();
	arena_use_for_cjson();		/* as in a CGI: the helpers use the arena */
	test_fields_ok();
	test_fields_refused();
	return check_done();
}
