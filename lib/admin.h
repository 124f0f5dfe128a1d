/*
 * admin.h: database and credential-cache maintenance, for torc-admin.
 *
 * Every function returns the tool's exit code (docs/hacking.md): 0 done,
 * 1 refused or failed (damage found, a copy that did not verify), 102
 * misconfiguration (no database there, not its owner), 111 temporary (other
 * processes did not leave the database within wait_secs).  Progress and
 * results go to out; the reason for a non-zero code is in err, without the
 * program name.
 */
#ifndef TORC_ADMIN_H
#define TORC_ADMIN_H

#include <stddef.h>
#include <stdio.h>

struct config;

enum { ADMIN_OK = 0, ADMIN_FAILED = 1, ADMIN_MISCONFIG = 102, ADMIN_TEMPFAIL = 111 };

/*
 * Check every table file with the library's verifier (db_verify), with the
 * database to itself: the exclusive recovery lock keeps every other process
 * out, and a checkpoint first puts every page the cache holds on disk.
 */
int	admin_verify(const struct config *cfg, int wait_secs, FILE *out,
	    char *err, size_t errlen);

/*
 * Hot backup into target (a new or empty folder), while the server runs:
 * DB_ENV->backup copies the table files, then the log files, in that
 * order; catastrophic recovery on the copy then makes it consistent as of
 * the end of the copied log, so it holds every transaction committed
 * before the backup started.  The copy is verified, and gets torc.version
 * last, so a copy that has it is complete.
 */
int	admin_backup(const struct config *cfg, const char *target, int wait_secs,
	    FILE *out, char *err, size_t errlen);

/*
 * Coordinated recovery under the exclusive lock (store_create).  With
 * catastrophic, replay every log file from the first (DB_RECOVER_FATAL)
 * first: that rebuilds a table file moved out of the way from the log.
 */
int	admin_recover(const struct config *cfg, int catastrophic, int wait_secs,
	    FILE *out, char *err, size_t errlen);

/* Records and size per table, log size, transaction, lock and cache
   counters; as JSON when json is set. */
int	admin_stats(const struct config *cfg, int json, int wait_secs, FILE *out,
	    char *err, size_t errlen);

/* Remove expired credential-cache entries (all of them with all). */
int	admin_cache_purge(const struct config *cfg, int all, FILE *out,
	    char *err, size_t errlen);

#endif
