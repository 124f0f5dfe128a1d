/*
 * store.c: the Berkeley DB environment under many short-lived processes.
 *
 * On-disk: the database folder holds the environment regions (__db.*), the
 * log (log.*), one btree file per table (<table>.db), torc.version (written
 * last at creation: its presence means "fully created"), and two lock files.
 *
 * Coordination (see "Berkeley DB under many short-lived processes" in
 * docs/design.md): every process holds torc.lock shared while it is inside
 * the environment.  Recovery takes torc.lock exclusive, so it runs only when
 * nobody is inside.  A process first takes torc.intent shared for a moment
 * before torc.lock: a recoverer holds torc.intent exclusive while it waits,
 * so newcomers queue behind it instead of starving it.  Every wait of a
 * running process is bounded: lock requests time out
 * (TORC_LOCK_TIMEOUT_US; Berkeley DB only notices when its detector runs,
 * so every join runs it), the file locks are polled against a deadline, a
 * join stuck on a dead peer's mutex ends after TORC_ATTACH_STALL_S, and
 * any other stuck process is ended by the lifetime alarm in cgi.c, which
 * releases its shared lock.  A process that cannot run at all (stopped,
 * or in uninterruptible sleep on a hung disk) holds its locks and its
 * shared lock until it runs again or is killed: requests that need its
 * locks fail with 503 meanwhile, and a recovery waits for it.  After
 * open, failchk() releases what dead processes held; when it cannot
 * (DB_RUNRECOVERY, EAGAIN from a full thread table, repeated EBUSY) the
 * process escalates to a coordinated recovery.
 *
 * A third lock, torc.failchk, serializes every env->open and every failchk
 * (store_env_attach).  Berkeley DB 5.3's failchk reads a dead process's
 * thread slot without the region mutex: a newcomer reclaiming that slot in
 * its env->open, or a second failchk retiring it, makes it report "Thread
 * died in Berkeley DB library" about a live process and panic the whole
 * environment.  Once the thread table is full (TORC_THREAD_SLOTS processes
 * have come and gone) that window opened about once per thousand requests.
 *
 * Termination signals are held off while a process is inside the
 * environment (cgi.c blocks them for the whole request): a process that dies
 * inside a library call leaves the region needing recovery.  Only the
 * lifetime alarm may end a process there, and only one that is stuck.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "arena.h"
#include "cgi.h"
#include "config.h"
#include "bounds.h"
#include "log.h"
#include "store.h"

#define STORE_VERSION	"torc-cgi store 1\n"
#define MAX_CURSORS	8

struct store_txn {
	DB_TXN		*txn;
};

static const char *table_names[T_MAX] = {
	"meta", "workflows", "workflow_status", "jobs", "files", "user_data",
	"resource_requirements", "results", "events", "compute_nodes",
	"access_groups", "group_members", "failure_handlers",
	"slurm_schedulers", "local_schedulers", "scheduled_compute_nodes",
	"idx_workflow", "idx_job_status", "idx_dependents", "idx_workflow_result",
	"idx_workflow_groups", "idx_group_workflows", "idx_owner",
	"idx_group_members", "idx_user_groups", "idx_group_name",
};

static int64_t	 now_ms(void);
static void	 check(int r, const char *what, enum table tb);
static DB_ENV	*env;
static DB	*dbs[T_MAX];
static int	 lockfd = -1, intentfd = -1, failfd = -1;
static const struct config *scfg;
static struct store_txn cur;
static DBC	*cursors[MAX_CURSORS];
static jmp_buf	 retry_jmp;
static int	 in_work;
static int	 panicked;	/* the region is suspect: never walk it again */
static struct {
	int		 level;
	const char	*target;
	char		*msg;
} pending[STORE_MAX_PENDING_LOGS];
static int	 npending;

void
store_log_on_commit(int level, const char *target, const char *fmt, ...)
{
	va_list ap;
	if (npending == STORE_MAX_PENDING_LOGS)
		return;
	va_start(ap, fmt);
	pending[npending].msg = arena_vprintf(fmt, ap);
	va_end(ap);
	pending[npending].level = level;
	pending[npending].target = target;
	npending++;
}

static void
pending_flush(int emit)
{
	for (int i = 0; emit && i < npending; i++)
		log_msg(pending[i].level, pending[i].target, "%s", pending[i].msg);
	npending = 0;
}

const char *
store_table_name(enum table t)
{
	return table_names[t];
}

