/*
 * config.h: the server's settings and where each came from.
 *
 * Resolution, lowest first: built-in defaults, the [server] section of a
 * torc.toml file (path from TORC_CONFIG, else /etc/torc/torc.toml when it
 * exists; TORC_CONFIG=none reads no file), TORC_* environment variables
 * (Torc's TORC_SERVER__<KEY> spelling too, below TORC_<KEY>), then
 * (torc-server only) flags.  torc-server turns its flags into TORC_*
 * variables for the CGIs, so every CGI resolves the same settings.  A
 * value that does not parse is an error naming the setting (and the file
 * and line); it never falls back to a default.  docs/configuration.md has
 * the table of every key, variable and flag.
 */
#ifndef TORC_CONFIG_H
#define TORC_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_ADMINS	64
#define CONFIG_MAX_KEYS		32		/* room in src[] and origin[] */
#define CONFIG_MAX_NOTES	16		/* notes kept about ignored settings */
#define CONFIG_MAX_FILE		(1024L * 1024)	/* bytes in a torc.toml */
#define CONFIG_MAX_DEPTH	16		/* nesting of TOML arrays and inline tables */

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
	int	 fastcgi;			/* lighttpd: fork per request from a FastCGI front (1) */
	const char	*config_file;			/* the file that was read, or NULL */

	enum config_source src[CONFIG_MAX_KEYS];	/* per key, indexed like config_keys */
	/* Per key, exactly where the value came from: "/etc/torc/torc.toml:7",
	   "TORC_PORT", "--port"; NULL for a default.  Caller-owned strings or
	   strdup'd ones that live as long as the process. */
	const char	*origin[CONFIG_MAX_KEYS];
	/* Settings accepted and ignored (Torc-only keys, [server.logging]),
	   one sentence each, for torc-server to log and show-config to print. */
	char	*notes[CONFIG_MAX_NOTES];
	int	 nnotes;
};

/* One setting: its torc.toml key, its environment variable and its flag. */
struct config_key {
	const char	*key;			/* "auth_file" */
	const char	*env;			/* "TORC_AUTH_FILE" */
	const char	*flag;			/* "--auth-file" */
	int		 type;			/* CK_STR, CK_INT, CK_BOOL, CK_LIST, CK_LEVEL */
	int		 secret;		/* redact in show-config (no setting is one today) */
	int		 optional;		/* CK_STR that may be unset: "" means unset */
};
enum { CK_STR, CK_INT, CK_BOOL, CK_LIST, CK_LEVEL };

extern const struct config_key config_keys[];
extern const int config_nkeys;

void	config_defaults(struct config *c);
/* File then environment.  0 ok; -1 with a message naming the setting in err. */
int	config_load(struct config *c, char *err, size_t errlen);
/*
 * Set one key from text (a flag value, an env value).  Booleans take
 * true/false/yes/no/on/off/1/0; lists are comma-separated, and a source
 * other than the one that set the list replaces it (flags add to a list
 * set by earlier flags); "" unsets an optional string.  Sets src[i];
 * origin[i] is the caller's to set.  0 ok, -1 with "key: reason" in err.
 */
int	config_set(struct config *c, int keyidx, const char *val,
	    enum config_source src, char *err, size_t errlen);
/* true/false, yes/no, on/off, 1/0 (any case).  0 ok, -1 not a boolean. */
int	config_parse_bool(const char *v, int *out);
/* By torc.toml key or flag name (including the alias --url), -1 when none. */
int	config_key_index(const char *key);
/*
 * A torc-server flag that the real Torc has and torc-cgi ignores
 * (--threads, --completion-check-interval-secs, --log-dir, --json-logs):
 * the reason it is ignored, and whether it takes a value; NULL otherwise.
 */
const char *config_ignored_flag(const char *flag, int *takes_value);
/* Add a note (printf-style); silently dropped past CONFIG_MAX_NOTES. */
void	config_note(struct config *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Parse a torc.toml file's [server] section into c.  0 ok, -1 with err
   ("path:line: key: reason"). */
int	config_read_file(struct config *c, const char *path, char *err, size_t errlen);
/* Free every string any struct config was given by the functions above. */
void	config_release(void);
/* The value of key i as text, for show-config and for exporting to env:
   "" for an unset optional string, so exporting it unsets it.  malloc'd. */
char	*config_value_text(const struct config *c, int i);
const char *config_source_name(enum config_source s);
/* Effective cache folder: cache_dir or <database>/auth-cache.  malloc'd. */
char	*config_cache_dir(const struct config *c);
int	config_is_admin(const struct config *c, const char *user);

#endif
