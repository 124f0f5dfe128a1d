/*
 * test_credcache.c: the file-backed credential cache, and auth_identify()
 * end to end over it (modes, log lines, revocation, REMOTE_USER).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "bcrypt.h"
#include "check.h"
#include "config.h"
#include "credcache.h"
#include "log.h"

#define H1 "$2b$04$u3kHIf0njYkIJgEUzb9/qecDwVb/gmS8o7BDwe4V5KpZwFfgSxi4a"
#define H2 "$2y$05$W.lKyoAilAB.AdZTjgTl..wva.duprp1AHhkItlNOpi577kt5aKrK"

static char tmpdir[] = "/tmp/test_credcache.XXXXXX";
static char dir[300], logpath[300], htpath[300];

static int saved_fd = -1;
static char logbuf[65536];
static char alllogs[1 << 20];		/* every captured line, for the leak grep */

static void
capture_start(void)
{
	int fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);

	saved_fd = dup(2);
	dup2(fd, 2);
	close(fd);
	log_set_level(LOG_DEBUG);
}

static const char *
capture_end(void)
{
	ssize_t n;
	int fd;

	log_set_level(LOG_OFF);		/* calls outside a capture stay quiet */
	dup2(saved_fd, 2);
	close(saved_fd);
	fd = open(logpath, O_RDONLY);
	n = read(fd, logbuf, sizeof(logbuf) - 1);
	close(fd);
	logbuf[n > 0 ? n : 0] = '\0';
	if (strlen(alllogs) + strlen(logbuf) < sizeof(alllogs))
		strcat(alllogs, logbuf);
	return logbuf;
}

/* Number of cache entries (64-hex names) in d. */
static int
count_entries(const char *d)
{
	struct dirent *de;
	DIR *dp = opendir(d);
	int n = 0;

	if (dp == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		if (strlen(de->d_name) == 64 && strspn(de->d_name,
		    "0123456789abcdef") == 64)
			n++;
	closedir(dp);
	return n;
}

/* Path of the only entry in d (static buffer), or NULL. */
static const char *
the_entry(const char *d)
{
	static char p[400];
	struct dirent *de;
	DIR *dp = opendir(d);
	const char *ret = NULL;

	if (dp == NULL)
		return NULL;
	while ((de = readdir(dp)) != NULL)
		if (strlen(de->d_name) == 64) {
			snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
			ret = p;
		}
	closedir(dp);
	return ret;
}

static void
age_file(const char *p, long secs)
{
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= secs;
	ts[1] = ts[0];
	utimensat(AT_FDCWD, p, ts, 0);
}

/* Does any file in d contain needle? */
static int
dir_contains(const char *d, const char *needle)
{
	struct dirent *de;
	DIR *dp = opendir(d);
	char p[600], buf[4096];
	int found = 0;

	if (dp == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		FILE *f;
		size_t n;
		snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
		if ((f = fopen(p, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		for (size_t i = 0; i + strlen(needle) <= n; i++)
			if (memcmp(buf + i, needle, strlen(needle)) == 0)
				found = 1;
	}
	closedir(dp);
	return found;
}

static void
rm_rf(const char *d)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", d);
}

static void
test_basic(void)
{
	struct stat st;
	char p[400];
	const char *e;
	char buf[200];
	FILE *f;
	size_t n;

	/* A missing folder is a quiet miss and is not created by a read. */
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK(stat(dir, &st) < 0 && errno == ENOENT);

	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0700);
	snprintf(p, sizeof(p), "%s/secret", dir);
	CHECK(stat(p, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_size, CREDCACHE_SECRET_LEN);
	CHECK_INT(count_entries(dir), 1);

	/* Hit; and every part of the key matters. */
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw2", H1), 0);
	CHECK_INT(credcache_check(dir, 60, "alice", "p", H1), 0);
	CHECK_INT(credcache_check(dir, 60, "alicepw", "", H1), 0);
	CHECK_INT(credcache_check(dir, 60, "bob", "pw", H1), 0);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H2), 0);	/* hash changed */
	CHECK_INT(count_entries(dir), 1);		/* misses leave it alone */

	/* The entry holds neither the password nor the user. */
	e = the_entry(dir);
	CHECK(e != NULL);
	f = fopen(e, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	CHECK_INT(n, 17 + 64 + 1);
	CHECK(strncmp(buf, "torc-credcache 1\n", 17) == 0);
	CHECK(strstr(buf, "alice") == NULL);
	CHECK(!dir_contains(dir, "alice"));
	stat(e, &st);
	CHECK_INT(st.st_mode & 07777, 0600);

	/* Storing again replaces the entry atomically: still one. */
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(count_entries(dir), 1);
	CHECK_INT(credcache_store(dir, 60, "bob", "pw", H2), 0);
	CHECK_INT(count_entries(dir), 2);
	CHECK(!dir_contains(dir, ".tmp."));
}

static void
test_expiry(void)
{
	const char *e;
	char p[400];

	rm_rf(dir);
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	e = the_entry(dir);
	snprintf(p, sizeof(p), "%s", e);
	age_file(p, 59);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);
	/* A hit does not refresh the entry. */
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);
	age_file(p, 61);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK(access(p, F_OK) < 0);			/* expired: removed */
	CHECK_INT(count_entries(dir), 0);

	/* A shorter TTL on read applies to old entries. */
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	age_file(the_entry(dir), 10);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);
	CHECK_INT(credcache_check(dir, 5, "alice", "pw", H1), 0);
	CHECK_INT(count_entries(dir), 0);

	/* Dated in the future: not trusted. */
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	age_file(the_entry(dir), -3600);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(count_entries(dir), 0);

	/* A 1-second TTL really expires. */
	CHECK_INT(credcache_store(dir, 1, "alice", "pw", H1), 0);
	CHECK_INT(credcache_check(dir, 1, "alice", "pw", H1), 1);
	usleep(1100 * 1000);
	CHECK_INT(credcache_check(dir, 1, "alice", "pw", H1), 0);
}

