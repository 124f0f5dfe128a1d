/*
 * model.c: generic create/get/list/update/delete over field tables.
 *
 * Every handler here runs its storage work in one transaction through
 * store_run() and checks workflow access (access.h) for workflow-scoped
 * resources before it reads or writes anything inside a workflow.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "arena.h"
#include "cgi.h"
#include "json.h"
#include "bounds.h"
#include "model.h"
#include "store.h"

static int
type_ok(const cJSON *v, enum ftype type)
{
	const cJSON *e;
	switch (type) {
	case F_INT:
		return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
		    fabs(v->valuedouble) <= 9007199254740992.0;
	case F_NUM:
		return cJSON_IsNumber(v);
	case F_BOOL:
		return cJSON_IsBool(v);
	case F_STR:
		return cJSON_IsString(v);
	case F_ANY:
		return 1;
	case F_OBJ:
		return cJSON_IsObject(v);
	case F_INTLIST:
		if (!cJSON_IsArray(v))
			return 0;
		cJSON_ArrayForEach(e, v)
			if (!type_ok(e, F_INT) || e->valuedouble <= 0)
				return 0;
		return 1;
	case F_STRLIST:
		if (!cJSON_IsArray(v))
			return 0;
		cJSON_ArrayForEach(e, v)
			if (!cJSON_IsString(e))
				return 0;
		return 1;
	}
	return 0;
}

static const char *
type_name(enum ftype type)
{
	switch (type) {
	case F_INT: return "an integer";
	case F_NUM: return "a number";
	case F_BOOL: return "true or false";
	case F_STR: return "a string";
	case F_OBJ: return "an object";
	case F_INTLIST: return "an array of positive integers";
	case F_STRLIST: return "an array of strings";
	default: return "a JSON value";
	}
}

static const struct field *
find_field(const struct resource *res, const char *name)
{
	for (const struct field *f = res->fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/*
 * Name the unknown fields in a Warning header.  Built in one pass (joining
 * with arena_printf was quadratic: 20,000 keys outlived the CGI lifetime);
 * control characters, which no header may carry, become '?'; and the list
 * stops at WARNING_MAX bytes with "...", since lighttpd answers 502 for
 * response headers past 64 KiB, after the write was committed.
 * (A bound: it belongs in bounds.h with the others.)
 */
#define WARNING_MAX	4096

static void
warn_unknown(struct request *rq, const struct resource *res, const cJSON *body)
{
	static const char pre[] = "Ignoring unknown fields in body: [";
	char *hdr = arena_alloc(sizeof(pre) + WARNING_MAX + 8), *p = hdr;
	const cJSON *c;
	int first = 1;

	memcpy(p, pre, sizeof(pre) - 1);
	p += sizeof(pre) - 1;
	cJSON_ArrayForEach(c, body) {
		if (find_field(res, c->string) != NULL)
			continue;
		size_t n = strlen(c->string);
		if ((size_t)(p - hdr) + n + 2 > sizeof(pre) + WARNING_MAX) {
			memcpy(p, first ? "..." : ", ...", first ? 3 : 5);
			p += first ? 3 : 5;
			first = 0;
			break;
		}
		if (!first) {
			*p++ = ',';
			*p++ = ' ';
		}
		first = 0;
		memcpy(p, c->string, n);
		for (; n > 0; n--, p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	if (first)
		return;
	*p++ = ']';
	*p = '\0';
	cgi_header(rq, "Warning", hdr);
}

cJSON *
model_from_body(struct request *rq, const struct resource *res, const cJSON *body)
{
	cJSON *rec = cJSON_CreateObject();

	if (!cJSON_IsObject(body))
		die_http(400, "request body must be a JSON object");
	warn_unknown(rq, res, body);
	for (const struct field *f = res->fields; f->name; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, f->name);
		if (f->flags & (F_RO | F_HIDDEN))
			v = NULL;
		if (v != NULL && cJSON_IsNull(v))
			v = NULL;
		if (v == NULL) {
			if (f->flags & F_REQ)
				die_http(400, "missing required field '%s'", f->name);
			if (f->def != NULL)
				cJSON_AddItemToObject(rec, f->name, cJSON_Parse(f->def));
			continue;
		}
		if (!type_ok(v, f->type))
			die_http(400, "field '%s' must be %s", f->name, type_name(f->type));
		cJSON_AddItemToObject(rec, f->name, cJSON_Duplicate(v, 1));
	}
	return rec;
}

void
model_merge(struct request *rq, const struct resource *res, cJSON *rec,
    const cJSON *body)
{
	if (!cJSON_IsObject(body))
		die_http(400, "request body must be a JSON object");
	warn_unknown(rq, res, body);
	for (const struct field *f = res->fields; f->name; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, f->name);
		if (v == NULL || cJSON_IsNull(v) || (f->flags & (F_RO | F_NOPUT | F_HIDDEN)))
			continue;
		if (!type_ok(v, f->type))
			die_http(400, "field '%s' must be %s", f->name, type_name(f->type));
		json_set(rec, f->name, cJSON_Duplicate(v, 1));
	}
}

