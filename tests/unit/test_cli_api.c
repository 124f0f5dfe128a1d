/*
 * test_cli_api.c: unit tests of the torc CLI's request helpers that need
 * no server: the one-line error messages made from answers
 * (api_error_text), path escaping (api_esc), the server URL check
 * (http_url_ok) and the version comparison (version_compare).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../bin/torc/api.h"
#include "../../bin/torc/cli.h"
#include "../../bin/torc/http.h"

static char buf[API_MSG_MAX];

static const char *
msg(long status, const char *body)
{
	api_error_text(status, body, NULL, buf, sizeof(buf));
	return buf;
}

static void
test_error_text(void)
{
	api_set_have_password(1);
	CHECK_STR(msg(404, "{\"error\":{\"message\":\"Workflow not found with ID: 7\"}}"),
	    "Workflow not found with ID: 7 (HTTP 404)");
	CHECK_STR(msg(403, "{\"error\":{\"error\":\"Forbidden\",\"message\":\"User 'b' "
	    "does not have access to workflow 1\"}}"),
	    "User 'b' does not have access to workflow 1 (HTTP 403)");
	CHECK_STR(msg(409, "{\"error\":\"duplicate\"}"), "duplicate (HTTP 409)");
	CHECK_STR(msg(422, "{\"errorMessage\":\"bad run\"}"), "bad run (HTTP 422)");
	CHECK_STR(msg(422, "{\"message\":\"m\"}"), "m (HTTP 422)");
	CHECK_STR(msg(403, "{\"error\":{\"error\":\"Forbidden\"}}"),
	    "Forbidden (HTTP 403)");
	/* Plain text: the first line, trimmed. */
	CHECK_STR(msg(500, "An internal error occurred"),
	    "An internal error occurred (HTTP 500)");
	CHECK_STR(msg(400, "\n  Couldn't parse body  \nsecond line"),
	    "Couldn't parse body (HTTP 400)");
	/* Nothing useful: the reason phrase. */
	CHECK_STR(msg(404, ""), "Not Found (HTTP 404)");
	CHECK_STR(msg(405, NULL), "Method Not Allowed (HTTP 405)");
	CHECK_STR(msg(503, "{}"), "Service Unavailable (HTTP 503)");
	CHECK_STR(msg(411, "<?xml version=\"1.0\"?><html>...</html>"),
	    "Length Required (HTTP 411)");
	CHECK_STR(msg(418, ""), "Unexpected answer (HTTP 418)");
	/* Control characters cannot reach the terminal. */
	CHECK_STR(msg(400, "bad \033[2Jthing"), "bad ?[2Jthing (HTTP 400)");
	/* Long texts are cut. */
	{
		char big[2000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		msg(500, big);
		CHECK(strlen(buf) < API_MSG_SHOWN + 30);
		CHECK(strstr(buf, "... (HTTP 500)") != NULL);
	}
	/* 401 hints at how to give a password when none was given. */
	CHECK_STR(msg(401, "Unauthorized"), "Unauthorized (HTTP 401)");
	api_set_have_password(0);
	CHECK_STR(msg(401, "Unauthorized"), "Unauthorized (HTTP 401); give a "
	    "password with TORC_PASSWORD or --prompt-password");
	/* Redirects name where they lead. */
	api_error_text(302, "", "http://elsewhere/x", buf, sizeof(buf));
	CHECK_STR(buf, "the server redirects to http://elsewhere/x; torc does "
	    "not follow redirects (HTTP 302)");
	api_error_text(301, "", NULL, buf, sizeof(buf));
	CHECK_STR(buf, "the server redirects to (no Location); torc does not "
	    "follow redirects (HTTP 301)");
}

static void
test_esc(void)
{
	char *s;

	s = api_esc("alice");
	CHECK_STR(s, "alice");
	free(s);
	s = api_esc("a b/c?d&e=f%g");
	CHECK_STR(s, "a%20b%2Fc%3Fd%26e%3Df%25g");
	free(s);
	s = api_esc("dot.dash-under_tilde~");
	CHECK_STR(s, "dot.dash-under_tilde~");
	free(s);
	s = api_esc("ü");
	CHECK_STR(s, "%C3%BC");
	free(s);
	s = api_esc("");
	CHECK_STR(s, "");
	free(s);
}

static void
test_url_ok(void)
{
	CHECK_INT(http_url_ok("http://localhost:8080/torc-service/v1"), 1);
	CHECK_INT(http_url_ok("https://h/torc-service/v1"), 1);
	CHECK_INT(http_url_ok("HTTP://h:1"), 1);
	CHECK_INT(http_url_ok("http://h/p@x"), 1);	/* '@' after the host */
	CHECK_INT(http_url_ok("http://u:p@h/x"), 0);
	CHECK_INT(http_url_ok("http://u@h/x"), 0);
	CHECK_INT(http_url_ok("ftp://h/x"), 0);
	CHECK_INT(http_url_ok("file:///etc/passwd"), 0);
	CHECK_INT(http_url_ok("http:///x"), 0);
	CHECK_INT(http_url_ok("localhost:8080"), 0);
}

static void
test_versions(void)
{
	CHECK_INT(version_compare("0.10.0", "0.10.0 (torc-cgi)"), 0);
	CHECK_INT(version_compare("0.10.0", "0.11.2"), 0);
	CHECK_INT(version_compare("0.10.0", "0.9.0"), 1);
	CHECK_INT(version_compare("0.10.0", "0.10.3"), 1);
	CHECK_INT(version_compare("0.10.0", "1.0.0"), 2);
	CHECK_INT(version_compare("1.2.3", "0.2.3"), 2);
	CHECK_INT(version_compare("0.10.0", "dev"), -1);
	CHECK_INT(version_compare("0.10.0", "0.10"), -1);
	CHECK_INT(version_compare("0.10.0", ""), -1);
}

int
main(void)
{
	test_error_text();
	test_esc();
	test_url_ok();
	test_versions();
	return check_done();
}
