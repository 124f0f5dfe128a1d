/*
 * table.c: aligned plain-text tables (see table.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "util.h"

struct table {
	size_t	  ncols;
	char	 *headers[TABLE_MAX_COLS];
	size_t	  max[TABLE_MAX_COLS];
	char	***rows;
	size_t	  nrows;
	size_t	  cap;
};

size_t
table_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

char *
table_cell(const char *s, size_t max)
{
	struct strbuf b = { 0 };
	size_t shown = 0;

	if (s == NULL)
		return xstrdup("");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch & 0xC0) != 0x80) {
			if (max > 0 && shown + 1 > max) {
				/* Drop back to leave room for "...". */
				while (b.len > 0 && shown > max - 3) {
					b.len--;
					if (((unsigned char)b.p[b.len] & 0xC0)
					    != 0x80)
						shown--;
				}
				b.p[b.len] = '\0';
				sb_puts(&b, "...");
				break;
			}
			shown++;
		}
		if (ch == '\n' || ch == '\r' || ch == '\t')
			sb_append(&b, " ", 1);
		else if (ch < 0x20 || ch == 0x7f)
			sb_append(&b, "?", 1);
		else
			sb_append(&b, s, 1);
	}
	return sb_take(&b);
}

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof(*t));
	size_t i;

	if (ncols > TABLE_MAX_COLS)
		ncols = TABLE_MAX_COLS;
	t->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		t->headers[i] = table_cell(headers[i], 0);
		t->max[i] = TABLE_MAX_CELL;
	}
	return t;
}

void
table_set_max(struct table *t, size_t col, size_t max)
{
	if (col < t->ncols)
		t->max[col] = max == 0 ? 0 : (max < 4 ? 4 : max);
}

void
table_add(struct table *t, const char *const *cells)
{
	char **row;
	size_t i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	row = xcalloc(t->ncols, sizeof(char *));
	for (i = 0; i < t->ncols; i++)
		row[i] = table_cell(cells[i], t->max[i]);
	t->rows[t->nrows++] = row;
}

size_t
table_rows(const struct table *t)
{
	return t->nrows;
}

/* A cell that is a whole number or a decimal/exponent number. */
static int
is_number(const char *s)
{
	char *end;

	if (*s == '\0' || *s == ' ' || *s == '+')
		return 0;
	for (const char *p = s; *p; p++)
		if (*p != '-' && *p != '.' && *p != 'e' && *p != 'E' &&
		    *p != '+' && (*p < '0' || *p > '9'))
			return 0;
	strtod(s, &end);
	return *end == '\0';
}

static void
pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void
print_row(const struct table *t, char *const *cells, const size_t *w,
    const int *right, FILE *out)
{
	size_t i, cw, last = t->ncols;

	/* Trailing empty cells print nothing. */
	while (last > 0 && cells[last - 1][0] == '\0' && !right[last - 1])
		last--;
	for (i = 0; i < last; i++) {
		cw = table_width(cells[i]);
		if (i > 0)
			fputs("  ", out);
		if (right[i])
			pad(out, w[i] - cw);
		fputs(cells[i], out);
		if (!right[i] && i + 1 < last)
			pad(out, w[i] - cw);
	}
	fputc('\n', out);
}

void
table_print(const struct table *t, FILE *out)
{
	size_t w[TABLE_MAX_COLS], i, r;
	int right[TABLE_MAX_COLS];
	char *rule[TABLE_MAX_COLS];

	for (i = 0; i < t->ncols; i++) {
		w[i] = table_width(t->headers[i]);
		right[i] = t->nrows > 0;
		for (r = 0; r < t->nrows; r++) {
			size_t cw = table_width(t->rows[r][i]);

			if (cw > w[i])
				w[i] = cw;
			if (t->rows[r][i][0] != '\0' &&
			    !is_number(t->rows[r][i]))
				right[i] = 0;
		}
		rule[i] = xmalloc(w[i] + 1);
		memset(rule[i], '-', w[i]);
		rule[i][w[i]] = '\0';
	}
	print_row(t, t->headers, w, right, out);
	print_row(t, rule, w, right, out);
	for (r = 0; r < t->nrows; r++)
		print_row(t, t->rows[r], w, right, out);
	for (i = 0; i < t->ncols; i++)
		free(rule[i]);
}

void
table_free(struct table *t)
{
	size_t i, r;

	if (t == NULL)
		return;
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++)
			free(t->rows[r][i]);
		free(t->rows[r]);
	}
	free(t->rows);
	for (i = 0; i < t->ncols; i++)
		free(t->headers[i]);
	free(t);
}
