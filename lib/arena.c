/*
 * arena.c: the request arena.  Chunks are malloc'd and chained; a large
 * allocation gets a chunk of its own.  Nothing is freed one by one:
 * arena_free_all() releases every chunk, so ASan and valgrind leak checks
 * stay meaningful for CGI processes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "cgi.h"

#define ARENA_CHUNK	(64 * 1024)

struct chunk {
	struct chunk	*next;
	size_t		 used, size;
	unsigned char	 data[];
};

static struct chunk *head;

static void
oom(void)
{
	die_http(500, "out of memory");
}

void *
arena_alloc(size_t n)
{
	struct chunk *c;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n)
		oom();
	if (head == NULL || head->size - head->used < need) {
		size_t sz = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + sz)) == NULL)
			oom();
		c->size = sz;
		c->used = 0;
		if (head != NULL && sz != ARENA_CHUNK) {
			/* A big one-off: keep the current chunk in front. */
			c->next = head->next;
			head->next = c;
			c->used = sz;
			memset(c->data, 0, sz);
			return c->data;
		}
		c->next = head;
		head = c;
	}
	void *p = head->data + head->used;
	head->used += need;
	memset(p, 0, need);
	return p;
}

void *
arena_realloc(void *p, size_t old, size_t n)
{
	void *q = arena_alloc(n);
	if (p != NULL)
		memcpy(q, p, old < n ? old : n);
	return q;
}

char *
arena_strndup(const char *s, size_t n)
{
	char *p = arena_alloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(const char *s)
{
	return arena_strndup(s, strlen(s));
}

char *
arena_vprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	if (fmt == NULL)
		fmt = "";
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		die_http(500, "format error");
	char *p = arena_alloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(fmt, ap);
	va_end(ap);
	return p;
}

static void *
cjson_malloc(size_t n)
{
	return arena_alloc(n);
}

static void
cjson_free(void *p)
{
	(void)p;		/* released with the arena */
}

void
arena_use_for_cjson(void)
{
	cJSON_Hooks h = { cjson_malloc, cjson_free };
	cJSON_InitHooks(&h);
}

void
arena_free_all(void)
{
	while (head != NULL) {
		struct chunk *n = head->next;
		free(head);
		head = n;
	}
}
