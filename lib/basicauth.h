/*
 * basicauth.h: parse an HTTP Basic Authorization header value.
 * See basicauth.c.
 */
#ifndef TORC_BASICAUTH_H
#define TORC_BASICAUTH_H

#include <stddef.h>

#include "bounds.h"

/* Buffer sizes that always suffice for basicauth_parse(). */
#define BASICAUTH_USER_SIZE	(TORC_MAX_USERNAME + 1)
#define BASICAUTH_PASS_SIZE	(TORC_MAX_PASSWORD + 1)

/*
 * Split an Authorization header value ("Basic dXNlcjpwYXNz") into a user
 * name and a password, copied NUL-terminated into the caller's buffers.
 * The scheme is case-insensitive and followed by one or more spaces; the
 * token is strict standard base64 (padding optional, but canonical when
 * present); the password is everything after the first colon.
 * Refused: a value longer than TORC_MAX_HEADER, another scheme, bad
 * base64, no colon, a NUL byte in the decoded text, a user name longer
 * than TORC_MAX_USERNAME or userlen - 1, a password longer than
 * TORC_MAX_PASSWORD or passlen - 1.
 * Returns 0 ok, -1 unparseable (both buffers then hold "" and the password
 * buffer is wiped).  Scratch memory is wiped before return; the caller
 * must explicit_bzero pass when done with it.
 */
int	basicauth_parse(const char *value, char *user, size_t userlen,
	    char *pass, size_t passlen);

/*
 * Strict standard-alphabet base64 decoding of in[0..inlen) into out
 * (outcap bytes).  Padding is optional, but when present it must make the
 * length a multiple of 4 and have the right count; unused trailing bits
 * must be zero; any other character is refused.
 * Returns the decoded length, or -1 when the input is not canonical
 * base64 or does not fit.
 */
long	basicauth_b64decode(const char *in, size_t inlen, unsigned char *out,
	    size_t outcap);

#endif
