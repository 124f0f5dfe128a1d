/*
 * basicauth.c: HTTP Basic credentials, decoded strictly.
 *
 * The header value comes from the network, so everything about it is
 * bounded and checked: its length, the scheme, every base64 character,
 * the padding and the unused trailing bits (one encoded form per byte
 * string), and the lengths of the two halves.  Decoding goes into a fixed
 * scratch buffer on the stack that is wiped before return, since it holds
 * the password.  Nothing here logs: the caller logs the outcome, and never
 * the header.
 */
#include <string.h>
#include <strings.h>

#include "basicauth.h"
#include "bounds.h"

/* Decoded bytes of the longest acceptable token, with room to spare. */
#define DECODED_MAX	((TORC_MAX_HEADER / 4) * 3 + 3)

/* The value of a base64 character, -1 for anything else. */
static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
basicauth_b64decode(const char *in, size_t inlen, unsigned char *out,
    size_t outcap)
{
	size_t n = inlen, pad = 0, o = 0, i;
	unsigned long acc = 0;
	int bits = 0;

	while (n > 0 && in[n - 1] == '=') {
		n--;
		pad++;
	}
	if (pad > 0 && (inlen % 4 != 0 || pad > 2))
		return -1;
	if (n % 4 == 1)
		return -1;
	if (pad > 0 && (4 - n % 4) % 4 != pad)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	/* Leftover bits (2 or 4) must be zero in the canonical encoding. */
	if (acc != 0)
		return -1;
	return (long)o;
}

int
basicauth_parse(const char *value, char *user, size_t userlen,
    char *pass, size_t passlen)
{
	unsigned char dec[DECODED_MAX];
	const char *p, *tok;
	const unsigned char *colon;
	size_t len, toklen, ulen, plen;
	long n;
	int ret = -1;

	if (userlen > 0)
		user[0] = '\0';
	if (passlen > 0)
		explicit_bzero(pass, passlen);
	if (value == NULL || userlen == 0 || passlen == 0)
		return -1;
	len = strnlen(value, TORC_MAX_HEADER + 1);
	if (len > TORC_MAX_HEADER)
		return -1;

	p = value;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "basic", 5) != 0 || p[5] != ' ')
		return -1;
	p += 5;
	while (*p == ' ')
		p++;
	tok = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	toklen = (size_t)(p - tok);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || toklen == 0)
		return -1;

	n = basicauth_b64decode(tok, toklen, dec, sizeof(dec));
	if (n < 0)
		goto out;
	if (memchr(dec, '\0', (size_t)n) != NULL)
		goto out;
	if ((colon = memchr(dec, ':', (size_t)n)) == NULL)
		goto out;
	ulen = (size_t)(colon - dec);
	plen = (size_t)n - ulen - 1;
	if (ulen > TORC_MAX_USERNAME || ulen >= userlen)
		goto out;
	if (plen > TORC_MAX_PASSWORD || plen >= passlen)
		goto out;
	memcpy(user, dec, ulen);
	user[ulen] = '\0';
	memcpy(pass, colon + 1, plen);
	pass[plen] = '\0';
	ret = 0;
out:
	explicit_bzero(dec, sizeof(dec));
	return ret;
}