/*
 * Test-only faults.  TORC_FAULT=<point> kills the process at that point;
 * TORC_FAULT_RATE=<percent> kills a random share of processes right after
 * their first write, inside the open transaction (the chaos test).  Each
 * kill is announced on stderr first, so the test can count them.  With
 * TORC_FAULT_SLEEP_MS=<ms> the process sleeps at the point instead (a
 * request that is slow inside its transaction).
 */
void
store_fault(const char *point)
{
	const char *f = getenv("TORC_FAULT");
	static int rolled, doomed;

	if (f != NULL && strcmp(f, point) == 0) {
		const char *ms = getenv("TORC_FAULT_SLEEP_MS");
		if (ms != NULL) {
			long n = strtol(ms, NULL, 10);
			log_msg(LOG_WARN, LOG_T_STORE, "FAULT: pid %ld sleeps %ld ms at %s",
			    (long)getpid(), n, point);
			struct timespec ts = { n / 1000, n % 1000 * 1000000L };
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
			return;
		}
		log_msg(LOG_WARN, LOG_T_STORE, "FAULT: killing pid %ld at %s", (long)getpid(), point);
		kill(getpid(), SIGKILL);
	}
	if (strcmp(point, "write") != 0 || (f = getenv("TORC_FAULT_RATE")) == NULL)
		return;
	if (!rolled) {
		rolled = 1;
		srandom((unsigned)getpid() ^ (unsigned)now_ms());
		doomed = random() % 100 < strtol(f, NULL, 10);
	}
	if (doomed) {
		log_msg(LOG_WARN, LOG_T_STORE, "FAULT: killing pid %ld inside a transaction", (long)getpid());
		kill(getpid(), SIGKILL);
	}
}

static int64_t
now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int64_t
store_now_ms(void)
{
	return now_ms();
}

char *
store_now_iso(void)
{
	struct timeval tv;
	struct tm tm;
	char buf[64];
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return arena_printf("%s.%03dZ", buf, (int)(tv.tv_usec / 1000));
}

/* ---- file locks with deadlines ---------------------------------------- */

int
store_flock_wait(int fd, int op, int ms)
{
	int64_t deadline = now_ms() + ms;
	useconds_t nap = 500;
	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			return -1;
		usleep(nap);
		if (nap < 20000)
			nap *= 2;
	}
}

