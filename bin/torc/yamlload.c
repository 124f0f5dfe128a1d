/*
 * yamlload.c: libyaml's event stream folded into a cJSON tree.
 *
 * One recursive function builds a node from the current event, pulling
 * more events for sequences and mappings.  Anchored nodes are remembered
 * by pointer (they stay inside the tree being built, or in a "graveyard"
 * array for merge sources that are not part of the result) and an alias
 * is a cJSON_Duplicate of its target, so the result is a plain tree.
 * Sizes and heights of anchored nodes are recorded so that aliases cannot
 * blow the tree up past YAMLLOAD_MAX_NODES or YAMLLOAD_MAX_DEPTH.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yamlload.h"

struct anchor {
	char	*name;
	cJSON	*node;		/* borrowed: inside the result or the graveyard */
	size_t	 count;		/* nodes in the subtree */
	int	 height;	/* levels in the subtree (a scalar is 0) */
};

struct loader {
	yaml_parser_t	 parser;
	yaml_event_t	 ev;		/* the current event */
	int		 have_ev;	/* ev must be deleted */
	struct anchor	*anchors;
	size_t		 nanchors, capanchors;
	cJSON		*graveyard;	/* merge sources kept for their anchors */
	size_t		 nodes;		/* nodes created so far */
	int		 depth;		/* open collections */
	int		 failed;
	char		*err;
	size_t		 errlen;
};

/* Size of a built subtree. */
struct info {
	size_t	count;
	int	height;
};

#define SHOWN	64	/* bytes of a key or value quoted in a message */

enum want { W_ANY, W_NULL, W_BOOL, W_INT, W_FLOAT };

