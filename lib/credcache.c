/*
 * credcache.c: remembered credentials, one small file per entry.
 *
 * bcrypt is slow on purpose and a CGI process lives for one request, so a
 * successful verification is remembered on disk for ttl seconds.
 *
 * On-disk format, in the cache folder (mode 0700, owned by the server):
 *
 *   secret        32 random bytes, mode 0600, created once.  Written to a
 *                 temporary file and link()ed into place, so a reader
 *                 never sees a half-written secret; when two processes
 *                 race, link() fails for the loser, which reads the
 *                 winner's.
 *   <64 hex>      one entry: the name is HMAC-SHA-256(secret,
 *                 user NUL password NUL hash).  Its content is two lines,
 *                 "torc-credcache 1" and the hex of HMAC-SHA-256(secret,
 *                 "check" NUL user NUL password NUL hash).  A hit needs
 *                 that second digest to match (so a damaged or planted
 *                 file is harmless) and the file's mtime to be less than
 *                 ttl seconds old.  A hit does not refresh the mtime.
 *                 Every miss sweeps out all expired entries.
 *   .tmp.*        a write in progress: O_EXCL, then rename()d over the
 *                 entry, so readers see the old entry or the new one.
 *
 * Without the secret the names cannot be used to test passwords offline;
 * since the stored hash line is part of the key, a password change or a
 * removed user stops matching at once.  Every fault here degrades to a
 * miss: the caller then runs bcrypt, and the request never fails because
 * of the cache.  All file access is relative to a descriptor of the
 * folder opened with O_NOFOLLOW and checked once (directory, ours, 0700).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * SHA256_Init/Update/Final are deprecated in OpenSSL 3 but still there;
 * unlike EVP_MAC they need no provider, whose set-up costs a fresh CGI
 * process over a millisecond, more than the rest of a cache hit.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "credcache.h"
#include "fdio.h"
#include "log.h"

#define MAGIC		"torc-credcache 1\n"
#define HEXLEN		64
#define ENTRY_LEN	(sizeof(MAGIC) - 1 + HEXLEN + 1)
#define TMP_STALE_S	3600		/* purge: temp files older than this */

