/*
 * bcrypt.c: bcrypt hashes through libxcrypt.
 *
 * libxcrypt's crypt_rn() does the work; this file decides which hashes it
 * may see.  Only "$2a$", "$2b$" and "$2y$" hashes of exactly 60 characters
 * are accepted: libxcrypt would also verify DES, MD5 and "$2x$" settings,
 * and a DES hash checks only 8 characters of a password.  A stored cost
 * above the server's maximum is refused before any work is done, so a
 * hostile or careless hash line cannot stall a CGI process for minutes.
 *
 * The comparison covers the 31-character digest, in constant time
 * (CRYPTO_memcmp): libxcrypt rewrites a non-canonical last salt character
 * in its output, and the digest is what proves the password.
 *
 * The crypt_data scratch area (32 KiB) is static, which is fine for
 * single-threaded processes, and wiped after every use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <crypt.h>
#include <openssl/crypto.h>

#include "bcrypt.h"
#include "bounds.h"
#include "log.h"

#define BCRYPT_DIGEST_LEN	31
#define BCRYPT_PREFIX_LEN	7	/* "$2b$12$" */
#define BCRYPT_KEY_MAX		72	/* bytes of the password bcrypt uses */

/*
 * The salt and digest of a real cost-5 hash, used with any cost for the
 * dummy verification.  Its password is irrelevant: the result is ignored.
 */
static const char dummy_tail[] =
    "w2qUpnWaPlgq7qRJPtP72.XlIdlsZBAGc9sM041fwANY0qCVd3jKi";

static struct crypt_data cdata;

static int
is_b64(unsigned char c)
{
	return c == '.' || c == '/' || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int
bcrypt_cost(const char *hash)
{
	int cost;

	if (hash == NULL || strlen(hash) != BCRYPT_HASH_LEN)
		return -1;
	if (hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$')
		return -1;
	if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y')
		return -1;
	if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9')
		return -1;
	cost = (hash[4] - '0') * 10 + (hash[5] - '0');
	if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST)
		return -1;
	for (int i = BCRYPT_PREFIX_LEN; i < BCRYPT_HASH_LEN; i++)
		if (!is_b64((unsigned char)hash[i]))
			return -1;
	return cost;
}

/*
 * bcrypt reads at most 72 bytes of the password, but libxcrypt refuses
 * one longer than CRYPT_MAX_PASSPHRASE_SIZE (512) with ERANGE.  Cutting
 * it to 72 bytes gives the same hash and lets every password the Basic
 * parser accepts (up to TORC_MAX_PASSWORD) verify as bcrypt defines it.
 */
static void
key_of(const char *password, char key[BCRYPT_KEY_MAX + 1])
{
	size_t n = strnlen(password, BCRYPT_KEY_MAX);

	memcpy(key, password, n);
	key[n] = '\0';
}

/* crypt_rn(password, setting) compared with hash; 1, 0 or -1. */
static int
run_crypt(const char *password, const char *setting, const char *hash)
{
	char key[BCRYPT_KEY_MAX + 1];
	const char *out;
	int ret = -1;

	key_of(password, key);
	memset(&cdata, 0, sizeof(cdata));
	out = crypt_rn(key, setting, &cdata, (int)sizeof(cdata));
	explicit_bzero(key, sizeof(key));
	if (out == NULL || out[0] == '*' || strlen(out) != BCRYPT_HASH_LEN)
		goto out;
	ret = CRYPTO_memcmp(out + BCRYPT_PREFIX_LEN + 22,
	    hash + BCRYPT_PREFIX_LEN + 22, BCRYPT_DIGEST_LEN) == 0;
out:
	explicit_bzero(&cdata, sizeof(cdata));
	return ret;
}

int
bcrypt_verify(const char *password, const char *hash, int max_cost,
    const char *user)
{
	int cost = bcrypt_cost(hash);
	int r;

	if (cost < 0) {
		log_msg(LOG_WARN, LOG_T_HTPASSWD,
		    "Bcrypt verification error for user '%s': malformed hash",
		    user ? user : "");
		return -1;
	}
	if (cost > max_cost) {
		log_msg(LOG_WARN, LOG_T_HTPASSWD,
		    "Bcrypt cost %d for user '%s' is above the maximum %d: refused",
		    cost, user ? user : "", max_cost);
		return -1;
	}
	r = run_crypt(password, hash, hash);
	if (r < 0)
		log_msg(LOG_WARN, LOG_T_HTPASSWD,
		    "Bcrypt verification error for user '%s': crypt failed: %s",
		    user ? user : "", strerror(errno));
	return r;
}

int
bcrypt_verify_dummy(const char *password, int cost)
{
	char setting[BCRYPT_HASH_LEN + 1];

	if (cost < BCRYPT_MIN_COST)
		cost = BCRYPT_MIN_COST;
	if (cost > TORC_BCRYPT_MAX_COST)
		cost = TORC_BCRYPT_MAX_COST;
	snprintf(setting, sizeof(setting), "$2b$%02d$%s", cost, dummy_tail);
	(void)run_crypt(password, setting, setting);
	return 0;
}

int
bcrypt_hash(const char *password, int cost, char *out, size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE], key[BCRYPT_KEY_MAX + 1];
	const char *h;
	int ret = -1;

	if (outlen > 0)
		out[0] = '\0';
	if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST ||
	    outlen < BCRYPT_HASH_LEN + 1) {
		errno = EINVAL;
		return -1;
	}
	if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt,
	    (int)sizeof(salt)) == NULL)
		return -1;
	key_of(password, key);
	memset(&cdata, 0, sizeof(cdata));
	h = crypt_rn(key, salt, &cdata, (int)sizeof(cdata));
	explicit_bzero(key, sizeof(key));
	if (h == NULL)
		goto out;		/* errno from crypt_rn */
	if (bcrypt_cost(h) != cost) {
		errno = EINVAL;
		goto out;
	}
	memcpy(out, h, BCRYPT_HASH_LEN + 1);
	ret = 0;
out:
	explicit_bzero(&cdata, sizeof(cdata));
	return ret;
}
