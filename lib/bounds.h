/*
 * bounds.h: every bound torc-cgi enforces, in one place.
 *
 * A request that exceeds one of these gets a clear 4xx; a resource the
 * server guards (time, memory, locks) is never left unbounded.
 */
#ifndef TORC_BOUNDS_H
#define TORC_BOUNDS_H

#define TORC_MAX_BODY		(64L * 1024 * 1024)	/* request body bytes (413 above) */
#define TORC_DRAIN_MAX		(1024L * 1024)		/* unread body discarded before an early reply */
#define TORC_MAX_JSON_DEPTH	64			/* nesting of arrays/objects */
#define TORC_MAX_STRING		(1L * 1024 * 1024)	/* bytes in one JSON string (escaped) */
#define TORC_MAX_PATH		4096			/* PATH_INFO bytes */
#define TORC_ECHO_MAX		256			/* bytes of a path quoted in an error */
#define TORC_MAX_SEGS		16			/* path segments */
#define TORC_MAX_QUERY		8192			/* QUERY_STRING bytes */
#define TORC_MAX_PARAMS		64			/* query parameters */
#define TORC_MAX_HEADER		8192			/* Authorization header bytes */
#define TORC_FCGI_PARAMS_BYTES	(256L * 1024)		/* FastCGI name-value bytes of a request (431) */
#define TORC_FCGI_PARAMS	8192			/* FastCGI name-value pairs of a request (431) */
#define TORC_MAX_USERNAME	256			/* bytes in a user name */
#define TORC_MAX_PASSWORD	1024			/* bytes in a password */
#define TORC_BCRYPT_MAX_COST	14			/* stored hashes above: refused */
#define TORC_LIST_MAX_LIMIT	10000			/* max_limit in list envelopes */
#define TORC_BULK_MAX_JOBS	10000			/* jobs in one bulk_jobs POST */
#define TORC_MAX_DEPENDENCIES	2000000L		/* dependency edges initialize may hold (422) */
#define TORC_CLAIM_DEFAULT	10			/* claim_next_jobs default limit */

#define TORC_TXN_RETRIES	8			/* deadlock / lock-timeout retries */
#define TORC_LOCK_TIMEOUT_US	2000000			/* one lock wait, microseconds */
#define TORC_ENV_WAIT_MS	5000			/* wait to join (behind a recovery) */
#define TORC_ATTACH_STALL_S	3			/* an env open + failchk longer than this is stuck */
#define TORC_PROCESS_LIFETIME_S	20			/* a CGI that lives longer dies (503) */
#define TORC_RECOVER_WAIT_MS	(TORC_PROCESS_LIFETIME_S * 1000 + 1000)	/* for stuck peers to end */
#define TORC_RETRY_AFTER_S	1			/* Retry-After on 503 */
#define TORC_THREAD_SLOTS	512			/* BDB thread table (live processes) */
#define TORC_MUTEX_INIT		4096			/* BDB mutexes at creation (failchk walks them all) */
#define TORC_MUTEX_MAX		200000			/* BDB mutexes at most (one per cached page) */
#define TORC_MP_MUTEXES		1024			/* cache hash-bucket mutexes (shared by the buckets) */

#endif
