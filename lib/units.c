/*
 * units.c: parse memory sizes and ISO 8601 durations (see units.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

int
units_memory(const char *s, int64_t *bytes)
{
	char *end;
	int64_t mult = 1;
	long long v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v < 0)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': mult = 1024LL; end++; break;
	case 'm': mult = 1024LL * 1024; end++; break;
	case 'g': mult = 1024LL * 1024 * 1024; end++; break;
	case 't': mult = 1024LL * 1024 * 1024 * 1024; end++; break;
	default: return -1;
	}
	if (tolower((unsigned char)*end) == 'b')	/* "8gb", "512MB" */
		end++;
	if (*end != '\0' || (v > 0 && mult > INT64_MAX / v))
		return -1;
	*bytes = v * mult;
	return 0;
}

int
units_duration(const char *s, double *secs)
{
	const char *p = s;
	double total = 0;
	int in_time = 0, any = 0, any_time = 0;

	if (*p++ != 'P')
		return -1;
	while (*p) {
		if (*p == 'T') {
			if (in_time)
				return -1;
			in_time = 1;
			p++;
			continue;
		}
		/* Digits with an optional fraction: no sign, exponent, hex, inf or nan. */
		const char *q = p;
		while (isdigit((unsigned char)*q))
			q++;
		if (q == p)
			return -1;
		if (*q == '.') {
			const char *f = ++q;
			while (isdigit((unsigned char)*q))
				q++;
			if (q == f)
				return -1;
		}
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end != q || errno != 0 || v < 0)
			return -1;
		double unit;
		switch (*end) {
		case 'Y': if (in_time) return -1; unit = 365.25 * 86400; break;
		case 'M': unit = in_time ? 60 : 30.44 * 86400; break;
		case 'W': if (in_time) return -1; unit = 7 * 86400; break;
		case 'D': if (in_time) return -1; unit = 86400; break;
		case 'H': if (!in_time) return -1; unit = 3600; break;
		case 'S': if (!in_time) return -1; unit = 1; break;
		default: return -1;
		}
		total += v * unit;
		any = 1;
		any_time |= in_time;
		p = end + 1;
	}
	if (!any || (in_time && !any_time))	/* "P", "PT", "P1DT" */
		return -1;
	*secs = total;
	return 0;
}
