/*
 * config.c: settings from defaults, torc.toml [server], TORC_* and flags.
 *
 * One table (config_keys) names every setting once: its torc.toml key, its
 * environment variable and its torc-server flag.  The TOML reader parses
 * the whole TOML 1.0 syntax a config file is likely to hold (tables, dotted
 * and quoted keys, the four string forms, integers with underscores and
 * 0x/0o/0b prefixes, floats, booleans, dates, arrays over several lines,
 * inline tables, comments), so a file shared with the Torc CLI reads
 * cleanly, and reports every error as "file:line: key: reason".  Only
 * [server] is applied; other tables belong to the CLI and are skipped.
 * Inside [server] the types are strict (a port is an integer, a boolean
 * is true or false, a path is a quoted string) and an unknown key is an
 * error, so a typo is never silent.  Torc keys that mean nothing here
 * (threads, completion_check_interval_secs, [server.logging]) are
 * accepted and leave a note; Torc's url is our host.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define DEFAULT_CONFIG	"/etc/torc/torc.toml"

const struct config_key config_keys[] = {
	{ "host", "TORC_HOST", "--host", CK_STR, 0, 0 },
	{ "port", "TORC_PORT", "--port", CK_INT, 0, 0 },
	{ "database", "TORC_DATABASE", "--database", CK_STR, 0, 0 },
	{ "log_level", "TORC_LOG_LEVEL", "--log-level", CK_LEVEL, 0, 0 },
	{ "web_server", "TORC_WEB_SERVER", "--web-server", CK_STR, 0, 0 },
	{ "auth_file", "TORC_AUTH_FILE", "--auth-file", CK_STR, 0, 1 },
	{ "require_auth", "TORC_REQUIRE_AUTH", "--require-auth", CK_BOOL, 0, 0 },
	{ "enforce_access_control", "TORC_ENFORCE_ACCESS_CONTROL", "--enforce-access-control", CK_BOOL, 0, 0 },
	{ "admin_users", "TORC_ADMIN_USERS", "--admin-user", CK_LIST, 0, 0 },
	{ "credential_cache_ttl_secs", "TORC_CREDENTIAL_CACHE_TTL_SECS", "--credential-cache-ttl-secs", CK_INT, 0, 0 },
	{ "cache_dir", "TORC_CACHE_DIR", "--cache-dir", CK_STR, 0, 1 },
	{ "trust_remote_user", "TORC_TRUST_REMOTE_USER", "--trust-remote-user", CK_BOOL, 0, 0 },
	{ "durable", "TORC_DURABLE", "--durable", CK_BOOL, 0, 0 },
	{ "https", "TORC_HTTPS", "--https", CK_BOOL, 0, 0 },
	{ "tls_cert", "TORC_TLS_CERT", "--tls-cert", CK_STR, 0, 1 },
	/* A path, not the key itself: shown, so a wrong path can be seen. */
	{ "tls_key", "TORC_TLS_KEY", "--tls-key", CK_STR, 0, 1 },
	{ "runtime_dir", "TORC_RUNTIME_DIR", "--runtime-dir", CK_STR, 0, 1 },
	{ "idle_exit_secs", "TORC_IDLE_EXIT_SECS", "--idle-exit-secs", CK_INT, 0, 0 },
	{ "fastcgi", "TORC_FASTCGI", "--fastcgi", CK_BOOL, 0, 0 },
};
const int config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

enum { K_HOST, K_PORT, K_DATABASE, K_LOG_LEVEL, K_WEB_SERVER, K_AUTH_FILE,
	K_REQUIRE_AUTH, K_ENFORCE, K_ADMINS, K_TTL, K_CACHE_DIR, K_TRUST_RU,
	K_DURABLE, K_HTTPS, K_TLS_CERT, K_TLS_KEY, K_RUNTIME_DIR, K_IDLE, K_FASTCGI };

/* Torc's own settings that have no meaning here: accepted, noted, ignored. */

/*
 * Strings a struct config points at are either literals (the defaults) or
 * copies made here; the copies are recorded so config_release() can free
 * them (a CGI just exits; tests and long-lived tools release).
 */
static char	**owned;
static size_t	  nowned, capowned;

static char *
own(char *p)
{
	if (p == NULL)
		return NULL;
	if (nowned == capowned) {
		size_t nc = capowned ? capowned * 2 : 32;
		char **g = realloc(owned, nc * sizeof(*g));
		if (g == NULL)
			return p;	/* untracked: a leak, never a fault */
		owned = g;
		capowned = nc;
	}
	owned[nowned++] = p;
	return p;
}

void
config_release(void)
{
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	owned = NULL;
	nowned = capowned = 0;
}

static const struct ignored {
	const char	*key;		/* in [server] */
	const char	*flag;
	int		 takes_value;
	const char	*why;
} ignored[] = {
	{ "threads", "--threads", 1,
	  "each request runs in its own process; the web server sets the parallelism" },
	{ "completion_check_interval_secs", "--completion-check-interval-secs", 1,
	  "jobs are unblocked inside the transaction that completes their dependencies" },
	{ "log_dir", "--log-dir", 1,
	  "log lines go to stderr, which the web server or journald keeps" },
	{ "json_logs", "--json-logs", 0,
	  "log lines are plain text on stderr" },
	{ NULL, NULL, 0, NULL }
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->host = "localhost";
	c->port = 8080;
	c->database = "./torc-data";
	c->log_level = LOG_INFO;
	c->web_server = "lighttpd";
	c->credential_cache_ttl_secs = 60;
	c->durable = 1;
	c->fastcgi = 1;
}