int
model_workflow_exists(store_txn *t, int64_t wf)
{
	return store_get(t, T_WORKFLOWS, wf) != NULL;
}

void
model_shape(const struct resource *res, cJSON *rec)
{
	for (const struct field *f = res->fields; f->name; f++) {
		if (f->flags & F_HIDDEN)
			cJSON_DeleteItemFromObjectCaseSensitive(rec, f->name);
		else if ((f->flags & F_NULLOUT) && cJSON_GetObjectItemCaseSensitive(rec, f->name) == NULL)
			cJSON_AddNullToObject(rec, f->name);
	}
}

#define shape model_shape

struct op {
	const struct resource	*res;
	int64_t			 id;
	cJSON			*rec;
};

static int
do_create(struct request *rq, store_txn *t, void *arg)
{
	struct op *op = arg;
	const struct resource *res = op->res;
	cJSON *rec = cJSON_Duplicate(op->rec, 1);
	int st;

	if (res->wf_scoped) {
		int64_t wf = json_int(rec, "workflow_id", 0);
		if ((st = access_workflow(rq, t, wf)) != 0)
			return st;
		if (!model_workflow_exists(t, wf))
			return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	}
	if (res->before_create != NULL && (st = res->before_create(rq, t, rec, NULL)) != 0)
		return st;
	int64_t id = store_insert(t, res->table, rec);
	if (res->wf_scoped)
		store_wf_link(t, res->table, json_int(rec, "workflow_id", 0), id);
	shape(res, rec);
	rq->out = rec;
	return 200;
}

int
model_create(struct request *rq, const struct resource *res)
{
	struct op op = { res, 0, model_from_body(rq, res, rq->json) };
	if (res->wf_scoped && json_int(op.rec, "workflow_id", 0) <= 0)
		return cgi_error(rq, 400, "field 'workflow_id' must be a positive integer");
	return store_run(rq, do_create, &op);
}

static int
load(struct request *rq, store_txn *t, struct op *op, int rmw)
{
	int st;
	op->rec = rmw ? store_get_rmw(t, op->res->table, op->id) :
	    store_get(t, op->res->table, op->id);
	if (op->rec == NULL)
		return cgi_error(rq, 404, "%s not found with ID: %lld", op->res->title,
		    (long long)op->id);
	if (op->res->wf_scoped && (st = access_record(rq, t, op->rec)) != 0)
		return st;
	return 0;
}

static int
do_get(struct request *rq, store_txn *t, void *arg)
{
	struct op *op = arg;
	int st;
	if ((st = load(rq, t, op, 0)) != 0)
		return st;
	shape(op->res, op->rec);
	rq->out = op->rec;
	return 200;
}

int
model_get(struct request *rq, const struct resource *res, int64_t id)
{
	struct op op = { res, id, NULL };
	return store_run(rq, do_get, &op);
}

