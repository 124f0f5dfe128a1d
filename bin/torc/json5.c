/*
 * json5.c: a recursive-descent JSON5 reader building a cJSON tree.
 *
 * The reader works on a byte buffer with a cursor.  Positions are kept as
 * pointers; the line and column of an error are computed only when one is
 * reported, by rescanning the text up to the failing position.  Only the
 * first error is kept: every parse function returns NULL (or -1) once
 * p->failed is set and the callers unwind, freeing what they built.
 * Recursion is bounded by JSON5_MAX_DEPTH.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json5.h"

struct parser {
	const char	*start;		/* the whole text */
	const char	*cur;		/* next byte to read */
	const char	*end;		/* one past the last byte */
	int		 flags;		/* JSON5_STRICT */
	int		 depth;		/* open arrays/objects */
	int		 failed;	/* an error was reported */
	char		*err;
	size_t		 errlen;
};

/* A growable byte buffer for string contents. */
struct buf {
	char	*p;
	size_t	 len, cap;
};

#define STRICT(p)	((p)->flags & JSON5_STRICT)
#define KEY_SHOWN	64	/* bytes of a key quoted in a message */

static void	 fail(struct parser *p, const char *at, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
static cJSON	*parse_value(struct parser *p);

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid. */
static int
utf8_decode(const unsigned char *s, const unsigned char *end, uint32_t *cp)
{
	uint32_t c, min;
	int n, i;

	if (s >= end)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (end - s < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Appends the UTF-8 encoding of cp (a valid scalar value) to out. */
static int
utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Line and column (both from 1, columns in characters) of position at. */
static void
position(const struct parser *p, const char *at, int *line, int *col)
{
	const unsigned char *s = (const unsigned char *)p->start;
	const unsigned char *e = (const unsigned char *)at;
	uint32_t cp;
	int n;

	*line = 1;
	*col = 1;
	while (s < e) {
		if (*s == '\n') {
			++*line, *col = 1, s++;
		} else if (*s == '\r') {
			++*line, *col = 1, s++;
			if (s < e && *s == '\n')
				s++;
		} else if (*s >= 0x80 && (n = utf8_decode(s, e, &cp)) > 0) {
			if (cp == 0x2028 || cp == 0x2029)
				++*line, *col = 1;
			else
				++*col;
			s += n;
		} else {
			++*col, s++;
		}
	}
}

static void
fail(struct parser *p, const char *at, const char *fmt, ...)
{
	va_list ap;
	int line, col, n;

	if (p->failed)
		return;
	p->failed = 1;
	if (p->err == NULL || p->errlen == 0)
		return;
	position(p, at, &line, &col);
	n = snprintf(p->err, p->errlen, "line %d, column %d: ", line, col);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Copies at most KEY_SHOWN bytes of s into dst, control characters as '?'. */
static void
shown(char dst[KEY_SHOWN + 4], const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < KEY_SHOWN; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i] != '\0')
		dst[i++] = '.', dst[i++] = '.', dst[i++] = '.';
	dst[i] = '\0';
}

/* Reports the character at the cursor as unexpected. */
static void
fail_unexpected(struct parser *p, const char *what)
{
	const unsigned char *s = (const unsigned char *)p->cur;
	uint32_t cp;

	if (p->cur >= p->end)
		fail(p, p->cur, "unexpected end of input%s%s", *what ? ", " : "", what);
	else if (STRICT(p) && *s == '/' && p->cur + 1 < p->end &&
	    (s[1] == '/' || s[1] == '*'))
		fail(p, p->cur, "comments are not allowed in JSON (use a .json5 file)");
	else if (*s >= 0x21 && *s < 0x7f)
		fail(p, p->cur, "unexpected character '%c'%s%s", *s, *what ? ", " : "", what);
	else if (utf8_decode(s, (const unsigned char *)p->end, &cp) > 0)
		fail(p, p->cur, "unexpected character U+%04X%s%s", (unsigned)cp, *what ? ", " : "", what);
	else
		fail(p, p->cur, "invalid UTF-8 byte 0x%02x", *s);
}

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 32;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			return -1;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* JSON5 white space beyond ASCII: NBSP, BOM, line/paragraph separators, Zs. */
static int
is_space_cp(uint32_t cp)
{
	return cp == 0xa0 || cp == 0xfeff || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
	    cp == 0x205f || cp == 0x3000;
}

/* Skips white space and comments; returns -1 on an unterminated comment. */
static int
skip_ws(struct parser *p)
{
	const unsigned char *s;
	uint32_t cp;
	int n;

	while (p->cur < p->end) {
		s = (const unsigned char *)p->cur;
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			p->cur++;
			continue;
		}
		if (STRICT(p))
			return 0;
		if (*s == '\v' || *s == '\f') {
			p->cur++;
		} else if (*s >= 0x80) {
			n = utf8_decode(s, (const unsigned char *)p->end, &cp);
			if (n == 0 || !is_space_cp(cp))
				return 0;
			p->cur += n;
		} else if (*s == '/' && p->cur + 1 < p->end && s[1] == '/') {
			while (p->cur < p->end && *p->cur != '\n' && *p->cur != '\r')
				p->cur++;
		} else if (*s == '/' && p->cur + 1 < p->end && s[1] == '*') {
			const char *open = p->cur;

			for (p->cur += 2; p->cur + 1 < p->end; p->cur++)
				if (p->cur[0] == '*' && p->cur[1] == '/')
					break;
			if (p->cur + 1 >= p->end) {
				fail(p, open, "unterminated /* comment");
				return -1;
			}
			p->cur += 2;
		} else {
			return 0;
		}
	}
	return 0;
}

static int
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == '$' || c >= 0x80;
}