static int
key_by_toml_name(const char *key)
{
	for (int i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].key, key) == 0)
			return i;
	return -1;
}

int
config_key_index(const char *key)
{
	if (strcmp(key, "--url") == 0)
		return K_HOST;		/* Torc's name for the bind host */
	for (int i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].key, key) == 0 ||
		    strcmp(config_keys[i].flag, key) == 0)
			return i;
	return -1;
}

const char *
config_ignored_flag(const char *flag, int *takes_value)
{
	for (int i = 0; ignored[i].key != NULL; i++)
		if (strcmp(ignored[i].flag, flag) == 0) {
			*takes_value = ignored[i].takes_value;
			return ignored[i].why;
		}
	return NULL;
}

void
config_note(struct config *c, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (c->nnotes >= CONFIG_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->notes[c->nnotes++] = own(strdup(buf));
}

static int __attribute__((format(printf, 3, 4)))
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
config_parse_bool(const char *v, int *out)
{
	static const char *yes[] = { "1", "true", "yes", "on", NULL };
	static const char *no[] = { "0", "false", "no", "off", NULL };
	for (int i = 0; yes[i]; i++)
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (int i = 0; no[i]; i++)
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

static int
parse_long(const char *v, long *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*v) && !((*v == '-' || *v == '+') && isdigit((unsigned char)v[1])))
		return -1;
	long x = strtol(v, &end, 10);
	if (*end != '\0' || errno != 0)
		return -1;
	*out = x;
	return 0;
}

static int
add_admin(struct config *c, const char *name, char *err, size_t errlen)
{
	size_t l = strlen(name);
	while (l > 0 && isspace((unsigned char)name[l - 1]))
		l--;
	while (l > 0 && isspace((unsigned char)*name)) {
		name++;
		l--;
	}
	if (l == 0)
		return 0;
	for (int i = 0; i < c->nadmin; i++)
		if (strlen(c->admin_users[i]) == l && strncmp(c->admin_users[i], name, l) == 0)
			return 0;
	if (c->nadmin >= CONFIG_MAX_ADMINS)
		return errf(err, errlen, "admin_users: more than %d users", CONFIG_MAX_ADMINS);
	c->admin_users[c->nadmin++] = own(strndup(name, l));
	return 0;
}

int
config_set(struct config *c, int i, const char *val, enum config_source src,
    char *err, size_t errlen)
{
	const struct config_key *k = &config_keys[i];
	long n;
	int b;

	switch (k->type) {
	case CK_INT:
		if (parse_long(val, &n) < 0)
			return errf(err, errlen, "%s: '%s' is not an integer", k->key, val);
		if (i == K_PORT && (n < 1 || n > 65535))
			return errf(err, errlen, "%s: %ld is not a port (1-65535)", k->key, n);
		if (n < 0)
			return errf(err, errlen, "%s: %ld is negative", k->key, n);
		if (i == K_PORT)
			c->port = n;
		else if (i == K_TTL)
			c->credential_cache_ttl_secs = n;
		else if (i == K_IDLE)
			c->idle_exit_secs = n;
		break;
	case CK_BOOL:
		if (config_parse_bool(val, &b) < 0)
			return errf(err, errlen, "%s: '%s' is not a boolean (true or false)", k->key, val);
		if (i == K_REQUIRE_AUTH) c->require_auth = b;
		else if (i == K_ENFORCE) c->enforce_access_control = b;
		else if (i == K_TRUST_RU) c->trust_remote_user = b;
		else if (i == K_DURABLE) c->durable = b;
		else if (i == K_HTTPS) c->https = b;
		else if (i == K_FASTCGI) c->fastcgi = b;
		break;
	case CK_LEVEL:
		if ((b = log_parse_level(val)) < 0)
			return errf(err, errlen, "%s: '%s' is not a level (error, warn, info, debug, trace, off)", k->key, val);
		c->log_level = b;
		break;
	case CK_LIST: {
		/* Comma-separated, as the reference documents TORC_ADMIN_USERS. */
		char *copy = strdup(val), *save = NULL;
		if (copy == NULL)
			return errf(err, errlen, "%s: out of memory", k->key);
		if (src != c->src[i] || src != SRC_FLAG)
			c->nadmin = 0;		/* a new source replaces the list */
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (add_admin(c, t, err, errlen) < 0) {
				free(copy);
				return -1;
			}
		free(copy);
		break;
	}
	case CK_STR: {
		char *s = NULL;
		if (i == K_WEB_SERVER && strcmp(val, "lighttpd") && strcmp(val, "busybox"))
			return errf(err, errlen, "%s: '%s' is not lighttpd or busybox", k->key, val);
		if (*val == '\0' && !k->optional)
			return errf(err, errlen, "%s: must not be empty", k->key);
		if (*val != '\0' && (s = own(strdup(val))) == NULL)
			return errf(err, errlen, "%s: out of memory", k->key);
		switch (i) {
		case K_HOST: c->host = s; break;
		case K_DATABASE: c->database = s; break;
		case K_WEB_SERVER: c->web_server = s; break;
		case K_AUTH_FILE: c->auth_file = s; break;
		case K_CACHE_DIR: c->cache_dir = s; break;
		case K_TLS_CERT: c->tls_cert = s; break;
		case K_TLS_KEY: c->tls_key = s; break;
		case K_RUNTIME_DIR: c->runtime_dir = s; break;
		}
		break;
	}
	}
	c->src[i] = src;
	return 0;
}

