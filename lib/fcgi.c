/*
 * fcgi.c: a FastCGI responder that forks a CGI per request (see fcgi.h).
 *
 * Only what a responder needs of the FastCGI 1.0 specification: one
 * request per connection (FCGI_KEEP_CONN is not honoured: the child closes
 * the connection when it exits, which the specification allows the web
 * server to see as the end of a connection), FCGI_PARAMS into the
 * environment, FCGI_STDIN into a memory file on fd 0, FCGI_STDOUT and
 * FCGI_END_REQUEST out.  Management records (request id 0) are skipped.
 */
#define _GNU_SOURCE		/* memfd_create, accept4, clearenv, close_range */
#include <sys/mman.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "fcgi.h"
#include "fdio.h"

#define FCGI_VERSION_1		1
#define FCGI_BEGIN_REQUEST	1
#define FCGI_ABORT_REQUEST	2
#define FCGI_END_REQUEST	3
#define FCGI_PARAMS		4
#define FCGI_STDIN		5
#define FCGI_STDOUT		6
#define FCGI_RESPONDER		1
#define FCGI_REQUEST_COMPLETE	0
#define FCGI_UNKNOWN_ROLE	3
#define FCGI_HEADER_LEN		8

static int conn = -1;			/* the request's connection, in a child */
static uint16_t request_id;
static volatile sig_atomic_t ended, writing;

int
fcgi_active(void)
{
	return conn >= 0;
}

static void
header(unsigned char *h, int type, size_t len)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(request_id >> 8);
	h[3] = (unsigned char)request_id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = 0;			/* no padding */
	h[7] = 0;
}

void
fcgi_write(const char *buf, size_t len)
{
	if (conn < 0 || ended)
		return;
	writing = 1;
	while (len > 0) {
		unsigned char h[FCGI_HEADER_LEN];
		size_t n = len < FCGI_RECORD_MAX ? len : FCGI_RECORD_MAX;
		struct iovec iov[2] = { { h, sizeof(h) }, { (void *)(uintptr_t)buf, n } };
		header(h, FCGI_STDOUT, n);
		ssize_t w = writev(conn, iov, 2);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		/* A short writev: finish this record with plain writes. */
		if ((size_t)w < sizeof(h) + n) {
			size_t done = (size_t)w;
			if (done < sizeof(h) && fd_write_all(conn, h + done, sizeof(h) - done) < 0)
				break;
			size_t off = done > sizeof(h) ? done - sizeof(h) : 0;
			if (fd_write_all(conn, buf + off, n - off) < 0)
				break;
		}
		buf += n;
		len -= n;
	}
	writing = 0;
}

static void
end_request(uint32_t app_status, int protocol_status)
{
	unsigned char r[FCGI_HEADER_LEN * 2 + 8];
	header(r, FCGI_STDOUT, 0);
	header(r + FCGI_HEADER_LEN, FCGI_END_REQUEST, 8);
	unsigned char *b = r + 2 * FCGI_HEADER_LEN;
	b[0] = (unsigned char)(app_status >> 24);
	b[1] = (unsigned char)(app_status >> 16);
	b[2] = (unsigned char)(app_status >> 8);
	b[3] = (unsigned char)app_status;
	b[4] = (unsigned char)protocol_status;
	b[5] = b[6] = b[7] = 0;
	(void)fd_write_all(conn, r, sizeof(r));
}

void
fcgi_end(void)
{
	/* A record half written cannot be followed by another one. */
	if (conn < 0 || ended || writing)
		return;
	ended = 1;
	end_request(0, FCGI_REQUEST_COMPLETE);
	shutdown(conn, SHUT_WR);
}

/* read_request: the parameters exceed TORC_FCGI_PARAMS(_BYTES); answered 431. */
#define TOO_LARGE	(-2)

/* Buffered reading of the request's records from the connection. */
struct reader {
	unsigned char	 buf[65536 + 256 + FCGI_HEADER_LEN];
	size_t		 have, off;
};