static int
do_update(struct request *rq, store_txn *t, void *arg)
{
	struct op *op = arg;
	int st;
	if ((st = load(rq, t, op, 1)) != 0)
		return st;
	cJSON *old = cJSON_Duplicate(op->rec, 1);
	model_merge(rq, op->res, op->rec, rq->json);
	/* The id and the workflow a record belongs to never change. */
	json_set_int(op->rec, "id", op->id);
	if (op->res->wf_scoped)
		json_set(op->rec, "workflow_id",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(old, "workflow_id"), 1));
	if (op->res->before_update != NULL &&
	    (st = op->res->before_update(rq, t, op->rec, old)) != 0)
		return st;
	store_put(t, op->res->table, op->id, op->rec);
	shape(op->res, op->rec);
	rq->out = op->rec;
	return 200;
}

int
model_update(struct request *rq, const struct resource *res, int64_t id)
{
	struct op op = { res, id, NULL };
	return store_run(rq, do_update, &op);
}

static int
do_delete(struct request *rq, store_txn *t, void *arg)
{
	struct op *op = arg;
	int st;
	if ((st = load(rq, t, op, 1)) != 0)
		return st;
	store_del(t, op->res->table, op->id);
	if (op->res->wf_scoped)
		store_wf_unlink(t, op->res->table, json_int(op->rec, "workflow_id", 0), op->id);
	if (op->res->after_delete != NULL &&
	    (st = op->res->after_delete(rq, t, op->rec, NULL)) != 0)
		return st;
	shape(op->res, op->rec);
	rq->out = op->rec;
	return 200;
}

int
model_delete(struct request *rq, const struct resource *res, int64_t id)
{
	struct op op = { res, id, NULL };
	return store_run(rq, do_delete, &op);
}

static int64_t
required_wf(struct request *rq)
{
	const char *v = cgi_param(rq, "workflow_id");
	int64_t wf;
	if (v == NULL)
		die_http(400, "missing required query parameter 'workflow_id'");
	if (cgi_parse_int64(v, &wf) < 0 || wf <= 0)
		die_http(400, "query parameter 'workflow_id' must be a positive integer");
	return wf;
}

static int
do_delete_all(struct request *rq, store_txn *t, void *arg)
{
	struct op *op = arg;
	long n;
	int st;
	if ((st = access_workflow(rq, t, op->id)) != 0)
		return st;
	int64_t *ids = store_wf_ids(t, op->res->table, op->id, &n);
	for (long i = 0; i < n; i++) {
		cJSON *rec = store_get_rmw(t, op->res->table, ids[i]);
		store_del(t, op->res->table, ids[i]);
		store_wf_unlink(t, op->res->table, op->id, ids[i]);
		if (rec != NULL && op->res->after_delete != NULL &&
		    (st = op->res->after_delete(rq, t, rec, NULL)) != 0)
			return st;
	}
	rq->out = cJSON_CreateObject();
	json_set_int(rq->out, op->res->delete_all_key ? op->res->delete_all_key : "count", n);
	return 200;
}

int
model_delete_all(struct request *rq, const struct resource *res)
{
	struct op op = { res, required_wf(rq), NULL };
	return store_run(rq, do_delete_all, &op);
}

void
model_page_params(struct request *rq, struct page *pg)
{
	pg->offset = cgi_param_int(rq, "offset", 0, 0, INT64_MAX);
	pg->limit = cgi_param_int(rq, "limit", TORC_LIST_MAX_LIMIT, 0, TORC_LIST_MAX_LIMIT);
	pg->sort_by = cgi_param(rq, "sort_by");
	pg->reverse = cgi_param_bool(rq, "reverse_sort", 0);
}

static const char *sort_key;
static int sort_rev;

static int
cmp_json(const cJSON *a, const cJSON *b)
{
	if (a == NULL || cJSON_IsNull(a))
		return (b == NULL || cJSON_IsNull(b)) ? 0 : -1;
	if (b == NULL || cJSON_IsNull(b))
		return 1;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble < b->valuedouble ? -1 : a->valuedouble > b->valuedouble;
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring);
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) - cJSON_IsTrue(b);
	return 0;
}

