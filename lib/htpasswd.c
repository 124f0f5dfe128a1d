/*
 * htpasswd.c: the htpasswd file, read on every request.
 *
 * Format: one "user:hash" per line, as Apache writes it.  Lines end in LF
 * or CRLF; a UTF-8 BOM at the start of the file, whitespace around a line
 * and around the first ':' are tolerated; blank lines and lines starting
 * with '#' are ignored.  Only bcrypt hashes ($2a$, $2b$, $2y$, exactly 60
 * characters, see bcrypt_cost) are accepted: DES, MD5 ($1$, $apr1$),
 * SHA1 ({SHA}), SHA-crypt, yescrypt, plain text and "$2x$" lines are
 * classified as rejected, never passed to crypt.  When a user appears
 * twice the first line wins, as in Apache.
 *
 * The whole file is parsed into an array of lines that keeps the text of
 * each, so the administrator's tool can rewrite the file with its
 * comments and order intact.  The server calls htpasswd_lookup() once per
 * request: the file is small and the page cache holds it, so re-reading it
 * costs microseconds and makes edits take effect at once.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bcrypt.h"
#include "htpasswd.h"
#include "bounds.h"
#include "log.h"

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
all_b64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c == '.' || c == '/' || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

/* A short name for a hash we refuse, for log lines and the tool. */
static const char *
rejected_kind(const char *h)
{
	size_t n = strlen(h);

	if (n == 0)
		return "empty hash";
	if (strncmp(h, "$2x$", 4) == 0)
		return "bcrypt $2x$ (buggy variant)";
	if (strncmp(h, "$2", 2) == 0)
		return "malformed bcrypt";
	if (strncmp(h, "$apr1$", 6) == 0)
		return "MD5 (apr1)";
	if (strncmp(h, "$1$", 3) == 0)
		return "MD5 crypt";
	if (strncmp(h, "$5$", 3) == 0)
		return "SHA-256 crypt";
	if (strncmp(h, "$6$", 3) == 0)
		return "SHA-512 crypt";
	if (strncmp(h, "$y$", 3) == 0 || strncmp(h, "$7$", 3) == 0)
		return "yescrypt/scrypt";
	if (strncmp(h, "{SHA}", 5) == 0)
		return "SHA1";
	if (n == 13 && all_b64(h, n))
		return "DES crypt";
	return "plain text or unknown";
}

/*
 * Fill ln from the physical line s[0..n) (no line end).  Returns 0, or -1
 * out of memory.  One allocation holds text, user and hash.
 */
static int
parse_line(struct htpasswd_line *ln, const char *s, size_t n, int lineno)
{
	char *mem, *t, *end, *colon, *u, *h;

	memset(ln, 0, sizeof(*ln));
	ln->lineno = lineno;
	if ((mem = malloc(2 * n + 2)) == NULL)
		return -1;
	memcpy(mem, s, n);
	mem[n] = '\0';
	ln->text = mem;
	if (memchr(s, '\0', n) != NULL) {
		ln->kind = HTPASSWD_MALFORMED;
		ln->why = "NUL byte";
		return 0;
	}

	t = mem + n + 1;
	memcpy(t, s, n);
	t[n] = '\0';
	while (is_ws(*t))
		t++;
	end = t + strlen(t);
	while (end > t && is_ws(end[-1]))
		*--end = '\0';
	if (*t == '\0' || *t == '#') {
		ln->kind = HTPASSWD_NONE;
		return 0;
	}
	if ((colon = strchr(t, ':')) == NULL) {
		ln->kind = HTPASSWD_MALFORMED;
		ln->why = "no ':'";
		return 0;
	}
	*colon = '\0';
	u = t;
	end = colon;
	while (end > u && is_ws(end[-1]))
		*--end = '\0';
	h = colon + 1;
	while (is_ws(*h))
		h++;
	if (*u == '\0') {
		ln->kind = HTPASSWD_MALFORMED;
		ln->why = "empty user name";
		return 0;
	}
	if (strlen(u) > TORC_MAX_USERNAME) {
		ln->kind = HTPASSWD_MALFORMED;
		ln->why = "user name too long";
		return 0;
	}
	ln->user = u;
	ln->hash = h;
	if (bcrypt_cost(h) >= 0) {
		ln->kind = HTPASSWD_BCRYPT;
	} else {
		ln->kind = HTPASSWD_REJECTED;
		ln->why = rejected_kind(h);
	}
	return 0;
}