static int
read_exact(struct reader *r, unsigned char *dst, size_t n)
{
	while (n > 0) {
		if (r->off == r->have) {
			ssize_t got = read(conn, r->buf, sizeof(r->buf));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return -1;
			r->have = (size_t)got;
			r->off = 0;
		}
		size_t take = r->have - r->off < n ? r->have - r->off : n;
		if (dst != NULL) {
			memcpy(dst, r->buf + r->off, take);
			dst += take;
		}
		r->off += take;
		n -= take;
	}
	return 0;
}

/* One length of a name-value pair: 1 byte below 128, else 4 bytes, top bit set. */
static int
pair_len(const unsigned char **p, const unsigned char *end, size_t *len)
{
	if (*p >= end)
		return -1;
	if (**p < 0x80) {
		*len = *(*p)++;
		return 0;
	}
	if (end - *p < 4)
		return -1;
	*len = ((size_t)((*p)[0] & 0x7f) << 24) | ((size_t)(*p)[1] << 16) |
	    ((size_t)(*p)[2] << 8) | (*p)[3];
	*p += 4;
	return 0;
}

/* The parameters become the whole environment, as a CGI's variables are. */
static int
set_params(unsigned char *pb, size_t plen)
{
	const unsigned char *p = pb, *end = pb + plen;
	int count = 0;
	clearenv();
	while (p < end) {
		size_t nl, vl;
		if (pair_len(&p, end, &nl) < 0 || pair_len(&p, end, &vl) < 0 ||
		    (size_t)(end - p) < nl || (size_t)(end - p) - nl < vl)
			return -1;
		if (++count > TORC_FCGI_PARAMS)
			return TOO_LARGE;
		char *name = strndup((const char *)p, nl);
		char *val = strndup((const char *)p + nl, vl);
		if (name == NULL || val == NULL)
			return -1;
		if (nl > 0 && strchr(name, '=') == NULL)
			setenv(name, val, 1);
		free(name);
		free(val);
		p += nl + vl;
	}
	return 0;
}

/*
 * In the child: read BEGIN_REQUEST, PARAMS and STDIN up to their empty
 * records.  The body goes to a memory file (bounded: lighttpd stops a
 * larger body first, and read_body in cgi.c answers 413 from
 * CONTENT_LENGTH without reading).  Returns the fd holding the body.
 */
static int
read_request(void)
{
	static struct reader rd;
	static unsigned char content[65536 + 256];
	unsigned char *params = NULL;
	size_t plen = 0;
	int began = 0, params_done = 0, body = -1;
	off_t body_len = 0;

	for (;;) {
		unsigned char h[FCGI_HEADER_LEN];
		if (read_exact(&rd, h, sizeof(h)) < 0)
			return -1;
		int type = h[1];
		uint16_t id = (uint16_t)(h[2] << 8 | h[3]);
		size_t len = (size_t)(h[4] << 8 | h[5]), pad = h[6];
		if (h[0] != FCGI_VERSION_1 || read_exact(&rd, content, len + pad) < 0)
			return -1;
		if (id == 0 || (began && id != request_id))
			continue;			/* management record, or another request */
		switch (type) {
		case FCGI_BEGIN_REQUEST:
			if (began || len < 8)
				return -1;
			began = 1;
			request_id = id;
			if ((content[0] << 8 | content[1]) != FCGI_RESPONDER) {
				end_request(0, FCGI_UNKNOWN_ROLE);
				return -1;
			}
			break;
		case FCGI_ABORT_REQUEST:
			return -1;
		case FCGI_PARAMS:
			if (!began || params_done)
				return -1;
			if (len == 0) {
				params_done = 1;
				int st = set_params(params, plen);
				if (st < 0)
					return st;
				free(params);
				params = NULL;
				break;
			}
			if (plen + len > TORC_FCGI_PARAMS_BYTES)
				return TOO_LARGE;
			unsigned char *np = realloc(params, plen + len);
			if (np == NULL)
				return -1;
			params = np;
			memcpy(params + plen, content, len);
			plen += len;
			break;
		case FCGI_STDIN:
			if (!params_done)
				return -1;
			if (len == 0) {
				if (body < 0)
					body = open("/dev/null", O_RDONLY);
				else if (lseek(body, 0, SEEK_SET) < 0)
					return -1;
				return body;
			}
			if (body < 0 && (body = memfd_create("torc-body", 0)) < 0)
				return -1;
			if (body_len + (off_t)len <= TORC_MAX_BODY + TORC_DRAIN_MAX) {
				if (fd_write_all(body, content, len) < 0)
					return -1;
				body_len += (off_t)len;
			}
			break;
		default:
			break;				/* FCGI_DATA and the rest: not for a responder */
		}
	}
}

