/*
 * test_basicauth.c: the Basic header parser and its strict base64 decoder.
 */
#include <stdlib.h>
#include <string.h>

#include "basicauth.h"
#include "check.h"
#include "bounds.h"

static char user[BASICAUTH_USER_SIZE], pass[BASICAUTH_PASS_SIZE];

/* Standard base64 with padding, of n bytes of s. */
static char *
b64(const char *s, size_t n)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc(4 * (n / 3 + 1) + 1), *p = o;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16 |
		    (unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
		*p++ = a[v >> 18]; *p++ = a[(v >> 12) & 63];
		*p++ = a[(v >> 6) & 63]; *p++ = a[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned char)s[i] << 16;
		*p++ = a[v >> 18]; *p++ = a[(v >> 12) & 63]; *p++ = '='; *p++ = '=';
	} else if (n - i == 2) {
		unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8;
		*p++ = a[v >> 18]; *p++ = a[(v >> 12) & 63];
		*p++ = a[(v >> 6) & 63]; *p++ = '=';
	}
	*p = '\0';
	return o;
}

/* "<scheme> <base64 of cred>" */
static char *
header(const char *scheme, const char *cred, size_t n)
{
	char *t = b64(cred, n);
	char *h = malloc(strlen(scheme) + strlen(t) + 2);

	strcpy(h, scheme);
	strcat(h, " ");
	strcat(h, t);
	free(t);
	return h;
}

static int
parse(const char *h)
{
	return basicauth_parse(h, user, sizeof(user), pass, sizeof(pass));
}

static int
parse_cred(const char *scheme, const char *cred, size_t n)
{
	char *h = header(scheme, cred, n);
	int r = parse(h);

	free(h);
	return r;
}

