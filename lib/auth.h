/*
 * auth.h: who is calling.  See auth.c.
 */
#ifndef TORC_AUTH_H
#define TORC_AUTH_H

struct config;

/*
 * Decide the caller's identity.
 *
 * authorization is the raw Authorization header value (HTTP_AUTHORIZATION)
 * or NULL; remote_user is REMOTE_USER or NULL.  The fields of cfg used are
 * auth_file, require_auth, credential_cache_ttl_secs, trust_remote_user,
 * and config_cache_dir(cfg) (only when the cache is on).
 *
 *  - trust_remote_user set and remote_user non-empty (at most
 *    TORC_MAX_USERNAME bytes, no control characters): that user,
 *    authenticated, whatever the mode.  An unusable REMOTE_USER is
 *    ignored with a WARN and the mode below decides.
 *  - auth_file NULL (disabled): "anonymous", not authenticated; the header
 *    is not looked at.
 *  - optional (auth_file, !require_auth): valid credentials give that
 *    user, authenticated; missing, malformed or wrong ones give
 *    "anonymous", not authenticated.
 *  - required (auth_file, require_auth): missing, malformed or wrong
 *    credentials, or an htpasswd file that cannot be read, return 401.
 *
 * Returns 0 with *user and *authenticated set, or 401 (then *user is
 * "anonymous" and *authenticated 0).  *user points to static storage that
 * lives until exit (overwritten by the next call).  The password is wiped
 * from every buffer before return; it is never logged, nor is the header.
 */
int	auth_identify(const struct config *cfg, const char *authorization,
	    const char *remote_user, const char **user, int *authenticated);

#endif
