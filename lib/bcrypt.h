/*
 * bcrypt.h: check and make bcrypt password hashes.  See bcrypt.c.
 */
#ifndef TORC_BCRYPT_H
#define TORC_BCRYPT_H

#include <stddef.h>

#define BCRYPT_HASH_LEN		60	/* "$2b$12$" + 22 salt + 31 digest */
#define BCRYPT_MIN_COST		4
#define BCRYPT_MAX_COST		31	/* what the format allows */
#define BCRYPT_DEFAULT_COST	12

/*
 * The cost of a well-formed bcrypt hash: "$2a$", "$2b$" or "$2y$", a
 * two-digit cost 04..31, "$", then 53 characters of the bcrypt alphabet
 * and nothing else (exactly BCRYPT_HASH_LEN bytes).  Returns the cost, or
 * -1 when hash is NULL or not such a hash ("$2x$" included).
 */
int	bcrypt_cost(const char *hash);

/*
 * Check password against a stored hash, comparing in constant time.
 * A hash that is not well formed, or whose cost is above max_cost, is
 * refused without running bcrypt and logged as a WARN (target
 * torc::server::htpasswd) naming user, which is only used for that line
 * and may be NULL.  The server passes TORC_BCRYPT_MAX_COST; tools pass
 * BCRYPT_MAX_COST.
 * Returns 1 match, 0 no match, -1 refused or a crypt failure (no match).
 */
int	bcrypt_verify(const char *password, const char *hash, int max_cost,
	    const char *user);

/*
 * Spend the time of a verification of password at cost without any
 * stored hash, so an unknown user costs what a wrong password costs.
 * cost is clamped to BCRYPT_MIN_COST..TORC_BCRYPT_MAX_COST.
 * Always returns 0 (no match).
 */
int	bcrypt_verify_dummy(const char *password, int cost);

/*
 * Hash password as "$2b$NN$..." with a fresh salt from the operating
 * system's random source.  cost must be BCRYPT_MIN_COST..BCRYPT_MAX_COST;
 * out must hold BCRYPT_HASH_LEN + 1 bytes.
 * Returns 0 with the NUL-terminated hash in out, -1 on a bad cost, a short
 * buffer or a crypt failure (errno set, out emptied).
 */
int	bcrypt_hash(const char *password, int cost, char *out, size_t outlen);

#endif