/* Open and check the folder; create it (0700) when create is set. */
static int
open_dir(const char *dir, int create)
{
	struct stat st;
	int fd, made = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir(dir, 0700) == 0)
			made = 1;
		else if (errno != EEXIST)
			goto fail;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == ENOENT && !create)
			return -1;	/* nothing cached yet: a plain miss */
		goto fail;
	}
	if (made && fchmod(fd, 0700) < 0)
		goto fail_fd;
	if (fstat(fd, &st) < 0)
		goto fail_fd;
	if (st.st_uid != geteuid()) {
		log_msg(LOG_WARN, LOG_T_AUTH, "Credential cache %s is owned by "
		    "uid %ld, not this process: cache not used", dir,
		    (long)st.st_uid);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 07777) != 0700) {
		log_msg(LOG_WARN, LOG_T_AUTH, "Credential cache %s has mode "
		    "%04o, not 0700: cache not used", dir,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
fail_fd:
	close(fd);
fail:
	log_msg(LOG_WARN, LOG_T_AUTH, "Credential cache %s unusable: %s",
	    dir, strerror(errno));
	return -1;
}

/* Create a unique temporary file in dfd; its name goes to name. */
static int
open_tmp(int dfd, char *name, size_t namelen)
{
	static unsigned counter;
	struct timespec ts;

	for (int tries = 0; tries < 8; tries++) {
		int fd;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(name, namelen, ".tmp.%ld.%lx.%u", (long)getpid(),
		    (unsigned long)ts.tv_nsec, counter++);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/*
 * Read exactly len bytes of a file of that size that we own and nobody
 * else can read or write.  Returns len, 0 when missing, -1 when refused.
 */
static long
read_private(int dfd, const char *name, void *buf, size_t len,
    struct stat *stp)
{
	struct stat st;
	size_t got = 0;
	long ret = -1;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
	    st.st_size != (off_t)len)
		goto out;
	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	if (stp != NULL)
		*stp = st;
	ret = (long)len;
out:
	close(fd);
	return ret;
}

/*
 * The server secret: read it, or (create set) make it.  Returns 0 with
 * the secret in key, -1 (key wiped).
 */
static int
get_secret(int dfd, unsigned char *key, int create)
{
	char tmp[64];
	long r;
	int fd = -1, ret = -1;

	r = read_private(dfd, "secret", key, CREDCACHE_SECRET_LEN, NULL);
	if (r == CREDCACHE_SECRET_LEN)
		return 0;
	if (r < 0) {
		log_msg(LOG_WARN, LOG_T_AUTH, "Credential cache secret is "
		    "unreadable, not ours, not 0600 or not %d bytes: cache "
		    "not used", CREDCACHE_SECRET_LEN);
		goto out;
	}
	if (!create)
		goto out;
	if (RAND_bytes(key, CREDCACHE_SECRET_LEN) != 1)
		goto out;
	if ((fd = open_tmp(dfd, tmp, sizeof(tmp))) < 0)
		goto out;
	if (fd_write_all(fd, key, CREDCACHE_SECRET_LEN) < 0 || close(fd) < 0) {
		fd = -1;
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	fd = -1;
	if (linkat(dfd, tmp, dfd, "secret", 0) == 0) {
		unlinkat(dfd, tmp, 0);
		return 0;
	}
	unlinkat(dfd, tmp, 0);
	if (errno != EEXIST)
		goto out;
	/* Another process won the race: use its secret. */
	if (read_private(dfd, "secret", key, CREDCACHE_SECRET_LEN, NULL) ==
	    CREDCACHE_SECRET_LEN)
		ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		explicit_bzero(key, CREDCACHE_SECRET_LEN);
	return ret;
}

/* HMAC-SHA-256 (RFC 2104) with a CREDCACHE_SECRET_LEN-byte key. */
struct hmac {
	SHA256_CTX	inner, outer;
};

static int
hmac_init(struct hmac *h, const unsigned char *key)
{
	unsigned char ipad[SHA256_CBLOCK], opad[SHA256_CBLOCK];
	int ok;

	memset(ipad, 0x36, sizeof(ipad));
	memset(opad, 0x5c, sizeof(opad));
	for (size_t i = 0; i < CREDCACHE_SECRET_LEN; i++) {
		ipad[i] ^= key[i];
		opad[i] ^= key[i];
	}
	ok = SHA256_Init(&h->inner) == 1 &&
	    SHA256_Update(&h->inner, ipad, sizeof(ipad)) == 1 &&
	    SHA256_Init(&h->outer) == 1 &&
	    SHA256_Update(&h->outer, opad, sizeof(opad)) == 1;
	explicit_bzero(ipad, sizeof(ipad));
	explicit_bzero(opad, sizeof(opad));
	return ok ? 0 : -1;
}

static int
hmac_final(struct hmac *h, unsigned char md[SHA256_DIGEST_LENGTH])
{
	unsigned char in[SHA256_DIGEST_LENGTH];
	int ok;

	ok = SHA256_Final(in, &h->inner) == 1 &&
	    SHA256_Update(&h->outer, in, sizeof(in)) == 1 &&
	    SHA256_Final(md, &h->outer) == 1;
	explicit_bzero(in, sizeof(in));
	return ok ? 0 : -1;
}

/* Hex HMAC-SHA-256(key, [label NUL] user NUL password NUL hash). */
static int
mac_hex(const unsigned char *key, const char *label, const char *user,
    const char *password, const char *hash, char out[HEXLEN + 1])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	struct hmac h;
	int ret = -1;

	if (hmac_init(&h, key) < 0)
		goto out;
	if (label != NULL && SHA256_Update(&h.inner, label,
	    strlen(label) + 1) != 1)
		goto out;
	if (SHA256_Update(&h.inner, user, strlen(user) + 1) != 1 ||
	    SHA256_Update(&h.inner, password, strlen(password) + 1) != 1 ||
	    SHA256_Update(&h.inner, hash, strlen(hash)) != 1 ||
	    hmac_final(&h, md) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(md); i++) {
		out[2 * i] = hexd[md[i] >> 4];
		out[2 * i + 1] = hexd[md[i] & 15];
	}
	out[HEXLEN] = '\0';
	ret = 0;
out:
	explicit_bzero(md, sizeof(md));
	explicit_bzero(&h, sizeof(h));
	return ret;
}

/* The entry's name and its expected content. */
static int
entry_for(const unsigned char *key, const char *user, const char *password,
    const char *hash, char name[HEXLEN + 1], char content[ENTRY_LEN + 1])
{
	char check[HEXLEN + 1];

	if (mac_hex(key, NULL, user, password, hash, name) < 0 ||
	    mac_hex(key, "check", user, password, hash, check) < 0)
		return -1;
	snprintf(content, ENTRY_LEN + 1, "%s%s\n", MAGIC, check);
	return 0;
}

/* Seconds since st's mtime, from the real-time clock (may be < 0). */
static double
age_of(const struct stat *st)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (double)(now.tv_sec - st->st_mtim.tv_sec) +
	    (double)(now.tv_nsec - st->st_mtim.tv_nsec) / 1e9;
}

/* Is an entry with this stat expired (or dated in the future)? */
static int
expired(const struct stat *st, long ttl)
{
	double age = age_of(st);

	return ttl <= 0 || age >= (double)ttl || age < -1.0;
}

int
credcache_check(const char *dir, long ttl, const char *user,
    const char *password, const char *hash)
{
	unsigned char key[CREDCACHE_SECRET_LEN];
	char name[HEXLEN + 1], want[ENTRY_LEN + 1], got[ENTRY_LEN];
	struct stat st;
	long r;
	int dfd, hit = 0, sweep = 0;

	if (ttl <= 0 || dir == NULL || user == NULL || password == NULL ||
	    hash == NULL)
		return 0;
	if ((dfd = open_dir(dir, 0)) < 0)
		return 0;
	if (get_secret(dfd, key, 0) < 0)
		goto out;
	sweep = 1;
	if (entry_for(key, user, password, hash, name, want) < 0)
		goto out;
	r = read_private(dfd, name, got, ENTRY_LEN, &st);
	if (r == 0)
		goto out;		/* not cached */
	if (r < 0) {
		/* Wrong size, mode or owner: damaged or planted. */
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_uid == geteuid())
			unlinkat(dfd, name, 0);
		goto out;
	}
	if (expired(&st, ttl)) {
		unlinkat(dfd, name, 0);
		goto out;
	}
	if (CRYPTO_memcmp(got, want, ENTRY_LEN) != 0) {
		unlinkat(dfd, name, 0);
		goto out;
	}
	hit = 1;
out:
	explicit_bzero(key, sizeof(key));
	explicit_bzero(want, sizeof(want));
	close(dfd);
	/* A miss is followed by a bcrypt run, so a sweep costs little by
	   comparison; it removes entries nobody looks up any more (the
	   password changed, the user left). */
	if (!hit && sweep)
		(void)credcache_purge(dir, ttl);
	return hit;
}

