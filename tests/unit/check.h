/*
 * check.h: the unit-test harness.  Each test program includes this, calls
 * CHECK* macros and ends main with `return check_done();`, which prints the
 * closing "N passed, M failed" line and exits non-zero on any failure.
 */
#ifndef TORC_CHECK_H
#define TORC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond) do { \
	if (cond) check_pass++; \
	else { check_fail++; fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_INT(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) check_pass++; \
	else { check_fail++; fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, check_a_, check_b_); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ != NULL && check_b_ != NULL && strcmp(check_a_, check_b_) == 0) check_pass++; \
	else { check_fail++; fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); } \
} while (0)

static inline int
check_done(void)
{
	printf("%d passed, %d failed\n", check_pass, check_fail);
	return check_fail ? 1 : 0;
}

#endif