static void
test_ttl_zero(void)
{
	char d2[400];
	struct stat st;

	rm_rf(dir);
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(credcache_check(dir, 0, "alice", "pw", H1), 0);
	CHECK_INT(count_entries(dir), 1);		/* not even read */
	snprintf(d2, sizeof(d2), "%s/never", tmpdir);
	CHECK_INT(credcache_store(d2, 0, "alice", "pw", H1), -1);
	CHECK(stat(d2, &st) < 0);			/* nothing written */
	CHECK_INT(credcache_store(d2, -5, "alice", "pw", H1), -1);
	CHECK(stat(d2, &st) < 0);
}

static void
test_corrupt(void)
{
	const char *log;
	char p[400];
	FILE *f;

	rm_rf(dir);
	/* Same size, wrong digest. */
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	snprintf(p, sizeof(p), "%s", the_entry(dir));
	f = fopen(p, "r+");
	fseek(f, 20, SEEK_SET);
	fputc('X', f);
	fclose(f);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK(access(p, F_OK) < 0);

	/* Truncated. */
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(truncate(p, 10), 0);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK(access(p, F_OK) < 0);

	/* Readable by others: not trusted. */
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	chmod(p, 0644);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);

	/* An entry that is a symlink or a directory. */
	unlink(p);
	CHECK_INT(symlink("/etc/passwd", p), 0);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	unlink(p);
	mkdir(p, 0700);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	rmdir(p);
	/* ... and the store still works after all that. */
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);

	/* Folder mode not 0700: a miss with a WARN, and nothing stored. */
	chmod(dir, 0755);
	capture_start();
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(credcache_store(dir, 60, "bob", "pw", H1), -1);
	log = capture_end();
	CHECK(strstr(log, "WARN torc::server::auth: Credential cache") != NULL);
	CHECK(strstr(log, "not 0700") != NULL);
	chmod(dir, 0700);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);

	/* Secret readable by others: a miss. */
	snprintf(p, sizeof(p), "%s/secret", dir);
	chmod(p, 0644);
	capture_start();
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), -1);
	capture_end();
	chmod(p, 0600);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);

	/* Secret of the wrong size: a miss. */
	CHECK_INT(truncate(p, 16), 0);
	capture_start();
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	capture_end();

	/* New secret: old entries no longer match, new ones do. */
	unlink(p);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
	CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 1);

	/* The folder is a symlink: refused. */
	{
		char link[400];
		snprintf(link, sizeof(link), "%s/cachelink", tmpdir);
		CHECK_INT(symlink(dir, link), 0);
		capture_start();
		CHECK_INT(credcache_check(link, 60, "alice", "pw", H1), 0);
		capture_end();
		unlink(link);
	}

	/* The folder is a file: a miss, never a crash. */
	{
		char file[400];
		snprintf(file, sizeof(file), "%s/afile", tmpdir);
		close(open(file, O_WRONLY | O_CREAT, 0600));
		capture_start();
		CHECK_INT(credcache_check(file, 60, "alice", "pw", H1), 0);
		CHECK_INT(credcache_store(file, 60, "alice", "pw", H1), -1);
		capture_end();
		unlink(file);
	}

	/* Owned by someone else (only testable as root). */
	if (geteuid() == 0) {
		rm_rf(dir);
		CHECK_INT(credcache_store(dir, 60, "alice", "pw", H1), 0);
		CHECK_INT(count_entries(dir), 1);
		CHECK_INT(chown(dir, 65534, 65534), 0);
		capture_start();
		CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
		log = capture_end();
		CHECK(strstr(log, "owned by uid 65534") != NULL);
		CHECK_INT(chown(dir, 0, 0), 0);
		snprintf(p, sizeof(p), "%s", the_entry(dir));
		CHECK_INT(chown(p, 65534, 65534), 0);
		CHECK_INT(credcache_check(dir, 60, "alice", "pw", H1), 0);
		CHECK(access(p, F_OK) == 0);		/* not ours: left alone */
		CHECK_INT(chown(p, 0, 0), 0);
	}
}

