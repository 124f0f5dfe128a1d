/*
 * store.h: records in one Berkeley DB transactional environment.
 *
 * Every resource lives in its own btree, keyed by an 8-byte big-endian id,
 * valued by the record's JSON text.  Index tables hold composite keys of
 * big-endian integers with empty (or small) values, scanned by prefix.
 *
 * Handlers run their work through store_run(): it opens the environment
 * (failchk, coordinated recovery), begins a transaction, calls the work
 * function, and commits when the work returns a 2xx status (aborts on any
 * other).  A deadlock or lock timeout anywhere inside the work unwinds
 * (longjmp) to store_run, which aborts and retries with jittered backoff up
 * to TORC_TXN_RETRIES times, then answers 503 with Retry-After.  So the
 * store_* calls below never return errors: they return data, or NULL / 0
 * for "not found", and any other database failure ends the request with a
 * clean 500/503 through die_http().
 */
#ifndef TORC_STORE_H
#define TORC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "bounds.h"

struct request;
struct config;

enum table {
	T_META,			/* "seq/<table>" -> next id (u64) */
	T_WORKFLOWS,
	T_WFSTATUS,		/* workflow id -> status JSON */
	T_JOBS,
	T_FILES,
	T_USER_DATA,
	T_RR,			/* resource_requirements */
	T_RESULTS,
	T_EVENTS,
	T_COMPUTE_NODES,
	T_GROUPS,		/* access groups */
	T_MEMBERS,		/* group memberships */
	T_FAILURE_HANDLERS,
	T_SLURM_SCHEDULERS,
	T_LOCAL_SCHEDULERS,
	T_SCHEDULED_NODES,	/* scheduled_compute_nodes */
	T_RECORD_MAX,		/* tables above hold JSON records by id */
	/* Index tables: composite big-endian keys. */
	T_WFIDX = T_RECORD_MAX,	/* (table, workflow, id) -> "" */
	T_JOBSTATUS,		/* (workflow, status, job) -> "" : the ready queue */
	T_DEPS_REV,		/* (dependency job, dependent job) -> "" */
	T_WFRESULT,		/* (workflow, job) -> result id */
	T_WFGROUPS,		/* (workflow, group) -> created_at */
	T_GROUPWFS,		/* (group, workflow) -> "" */
	T_OWNER,		/* (owner name NUL, workflow) -> "" */
	T_MEMBERIDX,		/* (group, user name NUL) -> membership id */
	T_USERGROUPS,		/* (user name NUL, group) -> "" */
	T_GROUPNAME,		/* (group name NUL) -> group id */
	T_MAX
};

typedef struct store_txn store_txn;	/* opaque: a transaction in progress */

/* Work run inside one transaction; returns an HTTP status. */
typedef int (*store_work)(struct request *rq, store_txn *t, void *arg);

int	 store_run(struct request *rq, store_work fn, void *arg);
/* Same as store_run, without a request (tools): 0 ok, else the status. */
int	 store_run_tool(const struct config *cfg, store_work fn, void *arg);

/*
 * Create the environment and every table if missing, or recover it, under
 * the exclusive recovery lock.  Used by torc-server before it starts the
 * web server and by torc-admin.  0 ok, -1 with err.
 */
int	 store_create(const struct config *cfg, int recover, char *err, size_t errlen);
void	 store_close(void);
const char *store_table_name(enum table t);

/*
 * Every env->open of an ordinary joiner, and every failchk, runs with
 * torc.failchk (lockfd: that file, open) held exclusive: Berkeley DB 5.3's
 * failchk races with a newcomer taking a dead process's thread slot and
 * with another failchk, and then panics the environment for nothing.
 * store_env_attach opens e on dir with flags (dir NULL: e is open), then
 * runs failchk.  It returns the Berkeley DB code, or ETIMEDOUT when the
 * lock did not come within TORC_ENV_WAIT_MS.
 *
 * An attach is recorded in torc.failchk while it runs and cleared after.
 * A process that dies inside env->open or failchk (killed, or ended by
 * SIGALRM when the attach takes over TORC_ATTACH_STALL_S: stuck on a
 * mutex a dead process holds) leaves the record, and the next attach
 * returns DB_RUNRECOVERY without touching the regions: only a recovery
 * frees a region mutex, and an attach would wait on it for ever.  Every
 * recovery clears the record with store_attach_clear, holding the
 * environment exclusively.
 */
