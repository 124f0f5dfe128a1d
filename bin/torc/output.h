/*
 * output.h: what the commands print on stdout, in the format chosen with
 * -f/--format: a table (default) or JSON (pretty-printed, exactly the
 * objects the server returned, or the envelope the command documents).
 */
#ifndef TORC_CLI_OUTPUT_H
#define TORC_CLI_OUTPUT_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum out_format { FMT_TABLE, FMT_JSON };

/* The format for everything printed from now on. */
void	 out_set_format(enum out_format f);
enum out_format out_format(void);

/* A column of a list table: the member shown and its header. */
struct column {
	const char	*key;
	const char	*header;
	size_t		 max;	/* characters shown; 0: TABLE_MAX_CELL */
};

/*
 * A JSON value as one table cell: strings as they are, whole numbers
 * without a decimal point, other numbers with up to 6 significant
 * digits, booleans as true/false, null or missing as "", arrays of
 * scalars joined with ",", anything else as compact JSON.  Caller frees.
 */
char	*out_cell(const cJSON *v);

/* Prints v as pretty JSON and a newline. */
void	 out_json(const cJSON *v);

/*
 * Prints an object: a FIELD/VALUE table of its members (in its own order)
 * or the object as JSON.
 */
void	 out_object(const cJSON *obj);

/*
 * Prints a list: a table with the given columns (ncols of them), one row
 * per item, or JSON: the bare array if json_key is NULL, else
 * {json_key: items}.
 */
void	 out_list(const cJSON *items, const struct column *cols, size_t ncols,
	    const char *json_key);

#endif