static int
open_lockfile(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

/* ---- environment ------------------------------------------------------- */

static int
isalive(DB_ENV *e, pid_t pid, db_threadid_t tid, u_int32_t flags)
{
	(void)e; (void)tid; (void)flags;
	if (pid == getpid())
		return 1;
	return kill(pid, 0) == 0 || errno == EPERM;
}

static void
env_errcall(const DB_ENV *e, const char *pfx, const char *msg)
{
	(void)e; (void)pfx;
	log_msg(LOG_WARN, LOG_T_STORE, "berkeley db: %s", msg);
}

/* Informational messages (failchk's "Freeing locks ...") default to stdout: the reply. */
static void
env_msgcall(const DB_ENV *e, const char *msg)
{
	(void)e;
	log_msg(LOG_DEBUG, LOG_T_STORE, "berkeley db: %s", msg);
}

static int
env_make(const struct config *cfg, DB_ENV **out)
{
	DB_ENV *e;
	int r;
	if ((r = db_env_create(&e, 0)) != 0)
		return r;
	e->set_errcall(e, env_errcall);
	e->set_msgcall(e, env_msgcall);
	e->set_thread_count(e, TORC_THREAD_SLOTS);
	e->set_isalive(e, isalive);
	e->set_timeout(e, TORC_LOCK_TIMEOUT_US, DB_SET_LOCK_TIMEOUT);
	e->set_lk_detect(e, DB_LOCK_DEFAULT);
	/* Sizes only matter when the regions are created. */
	e->set_cachesize(e, 0, 64 * 1024 * 1024, 1);
	/*
	 * Left alone, the mutex region is sized for a full cache (about
	 * 29,000 mutexes for 64 MB), and failchk, run by every joining
	 * process, walks every one: a fault-in of 3.7 MB per process.  Start
	 * small and grow with the pages actually cached.  With an initial
	 * count set, the library no longer derives the cache's hash-bucket
	 * mutexes from the cache size: name them, or the buckets get none.
	 */
	e->mutex_set_init(e, TORC_MUTEX_INIT);
	e->mutex_set_max(e, TORC_MUTEX_MAX);
	e->set_mp_mtxcount(e, TORC_MP_MUTEXES);
	e->set_lk_max_locks(e, 200000);
	e->set_lk_max_objects(e, 200000);
	e->set_lk_max_lockers(e, 20000);
	e->set_lg_bsize(e, 4 * 1024 * 1024);
	e->set_lg_max(e, 32 * 1024 * 1024);
	if (!cfg->durable)
		e->set_flags(e, DB_TXN_WRITE_NOSYNC, 1);
	*out = e;
	return 0;
}

#define ENV_FLAGS (DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL)

/*
 * DB_NOSYNC: a plain close writes every dirty page the shared cache holds
 * for that table and fdatasyncs the file, in every process, for every
 * table it touched.  The log already makes commits durable and recovery
 * replays it; checkpoints write the pages.
 */
static void
close_dbs(void)
{
	for (int i = 0; i < T_MAX; i++)
		if (dbs[i] != NULL) {
			dbs[i]->close(dbs[i], DB_NOSYNC);
			dbs[i] = NULL;
		}
}

static void
env_close(void)
{
	close_dbs();
	if (env != NULL) {
		env->close(env, 0);
		env = NULL;
	}
}

static int
version_present(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/torc.version", dir);
	return access(path, F_OK) == 0;
}

static void
remove_regions(const char *dir)
{
	char path[4096];
	for (int i = 1; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/__db.%03d", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/__db.register", dir);
	unlink(path);
}

/*
 * Open e as an ordinary joiner (unless dir is NULL: e is open already) and
 * run failchk, with torc.failchk held exclusive around both (see the top
 * of this file).
 */
int
store_env_attach(int fd, DB_ENV *e, const char *dir, unsigned flags)
{
	char was = '0';
	int r = 0;

	if (store_flock_wait(fd, LOCK_EX, TORC_ENV_WAIT_MS) < 0)
		return ETIMEDOUT;
	if (pread(fd, &was, 1, 0) == 1 && was == '1') {
		/* The last attach never finished: its process died inside. */
		log_msg(LOG_WARN, LOG_T_STORE, "a process died opening the environment; "
		    "it may hold a region mutex, which only recovery frees");
		flock(fd, LOCK_UN);
		return DB_RUNRECOVERY;
	}
	if (pwrite(fd, "1", 1, 0) != 1) {
		flock(fd, LOCK_UN);
		return errno ? errno : EIO;
	}
	int64_t t0 = now_ms();
	/* The stall bound, never past the process's own lifetime. */
	unsigned lifetime = alarm(TORC_ATTACH_STALL_S);
	if (lifetime != 0 && lifetime < TORC_ATTACH_STALL_S)
		alarm(lifetime);
	store_fault("attach");
	if (dir != NULL)
		r = e->open(e, dir, flags, 0600);
	if (r == 0)
		r = e->failchk(e, 0);
	/*
	 * Lock timeouts are enforced only when the deadlock detector runs: a
	 * waiter nobody else disturbs would wait until its lifetime alarm
	 * ends it inside the library (and everyone pays a recovery).  Every
	 * process that joins expires the waits that are past their time.
	 */
	if (r == 0)
		(void)e->lock_detect(e, 0, DB_LOCK_EXPIRE, NULL);
	if (lifetime != 0) {
		unsigned spent = (unsigned)((now_ms() - t0) / 1000);
		alarm(lifetime > spent ? lifetime - spent : 1);
	} else
		alarm(0);
	store_attach_clear(fd);
	flock(fd, LOCK_UN);
	return r;
}

void
store_attach_clear(int fd)
{
	if (pwrite(fd, "0", 1, 0) != 1)
		log_msg(LOG_WARN, LOG_T_STORE, "cannot clear torc.failchk: %s", strerror(errno));
}

/*
 * The recovery generation: a counter in torc.lock, bumped by every
 * recovery under the exclusive lock.  A process that saw the environment
 * panic reads it before queueing to recover; if it has moved by the time
 * the process gets the lock, someone else already recovered and the
 * process only joins again.
 */
static uint64_t
generation(void)
{
	unsigned char b[8];
	uint64_t g = 0;
	if (pread(lockfd, b, sizeof(b), 0) == (ssize_t)sizeof(b))
		for (int i = 0; i < 8; i++)
			g = g << 8 | b[i];
	return g;
}

static void
generation_bump(void)
{
	unsigned char b[8];
	uint64_t g = generation() + 1;
	for (int i = 7; i >= 0; i--, g >>= 8)
		b[i] = (unsigned char)g;
	if (pwrite(lockfd, b, sizeof(b), 0) != (ssize_t)sizeof(b))
		log_msg(LOG_WARN, LOG_T_STORE, "cannot record the recovery: %s", strerror(errno));
}

/*
 * Recover (and create, when new) with nobody else inside: intent then main
 * lock, both exclusive.  A process stuck inside on a dead peer's mutex
 * holds the main lock until its lifetime alarm ends it, so the wait for
 * everybody to leave covers a whole lifetime.  seen is the generation the
 * caller saw fail (or UINT64_MAX to recover regardless).  0 ok, -1 with err.
 */
static int
recover_exclusive(const struct config *cfg, int create, uint64_t seen, char *err,
    size_t errlen)
{
	DB_ENV *e = NULL;
	int r, rc = -1;
	unsigned left;

	if (store_flock_wait(intentfd, LOCK_EX, TORC_RECOVER_WAIT_MS) < 0) {
		snprintf(err, errlen, "timed out waiting to recover the database");
		return -1;
	}
	if (store_flock_wait(lockfd, LOCK_EX, TORC_RECOVER_WAIT_MS) < 0) {
		snprintf(err, errlen, "timed out waiting for other processes to leave the database");
		goto out;
	}
	if (seen != UINT64_MAX && generation() != seen && version_present(cfg->database)) {
		rc = 0;		/* recovered by another process meanwhile */
		goto out;
	}
	/* Recovery is bounded work with nobody else inside: let it finish. */
	left = alarm(0);
	/*
	 * Nobody is inside: the regions are runtime state only, and one left
	 * by a process that died inside the library may be garbage that would
	 * crash the recovery that attaches to it.  Start from fresh regions;
	 * recovery rebuilds everything from the log.
	 */
	remove_regions(cfg->database);
	store_attach_clear(failfd);
	if ((r = env_make(cfg, &e)) != 0 ||
	    (r = e->open(e, cfg->database, DB_CREATE | DB_RECOVER | ENV_FLAGS, 0600)) != 0) {
		snprintf(err, errlen, "cannot recover the database in %s: %s",
		    cfg->database, db_strerror(r));
		goto rearm;
	}
	if (create || !version_present(cfg->database)) {
		for (int i = 0; i < T_MAX; i++) {
			DB *db;
			char file[64];
			snprintf(file, sizeof(file), "%s.db", table_names[i]);
			if ((r = db_create(&db, e, 0)) != 0 ||
			    (r = db->open(db, NULL, file, NULL, DB_BTREE,
			    DB_CREATE | DB_AUTO_COMMIT, 0600)) != 0) {
				snprintf(err, errlen, "cannot create %s: %s", file, db_strerror(r));
				goto rearm;
			}
			db->close(db, 0);
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/torc.version", cfg->database);
		FILE *f = fopen(path, "w");
		if (f == NULL || fputs(STORE_VERSION, f) < 0 || fclose(f) != 0) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			goto rearm;
		}
	}
	e->txn_checkpoint(e, 0, 0, DB_FORCE);
	generation_bump();
	log_msg(create ? LOG_INFO : LOG_WARN, LOG_T_STORE, "database %s recovered%s",
	    cfg->database, create ? "" : " after a failed process");
	rc = 0;
rearm:
	if (e != NULL)
		e->close(e, 0);
	if (left != 0)
		alarm(left);
out:
	flock(lockfd, LOCK_UN);
	flock(intentfd, LOCK_UN);
	return rc;
}

static int
lockfiles_open(const struct config *cfg, char *err, size_t errlen)
{
	if (lockfd >= 0)
		return 0;
	if (mkdir(cfg->database, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create database folder %s: %s",
		    cfg->database, strerror(errno));
		return -1;
	}
	lockfd = open_lockfile(cfg->database, "torc.lock");
	intentfd = open_lockfile(cfg->database, "torc.intent");
	failfd = open_lockfile(cfg->database, "torc.failchk");
	if (lockfd < 0 || intentfd < 0 || failfd < 0) {
		snprintf(err, errlen, "cannot open lock files in %s: %s",
		    cfg->database, strerror(errno));
		return -1;
	}
	return 0;
}

int
store_create(const struct config *cfg, int recover, char *err, size_t errlen)
{
	if (lockfiles_open(cfg, err, errlen) < 0)
		return -1;
	(void)recover;	/* always: an existing database is recovered, nobody is inside yet */
	return recover_exclusive(cfg, 1, UINT64_MAX, err, errlen);
}

/* Join the environment as an ordinary process.  0 ok, else an HTTP status. */
static int
env_join(const struct config *cfg, char *err, size_t errlen)
{
	int busy = 0;

	if (lockfiles_open(cfg, err, errlen) < 0)
		return 500;
	for (int attempt = 0; attempt < 4; attempt++) {
		int r;
		uint64_t gen;
		if (!version_present(cfg->database)) {
			if (recover_exclusive(cfg, 1, generation(), err, errlen) < 0)
				return 503;
			continue;
		}
		if (store_flock_wait(intentfd, LOCK_SH, TORC_ENV_WAIT_MS) < 0 ||
		    store_flock_wait(lockfd, LOCK_SH, TORC_ENV_WAIT_MS) < 0) {
			flock(intentfd, LOCK_UN);
			snprintf(err, errlen, "timed out waiting for database recovery");
			return 503;
		}
		flock(intentfd, LOCK_UN);
		gen = generation();
		if ((r = env_make(cfg, &env)) == 0 &&
		    (r = store_env_attach(failfd, env, cfg->database, ENV_FLAGS)) == 0)
			return 0;
		log_msg(LOG_WARN, LOG_T_STORE, "joining the environment: %s", db_strerror(r));
		if (env != NULL) {
			/* A panicked region may be garbage: do not walk it to close. */
			if (r != DB_RUNRECOVERY)
				env->close(env, 0);
			env = NULL;
		}
		flock(lockfd, LOCK_UN);
		if (r == ETIMEDOUT) {
			snprintf(err, errlen, "timed out waiting to join the database");
			return 503;
		}
		if (r == EBUSY && busy++ == 0) {
			/* failchk freed a dead peer's locks; the next try runs clean. */
			continue;
		}
		/*
		 * ENOENT with torc.version present: the regions are gone (a
		 * recovery was killed after removing them, or someone deleted
		 * them); recovery makes new ones from the log.
		 */
		if (recover_exclusive(cfg, 0, gen, err, errlen) < 0)
			return 503;
	}
	snprintf(err, errlen, "cannot open the database after recovery");
	return 503;
}

static void
store_cleanup(void)
{
	if (panicked) {
		/* Leave handles alone; the next process recovers. */
		memset(cursors, 0, sizeof(cursors));
		memset(dbs, 0, sizeof(dbs));
		cur.txn = NULL;
		env = NULL;
		if (lockfd >= 0)
			flock(lockfd, LOCK_UN);
		return;
	}
	for (int i = 0; i < MAX_CURSORS; i++)
		if (cursors[i] != NULL) {
			cursors[i]->close(cursors[i]);
			cursors[i] = NULL;
		}
	if (cur.txn != NULL) {
		cur.txn->abort(cur.txn);
		cur.txn = NULL;
	}
	env_close();
	if (lockfd >= 0)
		flock(lockfd, LOCK_UN);
}

void
store_close(void)
{
	store_cleanup();
	if (lockfd >= 0)
		close(lockfd);
	if (intentfd >= 0)
		close(intentfd);
	if (failfd >= 0)
		close(failfd);
	lockfd = intentfd = failfd = -1;
}

static DB *
table_db(enum table tb)
{
	int r;
	char file[64];
	if (dbs[tb] != NULL)
		return dbs[tb];
	snprintf(file, sizeof(file), "%s.db", table_names[tb]);
	if ((r = db_create(&dbs[tb], env, 0)) != 0 ||
	    (r = dbs[tb]->open(dbs[tb], NULL, file, NULL, DB_BTREE, DB_AUTO_COMMIT, 0600)) != 0) {
		if (dbs[tb] != NULL && r != DB_RUNRECOVERY)
			dbs[tb]->close(dbs[tb], 0);
		dbs[tb] = NULL;
		if (r == DB_LOCK_DEADLOCK || r == DB_LOCK_NOTGRANTED)
			longjmp(retry_jmp, r);
		check(r, "open", tb);
	}
	return dbs[tb];
}

/* Every database call's error goes through here. */
static void
check(int r, const char *what, enum table tb)
{
	if (r == 0)
		return;
	if ((r == DB_LOCK_DEADLOCK || r == DB_LOCK_NOTGRANTED) && in_work)
		longjmp(retry_jmp, r);
	if (r == DB_RUNRECOVERY) {
		panicked = 1;
		die_http(503, "database needs recovery; retry");
	}
	if (r == DB_LOCK_DEADLOCK || r == DB_LOCK_NOTGRANTED)
		die_http(503, "database busy; retry");
	die_http(500, "database error in %s of %s: %s", what, table_names[tb], db_strerror(r));
}

static void
backoff(int attempt)
{
	unsigned base = 2000u << (attempt < 6 ? attempt : 6);	/* 2 ms .. 128 ms */
	usleep(base / 2 + (unsigned)(random() % (long)base));
}

static int
run(const struct config *cfg, struct request *rq, store_work fn, void *arg)
{
	char err[512];
	int st;
	volatile int attempt = 0;
	const int nhdr0 = rq != NULL ? rq->nhdr : 0;	/* headers set before the work */

	scfg = cfg;
	if (env == NULL) {
		if ((st = env_join(cfg, err, sizeof(err))) != 0) {
			if (rq != NULL) {
				if (st == 503)
					cgi_header(rq, "Retry-After", "1");
				return cgi_error(rq, st, "%s", err);
			}
			log_msg(LOG_ERROR, LOG_T_STORE, "%s", err);
			return st;
		}
		cgi_set_cleanup(store_cleanup);
		srandom((unsigned)getpid() ^ (unsigned)now_ms());
	}
	int jr = setjmp(retry_jmp);
	if (jr != 0) {
		in_work = 0;
		pending_flush(0);
		for (int i = 0; i < MAX_CURSORS; i++)
			if (cursors[i] != NULL) {
				cursors[i]->close(cursors[i]);
				cursors[i] = NULL;
			}
		if (cur.txn != NULL) {
			cur.txn->abort(cur.txn);
			cur.txn = NULL;
		}
		if (jr == DB_LOCK_NOTGRANTED) {
			/* A dead holder?  Release it. */
			int r = store_env_attach(failfd, env, NULL, 0);
			if (r != 0 && r != ETIMEDOUT && r != EBUSY)
				check(r, "failchk", T_META);
		}
		/*
		 * Give up while there is time to do it cleanly: a process the
		 * lifetime alarm ends inside a lock wait dies inside Berkeley
		 * DB, and everyone pays a recovery for it.
		 */
		unsigned left = alarm(0);
		if (left != 0)
			alarm(left);
		int late = left != 0 && left <= TORC_LOCK_TIMEOUT_US / 1000000 + 2;
		if (++attempt >= TORC_TXN_RETRIES || late) {
			log_msg(LOG_WARN, LOG_T_STORE, "giving up after %d conflicts%s", attempt,
			    late ? ", near the end of the request's lifetime" : "");
			if (rq != NULL) {
				cgi_header(rq, "Retry-After", "1");
				return cgi_error(rq, 503, "database busy; retry");
			}
			return 503;
		}
		backoff(attempt);
	}
	if (rq != NULL) {
		rq->out = NULL;
		rq->raw_out = NULL;
		rq->nhdr = nhdr0;
	}
	check(env->txn_begin(env, NULL, &cur.txn, 0), "begin", T_META);
	in_work = 1;
	st = fn(rq, &cur, arg);
	in_work = 0;
	for (int i = 0; i < MAX_CURSORS; i++)
		if (cursors[i] != NULL) {
			cursors[i]->close(cursors[i]);
			cursors[i] = NULL;
		}
	if (st >= 200 && st < 300) {
		store_fault("before-commit");
		int r = cur.txn->commit(cur.txn, 0);
		cur.txn = NULL;
		if (r == DB_LOCK_DEADLOCK) {
			in_work = 1;
			check(r, "commit", T_META);
		}
		check(r, "commit", T_META);
		pending_flush(1);
		store_fault("after-commit");
		env->txn_checkpoint(env, 1024, 5, 0);
	} else {
		cur.txn->abort(cur.txn);
		cur.txn = NULL;
		pending_flush(0);
	}
	return st;
}

int
store_run(struct request *rq, store_work fn, void *arg)
{
	return run(rq->cfg, rq, fn, arg);
}

int
store_run_tool(const struct config *cfg, store_work fn, void *arg)
{
	int st = run(cfg, NULL, fn, arg);
	return st >= 200 && st < 300 ? 0 : st;
}

/* ---- records ------------------------------------------------------------ */

static void
be64(unsigned char *b, int64_t v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
}

int64_t
ikey_part(const void *key, size_t off)
{
	const unsigned char *b = (const unsigned char *)key + off;
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u = (u << 8) | b[i];
	return (int64_t)u;
}

void
ikey_make(struct ikey *k, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	k->len = 0;
	for (int i = 0; i < n && k->len + 8 <= sizeof(k->b); i++) {
		be64(k->b + k->len, va_arg(ap, int64_t));
		k->len += 8;
	}
	va_end(ap);
}

void
ikey_add_str(struct ikey *k, const char *s)
{
	size_t l = strlen(s) + 1;
	if (k->len + l > sizeof(k->b))
		die_http(400, "name too long for an index key");
	memcpy(k->b + k->len, s, l);
	k->len += l;
}

static cJSON *
get(store_txn *t, enum table tb, int64_t id, u_int32_t flags)
{
	unsigned char kb[8];
	DBT k, v;
	int r;
	char err[128];

	be64(kb, id);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = kb;
	k.size = 8;
	v.flags = DB_DBT_MALLOC;
	r = table_db(tb)->get(table_db(tb), t->txn, &k, &v, flags);
	if (r == DB_NOTFOUND)
		return NULL;
	check(r, "get", tb);
	cJSON *rec = cJSON_ParseWithLength(v.data, v.size);
	free(v.data);
	if (rec == NULL) {
		snprintf(err, sizeof(err), "corrupt record %lld in %s", (long long)id, table_names[tb]);
		die_http(500, "%s", err);
	}
	return rec;
}

cJSON *
store_get(store_txn *t, enum table tb, int64_t id)
{
	return get(t, tb, id, 0);
}

cJSON *
store_get_rmw(store_txn *t, enum table tb, int64_t id)
{
	return get(t, tb, id, DB_RMW);
}

void
store_put(store_txn *t, enum table tb, int64_t id, const cJSON *rec)
{
	unsigned char kb[8];
	DBT k, v;
	char *text = cJSON_PrintUnformatted(rec);

	if (text == NULL)
		die_http(500, "cannot format a record");
	be64(kb, id);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = kb;
	k.size = 8;
	v.data = text;
	v.size = (u_int32_t)strlen(text);
	check(table_db(tb)->put(table_db(tb), t->txn, &k, &v, 0), "put", tb);
	store_fault("write");
}

int64_t
store_next_id(store_txn *t, enum table tb)
{
	struct ikey k;
	unsigned char buf[8];
	int64_t next = 1;

	k.len = (size_t)snprintf((char *)k.b, sizeof(k.b), "seq/%s", table_names[tb]);
	if (store_iget(t, T_META, &k, buf, sizeof(buf)) == 8)
		next = ikey_part(buf, 0);
	be64(buf, next + 1);
	store_iput(t, T_META, &k, buf, 8);
	return next;
}

int64_t
store_insert(store_txn *t, enum table tb, cJSON *rec)
{
	int64_t id = store_next_id(t, tb);
	cJSON *idv = cJSON_CreateNumber((double)id);
	/* "id" first, as the real Torc emits it. */
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "id");
	idv->string = arena_strdup("id");
	idv->next = rec->child;
	if (rec->child != NULL) {
		idv->prev = rec->child->prev;
		rec->child->prev = idv;
	} else
		idv->prev = idv;
	rec->child = idv;
	store_put(t, tb, id, rec);
	return id;
}

