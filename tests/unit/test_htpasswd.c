/*
 * test_htpasswd.c: htpasswd parsing and lookup, and the bcrypt layer
 * (accepted variants, cost cap, hashing).  Fixtures come from Apache's
 * htpasswd (-B, -d, -m, -s, -p), so compatibility is tested, not assumed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bcrypt.h"
#include "check.h"
#include "htpasswd.h"
#include "bounds.h"
#include "log.h"

/* htpasswd -nbB -C 4 alice alicepw; -C 5 bob bobpw */
#define ALICE_2Y "$2y$04$u3kHIf0njYkIJgEUzb9/qecDwVb/gmS8o7BDwe4V5KpZwFfgSxi4a"
#define ALICE_2A "$2a$04$u3kHIf0njYkIJgEUzb9/qecDwVb/gmS8o7BDwe4V5KpZwFfgSxi4a"
#define ALICE_2B "$2b$04$u3kHIf0njYkIJgEUzb9/qecDwVb/gmS8o7BDwe4V5KpZwFfgSxi4a"
#define ALICE_2X "$2x$04$u3kHIf0njYkIJgEUzb9/qecDwVb/gmS8o7BDwe4V5KpZwFfgSxi4a"
#define BOB_2Y   "$2y$05$W.lKyoAilAB.AdZTjgTl..wva.duprp1AHhkItlNOpi577kt5aKrK"
#define DES_H    "uE8dHKF6dWQCw"			/* despw */
#define APR1_H   "$apr1$Xzda/z6v$mmVH3NQ4Q74b2liO0fEi9."	/* md5pw */
#define SHA_H    "{SHA}qs67vlse11GdWHE+bbh7CYDxCOs="	/* shapw */
#define MD5C_H   "$1$MxGuzp3b$eXyClY0NkRkl5hLftFLvP."

static char tmpdir[] = "/tmp/test_htpasswd.XXXXXX";
static char path[256];

/* stderr capture, to check log lines. */
static int saved_fd = -1;
static char logbuf[8192];

static void
capture_start(void)
{
	char p[300];
	int fd;

	snprintf(p, sizeof(p), "%s/log", tmpdir);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved_fd = dup(2);
	dup2(fd, 2);
	close(fd);
}

static const char *
capture_end(void)
{
	char p[300];
	ssize_t n;
	int fd;

	dup2(saved_fd, 2);
	close(saved_fd);
	snprintf(p, sizeof(p), "%s/log", tmpdir);
	fd = open(p, O_RDONLY);
	n = read(fd, logbuf, sizeof(logbuf) - 1);
	close(fd);
	logbuf[n > 0 ? n : 0] = '\0';
	return logbuf;
}

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void
test_bcrypt_cost(void)
{
	char h[BCRYPT_HASH_LEN + 8];

	CHECK_INT(bcrypt_cost(ALICE_2Y), 4);
	CHECK_INT(bcrypt_cost(ALICE_2A), 4);
	CHECK_INT(bcrypt_cost(ALICE_2B), 4);
	CHECK_INT(bcrypt_cost(BOB_2Y), 5);
	CHECK_INT(bcrypt_cost(ALICE_2X), -1);
	CHECK_INT(bcrypt_cost(NULL), -1);
	CHECK_INT(bcrypt_cost(""), -1);
	CHECK_INT(bcrypt_cost(DES_H), -1);
	CHECK_INT(bcrypt_cost(APR1_H), -1);
	CHECK_INT(bcrypt_cost(SHA_H), -1);
	CHECK_INT(bcrypt_cost(MD5C_H), -1);
	strcpy(h, ALICE_2Y);
	h[BCRYPT_HASH_LEN - 1] = '\0';			/* 59 chars */
	CHECK_INT(bcrypt_cost(h), -1);
	strcpy(h, ALICE_2Y);
	strcat(h, "a");					/* 61 chars */
	CHECK_INT(bcrypt_cost(h), -1);
	strcpy(h, ALICE_2Y);
	h[4] = '0'; h[5] = '3';
	CHECK_INT(bcrypt_cost(h), -1);
	h[4] = '3'; h[5] = '2';
	CHECK_INT(bcrypt_cost(h), -1);
	h[4] = '3'; h[5] = '1';
	CHECK_INT(bcrypt_cost(h), 31);
	h[4] = '1'; h[5] = '4';
	CHECK_INT(bcrypt_cost(h), 14);
	strcpy(h, ALICE_2Y);
	h[20] = '+';					/* not bcrypt's alphabet */
	CHECK_INT(bcrypt_cost(h), -1);
	strcpy(h, ALICE_2Y);
	h[6] = 'x';
	CHECK_INT(bcrypt_cost(h), -1);
}