/* Many processes create the secret at once; all must end up agreeing. */
static void
test_secret_race(void)
{
	enum { N = 12 };
	pid_t pids[N];
	char u[16];
	int hits = 0;

	rm_rf(dir);
	for (int i = 0; i < N; i++) {
		if ((pids[i] = fork()) == 0) {
			snprintf(u, sizeof(u), "user%d", i);
			_exit(credcache_store(dir, 60, u, "pw", H1) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(u, sizeof(u), "user%d", i);
		hits += credcache_check(dir, 60, u, "pw", H1);
	}
	CHECK_INT(hits, N);
	CHECK(!dir_contains(dir, ".tmp."));
}

static void
test_purge(void)
{
	char p[400];

	rm_rf(dir);
	CHECK_INT(credcache_purge(dir, 60), -1);	/* no folder */
	CHECK_INT(credcache_store(dir, 60, "a", "pw", H1), 0);
	age_file(the_entry(dir), 120);
	CHECK_INT(credcache_store(dir, 60, "b", "pw", H1), 0);
	CHECK_INT(credcache_store(dir, 60, "c", "pw", H1), 0);
	snprintf(p, sizeof(p), "%s/.tmp.1.2.3", dir);
	close(open(p, O_WRONLY | O_CREAT, 0600));
	age_file(p, 7200);
	CHECK_INT(credcache_purge(dir, 60), 2);		/* "a" and the temp */
	CHECK_INT(count_entries(dir), 2);
	CHECK_INT(credcache_check(dir, 60, "b", "pw", H1), 1);
	CHECK_INT(credcache_purge(dir, 0), 2);
	CHECK_INT(count_entries(dir), 0);
	snprintf(p, sizeof(p), "%s/secret", dir);
	CHECK(access(p, F_OK) == 0);
}

/* --- auth_identify --- */

static struct config cfg;
static char cachebuf[400];

static void
write_htpasswd(const char *text)
{
	FILE *f = fopen(htpath, "w");

	fputs(text, f);
	fclose(f);
}

/* Run auth_identify with header h; return status, user in *u. */
static int
ident(const char *h, const char *remote, const char **u, int *authd)
{
	return auth_identify(&cfg, h, remote, u, authd);
}

/* "Basic " + base64("alice:" + pw) for the few passwords used here. */
#define HDR_ALICE_OK	"Basic YWxpY2U6b3BlbiBzZXNhbWU="	/* alice:open sesame */
#define HDR_ALICE_BAD	"Basic YWxpY2U6d3Jvbmc="		/* alice:wrong */
#define HDR_ALICE_NEW	"Basic YWxpY2U6bmV3OnBhc3M6d29yZA=="	/* alice:new:pass:word */
#define HDR_MALLORY	"Basic bWFsbG9yeTpvcGVuIHNlc2FtZQ=="	/* mallory:open sesame */

static void
test_auth_modes(void)
{
	char hash[BCRYPT_HASH_LEN + 1], line[200];
	const char *u, *log;
	int a;

	bcrypt_hash("open sesame", 4, hash, sizeof(hash));
	snprintf(line, sizeof(line), "# users\nalice:%s\n", hash);
	write_htpasswd(line);
	rm_rf(dir);

	config_defaults(&cfg);
	snprintf(cachebuf, sizeof(cachebuf), "%s", dir);
	cfg.cache_dir = cachebuf;
	cfg.credential_cache_ttl_secs = 60;

	/* Disabled: anonymous, header ignored. */
	cfg.auth_file = NULL;
	capture_start();
	CHECK_INT(ident(HDR_ALICE_OK, NULL, &u, &a), 0);
	log = capture_end();
	CHECK_STR(u, "anonymous");
	CHECK_INT(a, 0);
	CHECK(strstr(log, "DEBUG torc::server::auth: No authentication "
	    "configured, allowing request") != NULL);
	cfg.require_auth = 1;			/* meaningless without a file */
	CHECK_INT(ident(NULL, NULL, &u, &a), 0);
	cfg.require_auth = 0;

	/* Optional. */
	cfg.auth_file = htpath;
	capture_start();
	CHECK_INT(ident(HDR_ALICE_OK, NULL, &u, &a), 0);
	log = capture_end();
	CHECK_STR(u, "alice");
	CHECK_INT(a, 1);
	CHECK(strstr(log, "DEBUG torc::server::auth: User 'alice' "
	    "authenticated successfully") != NULL);
	CHECK(strstr(log, "from cache") == NULL);

	capture_start();
	CHECK_INT(ident(HDR_ALICE_OK, NULL, &u, &a), 0);
	log = capture_end();
	CHECK_STR(u, "alice");
	CHECK(strstr(log, "DEBUG torc::server::auth: User 'alice' "
	    "authenticated from cache") != NULL);
	CHECK(strstr(log, "User 'alice' authenticated successfully") != NULL);

	capture_start();
	CHECK_INT(ident(HDR_ALICE_BAD, NULL, &u, &a), 0);
	log = capture_end();
	CHECK_STR(u, "anonymous");
	CHECK_INT(a, 0);
	CHECK(strstr(log, "WARN torc::server::auth: Authentication failed "
	    "for user 'alice'") != NULL);

	capture_start();
	CHECK_INT(ident(NULL, NULL, &u, &a), 0);
	CHECK_INT(ident("", NULL, &u, &a), 0);
	log = capture_end();
	CHECK_STR(u, "anonymous");
	CHECK(strstr(log, "DEBUG torc::server::auth: No credentials provided, "
	    "allowing anonymous access") != NULL);

	capture_start();
	CHECK_INT(ident("Basic !!!", NULL, &u, &a), 0);
	CHECK_INT(ident("Bearer abc", NULL, &u, &a), 0);
	log = capture_end();
	CHECK_STR(u, "anonymous");
	CHECK(strstr(log, "No credentials provided, allowing anonymous") != NULL);

	/* Required. */
	cfg.require_auth = 1;
	CHECK_INT(ident(HDR_ALICE_OK, NULL, &u, &a), 0);
	CHECK_STR(u, "alice");
	CHECK_INT(a, 1);
	capture_start();
	CHECK_INT(ident(HDR_ALICE_BAD, NULL, &u, &a), 401);
	log = capture_end();
	CHECK_STR(u, "anonymous");
	CHECK_INT(a, 0);
	CHECK(strstr(log, "WARN torc::server::auth: Authentication failed "
	    "for user 'alice'") != NULL);
	capture_start();
	CHECK_INT(ident(NULL, NULL, &u, &a), 401);
	CHECK_INT(ident("basic", NULL, &u, &a), 401);
	CHECK_INT(ident("Basic YWxpY2U=", NULL, &u, &a), 401);	/* no colon */
	log = capture_end();
	CHECK(strstr(log, "WARN torc::server::auth: Authentication required "
	    "but no credentials provided") != NULL);
	CHECK_INT(ident("basic YWxpY2U6b3BlbiBzZXNhbWU=", NULL, &u, &a), 0);
	CHECK_STR(u, "alice");

	/* Unknown user: 401, and bcrypt ran on the dummy. */
	capture_start();
	CHECK_INT(ident(HDR_MALLORY, NULL, &u, &a), 401);
	log = capture_end();
	CHECK(strstr(log, "Authentication failed for user 'mallory'") != NULL);

	/* Password change: the cached old password stops at once. */
	CHECK_INT(ident(HDR_ALICE_OK, NULL, &u, &a), 0);	/* cached */
	bcrypt_hash("new:pass:word", 4, hash, sizeof(hash));
	snprintf(line, sizeof(line), "alice:%s\n", hash);
	write_htpasswd(line);
	CHECK_INT(ident(HDR_ALICE_OK, NULL, &u, &a), 401);
	CHECK_INT(ident(HDR_ALICE_NEW, NULL, &u, &a), 0);
	CHECK_STR(u, "alice");
	/* Removal: likewise. */
	write_htpasswd("# nobody\n");
	CHECK_INT(ident(HDR_ALICE_NEW, NULL, &u, &a), 401);

	/* A non-bcrypt line for the user: refused, like an unknown user. */
	write_htpasswd("alice:{SHA}qs67vlse11GdWHE+bbh7CYDxCOs=\n");
	capture_start();
	CHECK_INT(ident("Basic YWxpY2U6c2hhcHc=", NULL, &u, &a), 401);	/* shapw */
	log = capture_end();
	CHECK(strstr(log, "WARN torc::server::htpasswd: Password hash for user "
	    "'alice' at line 1 is not an accepted bcrypt hash") != NULL);

	/* Missing htpasswd file: 401 with an ERROR, never a crash or 500. */
	unlink(htpath);
	capture_start();
	CHECK_INT(ident(HDR_ALICE_NEW, NULL, &u, &a), 401);
	log = capture_end();
	CHECK(strstr(log, "ERROR torc::server::auth: Cannot read htpasswd "
	    "file") != NULL);
	cfg.require_auth = 0;
	CHECK_INT(ident(HDR_ALICE_NEW, NULL, &u, &a), 0);
	CHECK_STR(u, "anonymous");
	cfg.require_auth = 1;

	/* TTL 0: no cache folder is even created. */
	snprintf(line, sizeof(line), "alice:%s\n", hash);
	write_htpasswd(line);
	rm_rf(dir);
	cfg.credential_cache_ttl_secs = 0;
	capture_start();
	CHECK_INT(ident(HDR_ALICE_NEW, NULL, &u, &a), 0);
	CHECK_INT(ident(HDR_ALICE_NEW, NULL, &u, &a), 0);
	log = capture_end();
	CHECK(strstr(log, "from cache") == NULL);
	CHECK(access(dir, F_OK) < 0);
	cfg.credential_cache_ttl_secs = 60;

	/* A broken cache folder never fails the request. */
	close(open(dir, O_WRONLY | O_CREAT, 0600));		/* a file */
	capture_start();
	CHECK_INT(ident(HDR_ALICE_NEW, NULL, &u, &a), 0);
	capture_end();
	CHECK_STR(u, "alice");
	unlink(dir);
}

static void
test_remote_user(void)
{
	const char *u, *log;
	int a;

	cfg.require_auth = 1;
	cfg.trust_remote_user = 0;
	CHECK_INT(ident(NULL, "carol", &u, &a), 401);		/* not trusted */
	cfg.trust_remote_user = 1;
	capture_start();
	CHECK_INT(ident(NULL, "carol", &u, &a), 0);
	log = capture_end();
	CHECK_STR(u, "carol");
	CHECK_INT(a, 1);
	CHECK(strstr(log, "User 'carol' authenticated by the web server") != NULL);
	CHECK_INT(ident(NULL, "", &u, &a), 401);		/* empty: mode decides */
	capture_start();
	CHECK_INT(ident(NULL, "car\nol", &u, &a), 401);
	log = capture_end();
	CHECK(strstr(log, "Ignoring an unusable REMOTE_USER") != NULL);
	cfg.auth_file = NULL;
	CHECK_INT(ident(NULL, "carol", &u, &a), 0);		/* web server auth only */
	CHECK_STR(u, "carol");
	CHECK_INT(a, 1);
	cfg.trust_remote_user = 0;
	cfg.auth_file = htpath;
}

/* An unknown user costs about what a wrong password costs. */
static void
test_timing(void)
{
	char hash[BCRYPT_HASH_LEN + 1], line[200];
	struct timespec t0, t1;
	double wrong = 0, unknown = 0;
	const char *u;
	int a;

	bcrypt_hash("open sesame", 8, hash, sizeof(hash));
	snprintf(line, sizeof(line), "alice:%s\n", hash);
	write_htpasswd(line);
	cfg.require_auth = 1;
	capture_start();
	for (int i = 0; i < 3; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ident(HDR_ALICE_BAD, NULL, &u, &a);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		wrong += (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ident(HDR_MALLORY, NULL, &u, &a);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		unknown += (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	capture_end();
	CHECK(unknown > wrong * 0.5);
	CHECK(unknown < wrong * 2.0);
}

static void
test_no_secrets_logged(void)
{
	static const char *secrets[] = {
		"open sesame", "new:pass:word", "wrong", "shapw",
		"YWxpY2U6", "bWFsbG9yeT", "$2b$04$", "$2b$08$", "{SHA}qs67",
		NULL
	};

	for (int i = 0; secrets[i] != NULL; i++)
		if (strstr(alllogs, secrets[i]) != NULL) {
			fprintf(stderr, "log leaks \"%s\"\n", secrets[i]);
			CHECK(0);
		}
	CHECK(strlen(alllogs) > 0);
}

int
main(void)
{
	log_set_level(LOG_OFF);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/cache", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	snprintf(htpath, sizeof(htpath), "%s/htpasswd", tmpdir);
	test_basic();
	test_expiry();
	test_ttl_zero();
	test_corrupt();
	test_secret_race();
	test_purge();
	test_auth_modes();
	test_remote_user();
	test_timing();
	test_no_secrets_logged();
	rm_rf(tmpdir);
	return check_done();
}