int
store_del(store_txn *t, enum table tb, int64_t id)
{
	unsigned char kb[8];
	DBT k;
	int r;
	be64(kb, id);
	memset(&k, 0, sizeof(k));
	k.data = kb;
	k.size = 8;
	r = table_db(tb)->del(table_db(tb), t->txn, &k, 0);
	if (r == DB_NOTFOUND)
		return 0;
	check(r, "delete", tb);
	return 1;
}

/* ---- indexes ------------------------------------------------------------- */

void
store_iput(store_txn *t, enum table tb, const struct ikey *ik, const void *val,
    size_t vlen)
{
	DBT k, v;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)ik->b;
	k.size = (u_int32_t)ik->len;
	v.data = (void *)(val ? val : "");
	v.size = (u_int32_t)vlen;
	check(table_db(tb)->put(table_db(tb), t->txn, &k, &v, 0), "put", tb);
}

int
store_idel(store_txn *t, enum table tb, const struct ikey *ik)
{
	DBT k;
	int r;
	memset(&k, 0, sizeof(k));
	k.data = (void *)ik->b;
	k.size = (u_int32_t)ik->len;
	r = table_db(tb)->del(table_db(tb), t->txn, &k, 0);
	if (r == DB_NOTFOUND)
		return 0;
	check(r, "delete", tb);
	return 1;
}