static void
test_bcrypt_verify(void)
{
	char h[BCRYPT_HASH_LEN + 1];
	const char *log;

	/* Apache's $2y$ and the same hash as $2a$ / $2b$ verify. */
	CHECK_INT(bcrypt_verify("alicepw", ALICE_2Y, TORC_BCRYPT_MAX_COST, "alice"), 1);
	CHECK_INT(bcrypt_verify("alicepw", ALICE_2A, TORC_BCRYPT_MAX_COST, "alice"), 1);
	CHECK_INT(bcrypt_verify("alicepw", ALICE_2B, TORC_BCRYPT_MAX_COST, "alice"), 1);
	CHECK_INT(bcrypt_verify("alicepW", ALICE_2Y, TORC_BCRYPT_MAX_COST, "alice"), 0);
	CHECK_INT(bcrypt_verify("", ALICE_2Y, TORC_BCRYPT_MAX_COST, "alice"), 0);
	CHECK_INT(bcrypt_verify("bobpw", BOB_2Y, TORC_BCRYPT_MAX_COST, "bob"), 1);

	/* Other kinds never reach crypt, although libxcrypt would verify them. */
	capture_start();
	CHECK_INT(bcrypt_verify("despw", DES_H, TORC_BCRYPT_MAX_COST, "des"), -1);
	CHECK_INT(bcrypt_verify("alicepw", ALICE_2X, TORC_BCRYPT_MAX_COST, "x"), -1);
	CHECK_INT(bcrypt_verify("md5pw", APR1_H, TORC_BCRYPT_MAX_COST, "m"), -1);
	log = capture_end();
	CHECK(strstr(log, "WARN torc::server::htpasswd: Bcrypt verification "
	    "error for user 'des'") != NULL);
	CHECK(strstr(log, DES_H) == NULL);
	CHECK(strstr(log, "despw") == NULL);

	/* Cost cap: a cost-15 hash is refused at once and logged. */
	strcpy(h, ALICE_2Y);
	h[4] = '1'; h[5] = '5';
	capture_start();
	CHECK_INT(bcrypt_verify("alicepw", h, TORC_BCRYPT_MAX_COST, "greedy"), -1);
	log = capture_end();
	CHECK(strstr(log, "Bcrypt cost 15 for user 'greedy' is above the "
	    "maximum 14: refused") != NULL);
	CHECK(strstr(log, h) == NULL);
	/* At the cap itself the hash is used (a cost-4 one stands in here). */
	CHECK_INT(bcrypt_verify("alicepw", ALICE_2Y, 4, "alice"), 1);
	capture_start();
	CHECK_INT(bcrypt_verify("alicepw", BOB_2Y, 4, "bob"), -1);
	capture_end();

	CHECK_INT(bcrypt_verify_dummy("whatever", 4), 0);
	CHECK_INT(bcrypt_verify_dummy("whatever", 0), 0);	/* clamped */
}

