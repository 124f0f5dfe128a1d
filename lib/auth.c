/*
 * auth.c: the caller's identity, decided once per request.
 *
 * The order of work for a Basic header: parse it (basicauth.c), look the
 * user up in the htpasswd file read afresh (htpasswd.c), ask the
 * credential cache whether this user, password and stored hash line were
 * verified within the TTL (credcache.c), else run bcrypt (bcrypt.c) and
 * remember a success.  An unknown user runs bcrypt against a dummy hash
 * of the file's cost, so it takes as long as a wrong password.  Every
 * outcome is logged with target torc::server::auth using the Torc
 * reference's texts; the password and the header never are, and the
 * password buffer is wiped on every path.
 *
 * An htpasswd file that cannot be read is an ERROR line and a failed
 * authentication (401 in required mode), never a 500.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "basicauth.h"
#include "bcrypt.h"
#include "config.h"
#include "credcache.h"
#include "htpasswd.h"
#include "bounds.h"
#include "log.h"

static char who[TORC_MAX_USERNAME + 1];

/* A name a web server may hand us: bounded, no control characters. */
static int
usable_name(const char *s)
{
	size_t n = strnlen(s, TORC_MAX_USERNAME + 1);

	if (n == 0 || n > TORC_MAX_USERNAME)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Check the parsed credentials.  Returns 1 verified, 0 not (logged by the
 * caller), -1 the htpasswd file could not be read (logged here).
 */
static int
check_password(const struct config *cfg, const char *u, const char *pw)
{
	char hash[BCRYPT_HASH_LEN + 1];
	char *dir = NULL;
	long ttl = cfg->credential_cache_ttl_secs;
	int r, ref_cost, ok = 0;

	r = htpasswd_lookup(cfg->auth_file, u, hash, sizeof(hash), &ref_cost);
	if (r < 0) {
		log_msg(LOG_ERROR, LOG_T_AUTH, "Cannot read htpasswd file %s: %s",
		    cfg->auth_file, strerror(errno));
		return -1;
	}
	if (r == 0) {
		bcrypt_verify_dummy(pw, ref_cost);
		return 0;
	}
	if (ttl > 0 && (dir = config_cache_dir(cfg)) != NULL &&
	    credcache_check(dir, ttl, u, pw, hash)) {
		log_msg(LOG_DEBUG, LOG_T_AUTH,
		    "User '%s' authenticated from cache", u);
		ok = 1;
		goto out;
	}
	r = bcrypt_verify(pw, hash, TORC_BCRYPT_MAX_COST, u);
	if (r == 1) {
		ok = 1;
		if (dir != NULL)
			(void)credcache_store(dir, ttl, u, pw, hash);
	} else if (r < 0) {
		/* Refused (cost above the cap): take the usual time anyway. */
		bcrypt_verify_dummy(pw, ref_cost);
	}
out:
	free(dir);
	return ok;
}

int
auth_identify(const struct config *cfg, const char *authorization,
    const char *remote_user, const char **user, int *authenticated)
{
	char u[BASICAUTH_USER_SIZE], pw[BASICAUTH_PASS_SIZE];
	int required = cfg->auth_file != NULL && cfg->require_auth;
	int ret = 0, r;

	*user = "anonymous";
	*authenticated = 0;

	if (cfg->trust_remote_user && remote_user != NULL &&
	    remote_user[0] != '\0') {
		if (usable_name(remote_user)) {
			memcpy(who, remote_user, strlen(remote_user) + 1);
			*user = who;
			*authenticated = 1;
			log_msg(LOG_DEBUG, LOG_T_AUTH, "User '%s' authenticated "
			    "by the web server (REMOTE_USER)", who);
			return 0;
		}
		log_msg(LOG_WARN, LOG_T_AUTH, "Ignoring an unusable REMOTE_USER "
		    "(empty, over %d bytes or control characters)",
		    TORC_MAX_USERNAME);
	}

	if (cfg->auth_file == NULL) {
		log_msg(LOG_DEBUG, LOG_T_AUTH,
		    "No authentication configured, allowing request");
		return 0;
	}

	u[0] = '\0';
	if (authorization == NULL || authorization[0] == '\0' ||
	    basicauth_parse(authorization, u, sizeof(u), pw, sizeof(pw)) < 0) {
		if (authorization != NULL && authorization[0] != '\0')
			log_msg(LOG_DEBUG, LOG_T_AUTH,
			    "Ignoring a malformed or non-Basic Authorization header");
		if (required) {
			log_msg(LOG_WARN, LOG_T_AUTH,
			    "Authentication required but no credentials provided");
			ret = 401;
		} else {
			log_msg(LOG_DEBUG, LOG_T_AUTH,
			    "No credentials provided, allowing anonymous access");
		}
		goto out;
	}

	r = check_password(cfg, u, pw);
	if (r == 1) {
		memcpy(who, u, strlen(u) + 1);
		*user = who;
		*authenticated = 1;
		log_msg(LOG_DEBUG, LOG_T_AUTH,
		    "User '%s' authenticated successfully", who);
		goto out;
	}
	log_msg(LOG_WARN, LOG_T_AUTH, "Authentication failed for user '%s'", u);
	if (required)
		ret = 401;
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(u, sizeof(u));
	return ret;
}