/* ---- the TOML reader ----------------------------------------------------- */

enum { TV_STRING, TV_INT, TV_FLOAT, TV_BOOL, TV_DATETIME, TV_ARRAY, TV_TABLE };

static const char *tv_names[] = {
	"a string", "an integer", "a float", "a boolean", "a date", "an array", "a table"
};

struct tval {
	int	 type;
	char	*s;		/* TV_STRING: the text; others: NULL */
	long	 n;		/* TV_INT */
	int	 b;		/* TV_BOOL */
	char	**items;	/* TV_ARRAY: the string items, when every item is one */
	int	 nitems;
	int	 all_strings;	/* TV_ARRAY: every item is a string */
};

#define MAX_SEGS	8	/* parts of a dotted key or table name */
#define SEG_LEN		128

struct tkey {
	char	 seg[MAX_SEGS][SEG_LEN];
	int	 n;
};

struct tp {
	const char	*path;
	const char	*p, *end;
	int		 line;
	char		*err;
	size_t		 errlen;
	const char	*key;		/* key being read, for messages */
};

static int __attribute__((format(printf, 2, 3)))
tp_err(struct tp *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->key != NULL)
		snprintf(t->err, t->errlen, "%s:%d: %s: %s", t->path, t->line, t->key, msg);
	else
		snprintf(t->err, t->errlen, "%s:%d: %s", t->path, t->line, msg);
	return -1;
}

