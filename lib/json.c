/*
 * json.c: strict parsing and typed field access over cJSON.
 *
 * cJSON accepts duplicate keys and nests up to 1000 levels; we want neither.
 * json_parse() first scans the text for depth (outside strings), then lets
 * cJSON parse, then walks the tree for duplicate keys.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cgi.h"
#include "json.h"
#include "bounds.h"

static int
depth_ok(const char *s, size_t len)
{
	int depth = 0, instr = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (instr) {
			if (c == '\\')
				i++;
			else if (c == '"')
				instr = 0;
			continue;
		}
		if (c == '"')
			instr = 1;
		else if (c == '{' || c == '[') {
			if (++depth > TORC_MAX_JSON_DEPTH)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

static const char *
find_dup(const cJSON *v)
{
	for (const cJSON *c = v ? v->child : NULL; c; c = c->next) {
		if (cJSON_IsObject(v))
			for (const cJSON *d = c->next; d; d = d->next)
				if (strcmp(c->string, d->string) == 0)
					return c->string;
		const char *r = find_dup(c);
		if (r != NULL)
			return r;
	}
	return NULL;
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
	if (!depth_ok(text, len)) {
		snprintf(err, errlen, "nesting deeper than %d levels", TORC_MAX_JSON_DEPTH);
		return NULL;
	}
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
	const char *dup = find_dup(v);
	if (dup != NULL) {
		snprintf(err, errlen, "duplicate key '%.64s'", dup);
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
