/*
 * json.c: strict parsing and typed field access over cJSON.
 *
 * cJSON accepts duplicate keys, nests up to 1000 levels, and is lenient
 * where RFC 8259 is not: leading zeros ("01"), "1.", raw control characters
 * and invalid UTF-8 in strings, numbers beyond a double (stored as null),
 * and \u0000, which silently cuts a C string short.  json_parse() first
 * scans the text once (depth, strings, number grammar), then lets cJSON
 * parse, then walks the tree for duplicate keys (sorted per object, so a
 * body with many keys costs n log n, not n^2) and non-finite numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cgi.h"
#include "json.h"
#include "bounds.h"

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')

/* Bytes in the valid UTF-8 sequence at s (n available), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp, min;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes in the RFC 8259 number at s (n available), 0 if it is not one. */
static size_t
number_len(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && IS_DIGIT(s[i]))
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && IS_DIGIT(s[i]); i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && IS_DIGIT(s[i]); i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && IS_DIGIT(s[i]))	/* "01" */
		return 0;
	return i;
}

/*
 * One pass over the text: nesting depth, string contents and number
 * grammar.  The structure itself is left to cJSON.  1 ok, 0 with err.
 */
static int
scan_ok(const char *text, size_t len, char *err, size_t errlen)
{
	const unsigned char *s = (const unsigned char *)text;
	int depth = 0;

	for (size_t i = 0; i < len; ) {
		unsigned c = s[i];
		if (c == '"') {
			size_t start = i;
			for (i++; i < len; ) {
				c = s[i];
				if (c == '"')
					break;
				if (c < 0x20) {
					snprintf(err, errlen, "unescaped control character in string at byte %zu", i);
					return 0;
				}
				if (c == '\\') {
					if (i + 6 <= len && memcmp(s + i + 1, "u0000", 5) == 0) {
						snprintf(err, errlen, "\\u0000 (NUL) in string at byte %zu", i);
						return 0;
					}
					i += 2;
					continue;
				}
				size_t l = utf8_len(s + i, len - i);
				if (l == 0) {
					snprintf(err, errlen, "invalid UTF-8 in string at byte %zu", i);
					return 0;
				}
				i += l;
			}
			if (i - start - 1 > TORC_MAX_STRING) {
				snprintf(err, errlen, "string longer than %ld bytes at byte %zu",
				    (long)TORC_MAX_STRING, start);
				return 0;
			}
			i++;		/* the closing quote (or past the end) */
			continue;
		}
		if (c == '-' || IS_DIGIT(c)) {
			size_t l = number_len(text + i, len - i);
			if (l == 0) {
				snprintf(err, errlen, "malformed number at byte %zu", i);
				return 0;
			}
			i += l;
			continue;
		}
		if (c == '{' || c == '[') {
			if (++depth > TORC_MAX_JSON_DEPTH) {
				snprintf(err, errlen, "nesting deeper than %d levels", TORC_MAX_JSON_DEPTH);
				return 0;
			}
		} else if (c == '}' || c == ']')
			depth--;
		i++;
	}
	return 1;
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char * const *)a, *(const char * const *)b);
}

/* A key that occurs twice in object v, or NULL. */
static const char *
object_dup(const cJSON *v)
{
	const char *small[16], **keys = small;
	size_t n = 0;

	for (const cJSON *c = v->child; c; c = c->next)
		n++;
	if (n < 2)
		return NULL;
	if (n > sizeof(small) / sizeof(small[0]))
		keys = arena_alloc(n * sizeof(*keys));
	n = 0;
	for (const cJSON *c = v->child; c; c = c->next)
		keys[n++] = c->string;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (size_t i = 1; i < n; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			return keys[i];
	return NULL;
}

/* Duplicate keys and non-finite numbers anywhere in v.  1 ok, 0 with err. */
static int
tree_ok(const cJSON *v, char *err, size_t errlen)
{
	const char *dup;

	if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
		snprintf(err, errlen, "number out of range");
		return 0;
	}
	if (cJSON_IsObject(v) && (dup = object_dup(v)) != NULL) {
		snprintf(err, errlen, "duplicate key '%.64s'", dup);
		return 0;
	}
	for (const cJSON *c = v->child; c; c = c->next)
		if (!tree_ok(c, err, errlen))
			return 0;
	return 1;
}

