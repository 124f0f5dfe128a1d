/*
 * table.h: plain-text tables for the CLI's default output format.
 *
 *   ID  NAME        STATUS
 *   --  ----------  ---------
 *    1  preprocess  completed
 *
 * Columns are as wide as their widest cell (counted in characters, UTF-8
 * aware), two spaces apart; a column whose cells are all numbers is
 * aligned right.  Cells are made safe for a terminal: control characters
 * (escape sequences included) become '?', a line break becomes a space,
 * and a cell longer than its column's limit ends in "...".  Trailing
 * spaces are not printed.
 */
#ifndef TORC_CLI_TABLE_H
#define TORC_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_CELL	60	/* characters shown of a cell by default */
#define TABLE_MAX_COLS	32

struct table;

/* A table with ncols (<= TABLE_MAX_COLS) columns and these headers. */
struct table *table_new(size_t ncols, const char *const *headers);

/* Limits column col to max characters (>= 4); 0: no limit. */
void	 table_set_max(struct table *t, size_t col, size_t max);

/* Adds a row of ncols cells (copied, sanitized; NULL is empty). */
void	 table_add(struct table *t, const char *const *cells);

size_t	 table_rows(const struct table *t);

/* Prints the header, a dashed rule and the rows. */
void	 table_print(const struct table *t, FILE *out);

void	 table_free(struct table *t);

/*
 * The cell text of s as table_add stores it: sanitized, cut to max
 * characters (0: no cut) with "...".  Caller frees.
 */
char	*table_cell(const char *s, size_t max);

/* Characters in s (UTF-8 lead bytes). */
size_t	 table_width(const char *s);

#endif