static void
tval_free(struct tval *v)
{
	free(v->s);
	for (int i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static void
tp_ws(struct tp *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

static int
at_eol(const struct tp *t)
{
	return t->p >= t->end || *t->p == '\n' ||
	    (*t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n');
}

/* Past a newline (LF or CRLF) at the cursor, counting it. */
static void
tp_newline(struct tp *t)
{
	if (t->p < t->end && *t->p == '\r')
		t->p++;
	if (t->p < t->end && *t->p == '\n') {
		t->p++;
		t->line++;
	}
}

/* A comment runs to the end of the line; no control characters but tab. */
static int
tp_comment(struct tp *t)
{
	while (!at_eol(t)) {
		unsigned char ch = (unsigned char)*t->p;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return tp_err(t, "control character in a comment");
		t->p++;
	}
	return 0;
}

/* After a value or a header: blanks, an optional comment, the end of the line. */
static int
tp_end_of_line(struct tp *t)
{
	tp_ws(t);
	if (t->p < t->end && *t->p == '#' && tp_comment(t) < 0)
		return -1;
	if (!at_eol(t))
		return tp_err(t, "unexpected text after the value: '%.*s'",
		    (int)strcspn(t->p, "\r\n") > 20 ? 20 : (int)strcspn(t->p, "\r\n"), t->p);
	tp_newline(t);
	return 0;
}

/* Blanks, newlines and comments, as allowed between array items. */
static int
tp_skip_all(struct tp *t)
{
	for (;;) {
		tp_ws(t);
		if (t->p < t->end && *t->p == '#') {
			if (tp_comment(t) < 0)
				return -1;
			continue;
		}
		if (t->p < t->end && (*t->p == '\n' || *t->p == '\r')) {
			if (!at_eol(t))
				return tp_err(t, "stray carriage return");
			tp_newline(t);
			continue;
		}
		return 0;
	}
}

/* Append one code point as UTF-8. */
static int
put_utf8(char *out, size_t *n, size_t cap, unsigned long cp)
{
	unsigned char b[4];
	int len;
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		len = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		len = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		len = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		len = 4;
	}
	if (*n + (size_t)len >= cap)
		return -1;
	memcpy(out + *n, b, (size_t)len);
	*n += (size_t)len;
	return 0;
}

/*
 * A string in any of TOML's four forms; the cursor is on the opening
 * quote.  *out is malloc'd.  Multi-line forms may span lines.
 */
static int
tp_string(struct tp *t, char **out)
{
	char q = *t->p;
	int multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
	size_t cap = (size_t)(t->end - t->p) + 1, n = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return tp_err(t, "out of memory");
	t->p += multi ? 3 : 1;
	if (multi && t->p < t->end && at_eol(t))
		tp_newline(t);		/* a newline right after the quotes is trimmed */
	for (;;) {
		if (t->p >= t->end) {
			free(buf);
			return tp_err(t, "string not closed");
		}
		char ch = *t->p;
		if (ch == q) {
			if (!multi) {
				t->p++;
				break;
			}
			if (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q) {
				/* Up to two more quotes belong to the string. */
				int extra = 0;
				while (extra < 2 && t->end - t->p >= 4 && t->p[3] == q) {
					buf[n++] = q;
					t->p++;
					extra++;
				}
				t->p += 3;
				break;
			}
			buf[n++] = ch;
			t->p++;
			continue;
		}
		if (ch == '\n' || ch == '\r') {
			if (!multi || !at_eol(t)) {
				free(buf);
				return tp_err(t, "newline inside a one-line string");
			}
			if (ch == '\r')
				t->p++;
			buf[n++] = '\n';
			t->p++;
			t->line++;
			continue;
		}
		if (((unsigned char)ch < 0x20 && ch != '\t') || ch == 0x7f) {
			free(buf);
			return tp_err(t, "control character inside a string");
		}
		if (q == '"' && ch == '\\') {
			t->p++;
			if (t->p >= t->end) {
				free(buf);
				return tp_err(t, "string not closed");
			}
			char e = *t->p++;
			unsigned long cp;
			int digits;
			switch (e) {
			case 'b': buf[n++] = '\b'; break;
			case 't': buf[n++] = '\t'; break;
			case 'n': buf[n++] = '\n'; break;
			case 'f': buf[n++] = '\f'; break;
			case 'r': buf[n++] = '\r'; break;
			case '"': buf[n++] = '"'; break;
			case '\\': buf[n++] = '\\'; break;
			case 'u':
			case 'U':
				digits = e == 'u' ? 4 : 8;
				cp = 0;
				for (int d = 0; d < digits; d++) {
					if (t->p >= t->end || !isxdigit((unsigned char)*t->p)) {
						free(buf);
						return tp_err(t, "bad \\%c escape", e);
					}
					char hx[2] = { *t->p++, '\0' };
					cp = cp * 16 + strtoul(hx, NULL, 16);
				}
				if (put_utf8(buf, &n, cap, cp) < 0) {
					free(buf);
					return tp_err(t, "\\%c escape is not a usable character", e);
				}
				break;
			case ' ':
			case '\t':
			case '\r':
			case '\n':
				/* Line-ending backslash: trim through the next non-blank. */
				t->p--;
				tp_ws(t);
				if (!multi || !at_eol(t)) {
					free(buf);
					return tp_err(t, "bad escape '\\%c'", e);
				}
				while (t->p < t->end && (*t->p == ' ' || *t->p == '\t' ||
				    *t->p == '\n' || *t->p == '\r')) {
					if (*t->p == '\n')
						t->line++;
					t->p++;
				}
				break;
			default:
				free(buf);
				return tp_err(t, "bad escape '\\%c'", e);
			}
			continue;
		}
		buf[n++] = ch;
		t->p++;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int
is_bare(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

/* A dotted key: bare or quoted parts separated by dots (blanks allowed). */
static int
tp_key(struct tp *t, struct tkey *k)
{
	k->n = 0;
	for (;;) {
		tp_ws(t);
		if (k->n >= MAX_SEGS)
			return tp_err(t, "key has more than %d parts", MAX_SEGS);
		char *seg = k->seg[k->n];
		if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
			char *s;
			if (t->end - t->p >= 3 && t->p[1] == *t->p && t->p[2] == *t->p)
				return tp_err(t, "a key cannot be a multi-line string");
			if (tp_string(t, &s) < 0)
				return -1;
			if (strlen(s) >= SEG_LEN) {
				free(s);
				return tp_err(t, "key too long");
			}
			snprintf(seg, SEG_LEN, "%s", s);
			free(s);
		} else {
			const char *s = t->p;
			while (t->p < t->end && is_bare(*t->p))
				t->p++;
			if (t->p == s)
				return tp_err(t, "expected a key");
			if (t->p - s >= SEG_LEN)
				return tp_err(t, "key too long");
			snprintf(seg, SEG_LEN, "%.*s", (int)(t->p - s), s);
		}
		k->n++;
		tp_ws(t);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			continue;
		}
		return 0;
	}
}

static void
key_join(const struct tkey *k, int from, int to, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = from; i < to && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i > from ? "." : "", k->seg[i]);
}

static int
digits_ok(const char *s, size_t len, int base)
{
	/* Digits of base, single underscores only between digits. */
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '_') {
			if (i == 0 || i + 1 == len || s[i + 1] == '_')
				return 0;
			continue;
		}
		int d = isdigit((unsigned char)ch) ? ch - '0' :
		    isxdigit((unsigned char)ch) ? tolower((unsigned char)ch) - 'a' + 10 : 99;
		if (d >= base)
			return 0;
	}
	return 1;
}

/* A bare value: boolean, integer, float or date.  tok is NUL-terminated. */
static int
tp_scalar(struct tp *t, const char *tok, struct tval *v)
{
	size_t len = strlen(tok);
	const char *s = tok;

	if (strcmp(tok, "true") == 0 || strcmp(tok, "false") == 0) {
		v->type = TV_BOOL;
		v->b = tok[0] == 't';
		return 0;
	}
	/* Prefixed integers: 0x, 0o, 0b, no sign. */
	if (len > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'o' || tok[1] == 'b')) {
		int base = tok[1] == 'x' ? 16 : tok[1] == 'o' ? 8 : 2;
		char clean[128];
		size_t m = 0;
		if (!digits_ok(tok + 2, len - 2, base) || len >= sizeof(clean))
			return tp_err(t, "'%s' is not a number", tok);
		for (size_t i = 2; i < len; i++)
			if (tok[i] != '_')
				clean[m++] = tok[i];
		clean[m] = '\0';
		errno = 0;
		v->n = strtol(clean, NULL, base);
		if (errno != 0)
			return tp_err(t, "'%s' is out of range", tok);
		v->type = TV_INT;
		return 0;
	}
	if (*s == '+' || *s == '-')
		s++;
	if (strcmp(s, "inf") == 0 || strcmp(s, "nan") == 0) {
		v->type = TV_FLOAT;
		return 0;
	}
	/* Dates and times: 1979-05-27, 07:32:00, 1979-05-27T07:32:00Z ... */
	if (s == tok && len >= 5 && isdigit((unsigned char)tok[0]) &&
	    (tok[4] == '-' || tok[2] == ':')) {
		for (size_t i = 0; i < len; i++)
			if (!isdigit((unsigned char)tok[i]) && !strchr("-:.TtZz+ ", tok[i]))
				return tp_err(t, "'%s' is not a date or time", tok);
		v->type = TV_DATETIME;
		return 0;
	}
	/* Decimal integer or float. */
	size_t ilen = strcspn(s, ".eE");
	if (digits_ok(s, ilen, 10) && ilen > 1 && s[0] == '0')
		return tp_err(t, "'%s': a number cannot start with 0", tok);
	if (!digits_ok(s, ilen, 10))
		return tp_err(t, "'%s' is not a value (strings need quotes; "
		    "booleans are true or false)", tok);
	if (s[ilen] == '\0') {
		char clean[128];
		size_t m = 0;
		if (len >= sizeof(clean))
			return tp_err(t, "'%s' is out of range", tok);
		for (size_t i = 0; i < len; i++)
			if (tok[i] != '_')
				clean[m++] = tok[i];
		clean[m] = '\0';
		errno = 0;
		v->n = strtol(clean, NULL, 10);
		if (errno != 0)
			return tp_err(t, "'%s' is out of range", tok);
		v->type = TV_INT;
		return 0;
	}
	const char *f = s + ilen;
	if (*f == '.') {
		size_t flen = strcspn(f + 1, "eE");
		if (!digits_ok(f + 1, flen, 10))
			return tp_err(t, "'%s' is not a number", tok);
		f += 1 + flen;
	}
	if (*f == 'e' || *f == 'E') {
		f++;
		if (*f == '+' || *f == '-')
			f++;
		if (!digits_ok(f, strlen(f), 10))
			return tp_err(t, "'%s' is not a number", tok);
		f += strlen(f);
	}
	if (*f != '\0')
		return tp_err(t, "'%s' is not a number", tok);
	v->type = TV_FLOAT;
	return 0;
}