int
store_iget(store_txn *t, enum table tb, const struct ikey *ik, void *val, size_t cap)
{
	DBT k, v;
	int r;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)ik->b;
	k.size = (u_int32_t)ik->len;
	v.data = val;
	v.ulen = (u_int32_t)cap;
	v.flags = DB_DBT_USERMEM;
	r = table_db(tb)->get(table_db(tb), t->txn, &k, &v, 0);
	if (r == DB_NOTFOUND)
		return -1;
	if (r == DB_BUFFER_SMALL)
		die_http(500, "index value too large in %s", table_names[tb]);
	check(r, "get", tb);
	return (int)v.size;
}

static int
cursor_slot(DBC *c)
{
	for (int i = 0; i < MAX_CURSORS; i++)
		if (cursors[i] == NULL) {
			cursors[i] = c;
			return i;
		}
	c->close(c);
	die_http(500, "too many open cursors");
}

static void
cursor_release(int slot)
{
	if (cursors[slot] != NULL) {
		cursors[slot]->close(cursors[slot]);
		cursors[slot] = NULL;
	}
}

long
store_scan(store_txn *t, enum table tb, const struct ikey *prefix, int rmw,
    store_scan_cb cb, void *arg)
{
	DBC *c;
	DBT k, v;
	long n = 0;
	int r, slot;
	unsigned char kbuf[sizeof(prefix->b)];

	check(table_db(tb)->cursor(table_db(tb), t->txn, &c, 0), "cursor", tb);
	slot = cursor_slot(c);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	memcpy(kbuf, prefix->b, prefix->len);
	k.data = kbuf;
	k.size = (u_int32_t)prefix->len;
	k.ulen = sizeof(kbuf);
	k.flags = DB_DBT_USERMEM;
	r = c->get(c, &k, &v, DB_SET_RANGE | (rmw ? DB_RMW : 0));
	while (r == 0) {
		if (k.size < prefix->len || memcmp(k.data, prefix->b, prefix->len) != 0)
			break;
		n++;
		if (cb != NULL && cb(k.data, k.size, v.data, v.size, arg) != 0)
			break;
		r = c->get(c, &k, &v, DB_NEXT | (rmw ? DB_RMW : 0));
	}
	if (r != 0 && r != DB_NOTFOUND) {
		cursor_release(slot);
		check(r, "scan", tb);
	}
	cursor_release(slot);
	return n;
}