int
credcache_store(const char *dir, long ttl, const char *user,
    const char *password, const char *hash)
{
	unsigned char key[CREDCACHE_SECRET_LEN];
	char name[HEXLEN + 1], content[ENTRY_LEN + 1], tmp[64];
	int dfd, fd = -1, ret = -1;

	if (ttl <= 0 || dir == NULL || user == NULL || password == NULL ||
	    hash == NULL)
		return -1;
	if ((dfd = open_dir(dir, 1)) < 0)
		return -1;
	tmp[0] = '\0';
	if (get_secret(dfd, key, 1) < 0)
		goto out;
	if (entry_for(key, user, password, hash, name, content) < 0)
		goto out;
	if ((fd = open_tmp(dfd, tmp, sizeof(tmp))) < 0) {
		tmp[0] = '\0';
		goto fail;
	}
	if (fd_write_all(fd, content, ENTRY_LEN) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) < 0)
		goto fail;
	tmp[0] = '\0';
	ret = 0;
	goto out;
fail:
	log_msg(LOG_WARN, LOG_T_AUTH, "Credential cache %s: cannot write "
	    "an entry: %s", dir, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		unlinkat(dfd, tmp, 0);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(content, sizeof(content));
	close(dfd);
	return ret;
}

static int
is_entry_name(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == HEXLEN;
}

int
credcache_purge(const char *dir, long ttl)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd, n = 0;

	if ((dfd = open_dir(dir, 0)) < 0) {
		if (errno == 0)
			errno = EPERM;
		return -1;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		int entry = is_entry_name(de->d_name);
		int tmp = strncmp(de->d_name, ".tmp.", 5) == 0;
		if (!entry && !tmp)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_uid != geteuid())
			continue;
		if (entry ? !expired(&st, ttl) : age_of(&st) < TMP_STALE_S)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}
