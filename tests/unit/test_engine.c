/*
 * test_engine.c: the pure parts of the job engine: the status table and
 * its sets, id sorting, the id map and vector, and the job-record id lists.
 */
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "check.h"
#include "engine.h"
#include "json.h"

static void
test_statuses(void)
{
	static const char *const names[] = {
		"uninitialized", "blocked", "ready", "pending", "running", "completed",
		"failed", "canceled", "terminated", "disabled", "pending_failed",
	};
	for (int i = 0; i < JS_MAX; i++) {
		CHECK_STR(engine_status_name(i), names[i]);
		CHECK_INT(engine_status_code(names[i]), i);
	}
	CHECK_INT(engine_status_code("Ready"), -1);
	CHECK_INT(engine_status_code(""), -1);
	CHECK_INT(engine_status_code(NULL), -1);
	CHECK_STR(engine_status_name(99), "uninitialized");
	for (int i = 0; i < JS_MAX; i++) {
		CHECK_INT(engine_status_done(i), i >= JS_COMPLETED && i <= JS_TERMINATED);
		CHECK_INT(engine_status_terminal(i),
		    (i >= JS_COMPLETED && i <= JS_TERMINATED) || i == JS_PENDING_FAILED);
	}
	cJSON *job = cJSON_Parse("{\"status\":\"running\"}");
	CHECK_INT(engine_job_status(job), JS_RUNNING);
	json_set_str(job, "status", "nonsense");
	CHECK_INT(engine_job_status(job), JS_UNINITIALIZED);
	json_set_str(job, "status", NULL);
	CHECK_INT(engine_job_status(job), JS_UNINITIALIZED);
}

static void
test_sort_ids(void)
{
	int64_t v[] = { 5, 3, 5, 1, 9, 3, 3 };
	long n = engine_sort_ids(v, 7);
	CHECK_INT(n, 4);
	CHECK_INT(v[0], 1);
	CHECK_INT(v[1], 3);
	CHECK_INT(v[2], 5);
	CHECK_INT(v[3], 9);
	CHECK_INT(engine_sort_ids(v, 0), 0);
}

static void
test_containers(void)
{
	struct idmap m = { NULL, NULL, 0, 0 };
	static int vals[3];
	struct idvec iv = { NULL, 0, 0 };
	int ok = 1;

	CHECK(idmap_get(&m, 7) == NULL);
	for (int64_t i = 1; i <= 5000; i++)
		idmap_put(&m, i * 7919, &vals[i % 3]);
	for (int64_t i = 1; i <= 5000; i++)
		ok &= idmap_get(&m, i * 7919) == &vals[i % 3];
	CHECK(ok);
	CHECK(idmap_get(&m, 3) == NULL);
	CHECK_INT(m.n, 5000);
	idmap_put(&m, 7919, &vals[2]);
	CHECK(idmap_get(&m, 7919) == &vals[2]);
	CHECK_INT(m.n, 5000);

	for (int64_t i = 0; i < 1000; i++)
		idvec_push(&iv, i * 2);
	CHECK_INT(iv.n, 1000);
	CHECK_INT(iv.v[999], 1998);
}

static void
test_id_lists(void)
{
	cJSON *job = cJSON_Parse("{\"depends_on_job_ids\":[4,2,4,8]}");
	int64_t *v;
	long n = engine_id_list(job, "depends_on_job_ids", &v);
	CHECK_INT(n, 3);
	CHECK_INT(v[0], 2);
	CHECK_INT(v[2], 8);
	CHECK_INT(engine_id_list(job, "input_file_ids", &v), 0);
	engine_set_id_list(job, "depends_on_job_ids", NULL, 0);
	CHECK(cJSON_GetObjectItem(job, "depends_on_job_ids") == NULL);
	int64_t w[] = { 1, 2 };
	engine_set_id_list(job, "input_file_ids", w, 2);
	CHECK_STR(cJSON_PrintUnformatted(job), "{\"input_file_ids\":[1,2]}");
}

int
main(void)
{
	arena_use_for_cjson();
	test_statuses();
	test_sort_ids();
	test_containers();
	test_id_lists();
	arena_free_all();
	return check_done();
}
