/*
 * opts.c: the option parser of the torc CLI (see opts.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "util.h"

#define MAX_COUNT	9007199254740992LL	/* 2^53 */

static const struct opt *
find_long(const struct opt *opts, const char *name, size_t len)
{
	for (; opts->lname != NULL; opts++)
		if (strlen(opts->lname) == len &&
		    strncmp(opts->lname, name, len) == 0)
			return opts;
	return NULL;
}

static const struct opt *
find_short(const struct opt *opts, char c)
{
	for (; opts->lname != NULL; opts++)
		if (opts->sname == c)
			return opts;
	return NULL;
}

/* Stores value into o's destination; -1 with a message if it is bad. */
static int
store(const struct opt *o, const char *value, char *err, size_t errlen)
{
	int64_t i;
	double d;

	switch (o->kind) {
	case OPT_FLAG:
		*(int *)o->dest = 1;
		return 0;
	case OPT_STR:
		*(const char **)o->dest = value;
		return 0;
	case OPT_COUNT:
		if (parse_i64(value, 0, MAX_COUNT, &i) != 0) {
			snprintf(err, errlen, "option '--%s' needs a whole "
			    "number >= 0, not '%s'", o->lname, value);
			return -1;
		}
		*(int64_t *)o->dest = i;
		return 0;
	case OPT_NUM:
		if (parse_f64(value, 0, 1e300, &d) != 0) {
			snprintf(err, errlen, "option '--%s' needs a number "
			    ">= 0, not '%s'", o->lname, value);
			return -1;
		}
		*(double *)o->dest = d;
		return 0;
	}
	return -1;
}

int
opts_parse(int argc, char **argv, const struct opt *opts, int flags,
    struct opts_out *o, char *err, size_t errlen)
{
	int i, only_args = 0;

	memset(o, 0, sizeof(*o));
	o->pos = xcalloc((size_t)argc + 1, sizeof(char *));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		const struct opt *op;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (flags & OPTS_STOP_AT_ARG)
				break;
			o->pos[o->npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			if (flags & OPTS_STOP_AT_ARG) {
				i++;
				break;
			}
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			op = find_long(opts, name, len);
			if (op == NULL && len == 4 &&
			    strncmp(name, "help", 4) == 0 && eq == NULL) {
				o->help = 1;
				continue;
			}
			if (op == NULL) {
				snprintf(err, errlen, "unknown option '--%.*s'",
				    (int)(len > 64 ? 64 : len), name);
				goto bad;
			}
			if (op->kind == OPT_FLAG) {
				if (eq != NULL) {
					snprintf(err, errlen, "option '--%s' "
					    "takes no value", op->lname);
					goto bad;
				}
			} else if (eq != NULL) {
				value = eq + 1;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				snprintf(err, errlen, "option '--%s' needs a "
				    "value", op->lname);
				goto bad;
			}
		} else {
			op = find_short(opts, a[1]);
			if (op == NULL && a[1] == 'h' && a[2] == '\0') {
				o->help = 1;
				continue;
			}
			if (op == NULL) {
				snprintf(err, errlen, "unknown option '-%c'",
				    a[1]);
				goto bad;
			}
			if (op->kind == OPT_FLAG) {
				if (a[2] != '\0') {
					snprintf(err, errlen, "option '-%c' "
					    "takes no value", a[1]);
					goto bad;
				}
			} else if (a[2] != '\0') {
				value = a + 2;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				snprintf(err, errlen, "option '-%c' needs a "
				    "value", a[1]);
				goto bad;
			}
		}
		if (store(op, value, err, errlen) != 0)
			goto bad;
	}
	o->next = i;
	return 0;
bad:
	free(o->pos);
	o->pos = NULL;
	o->npos = 0;
	return -1;
}
