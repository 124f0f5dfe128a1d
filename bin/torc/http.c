/*
 * http.c: the libcurl handle behind every request of the CLI (see http.h
 * for the credential rules: Basic auth to the configured host only, no
 * redirects followed, http/https only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"
#include "util.h"

static CURL			*handle;
static struct curl_slist	*headers;
static char			*base;
static double			 retry_secs;
static volatile sig_atomic_t	*retry_abort;

int
http_url_ok(const char *url)
{
	const char *p, *end;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return 0;
	end = p + strcspn(p, "/?#");
	if (end == p)
		return 0;
	return memchr(p, '@', (size_t)(end - p)) == NULL;
}

int
http_open(const struct http_config *cfg, char *err, size_t errlen)
{
	size_t n;

	if (!http_url_ok(cfg->base_url)) {
		snprintf(err, errlen, "the server URL must be http:// or "
		    "https://HOST[:PORT]/PATH without user or password");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (handle = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot initialize libcurl");
		return -1;
	}
	base = xstrdup(cfg->base_url);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';

	curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(handle, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(handle, CURLOPT_TIMEOUT, HTTP_TIMEOUT);
	curl_easy_setopt(handle, CURLOPT_USERAGENT, "torc-cgi/" TORC_VERSION);
	curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
	if (cfg->password != NULL && cfg->username != NULL) {
		curl_easy_setopt(handle, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(handle, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(handle, CURLOPT_PASSWORD, cfg->password);
	}
	if (cfg->cacert != NULL)
		curl_easy_setopt(handle, CURLOPT_CAINFO, cfg->cacert);
	if (cfg->insecure) {
		curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	headers = curl_slist_append(NULL, "Accept: application/json");
	if (headers != NULL)
		headers = curl_slist_append(headers,
		    "Content-Type: application/json");
	if (headers != NULL)
		headers = curl_slist_append(headers, "Expect:");
	if (headers == NULL)
		cli_fatal_oom();
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
	return 0;
}

void
http_close(void)
{
	if (handle != NULL) {
		curl_easy_cleanup(handle);
		handle = NULL;
	}
	curl_slist_free_all(headers);
	headers = NULL;
	free(base);
	base = NULL;
	curl_global_cleanup();
}

void
http_set_retry(double secs, volatile sig_atomic_t *abort)
{
	retry_secs = secs;
	retry_abort = abort;
}

const char *
http_base_url(void)
{
	return base;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct strbuf *b = arg;
	size_t n = size * nmemb;

	if (b->len + n > (size_t)HTTP_MAX_BODY)
		return 0;	/* libcurl reports a write error */
	sb_append(b, data, n);
	return n;
}

static int
transient(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status == 502 || status == 503 || status == 504;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

static void
pause_for(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	/* A signal cuts the pause short; the caller checks its flag. */
	nanosleep(&ts, NULL);
}

/* One exchange; fills r->status/body/location.  Returns the curl code. */
static CURLcode
exchange(const char *method, const char *url, const char *body,
    struct http_resp *r, char *cerr)
{
	struct strbuf b = { 0 };
	const char *loc = NULL;
	CURLcode rc;

	curl_easy_setopt(handle, CURLOPT_URL, url);
	curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, cerr);
	if (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0) {
		curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST,
		    strcmp(method, "GET") == 0 ? NULL : method);
	} else {
		curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(body ? strlen(body) : 0));
		curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST,
		    strcmp(method, "POST") == 0 ? NULL : method);
	}
	curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(handle, CURLOPT_WRITEDATA, &b);
	cerr[0] = '\0';
	rc = curl_easy_perform(handle);
	curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(handle, CURLOPT_WRITEDATA, NULL);
	r->status = 0;
	curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc == CURLE_OK &&
	    curl_easy_getinfo(handle, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL)
		r->location = xstrdup(loc);
	r->len = b.len;
	r->body = sb_take(&b);
	return rc;
}

int
http_request(const char *method, const char *path, const char *body,
    struct http_resp *r, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE];
	double start = mono_now(), pause = 0.5;
	char *url;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (handle == NULL) {
		snprintf(err, errlen, "no connection set up");
		return -1;
	}
	url = xasprintf("%s%s", base, path);
	for (;;) {
		http_resp_free(r);
		rc = exchange(method, url, body, r, cerr);
		if (!transient(rc, r->status) || retry_secs <= 0 ||
		    mono_now() - start + pause > retry_secs ||
		    (retry_abort != NULL && *retry_abort))
			break;
		pause_for(pause);
		if (retry_abort != NULL && *retry_abort)
			break;
		pause = pause * 2 > HTTP_RETRY_MAX_PAUSE ?
		    HTTP_RETRY_MAX_PAUSE : pause * 2;
	}
	if (rc != CURLE_OK) {
		if (rc == CURLE_WRITE_ERROR)
			snprintf(err, errlen, "%s %s: answer larger than %ld "
			    "bytes", method, base, HTTP_MAX_BODY);
		else
			snprintf(err, errlen, "cannot reach %s: %s", base,
			    cerr[0] ? cerr : curl_easy_strerror(rc));
		free(url);
		http_resp_free(r);
		return transient(rc, 0) ? -1 : -2;
	}
	free(url);
	return 0;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->location);
	r->body = r->location = NULL;
	r->len = 0;
}
