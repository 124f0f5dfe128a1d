/*
 * units.h: Torc's memory and duration strings.
 *
 * Memory: an integer with an optional k/m/g/t suffix, either case,
 * 1024-based; a bare number is bytes ("1m" = 1048576).
 * Duration: ISO 8601 (PT1H, P0DT1M, P1DT2H30M, PT90S, P1W); a year is
 * 365.25 days and a month 30.44 days, as Torc counts them.
 */
#ifndef TORC_UNITS_H
#define TORC_UNITS_H

#include <stdint.h>

int	units_memory(const char *s, int64_t *bytes);	/* 0 ok, -1 bad */
int	units_duration(const char *s, double *secs);	/* 0 ok, -1 bad */

#endif