struct __db_env;
int	 store_env_attach(int lockfd, struct __db_env *e, const char *dir, unsigned flags);
void	 store_attach_clear(int lockfd);

/* flock(fd, op) retried until it succeeds or ms have passed: 0, or -1. */
int	 store_flock_wait(int fd, int op, int ms);

/*
 * A log line about what the transaction changed, written only once it
 * commits (a refused or retried request logs nothing it did not do).
 * At most STORE_MAX_PENDING_LOGS per transaction; more are dropped.
 */
#define STORE_MAX_PENDING_LOGS	8
void	 store_log_on_commit(int level, const char *target, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Test-only fault hook: TORC_FAULT=<point> makes the process SIGKILL itself there. */
void	 store_fault(const char *point);

/* Records. */
cJSON	*store_get(store_txn *t, enum table tb, int64_t id);		/* NULL: absent */
cJSON	*store_get_rmw(store_txn *t, enum table tb, int64_t id);	/* write-locks */
void	 store_put(store_txn *t, enum table tb, int64_t id, const cJSON *rec);
int64_t	 store_insert(store_txn *t, enum table tb, cJSON *rec);		/* sets "id" */
int	 store_del(store_txn *t, enum table tb, int64_t id);		/* 1 deleted, 0 absent */
int64_t	 store_next_id(store_txn *t, enum table tb);

/* Composite keys: up to 4 big-endian u64 parts and a name (user or group). */
struct ikey {
	unsigned char	 b[4 * 8 + TORC_MAX_USERNAME + 1];
	size_t		 len;
};
void	 ikey_make(struct ikey *k, int n, ...);		/* n int64_t parts */
void	 ikey_add_str(struct ikey *k, const char *s);	/* s plus NUL */
int64_t	 ikey_part(const void *key, size_t off);	/* part at byte offset */

void	 store_iput(store_txn *t, enum table tb, const struct ikey *k,
	    const void *val, size_t vlen);
int	 store_idel(store_txn *t, enum table tb, const struct ikey *k);	/* 1 / 0 */
int	 store_iget(store_txn *t, enum table tb, const struct ikey *k,
	    void *val, size_t cap);			/* bytes, or -1 absent */

/*
 * Scan an index by prefix, in key order.  cb gets each key; returns 0 to go
 * on, 1 to stop.  rmw write-locks what it reads.  Returns the number seen.
 */
typedef int (*store_scan_cb)(const unsigned char *key, size_t klen,
	    const unsigned char *val, size_t vlen, void *arg);
long	 store_scan(store_txn *t, enum table tb, const struct ikey *prefix,
	    int rmw, store_scan_cb cb, void *arg);
/* Ids (last part of the key) under a prefix: arena array, count in *n. */
int64_t	*store_scan_ids(store_txn *t, enum table tb, const struct ikey *prefix,
	    long max, long *n);
/* Count keys under a prefix. */
long	 store_count(store_txn *t, enum table tb, const struct ikey *prefix);
/* Delete every key under a prefix; returns how many. */
long	 store_idel_prefix(store_txn *t, enum table tb, const struct ikey *prefix);

/* Per-workflow record lists, kept in T_WFIDX by store_wf_link/unlink. */
void	 store_wf_link(store_txn *t, enum table tb, int64_t wf, int64_t id);
void	 store_wf_unlink(store_txn *t, enum table tb, int64_t wf, int64_t id);
int64_t	*store_wf_ids(store_txn *t, enum table tb, int64_t wf, long *n);

/* Seconds and milliseconds since the epoch, for timestamps. */
char	*store_now_iso(void);		/* "YYYY-MM-DDTHH:MM:SS.mmmZ", arena */
int64_t	 store_now_ms(void);

#endif