static int tp_value(struct tp *t, struct tval *v, int depth);

static int
tp_inline_table(struct tp *t, int depth)
{
	struct tkey k;
	struct tval v;
	char seen[64][SEG_LEN * 2];
	int nseen = 0;

	t->p++;			/* { */
	tp_ws(t);
	if (t->p < t->end && *t->p == '}') {
		t->p++;
		return 0;
	}
	for (;;) {
		if (tp_key(t, &k) < 0)
			return -1;
		if (t->p >= t->end || *t->p != '=')
			return tp_err(t, "expected '=' in an inline table");
		t->p++;
		tp_ws(t);
		char full[SEG_LEN * 2];
		key_join(&k, 0, k.n, full, sizeof(full));
		for (int i = 0; i < nseen; i++)
			if (strcmp(seen[i], full) == 0)
				return tp_err(t, "key '%s' repeated in an inline table", full);
		if (nseen < 64)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", full);
		memset(&v, 0, sizeof(v));
		if (tp_value(t, &v, depth + 1) < 0)
			return -1;
		tval_free(&v);
		tp_ws(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			tp_ws(t);
			continue;
		}
		if (t->p < t->end && *t->p == '}') {
			t->p++;
			return 0;
		}
		return tp_err(t, "expected ',' or '}' in an inline table");
	}
}

static int
tp_array(struct tp *t, struct tval *v, int depth)
{
	v->type = TV_ARRAY;
	v->all_strings = 1;
	t->p++;			/* [ */
	for (;;) {
		if (tp_skip_all(t) < 0)
			return -1;
		if (t->p >= t->end)
			return tp_err(t, "array not closed");
		if (*t->p == ']') {
			t->p++;
			return 0;
		}
		struct tval item;
		memset(&item, 0, sizeof(item));
		if (tp_value(t, &item, depth + 1) < 0)
			return -1;
		if (item.type == TV_STRING) {
			char **grown = realloc(v->items, sizeof(char *) * (size_t)(v->nitems + 1));
			if (grown == NULL) {
				tval_free(&item);
				return tp_err(t, "out of memory");
			}
			v->items = grown;
			v->items[v->nitems++] = item.s;
			item.s = NULL;
		} else
			v->all_strings = 0;
		tval_free(&item);
		if (tp_skip_all(t) < 0)
			return -1;
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == ']') {
			t->p++;
			return 0;
		}
		return tp_err(t, "expected ',' or ']' in an array");
	}
}

static int
tp_value(struct tp *t, struct tval *v, int depth)
{
	if (depth > CONFIG_MAX_DEPTH)
		return tp_err(t, "nested deeper than %d", CONFIG_MAX_DEPTH);
	if (t->p >= t->end || at_eol(t) || *t->p == '#')
		return tp_err(t, "missing value");
	if (*t->p == '"' || *t->p == '\'') {
		v->type = TV_STRING;
		return tp_string(t, &v->s);
	}
	if (*t->p == '[')
		return tp_array(t, v, depth);
	if (*t->p == '{') {
		v->type = TV_TABLE;
		return tp_inline_table(t, depth);
	}
	char tok[128];
	size_t n = 0;
	while (t->p < t->end && !strchr(" \t\r\n,]}#", *t->p)) {
		if (n + 1 >= sizeof(tok))
			return tp_err(t, "value too long");
		tok[n++] = *t->p++;
	}
	/* "1979-05-27 07:32:00": a date, a blank, a time. */
	if (n == 10 && tok[4] == '-' && t->end - t->p > 2 && *t->p == ' ' &&
	    isdigit((unsigned char)t->p[1]) && isdigit((unsigned char)t->p[2])) {
		tok[n++] = *t->p++;
		while (t->p < t->end && !strchr(" \t\r\n,]}#", *t->p) && n + 1 < sizeof(tok))
			tok[n++] = *t->p++;
	}
	tok[n] = '\0';
	if (n == 0)
		return tp_err(t, "missing value");
	return tp_scalar(t, tok, v);
}

