/*
 * api.h: JSON requests to the Torc API on top of http.h: formatted paths,
 * the server's error message turned into one line
 * ("torc: error: <message> (HTTP 404)"), exit codes from answers, and the
 * paging loop every list command uses (offset += len(items) until
 * has_more is false).
 */
#ifndef TORC_CLI_API_H
#define TORC_CLI_API_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define API_MSG_MAX	512		/* bytes of an error message */
#define API_MSG_SHOWN	300		/* characters of a server text shown */
#define API_LIST_MAX	10000000	/* items one list command collects */
#define API_PAGE_MAX	10000		/* the server's largest page */

struct api_error {
	long	status;			/* HTTP status; 0: no answer */
	char	msg[API_MSG_MAX];	/* "<message> (HTTP N)" or transport */
};

/* Whether credentials were configured: adds a hint to 401 messages. */
void	 api_set_have_password(int have);

/*
 * METHOD on the path built from fmt (printf; the caller escapes path
 * segments with api_esc()), with body (NULL: none) sent as JSON.
 * On a 2xx answer returns 0 and, if out is not NULL, sets *out to the
 * parsed answer (the caller frees it; a JSON null or an empty body gives a
 * cJSON null).  Otherwise returns EXIT_FAIL (an HTTP error, a redirect, an
 * answer that is not JSON, a TLS certificate that does not verify) or
 * EXIT_TEMP (no answer, or HTTP 502/503/504);
 * the message goes to *e if e is not NULL, else to stderr as
 * "torc: error: ...".
 */
int	 api_call(const char *method, const cJSON *body, cJSON **out,
	    struct api_error *e, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/*
 * One line of text for a failed answer: the server's message (from
 * {"error":{"message"}}, {"error":"..."}, {"message"}, {"errorMessage"},
 * or the first line of a plain-text body), control characters replaced,
 * at most API_MSG_SHOWN characters, else the status's reason phrase;
 * followed by " (HTTP N)".  Writes into buf (len bytes).
 */
void	 api_error_text(long status, const char *body, const char *location,
	    char *buf, size_t len);

/* A path segment or query value percent-encoded (RFC 3986); caller frees. */
char	*api_esc(const char *s);

/* Paging options of the list commands. */
struct list_opts {
	int64_t		 offset;	/* first item (0) */
	int64_t		 limit;		/* items wanted; < 0: all */
	const char	*sort_by;	/* column, or NULL */
	int		 reverse;	/* reverse_sort=true */
};

/*
 * GETs path (which may already hold a query) page by page and collects the
 * "items" of every page into one array.  Returns 0 and sets *items (caller
 * frees), or an exit code after printing the error.  lo may be NULL (all).
 */
int	 api_list(const char *path, const struct list_opts *lo, cJSON **items);

/* The same without printing errors; the message goes to *e. */
int	 api_list_quiet(const char *path, const struct list_opts *lo,
	    cJSON **items, struct api_error *e);

/* "true" or "false". */
const char *api_bool(int b);

#endif
