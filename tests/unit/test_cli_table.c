/*
 * test_cli_table.c: unit tests of the torc CLI's table formatting
 * (bin/torc/table.c) and JSON-to-cell conversion (out_cell in
 * bin/torc/output.c): widths in characters, right-aligned number columns,
 * trailing spaces, terminal-safe cells, truncation at a character
 * boundary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../bin/torc/output.h"
#include "../../bin/torc/table.h"

/* Prints t into a string (caller frees). */
static char *
render(const struct table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	table_print(t, f);
	fclose(f);
	return buf;
}

static void
test_width_and_cells(void)
{
	char *c;

	CHECK_INT(table_width(""), 0);
	CHECK_INT(table_width("abc"), 3);
	CHECK_INT(table_width("ünï"), 3);
	CHECK_INT(table_width("日本語"), 3);

	c = table_cell("plain", 0);
	CHECK_STR(c, "plain");
	free(c);
	c = table_cell(NULL, 0);
	CHECK_STR(c, "");
	free(c);
	/* Escape sequences and control characters cannot reach a terminal. */
	c = table_cell("a\033[31mred\007b", 0);
	CHECK_STR(c, "a?[31mred?b");
	free(c);
	c = table_cell("two\nlines\tand\rtab", 0);
	CHECK_STR(c, "two lines and tab");
	free(c);
	c = table_cell("x\x7fy", 0);
	CHECK_STR(c, "x?y");
	free(c);
	/* Cut to max characters, ending in "...". */
	c = table_cell("abcdefghij", 6);
	CHECK_STR(c, "abc...");
	CHECK_INT(table_width(c), 6);
	free(c);
	c = table_cell("abcdef", 6);
	CHECK_STR(c, "abcdef");
	free(c);
	/* Never in the middle of a UTF-8 character. */
	c = table_cell("ééééééééé", 5);
	CHECK_STR(c, "éé...");
	free(c);
}

static void
test_layout(void)
{
	static const char *const hdr[] = { "ID", "NAME", "STATUS" };
	const char *r1[] = { "1", "preprocess", "completed" };
	const char *r2[] = { "12", "w", "" };
	struct table *t = table_new(3, hdr);
	char *out;

	table_add(t, r1);
	table_add(t, r2);
	CHECK_INT(table_rows(t), 2);
	out = render(t);
	CHECK_STR(out,
	    "ID  NAME        STATUS\n"
	    "--  ----------  ---------\n"
	    " 1  preprocess  completed\n"
	    "12  w\n");
	free(out);
	table_free(t);

	/* A header-only table. */
	t = table_new(2, hdr);
	out = render(t);
	CHECK_STR(out, "ID  NAME\n--  ----\n");
	free(out);
	table_free(t);

	/* Mixed numbers and text: left aligned; floats count as numbers. */
	{
		static const char *const h[] = { "V", "F" };
		const char *a[] = { "1", "0.5" }, *b[] = { "x", "1e-05" };

		t = table_new(2, h);
		table_add(t, a);
		table_add(t, b);
		out = render(t);
		CHECK_STR(out, "V      F\n-  -----\n1    0.5\nx  1e-05\n");
		free(out);
		table_free(t);
	}

	/* Column limits. */
	{
		static const char *const h[] = { "C" };
		const char *a[] = { "0123456789" };

		t = table_new(1, h);
		table_set_max(t, 0, 5);
		table_add(t, a);
		out = render(t);
		CHECK_STR(out, "C\n-----\n01...\n");
		free(out);
		table_free(t);
	}
	/* Unicode widths line up in characters. */
	{
		static const char *const h[] = { "N", "X" };
		const char *a[] = { "ünï", "1" }, *b[] = { "abcd", "2" };

		t = table_new(2, h);
		table_add(t, a);
		table_add(t, b);
		out = render(t);
		CHECK_STR(out, "N     X\n----  -\nünï   1\nabcd  2\n");
		free(out);
		table_free(t);
	}
}

static void
cell_is(const char *json, const char *want)
{
	cJSON *v = cJSON_Parse(json);
	char *c = out_cell(v);

	CHECK_STR(c, want);
	free(c);
	cJSON_Delete(v);
}

static void
test_out_cell(void)
{
	char *c = out_cell(NULL);

	CHECK_STR(c, "");
	free(c);
	cell_is("null", "");
	cell_is("\"text\"", "text");
	cell_is("42", "42");
	cell_is("-7", "-7");
	cell_is("1733234567", "1733234567");
	cell_is("0.5", "0.5");
	cell_is("0.00280242", "0.002802");
	cell_is("1796319112.43", "1796319112.43");	/* a file's mtime */
	cell_is("2.5", "2.5");
	cell_is("-12.000049", "-12");
	cell_is("3.14159", "3.1416");
	cell_is("true", "true");
	cell_is("false", "false");
	cell_is("[1,2,3]", "1,2,3");
	cell_is("[]", "");
	cell_is("[\"a\",\"b\"]", "a,b");
	cell_is("{\"alpha\":0.5}", "{\"alpha\":0.5}");
	cell_is("[{\"a\":1}]", "[{\"a\":1}]");
}

int
main(void)
{
	test_width_and_cells();
	test_layout();
	test_out_cell();
	return check_done();
}
