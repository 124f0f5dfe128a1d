/*
 * api_failure_handlers.c: failure handlers of a workflow.
 *
 * A handler is {id, workflow_id, name, rules}; rules is a JSON *string*
 * (as Torc stores it) holding an array of rule objects
 * {exit_codes: [int], match_all_exit_codes: bool, recovery_script: string,
 * max_retries: int}.  The string is parsed on create and refused with 422
 * when it is not such an array, so the engine can trust it later.  There
 * is no PUT, as in Torc; the list lives under the workflow.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "access.h"
#include "api_failure_handlers.h"
#include "api_views.h"
#include "cgi.h"
#include "json.h"
#include "model.h"
#include "store.h"

static const struct field handler_fields[] = {
	{ "id", F_INT, F_RO, NULL },
	{ "workflow_id", F_INT, F_REQ, NULL },
	{ "name", F_STR, F_REQ, NULL },
	{ "rules", F_STR, F_REQ, NULL },
	{ NULL, 0, 0, NULL }
};

static int
is_int(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    fabs(v->valuedouble) <= 9007199254740992.0;
}

static int
check_rules(struct request *rq, store_txn *t, cJSON *rec, const cJSON *old)
{
	const char *text = json_str(rec, "rules", "");
	char err[256];
	cJSON *rules, *r, *v;
	int i = 0;
	(void)t; (void)old;

	if ((rules = json_parse(text, strlen(text), err, sizeof(err))) == NULL)
		return cgi_error(rq, 422, "field 'rules' must hold JSON: %s", err);
	if (!cJSON_IsArray(rules))
		return cgi_error(rq, 422, "field 'rules' must hold a JSON array of rule objects");
	cJSON_ArrayForEach(r, rules) {
		if (!cJSON_IsObject(r))
			return cgi_error(rq, 422, "field 'rules': rule %d is not an object", i);
		if ((v = cJSON_GetObjectItemCaseSensitive(r, "exit_codes")) != NULL) {
			const cJSON *e;
			if (!cJSON_IsArray(v))
				return cgi_error(rq, 422, "field 'rules': rule %d: exit_codes must be "
				    "an array of integers", i);
			cJSON_ArrayForEach(e, v)
				if (!is_int(e))
					return cgi_error(rq, 422, "field 'rules': rule %d: exit_codes "
					    "must be an array of integers", i);
		}
		if ((v = cJSON_GetObjectItemCaseSensitive(r, "match_all_exit_codes")) != NULL &&
		    !cJSON_IsBool(v))
			return cgi_error(rq, 422, "field 'rules': rule %d: match_all_exit_codes "
			    "must be true or false", i);
		if ((v = cJSON_GetObjectItemCaseSensitive(r, "recovery_script")) != NULL &&
		    !cJSON_IsNull(v) && !cJSON_IsString(v))
			return cgi_error(rq, 422, "field 'rules': rule %d: recovery_script must "
			    "be a string", i);
		if ((v = cJSON_GetObjectItemCaseSensitive(r, "max_retries")) != NULL &&
		    (!is_int(v) || v->valuedouble < 0))
			return cgi_error(rq, 422, "field 'rules': rule %d: max_retries must be "
			    "a non-negative integer", i);
		i++;
	}
	return 0;
}

const struct resource failure_handlers_resource = {
	"failure_handlers", "Failure handler", T_FAILURE_HANDLERS, handler_fields, 1,
	check_rules, NULL, NULL, "count", NULL, NULL
};

int
failure_handlers_create(struct request *rq)
{
	return model_create(rq, &failure_handlers_resource);
}

int
failure_handlers_get(struct request *rq)
{
	return model_get(rq, &failure_handlers_resource, rq->id[0]);
}

int
failure_handlers_delete(struct request *rq)
{
	int st = model_delete(rq, &failure_handlers_resource, rq->id[0]);
	if (st == 200) {
		rq->out = cJSON_CreateObject();
		json_set_str(rq->out, "message", "Failure handler deleted successfully");
	}
	return st;
}

static int
do_list(struct request *rq, store_txn *t, void *arg)
{
	int64_t wf = rq->id[0];
	int st;

	if ((st = access_workflow(rq, t, wf)) != 0)
		return st;
	if (!model_workflow_exists(t, wf))
		return cgi_error(rq, 404, "Workflow not found with ID: %lld", (long long)wf);
	return views_list(rq, t, &failure_handlers_resource, wf, arg, NULL, NULL);
}

int
failure_handlers_list(struct request *rq)
{
	struct page pg;
	model_page_params(rq, &pg);
	return store_run(rq, do_list, &pg);
}
