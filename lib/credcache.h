/*
 * credcache.h: the credential cache shared by all CGI processes.
 * See credcache.c for the on-disk format.
 */
#ifndef TORC_CREDCACHE_H
#define TORC_CREDCACHE_H

#define CREDCACHE_SECRET_LEN	32	/* bytes in <dir>/secret */

/*
 * Was (user, password) verified against this stored hash line within the
 * last ttl seconds?  dir is the cache folder (config_cache_dir()); hash is
 * the user's current hash from the htpasswd file, so a changed or removed
 * line never matches an old entry.  An expired or corrupt entry is
 * removed, and a miss sweeps out every expired entry (credcache_purge).  Any cache fault (folder missing, not 0700, not ours, no
 * secret, unreadable entry) is a miss, logged as a WARN when it points
 * at a misconfiguration.  ttl <= 0 disables the cache: nothing is read.
 * Returns 1 hit, 0 miss.  Never fails the request.
 */
int	credcache_check(const char *dir, long ttl, const char *user,
	    const char *password, const char *hash);

/*
 * Remember that (user, password) just verified against hash.  Call only
 * after a successful bcrypt verification; failures are never cached.
 * Creates dir (0700) and its secret (0600) when missing.  The entry is
 * written to a temporary file and renamed into place.  ttl <= 0: nothing
 * is written.
 * Returns 0 stored, -1 not stored (logged; the caller carries on).
 */
int	credcache_store(const char *dir, long ttl, const char *user,
	    const char *password, const char *hash);

/*
 * Remove expired entries (every entry when ttl <= 0) and temporary files
 * left by crashed processes, for torc-admin.  The secret stays.
 * Returns the number of files removed, or -1 when dir is unusable
 * (errno set).
 */
int	credcache_purge(const char *dir, long ttl);

#endif