static int
by_user_then_line(const void *a, const void *b)
{
	const struct htpasswd_line *x = *(const struct htpasswd_line *const *)a;
	const struct htpasswd_line *y = *(const struct htpasswd_line *const *)b;
	int c = strcmp(x->user, y->user);

	return c != 0 ? c : (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/* Set dup_of on every user line repeating an earlier user (sort, scan). */
static int
mark_dups(struct htpasswd_file *f)
{
	struct htpasswd_line **v;
	size_t n = 0;

	if (f->nlines == 0)
		return 0;
	if ((v = malloc(f->nlines * sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < f->nlines; i++)
		if (f->lines[i].user != NULL)
			v[n++] = &f->lines[i];
	qsort(v, n, sizeof(*v), by_user_then_line);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i]->user, v[i - 1]->user) == 0)
			v[i]->dup_of = v[i - 1]->dup_of ? v[i - 1]->dup_of :
			    v[i - 1]->lineno;
	free(v);
	return 0;
}

int
htpasswd_parse(const char *buf, size_t len, struct htpasswd_file *f)
{
	size_t cap = 0, pos = 0;
	int lineno = 0;

	memset(f, 0, sizeof(*f));
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		f->bom = 1;
		pos = 3;
	}
	while (pos < len) {
		const char *s = buf + pos, *nl;
		size_t n;

		nl = memchr(s, '\n', len - pos);
		n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl ? 1 : 0);
		if (nl != NULL && n > 0 && s[n - 1] == '\r') {
			n--;
			if (lineno == 0)
				f->crlf = 1;
		}
		if (f->nlines == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct htpasswd_line *nv;
			nv = realloc(f->lines, ncap * sizeof(*nv));
			if (nv == NULL)
				goto oom;
			f->lines = nv;
			cap = ncap;
		}
		if (parse_line(&f->lines[f->nlines], s, n, ++lineno) < 0)
			goto oom;
		f->nlines++;
	}

	if (mark_dups(f) < 0)
		goto oom;
	return 0;
oom:
	htpasswd_free(f);
	errno = ENOMEM;
	return -1;
}

void
htpasswd_free(struct htpasswd_file *f)
{
	for (size_t i = 0; i < f->nlines; i++)
		free(f->lines[i].text);
	free(f->lines);
	memset(f, 0, sizeof(*f));
}

