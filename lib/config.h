/*
 * config.h: the server's settings and where each came from.
 *
 * Resolution, lowest first: built-in defaults, the [server] section of a
 * torc.toml file (path from TORC_CONFIG, else /etc/torc/torc.toml when it
 * exists), TORC_* environment variables, then (torc-server only) flags.
 * torc-server turns its flags into TORC_* variables for the CGIs, so every
 * CGI resolves the same settings.  A value that does not parse is an error
 * naming the setting; it never falls back to a default.
 */
#ifndef TORC_CONFIG_H
#define TORC_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_ADMINS	64

enum config_source { SRC_DEFAULT, SRC_FILE, SRC_ENV, SRC_FLAG };

struct config {
	const char	*host;				/* bind host: "localhost" */
	long	 port;				/* 8080 */
	const char	*database;			/* data folder: "./torc-data" */
	int	 log_level;			/* LOG_INFO */
	const char	*web_server;			/* "lighttpd" | "busybox" */
	const char	*auth_file;			/* NULL: authentication disabled */
	int	 require_auth;
	int	 enforce_access_control;
	char	*admin_users[CONFIG_MAX_ADMINS];
	int	 nadmin;
	long	 credential_cache_ttl_secs;	/* 60; 0 disables the cache */
	const char	*cache_dir;			/* NULL: <database>/auth-cache */
	int	 trust_remote_user;		/* take REMOTE_USER from the web server */
	int	 durable;			/* flush the log at every commit (1) */
	int	 https;
	const char	*tls_cert;
	const char	*tls_key;
	const char	*runtime_dir;			/* NULL: a fresh folder under $TMPDIR */
	long	 idle_exit_secs;		/* lighttpd -i for socket activation; 0 = never */
	const char	*config_file;			/* the file that was read, or NULL */

	enum config_source src[32];		/* per key, indexed like config_keys */
};

/* One setting: its torc.toml key, its environment variable and its flag. */
struct config_key {
	const char	*key;			/* "auth_file" */
	const char	*env;			/* "TORC_AUTH_FILE" */
	const char	*flag;			/* "--auth-file" */
	int		 type;			/* CK_STR, CK_INT, CK_BOOL, CK_LIST, CK_LEVEL */
	int		 secret;		/* redact in show-config */
};
enum { CK_STR, CK_INT, CK_BOOL, CK_LIST, CK_LEVEL };

extern const struct config_key config_keys[];
extern const int config_nkeys;

void	config_defaults(struct config *c);
/* File then environment.  0 ok; -1 with a message naming the setting in err. */
int	config_load(struct config *c, char *err, size_t errlen);
/* Set one key from text (a flag value, an env value).  0 ok, -1 bad value. */
int	config_set(struct config *c, int keyidx, const char *val,
	    enum config_source src, char *err, size_t errlen);
int	config_key_index(const char *key);	/* by toml key or flag name, -1 */
/* Parse a torc.toml file's [server] section into c.  0 ok, -1 with err. */
int	config_read_file(struct config *c, const char *path, char *err, size_t errlen);
/* The value of key i as text, for show-config and for exporting to env. */
char	*config_value_text(const struct config *c, int i);	/* malloc'd */
const char *config_source_name(enum config_source s);
/* Effective cache folder: cache_dir or <database>/auth-cache.  malloc'd. */
char	*config_cache_dir(const struct config *c);
int	config_is_admin(const struct config *c, const char *user);

#endif
