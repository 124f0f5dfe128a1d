/*
 * admin.c: verify, back up, recover and measure the database; purge the
 * credential cache.  The logic of torc-admin.
 *
 * It follows store.c's protocol on the two lock files (see store.c's
 * header comment): a process inside the environment holds torc.lock
 * shared; one that needs everybody out (recovery, verification) takes
 * torc.intent exclusive, so newcomers queue, then torc.lock exclusive.
 * Joining the environment (backup, stats) is what a CGI does: shared
 * lock, open, failchk, and coordinated recovery through store_create()
 * when the environment needs it.  Waits are bounded by wait_secs.
 *
 * Files this tool writes (log records of a checkpoint, regions after a
 * recovery) must stay usable by the server, so every command refuses to
 * run as anyone but the owner of the database folder.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <db.h>

#include "admin.h"
#include "bounds.h"
#include "config.h"
#include "credcache.h"
#include "log.h"
#include "store.h"

#define ENV_FLAGS	(DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL)
#define STATS_RETRIES	5	/* lock conflicts tolerated per table in stats */

struct locks {
	int	intent;
	int	lock;
	int	failchk;	/* torc.failchk: see store_env_attach */
};

/* Where the library's messages about the file being checked go. */
static FILE	*verify_out;
static const char *verify_table;
static int	 verify_msgs;

static int __attribute__((format(printf, 4, 5)))
fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

static int64_t
now_ms(void)
{
	return store_now_ms();
}

static void
path_in(char *buf, size_t cap, const char *dir, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

/* ---- lock files ------------------------------------------------------ */

static int
locks_open(const char *dir, struct locks *l, char *err, size_t errlen)
{
	char path[PATH_MAX];

	path_in(path, sizeof(path), dir, "torc.intent");
	l->intent = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	path_in(path, sizeof(path), dir, "torc.lock");
	l->lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	path_in(path, sizeof(path), dir, "torc.failchk");
	l->failchk = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->intent < 0 || l->lock < 0 || l->failchk < 0) {
		int e = errno;
		if (l->intent >= 0)
			close(l->intent);
		if (l->lock >= 0)
			close(l->lock);
		if (l->failchk >= 0)
			close(l->failchk);
		l->intent = l->lock = l->failchk = -1;
		return fail(ADMIN_FAILED, err, errlen, "cannot open the lock files in %s: %s",
		    dir, strerror(e));
	}
	return ADMIN_OK;
}

static void
locks_close(struct locks *l)
{
	if (l->intent >= 0)
		close(l->intent);
	if (l->lock >= 0)
		close(l->lock);
	if (l->failchk >= 0)
		close(l->failchk);
	l->intent = l->lock = l->failchk = -1;
}

/* The store's bounded flock, against a deadline. */
static int
flock_until(int fd, int op, int64_t deadline)
{
	int64_t left = deadline - now_ms();
	return store_flock_wait(fd, op, left > 0 ? (int)left : 0);
}

/* Everybody out: intent, then the main lock, both exclusive. */
static int
lock_exclusive(struct locks *l, int wait_secs, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (int64_t)wait_secs * 1000;

	if (flock_until(l->intent, LOCK_EX, deadline) < 0)
		return fail(ADMIN_TEMPFAIL, err, errlen, "another recovery or torc-admin "
		    "holds the database; nothing done (waited %d s)", wait_secs);
	if (flock_until(l->lock, LOCK_EX, deadline) < 0) {
		flock(l->intent, LOCK_UN);
		return fail(ADMIN_TEMPFAIL, err, errlen, "other processes did not leave the "
		    "database within %d s; nothing done", wait_secs);
	}
	return ADMIN_OK;
}

/* Inside, like every CGI: the main lock shared (behind any recoverer). */
static int
lock_shared(struct locks *l, int wait_secs, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (int64_t)wait_secs * 1000;

	if (flock_until(l->intent, LOCK_SH, deadline) < 0 ||
	    flock_until(l->lock, LOCK_SH, deadline) < 0) {
		flock(l->intent, LOCK_UN);
		return fail(ADMIN_TEMPFAIL, err, errlen, "the database is being recovered or "
		    "verified; try again (waited %d s)", wait_secs);
	}
	flock(l->intent, LOCK_UN);
	return ADMIN_OK;
}

