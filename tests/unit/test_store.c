/*
 * test_store.c: the store on a fresh database in a temporary folder.
 * Ids per table start at 1, increase and are never reused after a delete;
 * work that answers a non-2xx status is rolled back whole; records and
 * index keys round-trip; prefix scans, counts and prefix deletes see
 * exactly their prefix; per-workflow lists; and a second process sees
 * what the first committed.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "check.h"
#include "config.h"
#include "log.h"
#include "store.h"

static struct config cfg;

static int64_t ids[8];

static int
w_insert3(struct request *rq, store_txn *t, void *arg)
{
	(void)rq; (void)arg;
	for (int i = 0; i < 3; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", "x");
		ids[i] = store_insert(t, T_FILES, r);
	}
	return 200;
}

static int
w_delete_last(struct request *rq, store_txn *t, void *arg)
{
	(void)rq; (void)arg;
	CHECK_INT(store_del(t, T_FILES, ids[2]), 1);
	CHECK_INT(store_del(t, T_FILES, ids[2]), 0);
	CHECK_INT(store_del(t, T_FILES, 999), 0);
	return 200;
}

static int
w_insert_then_fail(struct request *rq, store_txn *t, void *arg)
{
	(void)rq; (void)arg;
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "name", "rolled back");
	ids[4] = store_insert(t, T_FILES, r);
	store_put(t, T_WORKFLOWS, 77, r);
	struct ikey k;
	ikey_make(&k, 2, (int64_t)1, (int64_t)2);
	store_iput(t, T_DEPS_REV, &k, NULL, 0);
	return 409;		/* not 2xx: everything above is undone */
}

static int
w_check(struct request *rq, store_txn *t, void *arg)
{
	(void)rq; (void)arg;
	cJSON *r = store_get(t, T_FILES, ids[0]);
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_INT(cJSON_GetObjectItemCaseSensitive(r, "id")->valuedouble, ids[0]);
		CHECK_STR(cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring, "x");
		/* "id" comes first, as Torc emits it */
		CHECK_STR(r->child->string, "id");
	}
	CHECK(store_get(t, T_FILES, ids[2]) == NULL);		/* deleted */
	CHECK(store_get(t, T_WORKFLOWS, 77) == NULL);		/* rolled back */
	struct ikey k;
	ikey_make(&k, 2, (int64_t)1, (int64_t)2);
	CHECK_INT(store_iget(t, T_DEPS_REV, &k, NULL, 0), -1);
	return 200;
}

static int
w_insert1(struct request *rq, store_txn *t, void *arg)
{
	(void)rq;
	cJSON *r = cJSON_CreateObject();
	*(int64_t *)arg = store_insert(t, T_FILES, r);
	return 200;
}

