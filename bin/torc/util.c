/*
 * util.c: messages, allocation, string buffers, cJSON helpers, strict
 * number parsing and time strings for the torc CLI (see util.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define MAX_JSON_INT	9007199254740992LL	/* 2^53 */

static void
vmsg(const char *kind, const char *fmt, va_list ap)
{
	fputs("torc: ", stderr);
	if (kind != NULL)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning", fmt, ap);
	va_end(ap);
}

void
cli_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void
cli_fatal_oom(void)
{
	fputs("torc: fatal: out of memory\n", stderr);
	exit(EXIT_TEMP);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		cli_fatal_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		cli_fatal_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		cli_fatal_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		cli_fatal_oom();
	return d;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		cli_fatal_oom();
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
sb_append(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sb_puts(struct strbuf *b, const char *s)
{
	sb_append(b, s, strlen(s));
}

void
sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_puts(b, s);
	free(s);
}

char *
sb_take(struct strbuf *b)
{
	char *p = b->p ? b->p : xstrdup("");

	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

static cJSON *
jcheck(cJSON *v)
{
	if (v == NULL)
		cli_fatal_oom();
	return v;
}

cJSON *
jnew_object(void)
{
	return jcheck(cJSON_CreateObject());
}

cJSON *
jnew_array(void)
{
	return jcheck(cJSON_CreateArray());
}

void
jadd(cJSON *obj, const char *key, cJSON *v)
{
	if (!cJSON_AddItemToObject(obj, key, jcheck(v)))
		cli_fatal_oom();
}

void
jadd_num(cJSON *obj, const char *key, double n)
{
	jadd(obj, key, cJSON_CreateNumber(n));
}

void
jadd_str(cJSON *obj, const char *key, const char *s)
{
	jadd(obj, key, cJSON_CreateString(s));
}

void
jadd_bool(cJSON *obj, const char *key, int b)
{
	jadd(obj, key, cJSON_CreateBool(b));
}

void
jpush(cJSON *arr, cJSON *v)
{
	if (!cJSON_AddItemToArray(arr, jcheck(v)))
		cli_fatal_oom();
}

cJSON *
jdup(const cJSON *v)
{
	return jcheck(cJSON_Duplicate(v, 1));
}

void
jset_num(cJSON *obj, const char *key, double n)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	jadd_num(obj, key, n);
}

void
jset_bool(cJSON *obj, const char *key, int b)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	jadd_bool(obj, key, b);
}

const char *
jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double
jnum(const cJSON *obj, const char *key, double fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

int64_t
jint(const cJSON *obj, const char *key, int64_t fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    fabs(v->valuedouble) > (double)MAX_JSON_INT)
		return fallback;
	return (int64_t)v->valuedouble;
}

int
jbool(const cJSON *obj, const char *key, int fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	return fallback;
}

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_id(const char *s, int64_t *out)
{
	return parse_i64(s, 1, MAX_JSON_INT, out);
}

int
parse_f64(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
iso_time(double t, char *buf, size_t len)
{
	time_t sec = (time_t)t;
	int ms = (int)((t - (double)sec) * 1000.0);
	struct tm tm;

	if (ms < 0)
		ms = 0;
	if (ms > 999)
		ms = 999;
	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ms);
}
