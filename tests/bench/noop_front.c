/*
 * noop_front.c: the ceiling of the FastCGI design, for tests/bench/run.
 *
 * Served by lighttpd exactly as a resource's front is (the bench puts it
 * in its CGI folder under the name of a resource it never measures
 * otherwise, version): resident, fork per request through
 * lib/fcgi.c, and the child answers {} at once.  What a real request
 * costs beyond this is its own work: configuration, authentication,
 * joining the Berkeley DB environment, the handler.
 */
#include <unistd.h>

#include "fcgi.h"

int
main(void)
{
	static const char r[] = "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n{}";

	if (fcgi_fork_per_request()) {
		fcgi_write(r, sizeof(r) - 1);
		fcgi_end();
		_exit(0);
	}
	return write(1, r, sizeof(r) - 1) < 0;	/* run as a plain CGI */
}
