/* api_misc.h: /ping and /version (api_misc.c). */
#ifndef TORC_API_MISC_H
#define TORC_API_MISC_H

struct request;

int	misc_ping(struct request *rq);
int	misc_version(struct request *rq);
int	misc_not_found(struct request *rq);	/* the web server's 404 handler */

#endif
