/*
 * test_units.c: Torc's memory sizes (1024-based, k/m/g/t in either case,
 * an optional trailing b) and ISO 8601 durations (a year is 365.25 days,
 * a month 30.44), good and bad.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "units.h"

static void
mem_good(const char *s, int64_t want)
{
	int64_t got = -12345;
	int r = units_memory(s, &got);
	if (r != 0 || got != want)
		fprintf(stderr, "units_memory(\"%s\") = %d, %lld; want %lld\n", s, r,
		    (long long)got, (long long)want);
	CHECK(r == 0 && got == want);
}

static void
mem_bad(const char *s)
{
	int64_t got = -12345;
	int r = units_memory(s, &got);
	if (r != -1)
		fprintf(stderr, "units_memory(\"%s\") accepted: %lld\n", s, (long long)got);
	CHECK(r == -1 && got == -12345);
}

static void
dur_good(const char *s, double want)
{
	double got = -1;
	int r = units_duration(s, &got);
	if (r != 0 || fabs(got - want) > 1e-6)
		fprintf(stderr, "units_duration(\"%s\") = %d, %f; want %f\n", s, r, got, want);
	CHECK(r == 0 && fabs(got - want) <= 1e-6);
}

static void
dur_bad(const char *s)
{
	double got = -12345;
	int r = units_duration(s, &got);
	if (r != -1)
		fprintf(stderr, "units_duration(\"%s\") accepted: %f\n", s, got);
	CHECK(r == -1 && got == -12345);
}

#define K 1024LL
#define M (1024LL * 1024)
#define G (1024LL * 1024 * 1024)
#define T (1024LL * 1024 * 1024 * 1024)

int
main(void)
{
	/* Memory. */
	mem_good("0", 0);
	mem_good("1", 1);
	mem_good("512", 512);
	mem_good("1k", K);
	mem_good("1K", K);
	mem_good("1m", M);
	mem_good("1M", M);
	mem_good("20g", 20 * G);
	mem_good("20G", 20 * G);
	mem_good("2t", 2 * T);
	mem_good("8gb", 8 * G);
	mem_good("512MB", 512 * M);
	mem_good("4Kb", 4 * K);
	mem_good("0m", 0);
	mem_good("0010m", 10 * M);
	mem_good("8388607t", 8388607 * T);		/* the largest that fits */
	mem_good("9223372036854775807", INT64_MAX);

	mem_bad("");
	mem_bad("m");
	mem_bad("gb");
	mem_bad("-1");
	mem_bad("-1m");
	mem_bad("+1m");
	mem_bad("1.5g");
	mem_bad("1x");
	mem_bad("1p");
	mem_bad("1 m");
	mem_bad("1m ");
	mem_bad("1mm");
	mem_bad("1bb");
	mem_bad("1mbb");
	mem_bad("1b");		/* a suffix b only after k/m/g/t */
	mem_bad("0x10");
	mem_bad("8388608t");				/* overflows int64 */
	mem_bad("9223372036854775808");
	mem_bad("99999999999999999999g");
	mem_bad("1e3");

	/* Durations. */
	dur_good("PT0S", 0);
	dur_good("P0DT1M", 60);
	dur_good("PT1H", 3600);
	dur_good("PT90S", 90);
	dur_good("PT1.5H", 5400);
	dur_good("PT0.5S", 0.5);
	dur_good("P1D", 86400);
	dur_good("P1DT2H30M", 86400 + 2 * 3600 + 30 * 60);
	dur_good("P1W", 7 * 86400);
	dur_good("P1Y", 365.25 * 86400);
	dur_good("P1M", 30.44 * 86400);		/* M before T is months ... */
	dur_good("PT1M", 60);			/* ... after T, minutes */
	dur_good("P1Y2M3DT4H5M6S", 365.25 * 86400 + 2 * 30.44 * 86400 + 3 * 86400 +
	    4 * 3600 + 5 * 60 + 6);
	dur_good("P0D", 0);
	dur_good("PT36H", 36 * 3600);

	dur_bad("");
	dur_bad("P");
	dur_bad("PT");
	dur_bad("P1DT");	/* a T must be followed by a time part */
	dur_bad("1H");
	dur_bad("T1H");
	dur_bad("pt1h");
	dur_bad("PT1h");
	dur_bad("P1H");		/* hours need the T */
	dur_bad("P1S");
	dur_bad("PT1D");	/* days cannot follow T */
	dur_bad("PT1Y");
	dur_bad("PT1W");
	dur_bad("PTT1H");
	dur_bad("PT1HT1M");
	dur_bad("P-1D");
	dur_bad("PT-5S");
	dur_bad("P1");
	dur_bad("PT1");
	dur_bad("PT1HX");
	dur_bad("PT1H ");
	dur_bad(" PT1H");
	dur_bad("P1D2");
	dur_bad("PTinfS");	/* strtod words and forms are not ISO 8601 numbers */
	dur_bad("PTINFINITYS");
	dur_bad("PTnanS");
	dur_bad("PT0x10S");
	dur_bad("PT1e3S");
	dur_bad("PT+5S");
	dur_bad("P 1D");
	dur_bad("PT.5S");
	dur_bad("PT5.S");
	dur_bad("01:00:00");

	return check_done();
}
