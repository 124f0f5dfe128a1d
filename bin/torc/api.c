/*
 * api.c: JSON requests, error messages and paging over http.c (see api.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "http.h"
#include "util.h"

static int have_password;

void
api_set_have_password(int have)
{
	have_password = have;
}

const char *
api_bool(int b)
{
	return b ? "true" : "false";
}

static const char *
reason(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Entity";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return status >= 300 && status < 400 ? "Redirect" :
	    "Unexpected answer";
	}
}

/* Copies at most API_MSG_SHOWN characters of the first line of s, printable. */
static void
one_line(const char *s, char *buf, size_t len)
{
	size_t n = 0, shown = 0;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s && *s != '\n' && *s != '\r' && n + 4 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch & 0xC0) != 0x80 && ++shown > API_MSG_SHOWN) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
}

/* The message inside a JSON error answer, or NULL. */
static const char *
json_message(const cJSON *j)
{
	const cJSON *e;
	const char *m;

	if (cJSON_IsString(j))
		return j->valuestring;
	if (!cJSON_IsObject(j))
		return NULL;
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsObject(e) && (m = jstr(e, "message")) != NULL)
		return m;
	if (cJSON_IsString(e))
		return e->valuestring;
	if ((m = jstr(j, "errorMessage")) != NULL)
		return m;
	if ((m = jstr(j, "message")) != NULL)
		return m;
	if (cJSON_IsObject(e) && (m = jstr(e, "error")) != NULL)
		return m;
	return NULL;
}

void
api_error_text(long status, const char *body, const char *location,
    char *buf, size_t len)
{
	char text[API_MSG_MAX] = "";
	cJSON *j = NULL;
	const char *m = NULL;

	if (status >= 300 && status < 400) {
		char where[API_MSG_MAX / 2];

		one_line(location ? location : "(no Location)", where,
		    sizeof(where));
		snprintf(buf, len, "the server redirects to %s; torc does not "
		    "follow redirects (HTTP %ld)", where, status);
		return;
	}
	if (body != NULL && *body != '\0') {
		j = cJSON_Parse(body);
		m = j != NULL ? json_message(j) : NULL;
		one_line(m != NULL ? m : (j != NULL ? "" : body), text,
		    sizeof(text));
		/* An HTML error page says nothing useful line by line. */
		if (j == NULL && text[0] == '<')
			text[0] = '\0';
	}
	if (text[0] == '\0')
		snprintf(text, sizeof(text), "%s", reason(status));
	if (status == 401 && !have_password)
		snprintf(buf, len, "%s (HTTP 401); give a password with "
		    "TORC_PASSWORD or --prompt-password", text);
	else
		snprintf(buf, len, "%s (HTTP %ld)", text, status);
	cJSON_Delete(j);
}

char *
api_esc(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf b = { 0 };

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~') {
			sb_append(&b, s, 1);
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			sb_append(&b, e, 3);
		}
	}
	return sb_take(&b);
}

static int
fail(struct api_error *e, int rc, long status, const char *msg)
{
	if (e != NULL) {
		e->status = status;
		snprintf(e->msg, sizeof(e->msg), "%s", msg);
	} else {
		cli_err("%s", msg);
	}
	return rc;
}

static int
vcall(const char *method, const cJSON *body, cJSON **out,
    struct api_error *e, const char *fmt, va_list ap)
{
	char err[API_MSG_MAX], msg[API_MSG_MAX];
	struct http_resp r;
	char *path, *text = NULL;
	cJSON *j;
	int rc;

	if (out != NULL)
		*out = NULL;
	path = xvasprintf(fmt, ap);
	if (body != NULL && (text = cJSON_PrintUnformatted(body)) == NULL)
		cli_fatal_oom();
	rc = http_request(method, path, text, &r, err, sizeof(err));
	free(text);
	if (rc != 0) {
		free(path);
		return fail(e, rc == -1 ? EXIT_TEMP : EXIT_FAIL, 0, err);
	}
	if (r.status < 200 || r.status > 299) {
		api_error_text(r.status, r.body, r.location, msg, sizeof(msg));
		rc = (r.status == 502 || r.status == 503 || r.status == 504) ?
		    EXIT_TEMP : EXIT_FAIL;
		http_resp_free(&r);
		free(path);
		return fail(e, rc, r.status, msg);
	}
	if (r.len == 0) {
		j = cJSON_CreateNull();
		if (j == NULL)
			cli_fatal_oom();
	} else if ((j = cJSON_ParseWithLength(r.body, r.len)) == NULL) {
		snprintf(msg, sizeof(msg), "%s %.200s: the answer is not JSON "
		    "(HTTP %ld)", method, path, r.status);
		http_resp_free(&r);
		free(path);
		return fail(e, EXIT_FAIL, r.status, msg);
	}
	http_resp_free(&r);
	free(path);
	if (out != NULL)
		*out = j;
	else
		cJSON_Delete(j);
	if (e != NULL) {
		e->status = 200;
		e->msg[0] = '\0';
	}
	return 0;
}

int
api_call(const char *method, const cJSON *body, cJSON **out,
    struct api_error *e, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vcall(method, body, out, e, fmt, ap);
	va_end(ap);
	return rc;
}

int
api_list_quiet(const char *path, const struct list_opts *lo, cJSON **items,
    struct api_error *e)
{
	const char *sep = strchr(path, '?') ? "&" : "?";
	int64_t offset = lo ? lo->offset : 0;
	int64_t want = lo && lo->limit >= 0 ? lo->limit : -1;
	struct strbuf extra = { 0 };
	cJSON *all = jnew_array();
	char *xs;
	int rc = 0;

	if (lo != NULL && lo->sort_by != NULL) {
		char *s = api_esc(lo->sort_by);

		sb_printf(&extra, "&sort_by=%s", s);
		free(s);
	}
	if (lo != NULL && lo->reverse)
		sb_puts(&extra, "&reverse_sort=true");
	xs = sb_take(&extra);
	*items = NULL;
	for (;;) {
		int64_t got = cJSON_GetArraySize(all), limit = API_PAGE_MAX;
		cJSON *page = NULL, *arr, *it;
		char lim[48] = "";

		if (want >= 0) {
			if (got >= want)
				break;
			if (want - got < limit)
				limit = want - got;
			snprintf(lim, sizeof(lim), "&limit=%" PRId64, limit);
		}
		rc = api_call("GET", NULL, &page, e, "%s%soffset=%" PRId64 "%s%s",
		    path, sep, offset, lim, xs);
		if (rc != 0)
			break;
		arr = cJSON_GetObjectItemCaseSensitive(page, "items");
		if (!cJSON_IsArray(arr)) {
			cJSON_Delete(page);
			rc = fail(e, EXIT_FAIL, 200, "the list answer has no "
			    "\"items\" array");
			break;
		}
		while ((it = cJSON_DetachItemFromArray(arr, 0)) != NULL) {
			jpush(all, it);
			offset++;
		}
		if (!jbool(page, "has_more", 0) || cJSON_GetArraySize(all) ==
		    got || cJSON_GetArraySize(all) >= API_LIST_MAX) {
			cJSON_Delete(page);
			break;
		}
		cJSON_Delete(page);
	}
	free(xs);
	if (rc != 0) {
		cJSON_Delete(all);
		return rc;
	}
	*items = all;
	return 0;
}

int
api_list(const char *path, const struct list_opts *lo, cJSON **items)
{
	struct api_error e;
	int rc = api_list_quiet(path, lo, items, &e);

	if (rc != 0)
		cli_err("%s", e.msg);
	return rc;
}