/* Parameters over the limits: a JSON 431, as the CGI answers an over-long header. */
static void __attribute__((noreturn))
refuse_too_large(void)
{
	char body[256], head[256];
	int bl = snprintf(body, sizeof(body), "{\"error\":{\"message\":\"request header fields "
	    "too large: more than %ld bytes or %d fields\"}}", (long)TORC_FCGI_PARAMS_BYTES,
	    TORC_FCGI_PARAMS);
	int hl = snprintf(head, sizeof(head), "Status: 431 Request Header Fields Too Large\r\n"
	    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", bl);
	fcgi_write(head, (size_t)hl);
	fcgi_write(body, (size_t)bl);
	fcgi_end();
	/* Read on a little (bounded, and by the alarm): closing with input
	   unread would reset the connection, and the reply with it. */
	char junk[8192];
	for (long left = TORC_DRAIN_MAX; left > 0; ) {
		ssize_t r = read(conn, junk, sizeof(junk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		left -= r;
	}
	_exit(0);
}

/* Each fd of 0-2 that is closed gets /dev/null, so a new fd never lands there. */
static void
guard_fds(void)
{
	for (int fd = 1; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			_exit(111);
}

int
fcgi_fork_per_request(void)
{
	int listening = 0;
	socklen_t sl = sizeof(listening);

	if (getsockopt(STDIN_FILENO, SOL_SOCKET, SO_ACCEPTCONN, &listening, &sl) < 0 ||
	    !listening)
		return 0;
	guard_fds();
	/* Descriptors the web server let through (a test harness's pipes) would
	   stay open as long as the front lives: close them. */
#ifdef __linux__
	close_range(3, ~0U, 0);
	/* Spawned by torc-server's lighttpd: end with it, even when it is
	   SIGKILLed.  (A spawner that exits at once, like cgi-fcgi -start,
	   leaves this unset.) */
	const char *follow = getenv("TORC_FASTCGI_EXIT_WITH_PARENT");
	if (follow != NULL && strcmp(follow, "1") == 0) {
		pid_t parent = getppid();
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
	}
#endif
	signal(SIGCHLD, SIG_IGN);		/* children are reaped by the kernel */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int c = accept4(STDIN_FILENO, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno != EINTR && errno != ECONNABORTED) {
				/* Out of fds or memory: wait, do not spin. */
				struct timespec nap = { 0, 50 * 1000 * 1000 };
				nanosleep(&nap, NULL);
			}
			continue;
		}
		pid_t pid = fork();
		if (pid == 0) {
			/*
			 * The listening socket is the front's alone.  A child
			 * still holding it when the front dies keeps it
			 * accepting connections that nobody serves, and
			 * lighttpd, finding the socket connectable, takes the
			 * front for alive and never starts a new one.  /dev/null
			 * takes fd 0 (the lowest free) until the body does.
			 */
			close(STDIN_FILENO);
			if (open("/dev/null", O_RDONLY) != STDIN_FILENO)
				_exit(111);
			conn = c;
			signal(SIGCHLD, SIG_DFL);
			/* A web server that stalls mid-request cannot keep the child. */
			alarm(TORC_PROCESS_LIFETIME_S);
			int body = read_request();
			if (body == TOO_LARGE)
				refuse_too_large();
			if (body < 0 || dup2(body, STDIN_FILENO) < 0)
				_exit(0);
			if (body != STDIN_FILENO)
				close(body);
			atexit(fcgi_end);
			return 1;
		}
		if (pid < 0)
			fprintf(stderr, "torc: fork for a FastCGI request failed: %s\n",
			    strerror(errno));
		close(c);
	}
}