cJSON *
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *v;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "NUL byte in body");
		return NULL;
	}
	if (!scan_ok(text, len, err, errlen))
		return NULL;
	v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (v == NULL) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
		snprintf(err, errlen, "malformed JSON near byte %zu", off);
		return NULL;
	}
	while (end && end < text + len && (*end == ' ' || *end == '\n' ||
	    *end == '\r' || *end == '\t'))
		end++;
	if (end && end < text + len) {
		snprintf(err, errlen, "trailing data after JSON value at byte %zu",
		    (size_t)(end - text));
		cJSON_Delete(v);
		return NULL;
	}
	if (!tree_ok(v, err, errlen)) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static const cJSON *
member(const cJSON *obj, const char *key)
{
	const cJSON *v;
	if (obj == NULL || !cJSON_IsObject(obj))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	return v;
}

int
json_has(const cJSON *obj, const char *key)
{
	return member(obj, key) != NULL;
}

static int64_t
as_int(const cJSON *v, const char *key)
{
	double d;
	if (!cJSON_IsNumber(v))
		die_http(400, "field '%s' must be an integer", key);
	d = v->valuedouble;
	if (d != floor(d) || d < -9007199254740992.0 || d > 9007199254740992.0)
		die_http(400, "field '%s' must be an integer", key);
	return (int64_t)d;
}

int64_t
json_int(const cJSON *obj, const char *key, int64_t def)
{
	const cJSON *v = member(obj, key);
	return v ? as_int(v, key) : def;
}

int64_t
json_req_int(const cJSON *obj, const char *key)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		die_http(400, "missing required field '%s'", key);
	return as_int(v, key);
}

double
json_num(const cJSON *obj, const char *key, double def)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		return def;
	if (!cJSON_IsNumber(v))
		die_http(400, "field '%s' must be a number", key);
	return v->valuedouble;
}

double
json_req_num(const cJSON *obj, const char *key)
{
	if (member(obj, key) == NULL)
		die_http(400, "missing required field '%s'", key);
	return json_num(obj, key, 0);
}

int
json_bool(const cJSON *obj, const char *key, int def)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		return def;
	if (!cJSON_IsBool(v))
		die_http(400, "field '%s' must be true or false", key);
	return cJSON_IsTrue(v);
}

const char *
json_str(const cJSON *obj, const char *key, const char *def)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		return def;
	if (!cJSON_IsString(v))
		die_http(400, "field '%s' must be a string", key);
	return v->valuestring;
}

const char *
json_req_str(const cJSON *obj, const char *key)
{
	if (member(obj, key) == NULL)
		die_http(400, "missing required field '%s'", key);
	return json_str(obj, key, NULL);
}

int
json_int_array(const cJSON *obj, const char *key, int64_t **out)
{
	const cJSON *v = member(obj, key), *e;
	int n = 0;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!cJSON_IsArray(v))
		die_http(400, "field '%s' must be an array of integers", key);
	int cnt = cJSON_GetArraySize(v);
	if (cnt == 0)
		return 0;
	*out = arena_alloc(sizeof(int64_t) * (size_t)cnt);
	cJSON_ArrayForEach(e, v) {
		int64_t x = as_int(e, key);
		if (x <= 0)
			die_http(400, "field '%s' must hold positive ids", key);
		(*out)[n++] = x;
	}
	return n;
}

void
json_set(cJSON *obj, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
}

void
json_set_int(cJSON *obj, const char *key, int64_t v)
{
	json_set(obj, key, cJSON_CreateNumber((double)v));
}

void
json_set_num(cJSON *obj, const char *key, double v)
{
	json_set(obj, key, cJSON_CreateNumber(v));
}

void
json_set_str(cJSON *obj, const char *key, const char *v)
{
	if (v == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	else
		json_set(obj, key, cJSON_CreateString(v));
}

void
json_set_bool(cJSON *obj, const char *key, int v)
{
	json_set(obj, key, cJSON_CreateBool(v));
}

cJSON *
json_int_list(const int64_t *v, int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[i]));
	return a;
}

char *
json_print(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	if (s == NULL)
		die_http(500, "cannot format JSON");
	return s;
}