static void
unlock(struct locks *l)
{
	flock(l->lock, LOCK_UN);
	flock(l->intent, LOCK_UN);
}

/* ---- checks ---------------------------------------------------------- */

static int
check_owner(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return fail(errno == ENOENT ? ADMIN_MISCONFIG : ADMIN_FAILED, err, errlen,
		    "cannot use %s: %s", path, strerror(errno));
	if (st.st_uid != geteuid()) {
		struct passwd *pw = getpwuid(st.st_uid);
		char who[64];
		if (pw != NULL)
			snprintf(who, sizeof(who), "%s", pw->pw_name);
		else
			snprintf(who, sizeof(who), "#%ld", (long)st.st_uid);
		return fail(ADMIN_MISCONFIG, err, errlen, "%s belongs to %s (uid %ld), not to us; "
		    "run torc-admin as that user (sudo -u %s torc-admin ...), so the files "
		    "it writes stay usable by the server", path, who, (long)st.st_uid, who);
	}
	return ADMIN_OK;
}

static int
file_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	path_in(path, sizeof(path), dir, name);
	return access(path, F_OK) == 0;
}

/* A torc database folder that we own; complete (torc.version) if asked. */
static int
check_database(const struct config *cfg, int complete, char *err, size_t errlen)
{
	struct stat st;
	int rc;

	if (stat(cfg->database, &st) < 0)
		return fail(ADMIN_MISCONFIG, err, errlen, "no database at %s: %s "
		    "(set --database, TORC_DATABASE or database in torc.toml)",
		    cfg->database, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(ADMIN_MISCONFIG, err, errlen, "%s is not a folder", cfg->database);
	if ((rc = check_owner(cfg->database, err, errlen)) != ADMIN_OK)
		return rc;
	if (complete && !file_exists(cfg->database, "torc.version"))
		return fail(ADMIN_MISCONFIG, err, errlen, "%s is not a torc database "
		    "(no torc.version; torc-server run creates one)", cfg->database);
	return ADMIN_OK;
}

/* ---- the environment ------------------------------------------------- */

static void
env_errcall(const DB_ENV *e, const char *pfx, const char *msg)
{
	(void)e; (void)pfx;
	log_msg(LOG_WARN, LOG_T_STORE, "berkeley db: %s", msg);
}

static void
env_msgcall(const DB_ENV *e, const char *msg)
{
	(void)e;
	log_msg(LOG_DEBUG, LOG_T_STORE, "berkeley db: %s", msg);
}

static int
isalive(DB_ENV *e, pid_t pid, db_threadid_t tid, u_int32_t flags)
{
	(void)e; (void)tid; (void)flags;
	if (pid == getpid())
		return 1;
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* A handle configured as store.c configures its own, for joining. */
static int
env_new(DB_ENV **out)
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
	*out = e;
	return 0;
}

/* store_create (recovery) until it works or the deadline passes. */
static int
recover_until(const struct config *cfg, int64_t deadline, char *err, size_t errlen)
{
	for (;;) {
		int r = store_create(cfg, 1, err, errlen);
		store_close();
		if (r == 0)
			return ADMIN_OK;
		if (strstr(err, "timed out") == NULL)
			return ADMIN_FAILED;
		if (now_ms() >= deadline)
			return ADMIN_TEMPFAIL;
	}
}

/*
 * Join the environment as an ordinary process: *e open, l held shared.
 * A dead peer's leftovers are released by failchk; an environment that
 * needs recovery, or has none (a fresh backup), is recovered first.
 */
static int
env_join(const struct config *cfg, int wait_secs, struct locks *l, DB_ENV **out,
    char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (int64_t)wait_secs * 1000;
	int rc, busy = 0;

	for (int attempt = 0; attempt < 4; attempt++) {
		DB_ENV *e = NULL;
		int r;
		int left = (int)((deadline - now_ms()) / 1000);
		if ((rc = lock_shared(l, left > 0 ? left : 1, err, errlen)) != ADMIN_OK)
			return rc;
		if ((r = env_new(&e)) == 0 &&
		    (r = store_env_attach(l->failchk, e, cfg->database, ENV_FLAGS)) == 0) {
			*out = e;
			return ADMIN_OK;
		}
		if (e != NULL && r != DB_RUNRECOVERY)
			e->close(e, 0);
		unlock(l);
		if (r == EBUSY && busy++ == 0)
			continue;
		if (r != ENOENT && r != DB_RUNRECOVERY && r != EAGAIN && r != EBUSY)
			return fail(ADMIN_FAILED, err, errlen, "cannot open the database in %s: %s",
			    cfg->database, db_strerror(r));
		if ((rc = recover_until(cfg, deadline, err, errlen)) != ADMIN_OK)
			return rc;
	}
	return fail(ADMIN_FAILED, err, errlen, "cannot open the database in %s after recovery",
	    cfg->database);
}

static void
remove_regions(const char *dir)
{
	char path[PATH_MAX];
	for (int i = 1; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof(name), "__db.%03d", i);
		path_in(path, sizeof(path), dir, name);
		unlink(path);
	}
	path_in(path, sizeof(path), dir, "__db.register");
	unlink(path);
}

