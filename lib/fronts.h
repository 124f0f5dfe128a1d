/*
 * fronts.h: the resident FastCGI processes torc-server runs under lighttpd,
 * one per resource program (lib/fcgi.c), and starts again when one dies.
 *
 * torc-server binds each front's listening socket itself and keeps it open
 * for as long as it runs: while a front is down, connections wait in the
 * socket's queue and the front started in its place accepts them, so
 * lighttpd never sees a refused connection and no request is lost.
 * (Left to lighttpd's own spawning, a front killed under load could stay
 * down for good: a request's child forked a moment earlier still held the
 * listening socket, lighttpd's check found it connectable, and lighttpd
 * took the socket for one it does not manage.)
 *
 * A front runs with the socket on fd 0, in a process group of its own, and
 * with an environment of PATH, LD_LIBRARY_PATH, LD_PRELOAD (those set) and
 * TORC_FASTCGI_EXIT_WITH_PARENT=1 (it ends when torc-server does, however
 * torc-server ends).  One that dies within FRONT_RESTART_MS of its start is
 * started again only once that much time has passed.
 */
#ifndef TORC_FRONTS_H
#define TORC_FRONTS_H

#include <sys/types.h>

#include "bounds.h"

#define FRONTS_MAX		32	/* resource programs served as fronts */
#define FRONT_BACKLOG		1024	/* connections queued on a front's socket */
#define FRONT_RESTART_MS	1000	/* the least time between two starts of a front */
#define FRONT_TIMEOUT_S		(TORC_PROCESS_LIFETIME_S + 10)	/* lighttpd gives up on a front: 504 */

/*
 * Bind sockdir/NAME for each NAME in names (NULL-terminated) whose program
 * cgidir/NAME is executable.  Returns how many, or -1 with err set.
 */
int		 fronts_open(const char *cgidir, const char *sockdir,
		    const char *const *names, char *err, size_t errlen);
int		 fronts_count(void);
const char	*fronts_name(int i);
const char	*fronts_socket(int i);

void		 fronts_start(void);
/* A child torc-server reaped: 1 if it was a front (it is started again). */
int		 fronts_reaped(pid_t pid, int status);
/* Start again the fronts that are due; call it often. */
void		 fronts_tick(void);
/* SIGTERM every front and wait for it (requests in progress finish), close the sockets. */
void		 fronts_stop(void);

#endif