/* What the reader remembers across lines. */
struct tstate {
	char	 table[SEG_LEN * MAX_SEGS];	/* current table, dotted */
	char	**defined;			/* tables and keys defined, dotted */
	int	*defined_line;
	int	 ndefined;
	int	 set_line[CONFIG_MAX_KEYS];	/* line that set each [server] key */
	int	 noted_logging;
	int	 narrays;			/* [[table]] headers seen */
};

static int
remember(struct tp *t, struct tstate *st, const char *full, const char *what)
{
	for (int i = 0; i < st->ndefined; i++)
		if (strcmp(st->defined[i], full) == 0)
			return strcmp(what, "table") == 0 ?
			    tp_err(t, "table [%s] appears twice (first on line %d)",
			    full, st->defined_line[i]) :
			    tp_err(t, "set twice (first on line %d)", st->defined_line[i]);
	size_t n = (size_t)st->ndefined + 1;
	char **grown = realloc(st->defined, sizeof(char *) * n);
	if (grown != NULL)
		st->defined = grown;
	int *lines = realloc(st->defined_line, sizeof(int) * n);
	if (lines != NULL)
		st->defined_line = lines;
	if (grown == NULL || lines == NULL || (grown[n - 1] = strdup(full)) == NULL)
		return tp_err(t, "out of memory");
	lines[n - 1] = t->line;
	st->ndefined++;
	return 0;
}

static void
note_logging(struct config *c, struct tstate *st, const struct tp *t, int line)
{
	if (st->noted_logging)
		return;
	st->noted_logging = 1;
	config_note(c, "%s:%d: [server.logging] is ignored: log lines go to stderr, "
	    "which the web server or journald keeps", t->path, line);
}

/* One [server] key with its value. */
static int
apply_server_key(struct config *c, struct tp *t, struct tstate *st,
    const char *key, struct tval *v, int line)
{
	int idx;
	char num[32], e2[512];

	if (strcmp(key, "url") == 0) {
		idx = K_HOST;		/* Torc's name for the bind host */
		config_note(c, "%s:%d: url is Torc's name for host: used as host", t->path, line);
	} else if (strcmp(key, "logging") == 0 && v->type == TV_TABLE) {
		note_logging(c, st, t, line);
		return 0;
	} else if ((idx = key_by_toml_name(key)) < 0) {
		for (int i = 0; ignored[i].key != NULL; i++)
			if (strcmp(ignored[i].key, key) == 0) {
				config_note(c, "%s:%d: %s is ignored: %s", t->path, line,
				    key, ignored[i].why);
				return 0;
			}
		t->key = NULL;
		return tp_err(t, "unknown key '%s' in [server]", key);
	}
	if (st->set_line[idx] != 0)
		return tp_err(t, "%s is already set on line %d", config_keys[idx].key,
		    st->set_line[idx]);
	st->set_line[idx] = line;

	const char *want = NULL, *text = NULL;
	switch (config_keys[idx].type) {
	case CK_STR:
	case CK_LEVEL:
		if (v->type != TV_STRING)
			want = "a quoted string";
		text = v->s;
		break;
	case CK_INT:
		if (v->type != TV_INT)
			want = "an integer";
		snprintf(num, sizeof(num), "%ld", v->n);
		text = num;
		break;
	case CK_BOOL:
		if (v->type != TV_BOOL)
			want = "true or false";
		text = v->b ? "true" : "false";
		break;
	case CK_LIST:
		if (v->type != TV_ARRAY || !v->all_strings)
			want = "an array of strings, [\"alice\", \"bob\"]";
		break;
	}
	if (want != NULL)
		return tp_err(t, "expected %s, got %s", want, v->type == TV_ARRAY ?
		    "an array of other values" : tv_names[v->type]);
	if (config_keys[idx].type == CK_LIST) {
		c->nadmin = 0;
		for (int i = 0; i < v->nitems; i++) {
			if (strchr(v->items[i], ',') != NULL)
				return tp_err(t, "'%s' contains a comma", v->items[i]);
			if (add_admin(c, v->items[i], e2, sizeof(e2)) < 0)
				return tp_err(t, "%s", strchr(e2, ':') ? strchr(e2, ':') + 2 : e2);
		}
		c->src[idx] = SRC_FILE;
	} else if (config_set(c, idx, text, SRC_FILE, e2, sizeof(e2)) < 0) {
		const char *reason = strchr(e2, ':');
		return tp_err(t, "%s", reason ? reason + 2 : e2);
	}
	char where[PATH_MAX + 16];
	snprintf(where, sizeof(where), "%s:%d", t->path, line);
	c->origin[idx] = own(strdup(where));
	return 0;
}