/* ---- verify ---------------------------------------------------------- */

static void
verify_errcall(const DB_ENV *e, const char *pfx, const char *msg)
{
	(void)e; (void)pfx;
	verify_msgs++;
	if (verify_out != NULL)
		fprintf(verify_out, "  %s: %s\n", verify_table ? verify_table : "?", msg);
}

static void
verify_msgcall(const DB_ENV *e, const char *msg)
{
	verify_errcall(e, NULL, msg);
}

/*
 * Verify the table files in dir, nobody else inside.  Prints one line per
 * table to out (when out is set).  Returns the number of bad tables.
 */
static int
verify_tables(const char *dir, FILE *out, long *records)
{
	int bad = 0;

	if (records != NULL)
		*records = 0;
	for (int i = 0; i < T_MAX; i++) {
		char file[64], path[PATH_MAX];
		DB *db;
		int r;
		snprintf(file, sizeof(file), "%s.db", store_table_name((enum table)i));
		path_in(path, sizeof(path), dir, file);
		if (access(path, F_OK) < 0) {
			if (out)
				fprintf(out, "%-26s MISSING\n", file);
			bad++;
			continue;
		}
		verify_out = out;
		verify_table = file;
		verify_msgs = 0;
		if ((r = db_create(&db, NULL, 0)) != 0) {
			if (out)
				fprintf(out, "%-26s cannot check: %s\n", file, db_strerror(r));
			bad++;
			continue;
		}
		db->set_errcall(db, verify_errcall);
		db->set_msgcall(db, verify_msgcall);
		r = db->verify(db, path, NULL, NULL, 0);	/* frees db */
		if (r != 0) {
			if (out)
				fprintf(out, "%-26s DAMAGED (%s)\n", file, db_strerror(r));
			bad++;
			continue;
		}
		long n = -1;
		if (records != NULL && i < T_RECORD_MAX && db_create(&db, NULL, 0) == 0) {
			DB_BTREE_STAT *sp = NULL;
			if (db->open(db, NULL, path, NULL, DB_BTREE, DB_RDONLY, 0) == 0 &&
			    db->stat(db, NULL, &sp, 0) == 0) {
				n = (long)sp->bt_ndata;
				if (i != T_META)
					*records += n;
			}
			free(sp);
			db->close(db, 0);
		}
		if (out && n >= 0)
			fprintf(out, "%-26s ok, %ld records\n", file, n);
		else if (out)
			fprintf(out, "%-26s ok\n", file);
	}
	verify_out = NULL;
	verify_table = NULL;
	return bad;
}

