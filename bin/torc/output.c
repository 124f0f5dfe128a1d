/*
 * output.c: tables and JSON on stdout (see output.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "table.h"
#include "util.h"

static enum out_format format = FMT_TABLE;

void
out_set_format(enum out_format f)
{
	format = f;
}

enum out_format
out_format(void)
{
	return format;
}

static void
number_text(double d, char *buf, size_t len)
{
	if (isfinite(d) && fabs(d) < 1e15 && d == (double)(int64_t)d)
		snprintf(buf, len, "%.0f", d);
	else if (isfinite(d) && fabs(d) < 1e15 && fabs(d) >= 1) {
		/* Plain digits (a file's mtime is 1796319112.43, not 1.796e+09). */
		snprintf(buf, len, "%.4f", d);
		char *e = buf + strlen(buf) - 1;
		while (*e == '0')
			*e-- = '\0';
		if (*e == '.')
			*e = '\0';
	} else
		snprintf(buf, len, "%.4g", d);
}

static int
scalar(const cJSON *v)
{
	return cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v) ||
	    cJSON_IsNull(v);
}

char *
out_cell(const cJSON *v)
{
	char buf[64];

	if (v == NULL || cJSON_IsNull(v))
		return xstrdup("");
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		number_text(v->valuedouble, buf, sizeof(buf));
		return xstrdup(buf);
	}
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsArray(v)) {
		struct strbuf b = { 0 };
		const cJSON *it;
		int all = 1;

		cJSON_ArrayForEach(it, v)
			if (!scalar(it))
				all = 0;
		if (all) {
			sb_puts(&b, "");
			cJSON_ArrayForEach(it, v) {
				char *c = out_cell(it);

				if (b.len > 0)
					sb_puts(&b, ",");
				sb_puts(&b, c);
				free(c);
			}
			return sb_take(&b);
		}
	}
	{
		char *s = cJSON_PrintUnformatted(v);

		if (s == NULL)
			cli_fatal_oom();
		return s;
	}
}

/* A scalar (or empty container) as compact JSON text. */
static void
put_compact(const cJSON *v, FILE *out)
{
	char *s = cJSON_PrintUnformatted(v);

	if (s == NULL)
		cli_fatal_oom();
	fputs(s, out);
	free(s);
}

static void
indent(int depth, FILE *out)
{
	fputc('\n', out);
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

/* Pretty JSON with two-space indents, as jq and serde_json print it. */
static void
put_pretty(const cJSON *v, int depth, FILE *out)
{
	const cJSON *it;
	int obj = cJSON_IsObject(v);

	if ((!obj && !cJSON_IsArray(v)) || v->child == NULL) {
		put_compact(v, out);
		return;
	}
	fputc(obj ? '{' : '[', out);
	for (it = v->child; it != NULL; it = it->next) {
		indent(depth + 1, out);
		if (obj) {
			cJSON *key = cJSON_CreateString(it->string);

			if (key == NULL)
				cli_fatal_oom();
			put_compact(key, out);
			cJSON_Delete(key);
			fputs(": ", out);
		}
		put_pretty(it, depth + 1, out);
		if (it->next != NULL)
			fputc(',', out);
	}
	indent(depth, out);
	fputc(obj ? '}' : ']', out);
}

void
out_json(const cJSON *v)
{
	put_pretty(v, 0, stdout);
	fputc('\n', stdout);
}

void
out_object(const cJSON *obj)
{
	static const char *const hdr[] = { "FIELD", "VALUE" };
	const cJSON *it;
	struct table *t;

	if (format == FMT_JSON || !cJSON_IsObject(obj)) {
		out_json(obj);
		return;
	}
	t = table_new(2, hdr);
	table_set_max(t, 1, 200);
	cJSON_ArrayForEach(it, obj) {
		char *v = out_cell(it);
		const char *row[2] = { it->string, v };

		table_add(t, row);
		free(v);
	}
	table_print(t, stdout);
	table_free(t);
}

void
out_list(const cJSON *items, const struct column *cols, size_t ncols,
    const char *json_key)
{
	const char *hdr[TABLE_MAX_COLS] = { 0 }, *row[TABLE_MAX_COLS] = { 0 };
	char *cells[TABLE_MAX_COLS];
	const cJSON *it;
	struct table *t;
	size_t i;

	if (format == FMT_JSON) {
		if (json_key == NULL) {
			out_json(items);
		} else {
			cJSON *o = jnew_object();

			jadd(o, json_key, jdup(items));
			out_json(o);
			cJSON_Delete(o);
		}
		return;
	}
	if (ncols > TABLE_MAX_COLS)
		ncols = TABLE_MAX_COLS;
	for (i = 0; i < ncols; i++)
		hdr[i] = cols[i].header;
	t = table_new(ncols, hdr);
	for (i = 0; i < ncols; i++)
		if (cols[i].max > 0)
			table_set_max(t, i, cols[i].max);
	cJSON_ArrayForEach(it, items) {
		for (i = 0; i < ncols; i++) {
			cells[i] = out_cell(cJSON_GetObjectItemCaseSensitive(it,
			    cols[i].key));
			row[i] = cells[i];
		}
		table_add(t, row);
		for (i = 0; i < ncols; i++)
			free(cells[i]);
	}
	table_print(t, stdout);
	table_free(t);
}
