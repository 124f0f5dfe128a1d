/*
 * cgi.h: one request in, one response out.
 *
 * cgi_main() reads the CGI environment into a struct request, resolves the
 * configuration and the caller's identity, matches the route table of the
 * calling cgi-bin main, validates query parameters against the route's list,
 * parses a JSON body when the route takes one, runs the handler and writes
 * the response with one writer (Status, Content-Type, Content-Length, body).
 *
 * Handlers return an HTTP status and leave the JSON value in rq->out.
 * Errors go through cgi_error(), which builds {"error":{"message":...}}.
 * die_http() is the escape hatch for failures deep in lib/: it aborts any
 * open transaction, writes one clean JSON error and exits.
 */
#ifndef TORC_CGI_H
#define TORC_CGI_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "bounds.h"

struct config;

#define CGI_MAX_ARGS	4
#define CGI_MAX_HEADERS	8

struct qparam {
	char		*key;
	char		*val;
	int		 used;
};

struct request {
	const char	*method;
	const char	*resource;		/* "workflows", from SCRIPT_NAME */
	char		*path;			/* "/workflows/3/status", decoded */
	char		*segs[TORC_MAX_SEGS];
	int		 nsegs;
	struct qparam	 params[TORC_MAX_PARAMS];
	int		 nparams;
	char		*body;			/* NUL-terminated, body_len bytes */
	size_t		 body_len;
	cJSON		*json;			/* parsed body (routes with ROUTE_JSON) */

	/* Route captures, in pattern order: ":xxx_id"/":id" set id[], all set arg[]. */
	int64_t		 id[CGI_MAX_ARGS];
	const char	*arg[CGI_MAX_ARGS];
	int		 nargs;

	/* Identity: user is "anonymous" unless authenticated is set. */
	const char	*user;
	int		 authenticated;
	const struct config *cfg;

	/* Response. */
	int		 status;
	cJSON		*out;			/* NULL: empty body */
	const char	*raw_out;		/* preformatted JSON text, wins over out */
	const char	*hdr_name[CGI_MAX_HEADERS];
	const char	*hdr_val[CGI_MAX_HEADERS];
	int		 nhdr;
};

typedef int (*handler_fn)(struct request *);

/* Route flags. */
#define ROUTE_JSON	0x01	/* a JSON body is required */
#define ROUTE_JSON_OPT	0x02	/* a JSON body is parsed when present */
#define ROUTE_RAW	0x04	/* body kept raw, not parsed */

/*
 * A route: method, pattern and allowed query keys.  Pattern segments that
 * start with ':' capture; a capture whose name ends in "id" must be a
 * positive decimal integer (else 400).  query lists the allowed parameter
 * names separated by commas ("" = none); anything else is 400.
 * A table ends with a row whose method is NULL.
 */
struct route {
	const char	*method;
	const char	*pattern;
	handler_fn	 fn;
	unsigned	 flags;
	const char	*query;
};

int	cgi_main(int argc, char **argv, const struct route *routes);

/* Responses. */
int	cgi_no_route(struct request *rq, const char *path);
int	cgi_error(struct request *rq, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	cgi_error_named(struct request *rq, int status, const char *name,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	cgi_header(struct request *rq, const char *name, const char *value);
void	die_http(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
void	cgi_set_cleanup(void (*fn)(void));	/* run by die_http before replying */
const char *cgi_reason(int status);

/*
 * Query parameters.  Each returns the default when the key is absent and
 * answers 400 through die_http() when the value is malformed or repeated.
 */
const char *cgi_param(struct request *rq, const char *key);
int64_t	cgi_param_int(struct request *rq, const char *key, int64_t def,
	    int64_t min, int64_t max);
int	cgi_param_bool(struct request *rq, const char *key, int def);
double	cgi_param_double(struct request *rq, const char *key, double def);
int	cgi_param_all(struct request *rq, const char *key, const char **vals,
	    int max);

/* Parsing helpers shared with tools and tests. */
int	cgi_parse_int64(const char *s, int64_t *out);	/* 0 ok, -1 bad */
int	cgi_url_decode(char *s, int plus_is_space);	/* in place; -1 on bad %XX */
int	cgi_parse_query(struct request *rq, const char *qs);	/* 0 or HTTP status */
int	cgi_split_path(struct request *rq, const char *path);	/* 0 or HTTP status */
int	cgi_match(const struct route *r, struct request *rq);	/* 1 match, 0 no, <0 -status */

#endif
