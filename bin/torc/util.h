/*
 * util.h: the small pieces every part of the torc CLI shares: exit codes,
 * messages in the project's format ("torc: error: ..."), allocation that
 * ends the program when memory runs out, a growing string buffer, cJSON
 * accessors that tolerate missing or mistyped members, strict number
 * parsing and wall-clock strings.
 *
 * Nothing here talks to the server; see http.h and api.h for that.
 */
#ifndef TORC_CLI_UTIL_H
#define TORC_CLI_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Exit codes, as docs/hacking.md lists them for every tool. */
#define EXIT_OK		0	/* done */
#define EXIT_FAIL	1	/* refused by the server, or the work failed */
#define EXIT_USAGE	100	/* bad command line */
#define EXIT_BUG	101	/* internal bug */
#define EXIT_CONFIG	102	/* misconfiguration */
#define EXIT_TEMP	111	/* temporary: network, server unavailable, memory */

/*
 * Messages on stderr: "torc: error: ...", "torc: warning: ...",
 * "torc: ..." (info).  The text is printed as given; callers never pass a
 * password or an Authorization header.  cli_fatal_oom() exits 111.
 */
void	 cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 cli_fatal_oom(void) __attribute__((noreturn));

/* Allocation: never returns NULL (out of memory ends the program). */
void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);			/* NULL stays NULL */
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *fmt, va_list ap);

/* A NUL-terminated growing buffer; start zeroed, take or free p. */
struct strbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
void	 sb_append(struct strbuf *b, const char *s, size_t n);
void	 sb_puts(struct strbuf *b, const char *s);
void	 sb_printf(struct strbuf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
char	*sb_take(struct strbuf *b);		/* "" if empty; caller frees */

/* cJSON construction that ends the program when memory runs out. */
cJSON	*jnew_object(void);
cJSON	*jnew_array(void);
void	 jadd(cJSON *obj, const char *key, cJSON *v);	/* takes v */
void	 jadd_num(cJSON *obj, const char *key, double n);
void	 jadd_str(cJSON *obj, const char *key, const char *s);
void	 jadd_bool(cJSON *obj, const char *key, int b);
void	 jpush(cJSON *arr, cJSON *v);			/* takes v */
cJSON	*jdup(const cJSON *v);				/* deep copy */
void	 jset_num(cJSON *obj, const char *key, double n);	/* replace or add */
void	 jset_bool(cJSON *obj, const char *key, int b);

/*
 * Accessors on a possibly NULL object: jstr returns the string member or
 * NULL; jnum/jint the number member or the fallback; jbool a boolean (or
 * number) as 0/1, else the fallback.
 */
const char *jstr(const cJSON *obj, const char *key);
double	 jnum(const cJSON *obj, const char *key, double fallback);
int64_t	 jint(const cJSON *obj, const char *key, int64_t fallback);
int	 jbool(const cJSON *obj, const char *key, int fallback);

/*
 * Strict numbers: the whole string must be the number.  parse_id accepts
 * 1 .. 2^53 (JSON-exact), parse_i64 any value in [min, max], parse_f64 a
 * finite value in [min, max].  Return 0 and set *out, or -1.
 */
int	 parse_id(const char *s, int64_t *out);
int	 parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
int	 parse_f64(const char *s, double min, double max, double *out);

/* Time: seconds on the monotonic clock; epoch seconds of the wall clock. */
double	 mono_now(void);
double	 wall_now(void);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) for epoch seconds t, into buf (>= 32). */
void	 iso_time(double t, char *buf, size_t len);

#endif