int
htpasswd_read_fd(int fd, struct htpasswd_file *f)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int ret = -1, saved;

	memset(f, 0, sizeof(*f));
	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if (st.st_size > HTPASSWD_MAX_BYTES) {
		errno = EFBIG;
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (;;) {
		ssize_t r;
		if (len == cap) {
			/* The file grew while we read it. */
			char *nb;
			if (cap > HTPASSWD_MAX_BYTES) {
				errno = EFBIG;
				goto out;
			}
			if ((nb = realloc(buf, cap * 2)) == NULL)
				goto out;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	ret = htpasswd_parse(buf, len, f);
out:
	saved = errno;
	free(buf);
	errno = saved;
	return ret;
}

int
htpasswd_read(const char *path, struct htpasswd_file *f)
{
	int fd, ret, saved;

	memset(f, 0, sizeof(*f));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -1;
	ret = htpasswd_read_fd(fd, f);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

const struct htpasswd_line *
htpasswd_find(const struct htpasswd_file *f, const char *user)
{
	for (size_t i = 0; i < f->nlines; i++) {
		const struct htpasswd_line *ln = &f->lines[i];
		if (ln->user != NULL && strcmp(ln->user, user) == 0)
			return ln;
	}
	return NULL;
}

int
htpasswd_lookup(const char *path, const char *user, char *hash_out,
    size_t hashlen, int *ref_cost)
{
	struct htpasswd_file f;
	const struct htpasswd_line *first = NULL;
	int ret = 0, ref = -1;

	if (hashlen > 0)
		hash_out[0] = '\0';
	if (ref_cost != NULL)
		*ref_cost = BCRYPT_DEFAULT_COST;
	if (htpasswd_read(path, &f) < 0)
		return -1;
	for (size_t i = 0; i < f.nlines; i++) {
		const struct htpasswd_line *ln = &f.lines[i];
		/* A line above the cost cap is never verified: skip it, or a
		   hostile first line would make every unknown user slow. */
		if (ref < 0 && ln->kind == HTPASSWD_BCRYPT &&
		    bcrypt_cost(ln->hash) <= TORC_BCRYPT_MAX_COST)
			ref = bcrypt_cost(ln->hash);
		if (ln->user == NULL || strcmp(ln->user, user) != 0)
			continue;
		if (first == NULL) {
			first = ln;
			continue;
		}
		log_msg(LOG_WARN, LOG_T_HTPASSWD,
		    "Duplicate user '%s' at line %d ignored: line %d wins",
		    user, ln->lineno, first->lineno);
	}
	if (ref >= 0 && ref_cost != NULL)
		*ref_cost = ref;
	if (first == NULL)
		goto out;
	if (first->kind != HTPASSWD_BCRYPT) {
		log_msg(LOG_WARN, LOG_T_HTPASSWD,
		    "Password hash for user '%s' at line %d is not an accepted "
		    "bcrypt hash ($2a$, $2b$ or $2y$): %s; refused",
		    user, first->lineno, first->why);
		goto out;
	}
	if (strlen(first->hash) >= hashlen) {
		errno = ENOBUFS;
		ret = -1;
		goto out;
	}
	memcpy(hash_out, first->hash, strlen(first->hash) + 1);
	ret = 1;
out:
	htpasswd_free(&f);
	return ret;
}

int
htpasswd_check(const char *path)
{
	struct htpasswd_file f;
	int n = 0;

	if (htpasswd_read(path, &f) < 0)
		return -1;
	for (size_t i = 0; i < f.nlines; i++) {
		const struct htpasswd_line *ln = &f.lines[i];
		switch (ln->kind) {
		case HTPASSWD_NONE:
			break;
		case HTPASSWD_MALFORMED:
			log_msg(LOG_WARN, LOG_T_HTPASSWD,
			    "Invalid htpasswd line %d: %s; ignored",
			    ln->lineno, ln->why);
			break;
		case HTPASSWD_REJECTED:
			if (ln->dup_of == 0)
				log_msg(LOG_WARN, LOG_T_HTPASSWD,
				    "Password hash for user '%s' at line %d is "
				    "not an accepted bcrypt hash ($2a$, $2b$ or "
				    "$2y$): %s; refused",
				    ln->user, ln->lineno, ln->why);
			break;
		case HTPASSWD_BCRYPT:
			if (ln->dup_of != 0)
				break;
			if (bcrypt_cost(ln->hash) > TORC_BCRYPT_MAX_COST)
				log_msg(LOG_WARN, LOG_T_HTPASSWD,
				    "Bcrypt cost %d for user '%s' at line %d is "
				    "above the maximum %d: refused",
				    bcrypt_cost(ln->hash), ln->user, ln->lineno,
				    TORC_BCRYPT_MAX_COST);
			else
				n++;
			break;
		}
		if (ln->dup_of != 0)
			log_msg(LOG_WARN, LOG_T_HTPASSWD,
			    "Duplicate user '%s' at line %d ignored: line %d wins",
			    ln->user, ln->lineno, ln->dup_of);
	}
	htpasswd_free(&f);
	return n;
}