/* A [table] or [[table]] header; the cursor is on the first '['. */
static int
tp_header(struct config *c, struct tp *t, struct tstate *st)
{
	struct tkey k;
	int array = t->end - t->p >= 2 && t->p[1] == '[';
	int line = t->line;

	t->p += array ? 2 : 1;
	if (tp_key(t, &k) < 0)
		return -1;
	if (t->p >= t->end || *t->p != ']' || (array && (t->end - t->p < 2 || t->p[1] != ']')))
		return tp_err(t, "malformed table header");
	t->p += array ? 2 : 1;
	if (tp_end_of_line(t) < 0)
		return -1;
	int after = t->line;
	t->line = line;		/* errors below are about the header's line */
	key_join(&k, 0, k.n, st->table, sizeof(st->table));
	if (strcmp(k.seg[0], "server") == 0) {
		if (array)
			return tp_err(t, "[[%s]] must be a table, [%s]", st->table, st->table);
		if (k.n == 2 && strcmp(k.seg[1], "logging") == 0)
			note_logging(c, st, t, line);
		else if (k.n > 1)
			return tp_err(t, "unknown table [%s]", st->table);
	}
	if (!array && remember(t, st, st->table, "table") < 0)
		return -1;
	if (array) {
		/* Each [[x]] opens a new table: its keys start afresh. */
		size_t n = strlen(st->table);
		snprintf(st->table + n, sizeof(st->table) - n, "#%d", ++st->narrays);
	}
	t->line = after;
	return 0;
}

/* key = value on the cursor's line. */
static int
tp_keyval(struct config *c, struct tp *t, struct tstate *st)
{
	struct tkey k, full;
	struct tval v;
	int line = t->line, rc = -1;
	char dotted[SEG_LEN * MAX_SEGS * 2];

	if (tp_key(t, &k) < 0)
		return -1;
	if (t->p >= t->end || *t->p != '=')
		return tp_err(t, "expected 'key = value'");
	t->p++;
	tp_ws(t);
	/* The key's full name: the table's parts, then the key's. */
	full.n = 0;
	if (st->table[0] != '\0') {
		char copy[sizeof(st->table)], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", st->table);
		for (char *s = strtok_r(copy, ".", &save); s && full.n < MAX_SEGS;
		    s = strtok_r(NULL, ".", &save))
			snprintf(full.seg[full.n++], SEG_LEN, "%s", s);
	}
	for (int i = 0; i < k.n; i++) {
		if (full.n >= MAX_SEGS)
			return tp_err(t, "key has more than %d parts", MAX_SEGS);
		snprintf(full.seg[full.n++], SEG_LEN, "%s", k.seg[i]);
	}
	key_join(&full, 0, full.n, dotted, sizeof(dotted));
	char shown[SEG_LEN * MAX_SEGS];
	key_join(&k, 0, k.n, shown, sizeof(shown));
	t->key = shown;
	memset(&v, 0, sizeof(v));
	if (tp_value(t, &v, 0) < 0)
		goto out;
	if (tp_end_of_line(t) < 0)
		goto out;
	int endline = t->line;
	t->line = line;
	if (remember(t, st, dotted, "key") < 0)
		goto out;
	if (strcmp(full.seg[0], "server") == 0) {
		if (full.n == 1) {
			tp_err(t, "write the server settings as a [server] table");
			goto out;
		}
		if (full.n == 2) {
			t->key = full.seg[1];
			if (apply_server_key(c, t, st, full.seg[1], &v, line) < 0)
				goto out;
		} else if (strcmp(full.seg[1], "logging") == 0) {
			note_logging(c, st, t, line);
			if (full.n == 3 && strcmp(full.seg[2], "admin_users") == 0)
				config_note(c, "%s:%d: admin_users under [server.logging] is "
				    "ignored (Torc's template puts it there); move it to [server]",
				    t->path, line);
		} else {
			t->key = NULL;
			tp_err(t, "unknown table [server.%s]", full.seg[1]);
			goto out;
		}
	}
	t->line = endline;
	rc = 0;
out:
	t->key = NULL;
	tval_free(&v);
	return rc;
}

