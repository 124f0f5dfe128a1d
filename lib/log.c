/*
 * log.c: leveled log lines on stderr.  One write(2) per line so lines from
 * concurrent CGI processes do not interleave inside a line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

static int cur_level = LOG_INFO;
static const char *names[] = { "OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };

void
log_set_level(int level)
{
	cur_level = level;
}

int
log_get_level(void)
{
	return cur_level;
}

int
log_parse_level(const char *s)
{
	for (int i = 0; i <= LOG_TRACE; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	if (strcasecmp(s, "warning") == 0)
		return LOG_WARN;
	return -1;
}

void
log_msg(int level, const char *target, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n, m;

	if (level > cur_level || level <= LOG_OFF)
		return;
	n = snprintf(buf, sizeof(buf), "%s %s: ", names[level], target);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	/* Control characters from user input must not forge log lines. */
	for (int i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = '?';
	buf[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
	(void)w;
}
