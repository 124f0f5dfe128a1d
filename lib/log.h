/*
 * log.h: log lines to stderr as "LEVEL target: message".  Web servers put a
 * CGI's stderr into their error log.  Never pass a password or an
 * Authorization header to these functions.
 */
#ifndef TORC_LOG_H
#define TORC_LOG_H

enum { LOG_OFF, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

void	log_set_level(int level);
int	log_get_level(void);
int	log_parse_level(const char *s);	/* -1 when s names no level */
void	log_msg(int level, const char *target, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#define LOG_T_SERVER	"torc_server"
#define LOG_T_AUTH	"torc::server::auth"
#define LOG_T_HTPASSWD	"torc::server::htpasswd"
#define LOG_T_STORE	"torc::server::store"
#define LOG_T_API	"torc::server::api"
#define LOG_T_ACCESS	"torc::server::authorization"

#endif