static void
test_bcrypt_hash(void)
{
	char h[BCRYPT_HASH_LEN + 1], h2[BCRYPT_HASH_LEN + 1];

	CHECK_INT(bcrypt_hash("s3cret:with:colons", 4, h, sizeof(h)), 0);
	CHECK(strncmp(h, "$2b$04$", 7) == 0);
	CHECK_INT(bcrypt_cost(h), 4);
	CHECK_INT(bcrypt_verify("s3cret:with:colons", h, BCRYPT_MAX_COST, NULL), 1);
	CHECK_INT(bcrypt_verify("s3cret", h, BCRYPT_MAX_COST, NULL), 0);
	CHECK_INT(bcrypt_hash("s3cret:with:colons", 4, h2, sizeof(h2)), 0);
	CHECK(strcmp(h, h2) != 0);			/* fresh salt */
	CHECK_INT(bcrypt_hash("x", 5, h, sizeof(h)), 0);
	CHECK(strncmp(h, "$2b$05$", 7) == 0);
	CHECK_INT(bcrypt_hash("x", 3, h, sizeof(h)), -1);
	CHECK_INT(bcrypt_hash("x", 32, h, sizeof(h)), -1);
	CHECK_INT(bcrypt_hash("x", 4, h, BCRYPT_HASH_LEN), -1);
}

static void
test_parse_kinds(void)
{
	static const char text[] =
	    "\xef\xbb\xbf# Torc users\r\n"		/* 1: BOM + comment */
	    "\r\n"					/* 2: blank */
	    "alice:" ALICE_2Y "\r\n"			/* 3 */
	    "ann:" ALICE_2A "   \t\r\n"		/* 4: trailing ws */
	    "abe:" ALICE_2B "\n"			/* 5: LF only */
	    "  bob : " BOB_2Y "\n"			/* 6: ws around */
	    "des:" DES_H "\n"				/* 7 */
	    "md5:" APR1_H "\n"				/* 8 */
	    "sha:" SHA_H "\n"				/* 9 */
	    "plain:plainpw\n"				/* 10 */
	    "x2:" ALICE_2X "\n"			/* 11 */
	    "trunc:$2y$04$u3kHIf0njYkIJgEU\n"		/* 12 */
	    "nocolon\n"					/* 13 */
	    ":" ALICE_2Y "\n"				/* 14: empty user */
	    "   # indented comment\n"			/* 15 */
	    "alice:" BOB_2Y "\n"			/* 16: duplicate */
	    "md5:" ALICE_2Y "\n"			/* 17: duplicate */
	    "emptyhash:\n"				/* 18 */
	    "last:" BOB_2Y;				/* 19: no final LF */
	struct htpasswd_file f;
	const struct htpasswd_line *ln;

	CHECK_INT(htpasswd_parse(text, sizeof(text) - 1, &f), 0);
	CHECK_INT(f.nlines, 19);
	CHECK_INT(f.bom, 1);
	CHECK_INT(f.crlf, 1);
	CHECK_INT(f.lines[0].kind, HTPASSWD_NONE);
	CHECK_STR(f.lines[0].text, "# Torc users");
	CHECK_INT(f.lines[1].kind, HTPASSWD_NONE);
	CHECK_INT(f.lines[2].kind, HTPASSWD_BCRYPT);
	CHECK_STR(f.lines[2].user, "alice");
	CHECK_STR(f.lines[2].hash, ALICE_2Y);
	CHECK_STR(f.lines[2].text, "alice:" ALICE_2Y);
	CHECK_INT(f.lines[3].kind, HTPASSWD_BCRYPT);
	CHECK_STR(f.lines[3].hash, ALICE_2A);
	CHECK_INT(f.lines[4].kind, HTPASSWD_BCRYPT);
	CHECK_INT(f.lines[5].kind, HTPASSWD_BCRYPT);
	CHECK_STR(f.lines[5].user, "bob");
	CHECK_STR(f.lines[5].hash, BOB_2Y);
	CHECK_STR(f.lines[5].text, "  bob : " BOB_2Y);
	CHECK_INT(f.lines[6].kind, HTPASSWD_REJECTED);
	CHECK_STR(f.lines[6].why, "DES crypt");
	CHECK_INT(f.lines[7].kind, HTPASSWD_REJECTED);
	CHECK_STR(f.lines[7].why, "MD5 (apr1)");
	CHECK_INT(f.lines[8].kind, HTPASSWD_REJECTED);
	CHECK_STR(f.lines[8].why, "SHA1");
	CHECK_INT(f.lines[9].kind, HTPASSWD_REJECTED);
	CHECK_STR(f.lines[9].why, "plain text or unknown");
	CHECK_INT(f.lines[10].kind, HTPASSWD_REJECTED);
	CHECK_STR(f.lines[10].why, "bcrypt $2x$ (buggy variant)");
	CHECK_INT(f.lines[11].kind, HTPASSWD_REJECTED);
	CHECK_STR(f.lines[11].why, "malformed bcrypt");
	CHECK_INT(f.lines[12].kind, HTPASSWD_MALFORMED);
	CHECK(f.lines[12].user == NULL);
	CHECK_INT(f.lines[13].kind, HTPASSWD_MALFORMED);
	CHECK_INT(f.lines[14].kind, HTPASSWD_NONE);
	CHECK_INT(f.lines[15].kind, HTPASSWD_BCRYPT);
	CHECK_INT(f.lines[15].dup_of, 3);
	CHECK_INT(f.lines[16].dup_of, 8);
	CHECK_INT(f.lines[2].dup_of, 0);
	CHECK_INT(f.lines[17].kind, HTPASSWD_REJECTED);
	CHECK_STR(f.lines[17].why, "empty hash");
	CHECK_INT(f.lines[18].kind, HTPASSWD_BCRYPT);
	CHECK_STR(f.lines[18].user, "last");
	CHECK_INT(f.lines[18].lineno, 19);

	/* First line wins. */
	ln = htpasswd_find(&f, "alice");
	CHECK(ln != NULL && ln->lineno == 3);
	ln = htpasswd_find(&f, "md5");
	CHECK(ln != NULL && ln->lineno == 8 && ln->kind == HTPASSWD_REJECTED);
	CHECK(htpasswd_find(&f, "nobody") == NULL);
	CHECK(htpasswd_find(&f, "Alice") == NULL);	/* case-sensitive */
	htpasswd_free(&f);
	CHECK_INT(f.nlines, 0);

	/* A NUL byte makes its line malformed, not truncated. */
	CHECK_INT(htpasswd_parse("a\0b:" ALICE_2Y "\n", 5 + BCRYPT_HASH_LEN, &f), 0);
	CHECK_INT(f.nlines, 1);
	CHECK_INT(f.lines[0].kind, HTPASSWD_MALFORMED);
	htpasswd_free(&f);

	CHECK_INT(htpasswd_parse("", 0, &f), 0);
	CHECK_INT(f.nlines, 0);
	CHECK_INT(f.bom, 0);
	CHECK_INT(f.crlf, 0);
	htpasswd_free(&f);
}

