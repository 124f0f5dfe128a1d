/*
 * arena.h: per-process bump allocator.  A CGI process serves one request,
 * so everything it allocates lives until arena_free_all() just before exit.
 * Allocation failure calls die_http(500) and never returns NULL.
 */
#ifndef TORC_ARENA_H
#define TORC_ARENA_H
#include <stddef.h>
#include <stdarg.h>

void	*arena_alloc(size_t n);			/* zeroed, 16-byte aligned */
void	*arena_realloc(void *p, size_t old, size_t n);
char	*arena_strdup(const char *s);
char	*arena_strndup(const char *s, size_t n);
char	*arena_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*arena_vprintf(const char *fmt, va_list ap);
void	 arena_use_for_cjson(void);		/* route cJSON allocations here */
void	 arena_free_all(void);

#endif