int
admin_verify(const struct config *cfg, int wait_secs, FILE *out, char *err, size_t errlen)
{
	struct locks l = { -1, -1, -1 };
	DB_ENV *e = NULL;
	int rc, r;

	if ((rc = check_database(cfg, 1, err, errlen)) != ADMIN_OK)
		return rc;
	if ((rc = locks_open(cfg->database, &l, err, errlen)) != ADMIN_OK)
		return rc;
	if ((rc = lock_exclusive(&l, wait_secs, err, errlen)) != ADMIN_OK)
		goto out;
	/*
	 * Nobody is inside.  Pages the shared cache still holds go to disk
	 * with a checkpoint; with no environment files there is no cache.
	 */
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((r = env_new(&e)) == 0 &&
		    (r = store_env_attach(l.failchk, e, cfg->database, ENV_FLAGS)) == 0)
			r = e->txn_checkpoint(e, 0, 0, DB_FORCE);
		if (e != NULL && r != DB_RUNRECOVERY)
			e->close(e, 0);
		e = NULL;
		if (r != EBUSY)
			break;		/* EBUSY: failchk freed a dead peer's locks; again */
	}
	if (r != 0 && r != ENOENT) {
		rc = fail(ADMIN_FAILED, err, errlen, "the environment in %s needs recovery "
		    "(%s); run torc-admin db recover, then verify again",
		    cfg->database, db_strerror(r));
		goto out;
	}
	long records;
	int bad = verify_tables(cfg->database, out, &records);
	if (bad) {
		rc = fail(ADMIN_FAILED, err, errlen, "%d of %d tables in %s failed verification",
		    bad, (int)T_MAX, cfg->database);
		goto out;
	}
	fprintf(out, "verified %d tables in %s: %ld records, no damage\n",
	    (int)T_MAX, cfg->database, records);
	rc = ADMIN_OK;
out:
	unlock(&l);
	locks_close(&l);
	return rc;
}

/* ---- backup ---------------------------------------------------------- */

/* A new folder, or an empty existing one that we own. */
static int
prepare_target(const struct config *cfg, const char *target, char *err, size_t errlen)
{
	struct stat st, sd;
	DIR *d;
	struct dirent *de;

	if (stat(target, &st) < 0) {
		if (errno != ENOENT)
			return fail(ADMIN_FAILED, err, errlen, "cannot use %s: %s", target, strerror(errno));
		if (mkdir(target, 0700) < 0)
			return fail(ADMIN_FAILED, err, errlen, "cannot create %s: %s", target, strerror(errno));
		return ADMIN_OK;
	}
	if (!S_ISDIR(st.st_mode))
		return fail(ADMIN_MISCONFIG, err, errlen, "%s exists and is not a folder", target);
	if (stat(cfg->database, &sd) == 0 && sd.st_dev == st.st_dev && sd.st_ino == st.st_ino)
		return fail(ADMIN_MISCONFIG, err, errlen, "%s is the database itself", target);
	if ((d = opendir(target)) == NULL)
		return fail(ADMIN_FAILED, err, errlen, "cannot read %s: %s", target, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			closedir(d);
			return fail(ADMIN_MISCONFIG, err, errlen, "%s is not empty; "
			    "back up into a new or empty folder", target);
		}
	closedir(d);
	return check_owner(target, err, errlen);
}

