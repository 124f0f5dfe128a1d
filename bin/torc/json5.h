/*
 * json5.h: a JSON5 reader for workflow spec files, producing a cJSON tree.
 *
 * JSON5 (https://spec.json5.org) is JSON plus: // and block comments,
 * trailing commas, unquoted identifier keys, single-quoted strings, hex
 * numbers, a leading or trailing decimal point, a leading '+', escaped
 * line breaks inside strings and a few more escapes (\x, \v, \0).  Plain
 * JSON is a subset.  With JSON5_STRICT only RFC 8259 JSON is accepted.
 *
 * Refused on purpose, with a clear message: Infinity and NaN (JSON cannot
 * carry them), NUL characters in strings (cJSON strings end at NUL),
 * duplicate keys in one object, nesting deeper than JSON5_MAX_DEPTH,
 * invalid UTF-8 and anything after the top-level value.
 */
#ifndef TORC_JSON5_H
#define TORC_JSON5_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define JSON5_MAX_DEPTH	64	/* nesting of arrays/objects */

#define JSON5_STRICT	0x1	/* plain JSON only: no JSON5 extensions */

/*
 * Parses len bytes of text (need not be NUL-terminated).  Returns a new
 * tree the caller frees with cJSON_Delete(), or NULL with a message in
 * err (caller's buffer of errlen bytes) of the form
 * "line L, column C: message"; columns count characters from 1.
 * Numbers become cJSON doubles.  Key order is kept.
 */
cJSON	*json5_parse(const char *text, size_t len, int flags,
	    char *err, size_t errlen);

#endif