static void	 fail(struct loader *y, const yaml_mark_t *m, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
static cJSON	*node(struct loader *y, struct info *inf);

static void
fail(struct loader *y, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (y->failed)
		return;
	y->failed = 1;
	if (y->err == NULL || y->errlen == 0)
		return;
	n = snprintf(y->err, y->errlen, "line %zu, column %zu: ",
	    m->line + 1, m->column + 1);
	if (n < 0 || (size_t)n >= y->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(y->err + n, y->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Copies at most SHOWN bytes of s into dst, control characters as '?'. */
static void
shown(char dst[SHOWN + 4], const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < SHOWN; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i] != '\0')
		dst[i++] = '.', dst[i++] = '.', dst[i++] = '.';
	dst[i] = '\0';
}

/* Moves to the next event; returns -1 (reported) on a syntax error. */
static int
next(struct loader *y)
{
	yaml_mark_t m;

	if (y->have_ev) {
		yaml_event_delete(&y->ev);
		y->have_ev = 0;
	}
	if (!yaml_parser_parse(&y->parser, &y->ev)) {
		m = y->parser.problem_mark;
		if (y->parser.error == YAML_MEMORY_ERROR)
			fail(y, &m, "out of memory");
		else if (y->parser.context != NULL)
			fail(y, &m, "%s (%s at line %zu)", y->parser.problem ?
			    y->parser.problem : "syntax error", y->parser.context,
			    y->parser.context_mark.line + 1);
		else
			fail(y, &m, "%s", y->parser.problem ? y->parser.problem :
			    "syntax error");
		return -1;
	}
	y->have_ev = 1;
	return 0;
}

static int
count_node(struct loader *y, size_t n)
{
	y->nodes += n;
	if (y->nodes > YAMLLOAD_MAX_NODES) {
		fail(y, &y->ev.start_mark, "document too large: more than %d nodes (aliases expanded)",
		    YAMLLOAD_MAX_NODES);
		return -1;
	}
	return 0;
}

static int
remember(struct loader *y, const char *name, cJSON *v, const struct info *inf)
{
	struct anchor *na;
	size_t ncap;

	if (y->nanchors == y->capanchors) {
		ncap = y->capanchors ? 2 * y->capanchors : 16;
		if ((na = realloc(y->anchors, ncap * sizeof(*na))) == NULL)
			goto oom;
		y->anchors = na;
		y->capanchors = ncap;
	}
	na = &y->anchors[y->nanchors];
	if ((na->name = strdup(name)) == NULL)
		goto oom;
	na->node = v;
	na->count = inf->count;
	na->height = inf->height;
	y->nanchors++;
	return 0;
oom:
	fail(y, &y->ev.start_mark, "out of memory");
	return -1;
}

static int
is_digits(const char *s, const char *set)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (strchr(set, *s) == NULL)
			return 0;
	return 1;
}

/* Core-schema float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int
is_float(const char *s)
{
	int nint = 0, nfrac = 0, nexp = 0;

	if (*s == '+' || *s == '-')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, nint++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, nfrac++;
		if (nint == 0 && nfrac == 0)
			return 0;
	} else if (nint == 0) {
		return 0;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		while (*s >= '0' && *s <= '9')
			s++, nexp++;
		if (nexp == 0)
			return 0;
	}
	return *s == '\0';
}

/* Parses digits of a base-8 or base-16 integer into a double. */
static double
radix_value(const char *s, int base)
{
	double v = 0;

	for (; *s; s++)
		v = v * base + (*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
	return v;
}

/*
 * Types a plain scalar by the core schema.  Returns the node, or NULL with
 * *bad set when the text is not of the wanted type (or not representable).
 */
static cJSON *
resolve(struct loader *y, const char *s, enum want w)
{
	const char *u = (*s == '+' || *s == '-') ? s + 1 : s;
	char vs[SHOWN + 4];
	double v;

	if (w == W_ANY || w == W_NULL) {
		if (!*s || !strcmp(s, "~") || !strcmp(s, "null") ||
		    !strcmp(s, "Null") || !strcmp(s, "NULL"))
			return cJSON_CreateNull();
		if (w == W_NULL)
			goto bad;
	}
	if (w == W_ANY || w == W_BOOL) {
		if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
			return cJSON_CreateTrue();
		if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
			return cJSON_CreateFalse();
		if (w == W_BOOL)
			goto bad;
	}
	if (!strcmp(u, ".inf") || !strcmp(u, ".Inf") || !strcmp(u, ".INF") ||
	    !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		if (w == W_ANY || w == W_FLOAT) {
			shown(vs, s);
			fail(y, &y->ev.start_mark, "'%s' cannot be represented in JSON; quote it for a string", vs);
			return NULL;
		}
		goto bad;
	}
	if (!strncmp(s, "0o", 2) && is_digits(s + 2, "01234567"))
		return cJSON_CreateNumber(radix_value(s + 2, 8));
	if (!strncmp(s, "0x", 2) && is_digits(s + 2, "0123456789abcdefABCDEF"))
		return cJSON_CreateNumber(radix_value(s + 2, 16));
	if (is_digits(u, "0123456789") || (w != W_INT && is_float(s))) {
		v = strtod(s, NULL);
		if (isinf(v)) {
			shown(vs, s);
			fail(y, &y->ev.start_mark, "number '%s' out of range", vs);
			return NULL;
		}
		return cJSON_CreateNumber(v);
	}
	if (w == W_ANY)
		return cJSON_CreateString(s);
bad:
	shown(vs, s);
	fail(y, &y->ev.start_mark, "'%s' is not a valid !!%s", vs,
	    w == W_NULL ? "null" : w == W_BOOL ? "bool" : w == W_INT ? "int" : "float");
	return NULL;
}

static cJSON *
scalar(struct loader *y)
{
	const char *s = (const char *)y->ev.data.scalar.value;
	const char *tag = (const char *)y->ev.data.scalar.tag;
	char ts[SHOWN + 4];
	cJSON *v;

	if (strlen(s) != y->ev.data.scalar.length) {
		fail(y, &y->ev.start_mark, "NUL characters in strings are not supported");
		return NULL;
	}
	if (tag == NULL) {
		if (y->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			v = resolve(y, s, W_ANY);
		else
			v = cJSON_CreateString(s);
	} else if (!strcmp(tag, "!") || !strcmp(tag, YAML_STR_TAG)) {
		v = cJSON_CreateString(s);
	} else if (!strcmp(tag, YAML_NULL_TAG)) {
		v = resolve(y, s, W_NULL);
	} else if (!strcmp(tag, YAML_BOOL_TAG)) {
		v = resolve(y, s, W_BOOL);
	} else if (!strcmp(tag, YAML_INT_TAG)) {
		v = resolve(y, s, W_INT);
	} else if (!strcmp(tag, YAML_FLOAT_TAG)) {
		v = resolve(y, s, W_FLOAT);
	} else {
		shown(ts, tag);
		fail(y, &y->ev.start_mark, "unsupported tag '%s'", ts);
		return NULL;
	}
	if (v == NULL && !y->failed)
		fail(y, &y->ev.start_mark, "out of memory");
	return v;
}

static cJSON *
alias(struct loader *y, struct info *inf)
{
	const char *name = (const char *)y->ev.data.alias.anchor;
	char ns[SHOWN + 4];
	struct anchor *a = NULL;
	cJSON *v;
	size_t i;

	for (i = y->nanchors; i > 0; i--)
		if (!strcmp(y->anchors[i - 1].name, name)) {
			a = &y->anchors[i - 1];
			break;
		}
	if (a == NULL) {
		shown(ns, name);
		fail(y, &y->ev.start_mark, "alias '*%s' refers to no (complete) anchor", ns);
		return NULL;
	}
	if (y->depth + a->height > YAMLLOAD_MAX_DEPTH) {
		fail(y, &y->ev.start_mark, "nesting deeper than %d levels", YAMLLOAD_MAX_DEPTH);
		return NULL;
	}
	if (count_node(y, a->count) < 0)
		return NULL;
	if ((v = cJSON_Duplicate(a->node, 1)) == NULL) {
		fail(y, &y->ev.start_mark, "out of memory");
		return NULL;
	}
	inf->count = a->count;
	inf->height = a->height;
	return v;
}

static int
enter(struct loader *y)
{
	if (++y->depth > YAMLLOAD_MAX_DEPTH) {
		fail(y, &y->ev.start_mark, "nesting deeper than %d levels", YAMLLOAD_MAX_DEPTH);
		return -1;
	}
	return 0;
}

static cJSON *
sequence(struct loader *y, struct info *inf)
{
	struct info ci;
	cJSON *arr, *v;

	if (enter(y) < 0)
		return NULL;
	if ((arr = cJSON_CreateArray()) == NULL) {
		fail(y, &y->ev.start_mark, "out of memory");
		return NULL;
	}
	for (;;) {
		if (next(y) < 0)
			goto bad;
		if (y->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if ((v = node(y, &ci)) == NULL)
			goto bad;
		if (!cJSON_AddItemToArray(arr, v)) {
			cJSON_Delete(v);
			fail(y, &y->ev.start_mark, "out of memory");
			goto bad;
		}
		inf->count += ci.count;
		if (ci.height + 1 > inf->height)
			inf->height = ci.height + 1;
	}
	y->depth--;
	return arr;
bad:
	cJSON_Delete(arr);
	return NULL;
}

/* The text of a mapping key (malloc'd), or NULL (reported). */
static char *
key_text(struct loader *y)
{
	struct info ki = { 0, 0 };
	cJSON *k;
	char *s = NULL;

	if (y->ev.type == YAML_SCALAR_EVENT) {
		if (strlen((const char *)y->ev.data.scalar.value) != y->ev.data.scalar.length) {
			fail(y, &y->ev.start_mark, "NUL characters in keys are not supported");
			return NULL;
		}
		s = strdup((const char *)y->ev.data.scalar.value);
	} else if (y->ev.type == YAML_ALIAS_EVENT) {
		if ((k = alias(y, &ki)) == NULL)
			return NULL;
		if (cJSON_IsString(k))
			s = strdup(k->valuestring);
		else if (!cJSON_IsArray(k) && !cJSON_IsObject(k))
			s = cJSON_PrintUnformatted(k);
		else {
			cJSON_Delete(k);
			fail(y, &y->ev.start_mark, "mapping keys must be scalars");
			return NULL;
		}
		cJSON_Delete(k);
	} else {
		fail(y, &y->ev.start_mark, "mapping keys must be scalars");
		return NULL;
	}
	if (s == NULL)
		fail(y, &y->ev.start_mark, "out of memory");
	return s;
}

static int
oom(struct loader *y, const yaml_mark_t *m)
{
	fail(y, m, "out of memory");
	return -1;
}

/* Adds the merge source v (a mapping or a list of them) to the list srcs. */
static int
add_merge(struct loader *y, cJSON *srcs, cJSON *v, const yaml_mark_t *m)
{
	cJSON *e;

	if (cJSON_IsObject(v))
		return cJSON_AddItemReferenceToArray(srcs, v) ? 0 : oom(y, m);
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsObject(e))
				goto bad;
			if (!cJSON_AddItemReferenceToArray(srcs, e))
				return oom(y, m);
		}
		return 0;
	}
bad:
	fail(y, m, "merge key '<<' needs a mapping or a list of mappings");
	return -1;
}

static size_t
tree_count(const cJSON *v)
{
	const cJSON *c;
	size_t n = 1;

	cJSON_ArrayForEach(c, v)
		n += tree_count(c);
	return n;
}

static cJSON *
mapping(struct loader *y, struct info *inf)
{
	struct info ci;
	yaml_mark_t km;
	cJSON *obj, *srcs, *v, *src, *e, *d;
	char *key = NULL, ks[SHOWN + 4];
	int merge;

	if (enter(y) < 0)
		return NULL;
	obj = cJSON_CreateObject();
	srcs = cJSON_CreateArray();
	if (obj == NULL || srcs == NULL) {
		fail(y, &y->ev.start_mark, "out of memory");
		goto bad;
	}
	for (;;) {
		if (next(y) < 0)
			goto bad;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			break;
		km = y->ev.start_mark;
		merge = y->ev.type == YAML_SCALAR_EVENT &&
		    y->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    y->ev.data.scalar.tag == NULL &&
		    !strcmp((const char *)y->ev.data.scalar.value, "<<");
		if ((key = key_text(y)) == NULL)
			goto bad;
		if (!merge && cJSON_GetObjectItemCaseSensitive(obj, key) != NULL) {
			shown(ks, key);
			fail(y, &km, "duplicate key '%s'", ks);
			goto bad;
		}
		if (next(y) < 0 || (v = node(y, &ci)) == NULL)
			goto bad;
		if (merge) {
			/* Kept alive: anchors may point into it. */
			if (!cJSON_AddItemToArray(y->graveyard, v)) {
				cJSON_Delete(v);
				fail(y, &km, "out of memory");
				goto bad;
			}
			if (add_merge(y, srcs, v, &km) < 0)
				goto bad;
		} else {
			if (!cJSON_AddItemToObject(obj, key, v)) {
				cJSON_Delete(v);
				fail(y, &km, "out of memory");
				goto bad;
			}
			inf->count += ci.count;
			if (ci.height + 1 > inf->height)
				inf->height = ci.height + 1;
		}
		free(key);
		key = NULL;
	}
	/* Merged keys never override the mapping's own; earlier sources win. */
	cJSON_ArrayForEach(src, srcs) {
		cJSON_ArrayForEach(e, src) {
			if (cJSON_GetObjectItemCaseSensitive(obj, e->string) != NULL)
				continue;
			if ((d = cJSON_Duplicate(e, 1)) == NULL) {
				fail(y, &y->ev.start_mark, "out of memory");
				goto bad;
			}
			if (!cJSON_AddItemToObject(obj, e->string, d)) {
				cJSON_Delete(d);
				fail(y, &y->ev.start_mark, "out of memory");
				goto bad;
			}
			ci.count = tree_count(d);
			if (count_node(y, ci.count) < 0)
				goto bad;
			inf->count += ci.count;
		}
	}
	cJSON_Delete(srcs);
	y->depth--;
	return obj;
bad:
	free(key);
	cJSON_Delete(srcs);
	cJSON_Delete(obj);
	return NULL;
}

/* Builds the node starting at the current event (which it consumes). */
static cJSON *
node(struct loader *y, struct info *inf)
{
	const yaml_char_t *a = NULL;
	char *anchor = NULL;
	cJSON *v = NULL;

	inf->count = 1;
	inf->height = 0;
	switch (y->ev.type) {
	case YAML_SCALAR_EVENT:
		a = y->ev.data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		a = y->ev.data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		a = y->ev.data.mapping_start.anchor;
		break;
	case YAML_ALIAS_EVENT:
		return alias(y, inf);
	default:
		fail(y, &y->ev.start_mark, "unexpected YAML event");
		return NULL;
	}
	if (a != NULL && (anchor = strdup((const char *)a)) == NULL) {
		fail(y, &y->ev.start_mark, "out of memory");
		return NULL;
	}
	if (count_node(y, 1) < 0)
		goto out;
	if (y->ev.type == YAML_SCALAR_EVENT)
		v = scalar(y);
	else if (y->ev.type == YAML_SEQUENCE_START_EVENT)
		v = sequence(y, inf);
	else
		v = mapping(y, inf);
	if (v != NULL && anchor != NULL && remember(y, anchor, v, inf) < 0) {
		cJSON_Delete(v);
		v = NULL;
	}
out:
	free(anchor);
	return v;
}

cJSON *
yamlload_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct loader y;
	struct info inf;
	cJSON *root = NULL;
	size_t i;

	memset(&y, 0, sizeof(y));
	y.err = err;
	y.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!yaml_parser_initialize(&y.parser)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
	if ((y.graveyard = cJSON_CreateArray()) == NULL) {
		fail(&y, &y.parser.mark, "out of memory");
		goto out;
	}
	if (next(&y) < 0 || next(&y) < 0)	/* stream start, document start */
		goto out;
	if (y.ev.type == YAML_STREAM_END_EVENT) {
		fail(&y, &y.ev.start_mark, "empty document");
		goto out;
	}
	if (next(&y) < 0 || (root = node(&y, &inf)) == NULL)
		goto out;
	if (next(&y) < 0 || next(&y) < 0)	/* document end, then? */
		goto fail;
	if (y.ev.type == YAML_DOCUMENT_START_EVENT) {
		fail(&y, &y.ev.start_mark, "only one YAML document per file is supported");
		goto fail;
	}
	goto out;
fail:
	cJSON_Delete(root);
	root = NULL;
out:
	if (y.have_ev)
		yaml_event_delete(&y.ev);
	yaml_parser_delete(&y.parser);
	for (i = 0; i < y.nanchors; i++)
		free(y.anchors[i].name);
	free(y.anchors);
	cJSON_Delete(y.graveyard);
	return root;
}
