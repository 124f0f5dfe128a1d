/*
 * model.h: resources described as tables of fields, and the generic
 * handlers (create, get, list, update, delete) that work from them.
 *
 * A resource's fields say how a request body is validated and how a stored
 * record is shaped: only declared fields are stored, in declared order,
 * with defaults filled; unknown body fields are ignored and named in a
 * `Warning` header, as Torc does.  Resource-specific rules go in hooks.
 */
#ifndef TORC_MODEL_H
#define TORC_MODEL_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

struct request;

enum ftype {
	F_INT,		/* integer */
	F_NUM,		/* any number */
	F_BOOL,
	F_STR,
	F_ANY,		/* any JSON value, stored as is */
	F_INTLIST,	/* array of positive integers */
	F_OBJ,		/* object */
	F_STRLIST,	/* array of strings */
};

#define F_REQ	0x01	/* required on create */
#define F_RO	0x02	/* set by the server; ignored in bodies */
#define F_NOPUT	0x04	/* cannot change through PUT (ignored) */
#define F_NULLOUT 0x08	/* emitted as null when unset */
#define F_HIDDEN 0x10	/* stored for the server's use, never emitted (implies F_RO) */

struct field {
	const char	*name;
	enum ftype	 type;
	unsigned	 flags;
	const char	*def;		/* default as JSON text, or NULL */
};

struct resource;
/* Hooks return 0 to go on, or an HTTP status (error already set in rq). */
typedef int (*model_hook)(struct request *rq, store_txn *t, cJSON *rec,
	    const cJSON *old);
/* A list filter: returns 1 to keep rec. */
typedef int (*model_filter)(struct request *rq, store_txn *t, const cJSON *rec);

struct resource {
	const char		*name;		/* "files" (path segment) */
	const char		*title;		/* "File" (messages) */
	enum table		 table;
	const struct field	*fields;	/* ends with a NULL name */
	int			 wf_scoped;	/* has workflow_id, linked in T_WFIDX */
	model_hook		 before_create;	/* validate/derive; old is NULL */
	model_hook		 before_update;	/* old is the stored record */
	model_hook		 after_delete;	/* rec is the deleted record */
	const char		*delete_all_key; /* "count" or "deleted_count" */
	model_filter		 filter;	/* extra list filters */
	const char		*list_query;	/* extra allowed query keys */
};

/*
 * Build a record from a request body: type-check declared fields, refuse a
 * missing required field (400 naming it), fill defaults, note unknown
 * fields in a Warning header.  Returns the new record.
 */
cJSON	*model_from_body(struct request *rq, const struct resource *res,
	    const cJSON *body);
/* Apply a PUT body onto a stored record (COALESCE: absent fields kept). */
void	 model_merge(struct request *rq, const struct resource *res,
	    cJSON *rec, const cJSON *body);

/* Make a stored record fit for output: hide F_HIDDEN, add F_NULLOUT nulls. */
void	 model_shape(const struct resource *res, cJSON *rec);

/* Workflow existence (and, later, access) for workflow-scoped work. */
int	 model_workflow_exists(store_txn *t, int64_t wf);

/* Generic handlers.  Paths: /<res>, /<res>/:id. */
int	 model_create(struct request *rq, const struct resource *res);
int	 model_get(struct request *rq, const struct resource *res, int64_t id);
int	 model_update(struct request *rq, const struct resource *res, int64_t id);
int	 model_delete(struct request *rq, const struct resource *res, int64_t id);
int	 model_delete_all(struct request *rq, const struct resource *res);
int	 model_list(struct request *rq, const struct resource *res);

/* Pagination: the list envelope over an array of records (takes ownership). */
struct page {
	int64_t	 offset, limit;
	const char *sort_by;
	int	 reverse;
};
void	 model_page_params(struct request *rq, struct page *pg);
cJSON	*model_envelope(struct request *rq, cJSON **recs, long n,
	    const struct page *pg);
/* Sort records by a field name (numbers, strings, bools; missing first). */
int	 model_sort(struct request *rq, cJSON **recs, long n, const char *key,
	    int reverse);

/* Query-string filter helpers for model_filter hooks. */
int	 model_match_str(struct request *rq, const cJSON *rec, const char *key);
int	 model_match_int(struct request *rq, const cJSON *rec, const char *key);
int	 model_match_bool(struct request *rq, const cJSON *rec, const char *key);

#define MODEL_LIST_QUERY "workflow_id,offset,limit,sort_by,reverse_sort"

#endif