struct ids_acc {
	int64_t	*v;
	long	 n, cap, max;
};

static int
ids_cb(const unsigned char *key, size_t klen, const unsigned char *val,
    size_t vlen, void *arg)
{
	struct ids_acc *a = arg;
	(void)val; (void)vlen;
	if (a->n == a->cap) {
		long nc = a->cap ? a->cap * 2 : 64;
		a->v = arena_realloc(a->v, sizeof(int64_t) * (size_t)a->cap,
		    sizeof(int64_t) * (size_t)nc);
		a->cap = nc;
	}
	a->v[a->n++] = ikey_part(key, klen - 8);
	return a->max > 0 && a->n >= a->max;
}

int64_t *
store_scan_ids(store_txn *t, enum table tb, const struct ikey *prefix,
    long max, long *n)
{
	struct ids_acc a = { NULL, 0, 0, max };
	store_scan(t, tb, prefix, 0, ids_cb, &a);
	*n = a.n;
	return a.v;
}

long
store_count(store_txn *t, enum table tb, const struct ikey *prefix)
{
	return store_scan(t, tb, prefix, 0, NULL, NULL);
}

long
store_idel_prefix(store_txn *t, enum table tb, const struct ikey *prefix)
{
	DBC *c;
	DBT k, v;
	long n = 0;
	int r, slot;
	unsigned char kbuf[sizeof(prefix->b)];

	check(table_db(tb)->cursor(table_db(tb), t->txn, &c, 0), "cursor", tb);
	slot = cursor_slot(c);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	memcpy(kbuf, prefix->b, prefix->len);
	k.data = kbuf;
	k.size = (u_int32_t)prefix->len;
	k.ulen = sizeof(kbuf);
	k.flags = DB_DBT_USERMEM;
	v.flags = DB_DBT_PARTIAL;	/* values are not needed */
	r = c->get(c, &k, &v, DB_SET_RANGE | DB_RMW);
	while (r == 0) {
		if (k.size < prefix->len || memcmp(k.data, prefix->b, prefix->len) != 0)
			break;
		if ((r = c->del(c, 0)) != 0)
			break;
		n++;
		r = c->get(c, &k, &v, DB_NEXT | DB_RMW);
	}
	if (r != 0 && r != DB_NOTFOUND) {
		cursor_release(slot);
		check(r, "delete range", tb);
	}
	cursor_release(slot);
	return n;
}

void
store_wf_link(store_txn *t, enum table tb, int64_t wf, int64_t id)
{
	struct ikey k;
	ikey_make(&k, 3, (int64_t)tb, wf, id);
	store_iput(t, T_WFIDX, &k, NULL, 0);
}

void
store_wf_unlink(store_txn *t, enum table tb, int64_t wf, int64_t id)
{
	struct ikey k;
	ikey_make(&k, 3, (int64_t)tb, wf, id);
	store_idel(t, T_WFIDX, &k);
}

int64_t *
store_wf_ids(store_txn *t, enum table tb, int64_t wf, long *n)
{
	struct ikey k;
	ikey_make(&k, 2, (int64_t)tb, wf);
	return store_scan_ids(t, T_WFIDX, &k, 0, n);
}
