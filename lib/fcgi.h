/*
 * fcgi.h: FastCGI in front of a CGI main, one forked process per request.
 *
 * A web server that spawns a FastCGI application (lighttpd's mod_fastcgi
 * "bin-path", Apache's mod_fcgid) starts it with a listening socket on
 * fd 0.  fcgi_fork_per_request() notices that, accepts connections
 * forever, and forks a child for each; only the child returns, with the
 * request in place exactly as a CGI sees it: the parameters as its whole
 * environment, the body readable on fd 0, and the reply framed as
 * FastCGI records on the connection (cgi.c writes through fcgi_write()).
 * The child then runs the request as a CGI does, Berkeley DB environment
 * joined afresh, so a request killed anywhere costs what a killed CGI
 * costs.  What the fork saves is exec, the dynamic linker and library
 * start-up.  The parent never opens the database.
 */
#ifndef TORC_FCGI_H
#define TORC_FCGI_H

#include <stddef.h>

#define FCGI_RECORD_MAX		32768		/* bytes of content per STDOUT record */

/*
 * Returns 0 at once when fd 0 is not a listening socket (plain CGI).
 * Otherwise returns 1 in a child that holds one request; the parent never
 * returns.  A child whose request cannot be read exits without a reply;
 * parameters over TORC_FCGI_PARAMS_BYTES or TORC_FCGI_PARAMS (bounds.h)
 * get a JSON 431.
 */
int	fcgi_fork_per_request(void);

/* Nonzero in a child serving a FastCGI request. */
int	fcgi_active(void);

/* Send len bytes of the reply as FCGI_STDOUT records.  Async-signal-safe. */
void	fcgi_write(const char *buf, size_t len);

/*
 * End the request: an empty FCGI_STDOUT and FCGI_END_REQUEST.  Idempotent
 * and async-signal-safe; also run at exit.  The web server answers the
 * client as soon as this arrives, before the process tears down.
 */
void	fcgi_end(void);

#endif
