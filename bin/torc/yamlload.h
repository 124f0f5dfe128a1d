/*
 * yamlload.h: YAML (through libyaml) to a cJSON tree, for workflow specs.
 *
 * Mappings become objects, sequences arrays.  Plain (unquoted) scalars are
 * typed by the YAML 1.2 core schema: null, ~ and the empty scalar are null;
 * true/false (three spellings each) are booleans; decimal, 0o octal and 0x
 * hex integers and decimal floats are numbers; everything else, and every
 * quoted or block scalar, is a string.  Explicit tags !!str, !!int,
 * !!float, !!bool and !!null are honoured; other tags on scalars are
 * refused.  .inf and .nan are refused (JSON cannot carry them).
 *
 * Anchors and aliases are supported (an alias is a deep copy of the anchored
 * node), as are merge keys (<<: *base), where the mapping's own keys win.
 * Refused with a line number: duplicate keys, non-scalar keys, more than one
 * document, nesting deeper than YAMLLOAD_MAX_DEPTH, and documents that grow
 * past YAMLLOAD_MAX_NODES nodes through aliases.
 */
#ifndef TORC_YAMLLOAD_H
#define TORC_YAMLLOAD_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define YAMLLOAD_MAX_DEPTH	64		/* nesting of sequences/mappings */
#define YAMLLOAD_MAX_NODES	1000000		/* nodes, aliases expanded */

/*
 * Parses len bytes of YAML text.  Returns a new tree the caller frees with
 * cJSON_Delete(), or NULL with "line L, column C: message" in err (caller's
 * buffer of errlen bytes).  An empty document is an error.
 */
cJSON	*yamlload_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
