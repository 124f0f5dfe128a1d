/*
 * api_events.c: the event log of a workflow.
 *
 * An event is {id, workflow_id, timestamp, data}: timestamp is the
 * client's integer epoch milliseconds, data any JSON value.  Lists run in
 * id order unless sorted otherwise.  Two places go beyond Torc: the
 * category filter matches data.category (Torc accepts and ignores it), and
 * DELETE /events?workflow_id= clears the log with {"count": n} (Torc: 500,
 * not implemented).
 */
#include <stdint.h>
#include <string.h>

#include "api_events.h"
#include "api_views.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

static const struct field event_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "timestamp", F_INT, F_REQ, NULL },
	{ "data", F_ANY, F_REQ, NULL },
	{ NULL, 0, 0, NULL }
};

const struct resource events_resource = {
	"events", "Event", T_EVENTS, event_fields, 1,
	NULL, NULL, NULL, "count", NULL, "after_timestamp,category"
};

int
events_create(struct request *rq)
{
	return model_create(rq, &events_resource);
}

int
events_get(struct request *rq)
{
	return model_get(rq, &events_resource, rq->id[0]);
}

int
events_update(struct request *rq)
{
	return model_update(rq, &events_resource, rq->id[0]);
}

int
events_delete(struct request *rq)
{
	return model_delete(rq, &events_resource, rq->id[0]);
}

int
events_delete_all(struct request *rq)
{
	return model_delete_all(rq, &events_resource);
}

struct ev_list {
	int64_t		 wf;
	struct page	 pg;
	int		 has_after;
	int64_t		 after;
	const char	*category;
};

static int
keep(struct request *rq, const cJSON *rec, void *arg)
{
	struct ev_list *el = arg;
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(rec, "timestamp");
	(void)rq;

	if (el->has_after && (!cJSON_IsNumber(ts) || (int64_t)ts->valuedouble <= el->after))
		return 0;
	if (el->category != NULL) {
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(rec, "data");
		const cJSON *cat = cJSON_IsObject(data) ?
		    cJSON_GetObjectItemCaseSensitive(data, "category") : NULL;
		if (!cJSON_IsString(cat) || strcmp(cat->valuestring, el->category) != 0)
			return 0;
	}
	return 1;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	struct ev_list *el = arg;
	return views_list(rq, t, &events_resource, el->wf, &el->pg, keep, el);
}

int
events_list(struct request *rq)
{
	struct ev_list el = { 0 };

	el.wf = views_required_wf(rq);
	model_page_params(rq, &el.pg);
	el.has_after = cgi_param(rq, "after_timestamp") != NULL;
	el.after = cgi_param_int(rq, "after_timestamp", 0, INT64_MIN, INT64_MAX);
	el.category = cgi_param(rq, "category");
	return store_run(rq, do_list, &el);
}
