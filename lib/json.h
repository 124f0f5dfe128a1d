/*
 * json.h: strict JSON in, typed fields out.
 *
 * json_parse() rejects malformed text, duplicate object keys, nesting
 * deeper than TORC_MAX_JSON_DEPTH and trailing garbage.  The field helpers
 * read one member of an object with a type check; a wrong type or a missing
 * required member makes them answer 400 through die_http(), naming the field.
 */
#ifndef TORC_JSON_H
#define TORC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Returns the tree, or NULL with a message in err (caller's buffer). */
cJSON	*json_parse(const char *text, size_t len, char *err, size_t errlen);

/* Field access: obj may be NULL (then every field is absent). */
int	 json_has(const cJSON *obj, const char *key);	/* present and not null */
int64_t	 json_int(const cJSON *obj, const char *key, int64_t def);
int64_t	 json_req_int(const cJSON *obj, const char *key);
double	 json_num(const cJSON *obj, const char *key, double def);
double	 json_req_num(const cJSON *obj, const char *key);
int	 json_bool(const cJSON *obj, const char *key, int def);
const char *json_str(const cJSON *obj, const char *key, const char *def);
const char *json_req_str(const cJSON *obj, const char *key);
/* An int array member: returns count (0 if absent), *out arena-allocated. */
int	 json_int_array(const cJSON *obj, const char *key, int64_t **out);

/* Building. */
void	 json_set_int(cJSON *obj, const char *key, int64_t v);
void	 json_set_num(cJSON *obj, const char *key, double v);
void	 json_set_str(cJSON *obj, const char *key, const char *v);	/* NULL: remove */
void	 json_set_bool(cJSON *obj, const char *key, int v);
void	 json_set(cJSON *obj, const char *key, cJSON *v);	/* replace or add */
cJSON	*json_int_list(const int64_t *v, int n);
char	*json_print(const cJSON *v);			/* arena or malloc: see cJSON hooks */

#endif