static int
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads n hex digits at the cursor into *v; returns -1 (reported) if short. */
static int
read_hex(struct parser *p, int n, uint32_t *v, const char *esc)
{
	int i, d;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p->cur >= p->end || (d = hexval(*p->cur)) < 0) {
			fail(p, esc, "invalid escape: expected %d hex digits", n);
			return -1;
		}
		*v = (*v << 4) | (uint32_t)d;
		p->cur++;
	}
	return 0;
}

/* Handles the escape after a backslash (cursor on the character after it). */
static int
parse_escape(struct parser *p, struct buf *b, const char *esc)
{
	char enc[4], c;
	uint32_t cp, lo;
	int n;

	if (p->cur >= p->end) {
		fail(p, esc, "unterminated string");
		return -1;
	}
	c = *p->cur++;
	switch (c) {
	case '"': case '\\': case '/':
		return buf_add(b, &c, 1);
	case 'b': return buf_add(b, "\b", 1);
	case 'f': return buf_add(b, "\f", 1);
	case 'n': return buf_add(b, "\n", 1);
	case 'r': return buf_add(b, "\r", 1);
	case 't': return buf_add(b, "\t", 1);
	case 'u':
		if (read_hex(p, 4, &cp, esc) < 0)
			return -1;
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			fail(p, esc, "invalid \\u escape: lone low surrogate");
			return -1;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (p->end - p->cur < 6 || p->cur[0] != '\\' || p->cur[1] != 'u') {
				fail(p, esc, "invalid \\u escape: high surrogate without a low one");
				return -1;
			}
			p->cur += 2;
			if (read_hex(p, 4, &lo, esc) < 0)
				return -1;
			if (lo < 0xdc00 || lo > 0xdfff) {
				fail(p, esc, "invalid \\u escape: high surrogate without a low one");
				return -1;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		break;
	default:
		if (STRICT(p)) {
			fail(p, esc, "invalid escape in JSON string");
			return -1;
		}
		switch (c) {
		case '\'': return buf_add(b, "'", 1);
		case 'v': return buf_add(b, "\v", 1);
		case '\n':
			return 0;
		case '\r':
			if (p->cur < p->end && *p->cur == '\n')
				p->cur++;
			return 0;
		case '0':
			if (p->cur < p->end && *p->cur >= '0' && *p->cur <= '9') {
				fail(p, esc, "invalid escape: octal escapes are not allowed");
				return -1;
			}
			cp = 0;
			break;
		case 'x':
			if (read_hex(p, 2, &cp, esc) < 0)
				return -1;
			break;
		default:
			if (c >= '1' && c <= '9') {
				fail(p, esc, "invalid escape: octal escapes are not allowed");
				return -1;
			}
			/* Any other character stands for itself (U+2028 too). */
			p->cur--;
			n = utf8_decode((const unsigned char *)p->cur,
			    (const unsigned char *)p->end, &cp);
			if (n == 0) {
				fail(p, p->cur, "invalid UTF-8 in string");
				return -1;
			}
			p->cur += n;
			if (cp == 0x2028 || cp == 0x2029)
				return 0;	/* escaped line terminator */
			break;
		}
	}
	if (cp == 0) {
		fail(p, esc, "NUL characters in strings are not supported");
		return -1;
	}
	n = utf8_encode(cp, enc);
	return buf_add(b, enc, (size_t)n);
}

/* Parses a quoted string at the cursor; *out is malloc'd. */
static int
parse_string(struct parser *p, char **out)
{
	const char *open = p->cur;
	struct buf b = { NULL, 0, 0 };
	char quote = *p->cur++;
	uint32_t cp;
	int n;

	*out = NULL;
	if (buf_add(&b, "", 0) < 0)
		goto oom;
	for (;;) {
		const unsigned char *s = (const unsigned char *)p->cur;

		if (p->cur >= p->end) {
			fail(p, open, "unterminated string");
			goto bad;
		}
		if (*s == (unsigned char)quote) {
			p->cur++;
			break;
		}
		if (*s == '\\') {
			const char *esc = p->cur++;

			if (parse_escape(p, &b, esc) < 0) {
				if (!p->failed)
					goto oom;
				goto bad;
			}
			continue;
		}
		if (*s == '\n' || *s == '\r') {
			fail(p, p->cur, "line break inside a string (end the line with a backslash to continue it)");
			goto bad;
		}
		if (*s == 0) {
			fail(p, p->cur, "NUL characters in strings are not supported");
			goto bad;
		}
		if (*s < 0x20 && STRICT(p)) {
			fail(p, p->cur, "control character 0x%02x in string (escape it)", *s);
			goto bad;
		}
		n = utf8_decode(s, (const unsigned char *)p->end, &cp);
		if (n == 0) {
			fail(p, p->cur, "invalid UTF-8 in string");
			goto bad;
		}
		if (buf_add(&b, p->cur, (size_t)n) < 0)
			goto oom;
		p->cur += n;
	}
	*out = b.p;
	return 0;
oom:
	fail(p, p->cur, "out of memory");
bad:
	free(b.p);
	return -1;
}

/* Parses an unquoted JSON5 key (an ECMAScript identifier name). */
static int
parse_ident(struct parser *p, char **out)
{
	const char *s = p->cur;
	uint32_t cp;
	int n;

	*out = NULL;
	if (p->cur < p->end && *p->cur == '\\') {
		fail(p, p->cur, "escapes in unquoted keys are not supported; quote the key");
		return -1;
	}
	if (p->cur >= p->end || !is_ident_start((unsigned char)*p->cur) ||
	    (*p->cur >= '0' && *p->cur <= '9')) {
		fail_unexpected(p, "expected a key");
		return -1;
	}
	while (p->cur < p->end && is_ident_char((unsigned char)*p->cur)) {
		if ((unsigned char)*p->cur >= 0x80) {
			n = utf8_decode((const unsigned char *)p->cur,
			    (const unsigned char *)p->end, &cp);
			if (n == 0) {
				fail(p, p->cur, "invalid UTF-8 in key");
				return -1;
			}
			if (is_space_cp(cp))
				break;
			p->cur += n;
		} else {
			p->cur++;
		}
	}
	if (p->cur < p->end && *p->cur == '\\') {
		fail(p, p->cur, "escapes in unquoted keys are not supported; quote the key");
		return -1;
	}
	if ((*out = malloc((size_t)(p->cur - s) + 1)) == NULL) {
		fail(p, s, "out of memory");
		return -1;
	}
	memcpy(*out, s, (size_t)(p->cur - s));
	(*out)[p->cur - s] = '\0';
	return 0;
}

static cJSON *
parse_number(struct parser *p)
{
	const char *s = p->cur;
	char buf[64], *text = buf;
	size_t len;
	double v;
	int nint = 0, nfrac = 0, neg = 0;

	if (*p->cur == '+' || *p->cur == '-') {
		if (*p->cur == '+' && STRICT(p)) {
			fail(p, p->cur, "a leading '+' is not allowed in JSON");
			return NULL;
		}
		neg = *p->cur == '-';
		p->cur++;
	}
	if (p->cur < p->end && (*p->cur == 'I' || *p->cur == 'N')) {
		fail(p, s, "Infinity and NaN are not supported: JSON cannot represent them");
		return NULL;
	}
	if (!STRICT(p) && p->end - p->cur >= 2 && p->cur[0] == '0' &&
	    (p->cur[1] == 'x' || p->cur[1] == 'X')) {
		int d;

		p->cur += 2;
		v = 0;
		while (p->cur < p->end && (d = hexval(*p->cur)) >= 0) {
			v = v * 16 + d;
			nint++;
			p->cur++;
		}
		if (nint == 0) {
			fail(p, s, "invalid hex number: no digits after 0x");
			return NULL;
		}
		if (p->cur < p->end && (is_ident_char((unsigned char)*p->cur) || *p->cur == '.')) {
			fail(p, s, "invalid hex number");
			return NULL;
		}
		if (isinf(v)) {
			fail(p, s, "number out of range");
			return NULL;
		}
		return cJSON_CreateNumber(neg ? -v : v);
	}
	if (p->cur < p->end && *p->cur == '0') {
		p->cur++, nint++;
		if (p->cur < p->end && *p->cur >= '0' && *p->cur <= '9') {
			fail(p, s, "invalid number: leading zeros are not allowed");
			return NULL;
		}
	} else {
		while (p->cur < p->end && *p->cur >= '0' && *p->cur <= '9')
			p->cur++, nint++;
	}
	if (p->cur < p->end && *p->cur == '.') {
		p->cur++;
		while (p->cur < p->end && *p->cur >= '0' && *p->cur <= '9')
			p->cur++, nfrac++;
		if (STRICT(p) && (nint == 0 || nfrac == 0)) {
			fail(p, s, "invalid number: JSON needs digits on both sides of '.'");
			return NULL;
		}
	}
	if (nint == 0 && nfrac == 0) {
		fail(p, s, "invalid number");
		return NULL;
	}
	if (p->cur < p->end && (*p->cur == 'e' || *p->cur == 'E')) {
		int nexp = 0;

		p->cur++;
		if (p->cur < p->end && (*p->cur == '+' || *p->cur == '-'))
			p->cur++;
		while (p->cur < p->end && *p->cur >= '0' && *p->cur <= '9')
			p->cur++, nexp++;
		if (nexp == 0) {
			fail(p, s, "invalid number: exponent without digits");
			return NULL;
		}
	}
	if (p->cur < p->end && (is_ident_char((unsigned char)*p->cur) || *p->cur == '.')) {
		fail(p, s, "invalid number");
		return NULL;
	}
	len = (size_t)(p->cur - s);
	if (len >= sizeof(buf) && (text = malloc(len + 1)) == NULL) {
		fail(p, s, "out of memory");
		return NULL;
	}
	memcpy(text, s, len);
	text[len] = '\0';
	v = strtod(text, NULL);
	if (text != buf)
		free(text);
	if (isinf(v)) {
		fail(p, s, "number out of range");
		return NULL;
	}
	return cJSON_CreateNumber(v);
}

/* Matches a keyword (true, false, null) not followed by an identifier char. */
static int
keyword(struct parser *p, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(p->end - p->cur) < n || memcmp(p->cur, w, n) != 0)
		return 0;
	if (p->cur + n < p->end && is_ident_char((unsigned char)p->cur[n]))
		return 0;
	p->cur += n;
	return 1;
}