static int
cmp_recs(const void *pa, const void *pb)
{
	const cJSON *a = *(cJSON * const *)pa, *b = *(cJSON * const *)pb;
	int c = cmp_json(cJSON_GetObjectItemCaseSensitive(a, sort_key),
	    cJSON_GetObjectItemCaseSensitive(b, sort_key));
	if (c == 0)	/* stable by id */
		c = cmp_json(cJSON_GetObjectItemCaseSensitive(a, "id"),
		    cJSON_GetObjectItemCaseSensitive(b, "id"));
	return sort_rev ? -c : c;
}

int
model_sort(struct request *rq, cJSON **recs, long n, const char *key, int reverse)
{
	(void)rq;
	if (key == NULL)
		key = "id";
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')))
			die_http(400, "sort_by must be a field name");
	sort_key = key;
	sort_rev = reverse;
	if (n > 1)
		qsort(recs, (size_t)n, sizeof(*recs), cmp_recs);
	return 0;
}

cJSON *
model_envelope(struct request *rq, cJSON **recs, long n, const struct page *pg)
{
	cJSON *env = cJSON_CreateObject(), *items = cJSON_CreateArray();
	long count = 0;

	model_sort(rq, recs, n, pg->sort_by, pg->reverse);
	for (long i = pg->offset; i < n && count < pg->limit; i++, count++)
		cJSON_AddItemToArray(items, recs[i]);
	cJSON_AddItemToObject(env, "items", items);
	json_set_int(env, "offset", pg->offset);
	json_set_int(env, "max_limit", TORC_LIST_MAX_LIMIT);
	json_set_int(env, "count", count);
	json_set_int(env, "total_count", n);
	json_set_bool(env, "has_more", pg->offset + count < n);
	return env;
}

int
model_match_str(struct request *rq, const cJSON *rec, const char *key)
{
	const char *want = cgi_param(rq, key);
	const char *have;
	if (want == NULL)
		return 1;
	have = json_str(rec, key, NULL);
	return have != NULL && strcmp(have, want) == 0;
}

int
model_match_int(struct request *rq, const cJSON *rec, const char *key)
{
	const char *want = cgi_param(rq, key);
	int64_t w;
	if (want == NULL)
		return 1;
	if (cgi_parse_int64(want, &w) < 0)
		die_http(400, "query parameter '%s' must be an integer", key);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	return cJSON_IsNumber(v) && (int64_t)v->valuedouble == w;
}

int
model_match_bool(struct request *rq, const cJSON *rec, const char *key)
{
	if (cgi_param(rq, key) == NULL)
		return 1;
	int want = cgi_param_bool(rq, key, 0);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	return (v != NULL && cJSON_IsTrue(v)) == want;
}

struct list_op {
	const struct resource	*res;
	int64_t			 wf;
	struct page		 pg;
};

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct list_op *lo = arg;
	long n, kept = 0;
	int st;

	if ((st = access_workflow(rq, t, lo->wf)) != 0)
		return st;
	int64_t *ids = store_wf_ids(t, lo->res->table, lo->wf, &n);
	cJSON **recs = arena_alloc(sizeof(cJSON *) * (size_t)(n + 1));
	for (long i = 0; i < n; i++) {
		cJSON *rec = store_get(t, lo->res->table, ids[i]);
		if (rec == NULL)
			continue;
		if (lo->res->filter != NULL && !lo->res->filter(rq, t, rec))
			continue;
		shape(lo->res, rec);
		recs[kept++] = rec;
	}
	rq->out = model_envelope(rq, recs, kept, &lo->pg);
	return 200;
}

int
model_list(struct request *rq, const struct resource *res)
{
	struct list_op lo = { res, required_wf(rq), { 0, 0, NULL, 0 } };
	model_page_params(rq, &lo.pg);
	return store_run(rq, do_list, &lo);
}