static int
w_index(struct request *rq, store_txn *t, void *arg)
{
	struct ikey k, p;
	unsigned char buf[16];
	(void)rq; (void)arg;

	/* (a, b) keys under three prefixes; values round-trip. */
	for (int64_t a = 1; a <= 3; a++)
		for (int64_t b = 1; b <= 4; b++) {
			ikey_make(&k, 2, a, b * 10);
			store_iput(t, T_DEPS_REV, &k, &b, sizeof(b));
		}
	ikey_make(&k, 2, (int64_t)2, (int64_t)30);
	CHECK_INT(store_iget(t, T_DEPS_REV, &k, buf, sizeof(buf)), 8);
	int64_t v;
	memcpy(&v, buf, 8);
	CHECK_INT(v, 3);

	ikey_make(&p, 1, (int64_t)2);
	CHECK_INT(store_count(t, T_DEPS_REV, &p), 4);
	long n;
	int64_t *got = store_scan_ids(t, T_DEPS_REV, &p, 0, &n);
	CHECK_INT(n, 4);
	CHECK(n == 4 && got[0] == 10 && got[1] == 20 && got[2] == 30 && got[3] == 40);
	got = store_scan_ids(t, T_DEPS_REV, &p, 2, &n);	/* max */
	CHECK_INT(n, 2);

	CHECK_INT(store_idel_prefix(t, T_DEPS_REV, &p), 4);
	CHECK_INT(store_count(t, T_DEPS_REV, &p), 0);
	ikey_make(&p, 1, (int64_t)1);
	CHECK_INT(store_count(t, T_DEPS_REV, &p), 4);		/* neighbours untouched */
	ikey_make(&p, 1, (int64_t)3);
	CHECK_INT(store_count(t, T_DEPS_REV, &p), 4);
	ikey_make(&k, 2, (int64_t)3, (int64_t)20);
	CHECK_INT(store_idel(t, T_DEPS_REV, &k), 1);
	CHECK_INT(store_idel(t, T_DEPS_REV, &k), 0);
	CHECK_INT(store_count(t, T_DEPS_REV, &p), 3);

	/* Big-endian keys sort numerically, also past one byte. */
	ikey_make(&p, 1, (int64_t)9);
	int64_t odd[] = { 256, 1, 65536, 255 };
	for (int i = 0; i < 4; i++) {
		ikey_make(&k, 2, (int64_t)9, odd[i]);
		store_iput(t, T_DEPS_REV, &k, NULL, 0);
	}
	got = store_scan_ids(t, T_DEPS_REV, &p, 0, &n);
	CHECK(n == 4 && got[0] == 1 && got[1] == 255 && got[2] == 256 && got[3] == 65536);

	/* String parts. */
	k.len = 0;
	ikey_add_str(&k, "alice");
	ikey_make(&p, 1, (int64_t)5);
	memcpy(k.b + k.len, p.b, 8);
	k.len += 8;
	store_iput(t, T_USERGROUPS, &k, NULL, 0);
	p.len = 0;
	ikey_add_str(&p, "alice");
	CHECK_INT(store_count(t, T_USERGROUPS, &p), 1);
	p.len = 0;
	ikey_add_str(&p, "alic");			/* the NUL ends the name */
	CHECK_INT(store_count(t, T_USERGROUPS, &p), 0);

	/* Per-workflow lists. */
	store_wf_link(t, T_JOBS, 4, 41);
	store_wf_link(t, T_JOBS, 4, 40);
	store_wf_link(t, T_JOBS, 5, 50);
	store_wf_link(t, T_FILES, 4, 7);
	got = store_wf_ids(t, T_JOBS, 4, &n);
	CHECK(n == 2 && got[0] == 40 && got[1] == 41);
	store_wf_unlink(t, T_JOBS, 4, 40);
	got = store_wf_ids(t, T_JOBS, 4, &n);
	CHECK(n == 1 && got[0] == 41);
	got = store_wf_ids(t, T_FILES, 4, &n);
	CHECK(n == 1 && got[0] == 7);
	got = store_wf_ids(t, T_JOBS, 6, &n);
	CHECK_INT(n, 0);
	return 200;
}

static int
w_seen_by_child(struct request *rq, store_txn *t, void *arg)
{
	(void)rq; (void)arg;
	return store_get(t, T_FILES, ids[0]) != NULL && store_get(t, T_FILES, ids[2]) == NULL ? 200 : 404;
}

int
main(void)
{
	char dir[] = "/tmp/torc-test-store.XXXXXX", err[256];

	if (mkdtemp(dir) == NULL)
		return 2;
	arena_use_for_cjson();		/* records live in the arena, as in a CGI */
	config_defaults(&cfg);
	cfg.database = dir;
	cfg.durable = 0;
	log_set_level(LOG_ERROR);
	CHECK_INT(store_create(&cfg, 0, err, sizeof(err)), 0);

	CHECK_INT(store_run_tool(&cfg, w_insert3, NULL), 0);
	CHECK(ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
	CHECK_INT(store_run_tool(&cfg, w_delete_last, NULL), 0);
	int64_t id = 0;
	CHECK_INT(store_run_tool(&cfg, w_insert1, &id), 0);
	CHECK_INT(id, 4);			/* 3 was deleted, not handed out again */
	CHECK_INT(store_run_tool(&cfg, w_insert_then_fail, NULL), 409);
	CHECK_INT(store_run_tool(&cfg, w_check, NULL), 0);
	CHECK_INT(store_run_tool(&cfg, w_insert1, &id), 0);
	CHECK(id >= 5);				/* after a rollback: never below */
	int64_t other = 0;
	CHECK_INT(store_run_tool(&cfg, w_insert1, &other), 0);
	CHECK(other == id + 1);
	CHECK_INT(store_run_tool(&cfg, w_index, NULL), 0);
	store_close();

	/* Another process, as the next CGI: it sees the committed state. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		config_defaults(&cfg);
		cfg.database = dir;
		_exit(store_run_tool(&cfg, w_seen_by_child, NULL) == 0 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	arena_free_all();
	return check_done();
}