static int
enter(struct parser *p)
{
	if (++p->depth > JSON5_MAX_DEPTH) {
		fail(p, p->cur, "nesting deeper than %d levels", JSON5_MAX_DEPTH);
		return -1;
	}
	return 0;
}

static cJSON *
parse_object(struct parser *p)
{
	cJSON *obj, *v;
	char *key = NULL, ks[KEY_SHOWN + 4];
	const char *kat;
	int comma = 0;

	if (enter(p) < 0)
		return NULL;
	if ((obj = cJSON_CreateObject()) == NULL) {
		fail(p, p->cur, "out of memory");
		return NULL;
	}
	p->cur++;
	for (;;) {
		if (skip_ws(p) < 0)
			goto bad;
		if (p->cur < p->end && *p->cur == '}') {
			if (comma && STRICT(p)) {
				fail(p, p->cur, "trailing comma before '}' is not allowed in JSON");
				goto bad;
			}
			p->cur++;
			break;
		}
		kat = p->cur;
		if (p->cur < p->end && (*p->cur == '"' || (*p->cur == '\'' && !STRICT(p)))) {
			if (parse_string(p, &key) < 0)
				goto bad;
		} else if (STRICT(p)) {
			fail_unexpected(p, "expected a string key or '}'");
			goto bad;
		} else if (parse_ident(p, &key) < 0) {
			goto bad;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL) {
			shown(ks, key);
			fail(p, kat, "duplicate key '%s'", ks);
			goto bad;
		}
		if (skip_ws(p) < 0)
			goto bad;
		if (p->cur >= p->end || *p->cur != ':') {
			char what[KEY_SHOWN + 32];

			shown(ks, key);
			snprintf(what, sizeof(what), "expected ':' after key '%s'", ks);
			fail_unexpected(p, what);
			goto bad;
		}
		p->cur++;
		if ((v = parse_value(p)) == NULL)
			goto bad;
		if (!cJSON_AddItemToObject(obj, key, v)) {
			cJSON_Delete(v);
			fail(p, kat, "out of memory");
			goto bad;
		}
		free(key);
		key = NULL;
		if (skip_ws(p) < 0)
			goto bad;
		if (p->cur < p->end && *p->cur == ',') {
			p->cur++;
			comma = 1;
			continue;
		}
		if (p->cur < p->end && *p->cur == '}') {
			p->cur++;
			break;
		}
		fail_unexpected(p, "expected ',' or '}'");
		goto bad;
	}
	p->depth--;
	return obj;
bad:
	free(key);
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *
parse_array(struct parser *p)
{
	cJSON *arr, *v;
	int comma = 0;

	if (enter(p) < 0)
		return NULL;
	if ((arr = cJSON_CreateArray()) == NULL) {
		fail(p, p->cur, "out of memory");
		return NULL;
	}
	p->cur++;
	for (;;) {
		if (skip_ws(p) < 0)
			goto bad;
		if (p->cur < p->end && *p->cur == ']') {
			if (comma && STRICT(p)) {
				fail(p, p->cur, "trailing comma before ']' is not allowed in JSON");
				goto bad;
			}
			p->cur++;
			break;
		}
		if ((v = parse_value(p)) == NULL)
			goto bad;
		if (!cJSON_AddItemToArray(arr, v)) {
			cJSON_Delete(v);
			fail(p, p->cur, "out of memory");
			goto bad;
		}
		if (skip_ws(p) < 0)
			goto bad;
		if (p->cur < p->end && *p->cur == ',') {
			p->cur++;
			comma = 1;
			continue;
		}
		if (p->cur < p->end && *p->cur == ']') {
			p->cur++;
			break;
		}
		fail_unexpected(p, "expected ',' or ']'");
		goto bad;
	}
	p->depth--;
	return arr;
bad:
	cJSON_Delete(arr);
	return NULL;
}

static cJSON *
parse_value(struct parser *p)
{
	cJSON *v = NULL;
	char *s;
	char c;

	if (skip_ws(p) < 0)
		return NULL;
	if (p->cur >= p->end) {
		fail_unexpected(p, "expected a value");
		return NULL;
	}
	c = *p->cur;
	if (c == '{')
		return parse_object(p);
	if (c == '[')
		return parse_array(p);
	if (c == '"' || (c == '\'' && !STRICT(p))) {
		if (parse_string(p, &s) < 0)
			return NULL;
		v = cJSON_CreateString(s);
		free(s);
	} else if ((c >= '0' && c <= '9') || c == '-' || c == '+' ||
	    (c == '.' && !STRICT(p))) {
		return parse_number(p);
	} else if (keyword(p, "true")) {
		v = cJSON_CreateTrue();
	} else if (keyword(p, "false")) {
		v = cJSON_CreateFalse();
	} else if (keyword(p, "null")) {
		v = cJSON_CreateNull();
	} else if (keyword(p, "Infinity") || keyword(p, "NaN")) {
		fail(p, p->cur - (c == 'I' ? 8 : 3),
		    "Infinity and NaN are not supported: JSON cannot represent them");
		return NULL;
	} else if (c == '\'') {
		fail(p, p->cur, "single-quoted strings are not allowed in JSON (use a .json5 file)");
		return NULL;
	} else {
		fail_unexpected(p, "expected a value");
		return NULL;
	}
	if (v == NULL)
		fail(p, p->cur, "out of memory");
	return v;
}

cJSON *
json5_parse(const char *text, size_t len, int flags, char *err, size_t errlen)
{
	struct parser p;
	cJSON *v;

	memset(&p, 0, sizeof(p));
	p.start = p.cur = text;
	p.end = text + len;
	p.flags = flags;
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p.cur += 3;	/* a byte-order mark */
	if ((v = parse_value(&p)) == NULL)
		return NULL;
	if (skip_ws(&p) < 0 || p.cur < p.end) {
		if (!p.failed)
			fail_unexpected(&p, "expected the end of input after the value");
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}
