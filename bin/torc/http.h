/*
 * http.h: the CLI's one HTTP connection to the Torc server (libcurl).
 *
 * One easy handle for the life of the process, so connections are reused.
 * Credentials are handed to libcurl once (CURLOPT_USERNAME/PASSWORD, Basic
 * only) and go to the configured host only: redirects are never followed
 * (a 3xx is returned to the caller as an answer like any other), and
 * CURLOPT_UNRESTRICTED_AUTH stays off.  Only http and https are allowed.
 * A base URL that carries user:password@ is refused.  Nothing here prints
 * a password or an Authorization header, and no request is logged.
 *
 * Transient failures (no connection, timeouts, HTTP 502/503/504) are
 * retried with a growing pause while a retry budget lasts (none by
 * default; the job runner sets one).
 */
#ifndef TORC_CLI_HTTP_H
#define TORC_CLI_HTTP_H

#include <signal.h>
#include <stddef.h>

#define HTTP_MAX_BODY		(512L * 1024 * 1024)	/* response bytes */
#define HTTP_CONNECT_TIMEOUT	10L			/* seconds */
#define HTTP_TIMEOUT		300L			/* seconds per request */
#define HTTP_RETRY_MAX_PAUSE	10.0			/* seconds between tries */

struct http_config {
	const char	*base_url;	/* e.g. http://h:8080/torc-service/v1 */
	const char	*username;	/* NULL: no credentials */
	const char	*password;	/* NULL: no credentials; copied */
	const char	*cacert;	/* CA bundle for https, or NULL */
	int		 insecure;	/* skip TLS verification */
};

struct http_resp {
	long	 status;	/* HTTP status */
	char	*body;		/* NUL-terminated, never NULL after success */
	size_t	 len;
	char	*location;	/* Location of a 3xx answer, or NULL */
};

/*
 * Sets up the handle.  The password is copied into libcurl; the caller
 * may (and should) wipe its own copy right after.  Returns 0, or -1 with a
 * message in err (errlen bytes) that never contains the password.
 */
int	 http_open(const struct http_config *cfg, char *err, size_t errlen);

/*
 * Releases the handle.  libcurl keeps its own copy of the credentials
 * until then (it does not wipe it when freeing).
 */
void	 http_close(void);

/*
 * Retries transient failures for up to secs seconds (0: never).  While
 * *abort is non-zero no further try is started (abort may be NULL).
 */
void	 http_set_retry(double secs, volatile sig_atomic_t *abort);

/*
 * Sends METHOD base_url+path (path starts with '/', may hold a query).
 * body is the JSON text to send, or NULL; POST and PUT without a body send
 * an empty one with Content-Length: 0.  Returns 0 when the server answered
 * (any status; r filled, free with http_resp_free()), or with a message
 * in err: -1 on a failure that may pass (no connection, timeout, cut
 * answer), -2 on one that will not (TLS verification, protocol).
 */
int	 http_request(const char *method, const char *path, const char *body,
	    struct http_resp *r, char *err, size_t errlen);

void	 http_resp_free(struct http_resp *r);

/* The base URL given to http_open (borrowed), or NULL. */
const char *http_base_url(void);

/*
 * Returns 1 if url is an http:// or https:// URL without user info
 * (no '@' before the host), else 0.
 */
int	 http_url_ok(const char *url);

#endif