int
config_read_file(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct tstate st;
	struct tp t;
	char *text = NULL;
	size_t len;
	int rc = -1;

	memset(&st, 0, sizeof(st));
	if (f == NULL)
		return errf(err, errlen, "cannot open config file %s: %s", path, strerror(errno));
	/* The file's size, not the cap: every CGI reads it on every request. */
	struct stat sb;
	size_t cap = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size < CONFIG_MAX_FILE ? (size_t)sb.st_size + 1 : (size_t)CONFIG_MAX_FILE + 1;
	if ((text = malloc(cap)) == NULL) {
		fclose(f);
		return errf(err, errlen, "%s: out of memory", path);
	}
	len = fread(text, 1, cap, f);
	if (len == cap && cap <= (size_t)CONFIG_MAX_FILE) {
		errf(err, errlen, "%s: changed while it was read", path);
		goto out;
	}
	if (ferror(f)) {
		errf(err, errlen, "cannot read config file %s: %s", path, strerror(errno));
		goto out;
	}
	if (len > (size_t)CONFIG_MAX_FILE) {
		errf(err, errlen, "%s: larger than %ld bytes", path, CONFIG_MAX_FILE);
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.path = path;
	t.p = text;
	t.end = text + len;
	t.line = 1;
	t.err = err;
	t.errlen = errlen;
	for (const char *q = text; q < t.end; q++) {
		if (*q == '\n')
			t.line++;
		if (*q == '\0') {
			tp_err(&t, "NUL byte in the file");
			goto out;
		}
	}
	t.line = 1;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		t.p += 3;	/* byte-order mark */
	while (t.p < t.end) {
		tp_ws(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '#') {
			if (tp_comment(&t) < 0)
				goto out;
			continue;
		}
		if (*t.p == '\n' || *t.p == '\r') {
			if (!at_eol(&t)) {
				tp_err(&t, "stray carriage return");
				goto out;
			}
			tp_newline(&t);
			continue;
		}
		if (*t.p == '[' ? tp_header(c, &t, &st) < 0 : tp_keyval(c, &t, &st) < 0)
			goto out;
	}
	c->config_file = own(strdup(path));
	rc = 0;
out:
	for (int i = 0; i < st.ndefined; i++)
		free(st.defined[i]);
	free(st.defined);
	free(st.defined_line);
	free(text);
	fclose(f);
	return rc;
}

/* ---- resolution ---------------------------------------------------------- */

/* One variable: 0 not set, 1 applied, -1 bad (err names the variable). */
static int
apply_env(struct config *c, int i, const char *var, char *err, size_t errlen)
{
	const char *v = getenv(var);
	char e2[512];

	if (v == NULL)
		return 0;
	if (config_set(c, i, v, SRC_ENV, e2, sizeof(e2)) < 0)
		return errf(err, errlen, "%s: %s", var, e2);
	c->origin[i] = var;
	return 1;
}

int
config_load(struct config *c, char *err, size_t errlen)
{
	const char *path = getenv("TORC_CONFIG");
	struct stat sb;

	if (path != NULL) {
		/* TORC_CONFIG= or TORC_CONFIG=none: no file at all. */
		if (*path != '\0' && strcmp(path, "none") != 0 &&
		    config_read_file(c, path, err, errlen) < 0)
			return -1;
	} else if (stat(DEFAULT_CONFIG, &sb) == 0) {
		if (config_read_file(c, DEFAULT_CONFIG, err, errlen) < 0)
			return -1;
	} else if (errno != ENOENT && errno != ENOTDIR)
		return errf(err, errlen, "cannot read config file %s: %s",
		    DEFAULT_CONFIG, strerror(errno));

	for (int i = 0; i < config_nkeys; i++) {
		/* Torc's layered spelling first, so TORC_<KEY> wins over it. */
		static char names[CONFIG_MAX_KEYS][64];
		char *up = names[i];
		size_t n = (size_t)snprintf(up, sizeof(names[i]), "TORC_SERVER__%s", config_keys[i].key);
		for (size_t j = 13; j < n && j < sizeof(names[i]); j++)
			up[j] = (char)toupper((unsigned char)up[j]);
		if (i == K_HOST && apply_env(c, i, "TORC_SERVER__URL", err, errlen) < 0)
			return -1;
		if (apply_env(c, i, up, err, errlen) < 0 ||
		    apply_env(c, i, config_keys[i].env, err, errlen) < 0)
			return -1;
	}
	return 0;
}

char *
config_value_text(const struct config *c, int i)
{
	char buf[4096];
	const char *s = NULL;
	switch (i) {
	case K_HOST: s = c->host; break;
	case K_PORT: snprintf(buf, sizeof(buf), "%ld", c->port); return strdup(buf);
	case K_DATABASE: s = c->database; break;
	case K_LOG_LEVEL: {
		static const char *lv[] = { "off", "error", "warn", "info", "debug", "trace" };
		s = c->log_level >= 0 && c->log_level <= LOG_TRACE ? lv[c->log_level] : "info";
		break;
	}
	case K_WEB_SERVER: s = c->web_server; break;
	case K_AUTH_FILE: s = c->auth_file; break;
	case K_REQUIRE_AUTH: s = c->require_auth ? "true" : "false"; break;
	case K_ENFORCE: s = c->enforce_access_control ? "true" : "false"; break;
	case K_ADMINS: {
		size_t n = 0;
		buf[0] = '\0';
		for (int j = 0; j < c->nadmin && n < sizeof(buf); j++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", j ? "," : "", c->admin_users[j]);
		return strdup(buf);
	}
	case K_TTL: snprintf(buf, sizeof(buf), "%ld", c->credential_cache_ttl_secs); return strdup(buf);
	case K_CACHE_DIR: s = c->cache_dir; break;
	case K_TRUST_RU: s = c->trust_remote_user ? "true" : "false"; break;
	case K_DURABLE: s = c->durable ? "true" : "false"; break;
	case K_HTTPS: s = c->https ? "true" : "false"; break;
	case K_FASTCGI: s = c->fastcgi ? "true" : "false"; break;
	case K_TLS_CERT: s = c->tls_cert; break;
	case K_TLS_KEY: s = c->tls_key; break;
	case K_RUNTIME_DIR: s = c->runtime_dir; break;
	case K_IDLE: snprintf(buf, sizeof(buf), "%ld", c->idle_exit_secs); return strdup(buf);
	default: return NULL;
	}
	/* Unset optional strings export as "", which unsets them in the CGI. */
	return strdup(s ? s : "");
}

const char *
config_source_name(enum config_source s)
{
	switch (s) {
	case SRC_FILE: return "file";
	case SRC_ENV: return "environment";
	case SRC_FLAG: return "flag";
	default: return "default";
	}
}

char *
config_cache_dir(const struct config *c)
{
	char buf[PATH_MAX];
	if (c->cache_dir != NULL)
		return strdup(c->cache_dir);
	snprintf(buf, sizeof(buf), "%s/auth-cache", c->database);
	return strdup(buf);
}

int
config_is_admin(const struct config *c, const char *user)
{
	for (int i = 0; i < c->nadmin; i++)
		if (strcmp(c->admin_users[i], user) == 0)
			return 1;
	return 0;
}
