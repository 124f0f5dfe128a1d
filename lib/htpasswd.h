/*
 * htpasswd.h: read htpasswd files (user:bcrypt-hash lines).  See htpasswd.c.
 */
#ifndef TORC_HTPASSWD_H
#define TORC_HTPASSWD_H

#include <stddef.h>

/* A larger file is refused (EFBIG): no real user list comes close. */
#define HTPASSWD_MAX_BYTES	(16L * 1024 * 1024)

/* What one physical line of the file is. */
enum htpasswd_kind {
	HTPASSWD_NONE,		/* blank line or comment */
	HTPASSWD_BCRYPT,	/* user line with an accepted bcrypt hash */
	HTPASSWD_REJECTED,	/* user line with any other hash: refused */
	HTPASSWD_MALFORMED	/* no ':', an empty or over-long user, a NUL */
};

struct htpasswd_line {
	char		*text;	/* as read, no line end, no BOM */
	enum htpasswd_kind kind;
	char		*user;	/* user lines (BCRYPT, REJECTED): trimmed name */
	char		*hash;	/* user lines: trimmed hash field */
	const char	*why;	/* REJECTED, MALFORMED: "MD5 (apr1)", ... */
	int		 lineno;	/* 1-based physical line number */
	int		 dup_of;	/* user line repeating the user of an
				   earlier line: that line's number, else 0 */
};

struct htpasswd_file {
	struct htpasswd_line *lines;
	size_t		 nlines;
	int		 bom;		/* it started with a UTF-8 BOM */
	int		 crlf;		/* its first line ended in CRLF */
};

/*
 * Split buf[0..len) into lines and classify each.  Lines end in LF or
 * CRLF; a UTF-8 BOM at the start is skipped; surrounding whitespace,
 * and whitespace around the first ':', is ignored; '#' starts a comment.
 * A user line's hash must pass bcrypt_cost() ($2a$, $2b$, $2y$, 60
 * characters) to be HTPASSWD_BCRYPT.  Nothing is logged.
 * Returns 0 with f filled (free with htpasswd_free), -1 out of memory.
 */
int	htpasswd_parse(const char *buf, size_t len, struct htpasswd_file *f);

/*
 * Read and parse a whole file, from a path or from an open descriptor
 * (read from its current offset to the end).  It must be a regular file
 * of at most HTPASSWD_MAX_BYTES.
 * Returns 0 with f filled, -1 with errno set and f empty.
 */
int	htpasswd_read(const char *path, struct htpasswd_file *f);
int	htpasswd_read_fd(int fd, struct htpasswd_file *f);

/* Free what htpasswd_parse/htpasswd_read allocated; f is left empty. */
void	htpasswd_free(struct htpasswd_file *f);

/*
 * The line that counts for user: the first user line (BCRYPT or
 * REJECTED) naming it, as Apache does.  NULL when there is none.
 */
const struct htpasswd_line *htpasswd_find(const struct htpasswd_file *f,
	    const char *user);

/*
 * Look user up in the file at path, read afresh on every call so edits
 * apply at once.  When user's first line is a usable bcrypt line its hash
 * is copied into hash_out (hashlen >= BCRYPT_HASH_LEN + 1).  A rejected
 * first line or a duplicate line for user is logged as a WARN (target
 * torc::server::htpasswd, with the line number, never the hash).
 * *ref_cost (when not NULL) gets the cost of the file's first usable
 * bcrypt line whose cost is at most TORC_BCRYPT_MAX_COST, or
 * BCRYPT_DEFAULT_COST, for the dummy verification of unknown users.
 * Returns 1 found, 0 no usable line for user, -1 the file cannot be read
 * (errno set).
 */
int	htpasswd_lookup(const char *path, const char *user, char *hash_out,
	    size_t hashlen, int *ref_cost);

/*
 * Read the file at path and log a WARN for every rejected, malformed or
 * duplicate line, and for a cost above TORC_BCRYPT_MAX_COST (for a
 * start-up check).  Returns the number of distinct users with a usable
 * line, or -1 when the file cannot be read (errno).
 */
int	htpasswd_check(const char *path);

#endif