static void
test_lookup(void)
{
	char hash[BCRYPT_HASH_LEN + 1];
	const char *log;
	int ref;

	write_file("# users\n"
	    "des:" DES_H "\n"
	    "bob:" BOB_2Y "\n"
	    "alice:" ALICE_2Y "\r\n"
	    "md5:" APR1_H "\n"
	    "alice:" BOB_2Y "\n"
	    "x2:" ALICE_2X "\n");

	capture_start();
	CHECK_INT(htpasswd_lookup(path, "alice", hash, sizeof(hash), &ref), 1);
	log = capture_end();
	CHECK_STR(hash, ALICE_2Y);
	CHECK_INT(ref, 5);			/* bob's line is the first usable */
	CHECK(strstr(log, "WARN torc::server::htpasswd: Duplicate user 'alice' "
	    "at line 6 ignored: line 4 wins") != NULL);
	CHECK(strstr(log, "$2y$") == NULL);

	capture_start();
	CHECK_INT(htpasswd_lookup(path, "bob", hash, sizeof(hash), NULL), 1);
	log = capture_end();
	CHECK_STR(hash, BOB_2Y);
	CHECK_STR(log, "");

	/* Rejected kinds: not found, with a WARN naming user and line only. */
	capture_start();
	CHECK_INT(htpasswd_lookup(path, "des", hash, sizeof(hash), NULL), 0);
	CHECK_INT(htpasswd_lookup(path, "md5", hash, sizeof(hash), NULL), 0);
	CHECK_INT(htpasswd_lookup(path, "x2", hash, sizeof(hash), NULL), 0);
	log = capture_end();
	CHECK_STR(hash, "");
	CHECK(strstr(log, "WARN torc::server::htpasswd: Password hash for user "
	    "'des' at line 2 is not an accepted bcrypt hash") != NULL);
	CHECK(strstr(log, "user 'md5' at line 5") != NULL);
	CHECK(strstr(log, "user 'x2' at line 7") != NULL);
	CHECK(strstr(log, DES_H) == NULL);
	CHECK(strstr(log, APR1_H) == NULL);
	CHECK(strstr(log, "$2x$04$") == NULL);

	capture_start();
	CHECK_INT(htpasswd_lookup(path, "nobody", hash, sizeof(hash), &ref), 0);
	log = capture_end();
	CHECK_STR(log, "");

	/* Short output buffer: an error, not a truncated hash. */
	CHECK_INT(htpasswd_lookup(path, "bob", hash, BCRYPT_HASH_LEN, NULL), -1);

	/* Edits apply at once: the file is read on every call. */
	write_file("bob:" ALICE_2Y "\n");
	CHECK_INT(htpasswd_lookup(path, "bob", hash, sizeof(hash), &ref), 1);
	CHECK_STR(hash, ALICE_2Y);
	CHECK_INT(ref, 4);
	CHECK_INT(htpasswd_lookup(path, "alice", hash, sizeof(hash), NULL), 0);

	/* No usable line: the dummy cost is the default. */
	write_file("# nothing\n");
	CHECK_INT(htpasswd_lookup(path, "bob", hash, sizeof(hash), &ref), 0);
	CHECK_INT(ref, BCRYPT_DEFAULT_COST);

	/* Missing file, a directory: errors. */
	unlink(path);
	errno = 0;
	CHECK_INT(htpasswd_lookup(path, "bob", hash, sizeof(hash), NULL), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(htpasswd_lookup(tmpdir, "bob", hash, sizeof(hash), NULL), -1);
	CHECK_INT(htpasswd_check(path), -1);
}

static void
test_check(void)
{
	const char *log;

	write_file("alice:" ALICE_2Y "\nbob:" BOB_2Y "\nalice:" BOB_2Y "\n"
	    "sha:" SHA_H "\nbroken\n");
	capture_start();
	CHECK_INT(htpasswd_check(path), 2);
	log = capture_end();
	CHECK(strstr(log, "Duplicate user 'alice' at line 3 ignored: line 1 wins") != NULL);
	CHECK(strstr(log, "user 'sha' at line 4 is not an accepted bcrypt hash") != NULL);
	CHECK(strstr(log, "Invalid htpasswd line 5: no ':'") != NULL);
	CHECK(strstr(log, SHA_H) == NULL);
}

static void
test_big_file(void)
{
	/* Many users: lookup stays correct (and fast: duplicates by sorting). */
	FILE *f = fopen(path, "w");
	char hash[BCRYPT_HASH_LEN + 1];

	for (int i = 0; i < 20000; i++)
		fprintf(f, "user%d:%s\n", i, i % 2 ? ALICE_2Y : BOB_2Y);
	fclose(f);
	CHECK_INT(htpasswd_lookup(path, "user19999", hash, sizeof(hash), NULL), 1);
	CHECK_STR(hash, ALICE_2Y);
	CHECK_INT(htpasswd_check(path), 20000);
}

int
main(void)
{
	log_set_level(LOG_DEBUG);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/htpasswd", tmpdir);
	test_bcrypt_cost();
	test_bcrypt_verify();
	test_bcrypt_hash();
	test_parse_kinds();
	test_lookup();
	test_check();
	test_big_file();
	unlink(path);
	{
		char p[300];
		snprintf(p, sizeof(p), "%s/log", tmpdir);
		unlink(p);
	}
	rmdir(tmpdir);
	return check_done();
}