/* Copy torc.version from the database into the copy, durably, last. */
static int
mark_complete(const char *from, const char *to, char *err, size_t errlen)
{
	char src[PATH_MAX], dst[PATH_MAX], buf[256];
	ssize_t n = -1;
	int fd;

	path_in(src, sizeof(src), from, "torc.version");
	path_in(dst, sizeof(dst), to, "torc.version");
	if ((fd = open(src, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n <= 0)
		return fail(ADMIN_FAILED, err, errlen, "cannot read %s: %s", src, strerror(errno));
	if ((fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    write(fd, buf, (size_t)n) != n || fsync(fd) < 0 || close(fd) < 0)
		return fail(ADMIN_FAILED, err, errlen, "cannot write %s: %s", dst, strerror(errno));
	if ((fd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return ADMIN_OK;
}

static int
count_logs(const char *dir, long *files, long long *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];

	*files = 0;
	*bytes = 0;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "log.", 4) != 0 || strlen(de->d_name) != 14)
			continue;
		path_in(path, sizeof(path), dir, de->d_name);
		if (stat(path, &st) == 0) {
			(*files)++;
			*bytes += (long long)st.st_size;
		}
	}
	closedir(d);
	return 0;
}

int
admin_backup(const struct config *cfg, const char *target, int wait_secs, FILE *out,
    char *err, size_t errlen)
{
	struct locks l = { -1, -1, -1 };
	DB_ENV *e = NULL;
	int rc, r;
	int64_t t0 = now_ms();

	if ((rc = check_database(cfg, 1, err, errlen)) != ADMIN_OK)
		return rc;
	if ((rc = prepare_target(cfg, target, err, errlen)) != ADMIN_OK)
		return rc;
	if ((rc = locks_open(cfg->database, &l, err, errlen)) != ADMIN_OK)
		return rc;
	if ((rc = env_join(cfg, wait_secs, &l, &e, err, errlen)) != ADMIN_OK)
		goto out;
	/*
	 * Every commit acknowledged so far is in the log on disk (flushed at
	 * commit, or now for durable = false).  A checkpoint first keeps the
	 * recovery of the copy short.  Then the library's hot backup: table
	 * files page by page, then every log file.
	 */
	if ((r = e->log_flush(e, NULL)) != 0 ||
	    (r = e->txn_checkpoint(e, 0, 0, DB_FORCE)) != 0 ||
	    (r = e->backup(e, target, DB_CREATE | DB_EXCL)) != 0) {
		rc = fail(ADMIN_FAILED, err, errlen, "backup of %s into %s failed: %s",
		    cfg->database, target, db_strerror(r));
		e->close(e, 0);
		unlock(&l);
		goto out;
	}
	e->close(e, 0);
	e = NULL;
	unlock(&l);

	/* The copy: catastrophic recovery, in private memory, no files left. */
	if ((r = db_env_create(&e, 0)) == 0) {
		e->set_errcall(e, env_errcall);
		e->set_msgcall(e, env_msgcall);
		if ((r = e->open(e, target, DB_CREATE | DB_RECOVER_FATAL | DB_PRIVATE |
		    ENV_FLAGS, 0600)) == 0)
			r = e->txn_checkpoint(e, 0, 0, DB_FORCE);
		e->close(e, 0);
		e = NULL;
	}
	if (r != 0) {
		rc = fail(ADMIN_FAILED, err, errlen, "recovery of the copy in %s failed: %s",
		    target, db_strerror(r));
		goto out;
	}
	long records;
	int bad = verify_tables(target, NULL, &records);
	if (bad) {
		rc = fail(ADMIN_FAILED, err, errlen, "the copy in %s failed verification "
		    "(%d tables); it is not usable", target, bad);
		goto out;
	}
	if ((rc = mark_complete(cfg->database, target, err, errlen)) != ADMIN_OK)
		goto out;
	long nlogs;
	long long logbytes;
	count_logs(target, &nlogs, &logbytes);
	fprintf(out, "backed up %s into %s: %d tables, %ld records, %ld log files "
	    "(%lld bytes); recovered and verified in %.1f s\n", cfg->database, target,
	    (int)T_MAX, records, nlogs, logbytes, (double)(now_ms() - t0) / 1000.0);
	rc = ADMIN_OK;
out:
	locks_close(&l);
	return rc;
}

/* ---- recover --------------------------------------------------------- */

int
admin_recover(const struct config *cfg, int catastrophic, int wait_secs, FILE *out,
    char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (int64_t)wait_secs * 1000;
	int rc, r;

	if ((rc = check_database(cfg, 0, err, errlen)) != ADMIN_OK)
		return rc;
	if (!file_exists(cfg->database, "torc.version") &&
	    !file_exists(cfg->database, "log.0000000001"))
		return fail(ADMIN_MISCONFIG, err, errlen, "%s holds no torc database "
		    "(no torc.version, no log); nothing to recover", cfg->database);
	if (catastrophic) {
		struct locks l = { -1, -1, -1 };
		DB_ENV *e = NULL;
		if ((rc = locks_open(cfg->database, &l, err, errlen)) != ADMIN_OK)
			return rc;
		if ((rc = lock_exclusive(&l, wait_secs, err, errlen)) != ADMIN_OK) {
			locks_close(&l);
			return rc;
		}
		/* Regions left by the dead may be garbage: start from none. */
		remove_regions(cfg->database);
		if ((r = env_new(&e)) == 0 &&
		    (r = e->open(e, cfg->database, DB_CREATE | DB_RECOVER_FATAL | ENV_FLAGS, 0600)) == 0)
			r = e->txn_checkpoint(e, 0, 0, DB_FORCE);
		if (e != NULL)
			e->close(e, 0);
		unlock(&l);
		locks_close(&l);
		if (r != 0)
			return fail(ADMIN_FAILED, err, errlen, "catastrophic recovery of %s failed: %s",
			    cfg->database, db_strerror(r));
		fprintf(out, "replayed every log file of %s (catastrophic recovery)\n", cfg->database);
	}
	/* The store's own recovery leaves regions sized as the server wants. */
	if ((rc = recover_until(cfg, deadline, err, errlen)) != ADMIN_OK)
		return rc;
	fprintf(out, "recovered %s\n", cfg->database);
	return ADMIN_OK;
}

/* ---- stats ----------------------------------------------------------- */

struct table_stat {
	long	 records;
	long	 pages;
	long	 pagesize;
	long long bytes;
};

/* One table's counts, read-committed so writers are not held up. */
static int
table_stat(DB_ENV *e, const char *dir, enum table t, struct table_stat *ts)
{
	char file[64], path[PATH_MAX];
	struct stat st;
	int r = 0;

	snprintf(file, sizeof(file), "%s.db", store_table_name(t));
	path_in(path, sizeof(path), dir, file);
	if (stat(path, &st) < 0) {
		/* Not made yet (a table newer than the database): the server's
		   next start creates it. */
		ts->records = ts->pages = ts->pagesize = 0;
		ts->bytes = -1;
		return 0;
	}
	ts->bytes = (long long)st.st_size;
	for (int attempt = 0; attempt < STATS_RETRIES; attempt++) {
		DB_TXN *txn = NULL;
		DB *db = NULL;
		DB_BTREE_STAT *sp = NULL;
		if ((r = e->txn_begin(e, NULL, &txn, DB_READ_COMMITTED)) == 0 &&
		    (r = db_create(&db, e, 0)) == 0 &&
		    (r = db->open(db, txn, file, NULL, DB_BTREE, 0, 0600)) == 0 &&
		    (r = db->stat(db, txn, &sp, DB_READ_COMMITTED)) == 0) {
			ts->records = (long)sp->bt_ndata;
			ts->pages = (long)sp->bt_pagecnt;
			ts->pagesize = (long)sp->bt_pagesize;
		}
		free(sp);
		if (txn != NULL) {
			if (r == 0)
				r = txn->commit(txn, 0);
			else
				txn->abort(txn);
		}
		if (db != NULL)
			db->close(db, 0);
		if (r != DB_LOCK_DEADLOCK && r != DB_LOCK_NOTGRANTED)
			return r;
		usleep(10000u << attempt);
	}
	return r;
}

static char *
iso_time(time_t t, char *buf, size_t cap)
{
	struct tm tm;
	if (t == 0) {
		snprintf(buf, cap, "never");
		return buf;
	}
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int
admin_stats(const struct config *cfg, int json, int wait_secs, FILE *out,
    char *err, size_t errlen)
{
	struct locks l = { -1, -1, -1 };
	struct table_stat ts[T_MAX];
	DB_ENV *e = NULL;
	DB_LOG_STAT *lg = NULL;
	DB_TXN_STAT *tx = NULL;
	DB_LOCK_STAT *lk = NULL;
	DB_MPOOL_STAT *mp = NULL;
	long nlogs;
	long long logbytes, total_bytes = 0;
	long total_records = 0;
	int rc, r = 0;
	char when[64];

	if ((rc = check_database(cfg, 1, err, errlen)) != ADMIN_OK)
		return rc;
	if ((rc = locks_open(cfg->database, &l, err, errlen)) != ADMIN_OK)
		return rc;
	if ((rc = env_join(cfg, wait_secs, &l, &e, err, errlen)) != ADMIN_OK)
		goto out;
	memset(ts, 0, sizeof(ts));
	for (int i = 0; i < T_MAX; i++) {
		if ((r = table_stat(e, cfg->database, (enum table)i, &ts[i])) != 0) {
			rc = fail(r == DB_LOCK_DEADLOCK || r == DB_LOCK_NOTGRANTED ? ADMIN_TEMPFAIL :
			    ADMIN_FAILED, err, errlen, "cannot read %s.db: %s",
			    store_table_name((enum table)i), db_strerror(r));
			goto out;
		}
		if (i < T_RECORD_MAX && i != T_META)
			total_records += ts[i].records;
		if (ts[i].bytes > 0)
			total_bytes += ts[i].bytes;
	}
	if ((r = e->log_stat(e, &lg, 0)) != 0 || (r = e->txn_stat(e, &tx, 0)) != 0 ||
	    (r = e->lock_stat(e, &lk, 0)) != 0 || (r = e->memp_stat(e, &mp, NULL, 0)) != 0) {
		rc = fail(ADMIN_FAILED, err, errlen, "cannot read the environment statistics: %s",
		    db_strerror(r));
		goto out;
	}
	count_logs(cfg->database, &nlogs, &logbytes);
	uintmax_t lookups = mp->st_cache_hit + mp->st_cache_miss;
	double hit = lookups ? 100.0 * (double)mp->st_cache_hit / (double)lookups : 100.0;
	long long cache = (long long)mp->st_gbytes * 1024 * 1024 * 1024 + mp->st_bytes;
	iso_time(tx->st_time_ckp, when, sizeof(when));

	if (json) {
		cJSON *root = cJSON_CreateObject(), *tables = cJSON_AddObjectToObject(root, "tables");
		cJSON_AddStringToObject(root, "database", cfg->database);
		cJSON_AddNumberToObject(root, "records", (double)total_records);
		for (int i = 0; i < T_MAX; i++) {
			cJSON *t = cJSON_AddObjectToObject(tables, store_table_name((enum table)i));
			cJSON_AddStringToObject(t, "kind", i < T_RECORD_MAX ? "records" : "index");
			cJSON_AddNumberToObject(t, "records", (double)ts[i].records);
			cJSON_AddNumberToObject(t, "pages", (double)ts[i].pages);
			cJSON_AddNumberToObject(t, "bytes", (double)ts[i].bytes);
			if (ts[i].bytes < 0)
				cJSON_AddBoolToObject(t, "missing", 1);
		}
		cJSON *o = cJSON_AddObjectToObject(root, "log");
		cJSON_AddNumberToObject(o, "files", (double)nlogs);
		cJSON_AddNumberToObject(o, "bytes", (double)logbytes);
		cJSON_AddNumberToObject(o, "current_file", lg->st_cur_file);
		cJSON_AddNumberToObject(o, "current_offset", lg->st_cur_offset);
		cJSON_AddNumberToObject(o, "file_size", lg->st_lg_size);
		o = cJSON_AddObjectToObject(root, "transactions");
		cJSON_AddNumberToObject(o, "active", tx->st_nactive);
		cJSON_AddNumberToObject(o, "max_active", tx->st_maxnactive);
		cJSON_AddNumberToObject(o, "begun", (double)tx->st_nbegins);
		cJSON_AddNumberToObject(o, "committed", (double)tx->st_ncommits);
		cJSON_AddNumberToObject(o, "aborted", (double)tx->st_naborts);
		cJSON_AddStringToObject(o, "last_checkpoint", when);
		o = cJSON_AddObjectToObject(root, "locks");
		cJSON_AddNumberToObject(o, "held", lk->st_nlocks);
		cJSON_AddNumberToObject(o, "max_held", lk->st_maxnlocks);
		cJSON_AddNumberToObject(o, "limit", lk->st_maxlocks);
		cJSON_AddNumberToObject(o, "lockers", lk->st_nlockers);
		cJSON_AddNumberToObject(o, "requests", (double)lk->st_nrequests);
		cJSON_AddNumberToObject(o, "waits", (double)lk->st_lock_wait);
		cJSON_AddNumberToObject(o, "deadlocks", (double)lk->st_ndeadlocks);
		cJSON_AddNumberToObject(o, "timeouts", (double)lk->st_nlocktimeouts);
		o = cJSON_AddObjectToObject(root, "cache");
		cJSON_AddNumberToObject(o, "bytes", (double)cache);
		cJSON_AddNumberToObject(o, "hits", (double)mp->st_cache_hit);
		cJSON_AddNumberToObject(o, "misses", (double)mp->st_cache_miss);
		cJSON_AddNumberToObject(o, "dirty_pages", mp->st_page_dirty);
		char *text = cJSON_Print(root);
		fprintf(out, "%s\n", text ? text : "{}");
		free(text);
		cJSON_Delete(root);
	} else {
		fprintf(out, "database %s\n\n%-26s %10s %8s %12s\n", cfg->database,
		    "table", "records", "pages", "bytes");
		for (int i = 0; i < T_MAX; i++) {
			char name[64];
			snprintf(name, sizeof(name), "%s%s", store_table_name((enum table)i),
			    i < T_RECORD_MAX ? "" : " (index)");
			if (ts[i].bytes < 0)
				fprintf(out, "%-26s %10s\n", name, "missing");
			else
				fprintf(out, "%-26s %10ld %8ld %12lld\n", name, ts[i].records,
				    ts[i].pages, ts[i].bytes);
		}
		fprintf(out, "%-26s %10ld %8s %12lld\n\n", "total (records tables)", total_records,
		    "", total_bytes);
		fprintf(out, "log:          %ld files, %lld bytes on disk; writing file %u at offset %u\n",
		    nlogs, logbytes, lg->st_cur_file, lg->st_cur_offset);
		fprintf(out, "transactions: %u active (at most %u), %ju begun, %ju committed, "
		    "%ju aborted; last checkpoint %s\n", tx->st_nactive, tx->st_maxnactive,
		    tx->st_nbegins, tx->st_ncommits, tx->st_naborts, when);
		fprintf(out, "locks:        %u held (at most %u of %u), %u lockers, %ju requests, "
		    "%ju waits, %ju deadlocks, %ju timeouts\n", lk->st_nlocks, lk->st_maxnlocks,
		    lk->st_maxlocks, lk->st_nlockers, lk->st_nrequests, lk->st_lock_wait,
		    lk->st_ndeadlocks, lk->st_nlocktimeouts);
		fprintf(out, "cache:        %lld bytes, %.1f%% hits (%ju of %ju), %u dirty pages\n",
		    cache, hit, mp->st_cache_hit, lookups, mp->st_page_dirty);
		fprintf(out, "(counters run since the environment was last recovered)\n");
	}
	rc = ADMIN_OK;
out:
	free(lg);
	free(tx);
	free(lk);
	free(mp);
	if (e != NULL)
		e->close(e, 0);
	unlock(&l);
	locks_close(&l);
	return rc;
}

/* ---- cache ----------------------------------------------------------- */

int
admin_cache_purge(const struct config *cfg, int all, FILE *out, char *err, size_t errlen)
{
	char *dir = config_cache_dir(cfg);
	long ttl = all ? 0 : cfg->credential_cache_ttl_secs;
	int rc, n;

	if (dir == NULL)
		return fail(ADMIN_FAILED, err, errlen, "out of memory");
	if (access(dir, F_OK) < 0 && errno == ENOENT) {
		fprintf(out, "no credential cache at %s: nothing to purge\n", dir);
		free(dir);
		return ADMIN_OK;
	}
	if ((rc = check_owner(dir, err, errlen)) != ADMIN_OK) {
		free(dir);
		return rc;
	}
	if ((n = credcache_purge(dir, ttl)) < 0) {
		rc = fail(ADMIN_FAILED, err, errlen, "cannot purge %s: %s (the folder must be "
		    "ours and mode 0700)", dir, strerror(errno));
		free(dir);
		return rc;
	}
	fprintf(out, "removed %d %s from %s\n", n, ttl > 0 ?
	    "expired entries or stale temporary files" : "entries", dir);
	free(dir);
	return ADMIN_OK;
}