static void
test_decoder(void)
{
	unsigned char out[16];

	CHECK_INT(basicauth_b64decode("", 0, out, sizeof(out)), 0);
	CHECK_INT(basicauth_b64decode("Zg==", 4, out, sizeof(out)), 1);
	CHECK(out[0] == 'f');
	CHECK_INT(basicauth_b64decode("Zg", 2, out, sizeof(out)), 1);
	CHECK_INT(basicauth_b64decode("Zm8=", 4, out, sizeof(out)), 2);
	CHECK_INT(basicauth_b64decode("Zm8", 3, out, sizeof(out)), 2);
	CHECK_INT(basicauth_b64decode("Zm9v", 4, out, sizeof(out)), 3);
	CHECK(memcmp(out, "foo", 3) == 0);
	CHECK_INT(basicauth_b64decode("+/+/", 4, out, sizeof(out)), 3);
	/* Non-canonical or invalid. */
	CHECK_INT(basicauth_b64decode("Zg=", 3, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zg===", 5, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zm8==", 5, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zm9v=", 5, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("====", 4, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zh==", 4, out, sizeof(out)), -1);	/* trailing bits */
	CHECK_INT(basicauth_b64decode("Zm9=", 4, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Z", 1, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zm9vY", 5, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zg==Zg==", 8, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("-_-_", 4, out, sizeof(out)), -1);	/* url-safe */
	CHECK_INT(basicauth_b64decode("Zm 9v", 5, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zm\n9v", 5, out, sizeof(out)), -1);
	CHECK_INT(basicauth_b64decode("Zm9v", 4, out, 2), -1);		/* too small */
}

static void
test_schemes(void)
{
	CHECK_INT(parse_cred("Basic", "alice:secret", 12), 0);
	CHECK_STR(user, "alice");
	CHECK_STR(pass, "secret");
	CHECK_INT(parse_cred("basic", "alice:secret", 12), 0);
	CHECK_INT(parse_cred("BASIC", "alice:secret", 12), 0);
	CHECK_INT(parse_cred("bAsIc", "alice:secret", 12), 0);
	CHECK_STR(user, "alice");
	CHECK_INT(parse("Basic    YWxpY2U6c2VjcmV0"), 0);		/* many spaces */
	CHECK_STR(pass, "secret");
	CHECK_INT(parse("Basic YWxpY2U6c2VjcmV0   "), 0);	/* trailing OWS */
	CHECK_INT(parse("  Basic YWxpY2U6c2VjcmV0"), 0);	/* leading OWS */
	CHECK_INT(parse("BasicYWxpY2U6c2VjcmV0"), -1);
	CHECK_INT(parse("Basic\tYWxpY2U6c2VjcmV0"), -1);
	CHECK_INT(parse("Basic"), -1);
	CHECK_INT(parse("Basic "), -1);
	CHECK_INT(parse("Basic YWxp Y2U6c2VjcmV0"), -1);
	CHECK_INT(parse("Bearer YWxpY2U6c2VjcmV0"), -1);
	CHECK_INT(parse("Digest username=\"alice\""), -1);
	CHECK_INT(parse("Basi YWxpY2U6c2VjcmV0"), -1);
	CHECK_INT(parse(""), -1);
	CHECK_INT(basicauth_parse(NULL, user, sizeof(user), pass, sizeof(pass)), -1);
}

static void
test_credentials(void)
{
	CHECK_INT(parse_cred("Basic", "alice:pa:ss:", 12), 0);
	CHECK_STR(user, "alice");
	CHECK_STR(pass, "pa:ss:");
	CHECK_INT(parse_cred("Basic", "alice:", 6), 0);
	CHECK_STR(pass, "");
	CHECK_INT(parse_cred("Basic", ":pw", 3), 0);
	CHECK_STR(user, "");
	CHECK_STR(pass, "pw");
	CHECK_INT(parse_cred("Basic", "bob:p\xc3\xa4ss", 9), 0);	/* UTF-8 */
	CHECK_STR(pass, "p\xc3\xa4ss");
	CHECK_INT(parse("Basic YWxpY2U6cA"), 0);		/* unpadded */
	CHECK_STR(pass, "p");
	CHECK_INT(parse("Basic YWxpY2U6cA=="), 0);
	CHECK_INT(parse("Basic YWxpY2U6cA="), -1);		/* bad padding */

	/* Refusals leave both buffers empty. */
	strcpy(user, "x");
	strcpy(pass, "y");
	CHECK_INT(parse_cred("Basic", "alicesecret", 11), -1);	/* no colon */
	CHECK_STR(user, "");
	CHECK_STR(pass, "");
	CHECK_INT(parse_cred("Basic", "al\0ce:pw", 8), -1);	/* NUL in user */
	CHECK_INT(parse_cred("Basic", "alice:p\0w", 9), -1);	/* NUL in password */
	CHECK_INT(parse("Basic !!!!"), -1);
	CHECK_INT(parse("Basic YWxpY2U6c2VjcmV0*"), -1);
	CHECK_INT(parse("Basic YWxpY2U6c2VjcmV0="), -1);
	CHECK_INT(parse("Basic YWxpY2U6cB=="), -1);		/* trailing bits */
}

static void
test_lengths(void)
{
	char cred[TORC_MAX_USERNAME + TORC_MAX_PASSWORD + 16];
	char *h;
	size_t n;

	/* User name: 256 bytes ok, 257 refused. */
	memset(cred, 'u', TORC_MAX_USERNAME);
	memcpy(cred + TORC_MAX_USERNAME, ":pw", 3);
	CHECK_INT(parse_cred("Basic", cred, TORC_MAX_USERNAME + 3), 0);
	CHECK_INT((long)strlen(user), TORC_MAX_USERNAME);
	memset(cred, 'u', TORC_MAX_USERNAME + 1);
	memcpy(cred + TORC_MAX_USERNAME + 1, ":pw", 3);
	CHECK_INT(parse_cred("Basic", cred, TORC_MAX_USERNAME + 4), -1);

	/* Password: 1024 bytes ok, 1025 refused. */
	memcpy(cred, "u:", 2);
	memset(cred + 2, 'p', TORC_MAX_PASSWORD);
	CHECK_INT(parse_cred("Basic", cred, TORC_MAX_PASSWORD + 2), 0);
	CHECK_INT((long)strlen(pass), TORC_MAX_PASSWORD);
	memset(cred + 2, 'p', TORC_MAX_PASSWORD + 1);
	CHECK_INT(parse_cred("Basic", cred, TORC_MAX_PASSWORD + 3), -1);

	/* Short caller buffers refuse instead of truncating. */
	CHECK_INT(basicauth_parse("Basic YWxpY2U6c2VjcmV0", user, 5, pass,
	    sizeof(pass)), -1);
	CHECK_INT(basicauth_parse("Basic YWxpY2U6c2VjcmV0", user, 6, pass,
	    sizeof(pass)), 0);
	CHECK_INT(basicauth_parse("Basic YWxpY2U6c2VjcmV0", user, sizeof(user),
	    pass, 6), -1);

	/* Header: exactly TORC_MAX_HEADER bytes ok, one more refused. */
	h = malloc(TORC_MAX_HEADER + 2);
	strcpy(h, "Basic YWxpY2U6c2VjcmV0");
	n = strlen(h);
	memset(h + n, ' ', TORC_MAX_HEADER - n);
	h[TORC_MAX_HEADER] = '\0';
	CHECK_INT(parse(h), 0);
	h[TORC_MAX_HEADER] = ' ';
	h[TORC_MAX_HEADER + 1] = '\0';
	CHECK_INT(parse(h), -1);
	/* A long token that decodes to more than any credential. */
	strcpy(h, "Basic ");
	for (n = 6; n + 4 <= TORC_MAX_HEADER; n += 4)
		memcpy(h + n, "QUFB", 4);		/* "AAA" */
	memcpy(h + n - 4, "Ojo6", 5);			/* ":::" */
	CHECK_INT(parse(h), -1);			/* user too long */
	memcpy(h + 6, "Ojo6", 4);
	CHECK_INT(parse(h), -1);			/* password too long */
	free(h);
}

int
main(void)
{
	test_decoder();
	test_schemes();
	test_credentials();
	test_lengths();
	return check_done();
}
