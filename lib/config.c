/*
 * config.c: settings from defaults, torc.toml [server], TORC_* and flags.
 *
 * One table (config_keys) names every setting once: its torc.toml key, its
 * environment variable and its torc-server flag.  The TOML reader accepts
 * the subset a config file needs (sections, key = string | integer | float
 * | boolean | array of strings, comments) and reports errors with the file,
 * line and key.  Keys outside [server] are ignored (they belong to the CLI);
 * an unknown key inside [server] is an error, so a typo is never silent.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

const struct config_key config_keys[] = {
	{ "host", "TORC_HOST", "--host", CK_STR, 0 },
	{ "port", "TORC_PORT", "--port", CK_INT, 0 },
	{ "database", "TORC_DATABASE", "--database", CK_STR, 0 },
	{ "log_level", "TORC_LOG_LEVEL", "--log-level", CK_LEVEL, 0 },
	{ "web_server", "TORC_WEB_SERVER", "--web-server", CK_STR, 0 },
	{ "auth_file", "TORC_AUTH_FILE", "--auth-file", CK_STR, 0 },
	{ "require_auth", "TORC_REQUIRE_AUTH", "--require-auth", CK_BOOL, 0 },
	{ "enforce_access_control", "TORC_ENFORCE_ACCESS_CONTROL", "--enforce-access-control", CK_BOOL, 0 },
	{ "admin_users", "TORC_ADMIN_USERS", "--admin-user", CK_LIST, 0 },
	{ "credential_cache_ttl_secs", "TORC_CREDENTIAL_CACHE_TTL_SECS", "--credential-cache-ttl-secs", CK_INT, 0 },
	{ "cache_dir", "TORC_CACHE_DIR", "--cache-dir", CK_STR, 0 },
	{ "trust_remote_user", "TORC_TRUST_REMOTE_USER", "--trust-remote-user", CK_BOOL, 0 },
	{ "durable", "TORC_DURABLE", "--durable", CK_BOOL, 0 },
	{ "https", "TORC_HTTPS", "--https", CK_BOOL, 0 },
	{ "tls_cert", "TORC_TLS_CERT", "--tls-cert", CK_STR, 0 },
	{ "tls_key", "TORC_TLS_KEY", "--tls-key", CK_STR, 1 },
	{ "runtime_dir", "TORC_RUNTIME_DIR", "--runtime-dir", CK_STR, 0 },
	{ "idle_exit_secs", "TORC_IDLE_EXIT_SECS", "--idle-exit-secs", CK_INT, 0 },
};
const int config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

/* Torc's own [server] keys that have no meaning here: accepted, ignored. */
static const char *ignored_keys[] = {
	"url", "threads", "completion_check_interval_secs", "log_dir", "json_logs", NULL
};

enum { K_HOST, K_PORT, K_DATABASE, K_LOG_LEVEL, K_WEB_SERVER, K_AUTH_FILE,
	K_REQUIRE_AUTH, K_ENFORCE, K_ADMINS, K_TTL, K_CACHE_DIR, K_TRUST_RU,
	K_DURABLE, K_HTTPS, K_TLS_CERT, K_TLS_KEY, K_RUNTIME_DIR, K_IDLE };

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->host = "localhost";
	c->port = 8080;
	c->database = "./torc-data";
	c->log_level = LOG_INFO;
	c->web_server = "lighttpd";
	c->credential_cache_ttl_secs = 60;
	c->durable = 1;
}

int
config_key_index(const char *key)
{
	for (int i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].key, key) == 0 ||
		    strcmp(config_keys[i].flag, key) == 0)
			return i;
	return -1;
}

static int
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
parse_long(const char *v, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return -1;
	*out = x;
	return 0;
}

static int
add_admin(struct config *c, const char *name, char *err, size_t errlen)
{
	size_t l = strlen(name);
	while (l > 0 && isspace((unsigned char)name[l - 1]))
		l--;
	while (*name && isspace((unsigned char)*name)) {
		name++;
		l--;
	}
	if (l == 0)
		return 0;
	for (int i = 0; i < c->nadmin; i++)
		if (strlen(c->admin_users[i]) == l && strncmp(c->admin_users[i], name, l) == 0)
			return 0;
	if (c->nadmin >= CONFIG_MAX_ADMINS)
		return errf(err, errlen, "admin_users: more than %d users", CONFIG_MAX_ADMINS);
	c->admin_users[c->nadmin++] = strndup(name, l);
	return 0;
}

int
config_set(struct config *c, int i, const char *val, enum config_source src,
    char *err, size_t errlen)
{
	const struct config_key *k = &config_keys[i];
	long n;
	int b;

	switch (k->type) {
	case CK_INT:
		if (parse_long(val, &n) < 0)
			return errf(err, errlen, "%s: '%s' is not an integer", k->key, val);
		if (i == K_PORT && (n < 1 || n > 65535))
			return errf(err, errlen, "%s: %ld is not a port (1-65535)", k->key, n);
		if (n < 0)
			return errf(err, errlen, "%s: must not be negative", k->key);
		if (i == K_PORT)
			c->port = n;
		else if (i == K_TTL)
			c->credential_cache_ttl_secs = n;
		else if (i == K_IDLE)
			c->idle_exit_secs = n;
		break;
	case CK_BOOL:
		if (parse_bool(val, &b) < 0)
			return errf(err, errlen, "%s: '%s' is not a boolean (true/false)", k->key, val);
		if (i == K_REQUIRE_AUTH) c->require_auth = b;
		else if (i == K_ENFORCE) c->enforce_access_control = b;
		else if (i == K_TRUST_RU) c->trust_remote_user = b;
		else if (i == K_DURABLE) c->durable = b;
		else if (i == K_HTTPS) c->https = b;
		break;
	case CK_LEVEL:
		if ((b = log_parse_level(val)) < 0)
			return errf(err, errlen, "%s: '%s' is not a level (error, warn, info, debug, trace, off)", k->key, val);
		c->log_level = b;
		break;
	case CK_LIST: {
		/* Comma-separated, as the reference documents TORC_ADMIN_USERS. */
		char *copy = strdup(val), *save = NULL;
		if (src != c->src[i] && src != SRC_FLAG)
			c->nadmin = 0;		/* a later source replaces the list */
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (add_admin(c, t, err, errlen) < 0) {
				free(copy);
				return -1;
			}
		free(copy);
		break;
	}
	case CK_STR: {
		char *s = strdup(val);
		if (i == K_WEB_SERVER && strcmp(val, "lighttpd") && strcmp(val, "busybox"))
			return errf(err, errlen, "%s: '%s' is not lighttpd or busybox", k->key, val);
		if (*val == '\0' && i != K_AUTH_FILE)
			return errf(err, errlen, "%s: must not be empty", k->key);
		if (*val == '\0')
			s = NULL;
		switch (i) {
		case K_HOST: c->host = s; break;
		case K_DATABASE: c->database = s; break;
		case K_WEB_SERVER: c->web_server = s; break;
		case K_AUTH_FILE: c->auth_file = s; break;
		case K_CACHE_DIR: c->cache_dir = s; break;
		case K_TLS_CERT: c->tls_cert = s; break;
		case K_TLS_KEY: c->tls_key = s; break;
		case K_RUNTIME_DIR: c->runtime_dir = s; break;
		}
		break;
	}
	}
	c->src[i] = src;
	return 0;
}

/* TOML subset: returns pointer past the value; fills out (malloc'd text form). */
static const char *
toml_string(const char *p, char *out, size_t cap, int *bad)
{
	char q = *p++;
	size_t n = 0;
	while (*p && *p != q) {
		char ch = *p++;
		if (q == '"' && ch == '\\') {
			switch (*p++) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case '"': ch = '"'; break;
			case '\\': ch = '\\'; break;
			default: *bad = 1; return p;
			}
		}
		if (n + 1 >= cap) {
			*bad = 1;
			return p;
		}
		out[n++] = ch;
	}
	if (*p != q) {
		*bad = 1;
		return p;
	}
	out[n] = '\0';
	return p + 1;
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int
rest_is_comment(const char *p)
{
	p = skip_ws(p);
	return *p == '\0' || *p == '#';
}

int
config_read_file(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[4096], section[128] = "", val[4096];
	int lineno = 0, rc = 0;

	if (f == NULL)
		return errf(err, errlen, "cannot open config file %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		size_t l = strlen(line);
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		const char *p = skip_ws(line);
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '[') {
			const char *e = strchr(p, ']');
			if (e == NULL || !rest_is_comment(e + 1) || (size_t)(e - p - 1) >= sizeof(section)) {
				rc = errf(err, errlen, "%s:%d: malformed section header", path, lineno);
				break;
			}
			snprintf(section, sizeof(section), "%.*s", (int)(e - p - 1), p + 1);
			continue;
		}
		const char *ks = p;
		while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '-'))
			p++;
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(p - ks), ks);
		p = skip_ws(p);
		if (p == ks || *p != '=') {
			rc = errf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			break;
		}
		p = skip_ws(p + 1);
		if (strcmp(section, "server") != 0)
			continue;
		int idx = config_key_index(key), bad = 0, ign = 0;
		for (int i = 0; ignored_keys[i]; i++)
			if (strcmp(key, ignored_keys[i]) == 0)
				ign = 1;
		if (idx < 0 && !ign) {
			rc = errf(err, errlen, "%s:%d: unknown key '%s' in [server]", path, lineno, key);
			break;
		}
		if (*p == '"' || *p == '\'') {
			p = toml_string(p, val, sizeof(val), &bad);
		} else if (*p == '[') {
			/* Array of strings, on one line. */
			size_t n = 0;
			val[0] = '\0';
			p = skip_ws(p + 1);
			while (!bad && *p && *p != ']') {
				char item[512];
				if (*p != '"' && *p != '\'') {
					bad = 1;
					break;
				}
				p = toml_string(p, item, sizeof(item), &bad);
				if (strchr(item, ',') != NULL)
					bad = 1;
				n += (size_t)snprintf(val + n, sizeof(val) - n, "%s%s", n ? "," : "", item);
				if (n >= sizeof(val))
					bad = 1;
				p = skip_ws(p);
				if (*p == ',')
					p = skip_ws(p + 1);
			}
			if (*p != ']')
				bad = 1;
			else
				p++;
			if (!bad && idx >= 0 && config_keys[idx].type != CK_LIST)
				bad = 1;
			if (!bad && idx >= 0)
				c->nadmin = 0;
		} else {
			const char *vs = p;
			while (*p && *p != '#' && *p != ' ' && *p != '\t')
				p++;
			snprintf(val, sizeof(val), "%.*s", (int)(p - vs), vs);
			if (val[0] == '\0')
				bad = 1;
			if (idx >= 0 && config_keys[idx].type == CK_STR)
				bad = 1;	/* strings must be quoted */
		}
		if (!bad && !rest_is_comment(p))
			bad = 1;
		if (bad) {
			rc = errf(err, errlen, "%s:%d: cannot parse the value of '%s'", path, lineno, key);
			break;
		}
		if (ign)
			continue;
		char e2[256];
		if (config_set(c, idx, val, SRC_FILE, e2, sizeof(e2)) < 0) {
			rc = errf(err, errlen, "%s:%d: %s", path, lineno, e2);
			break;
		}
	}
	fclose(f);
	if (rc == 0)
		c->config_file = strdup(path);
	return rc;
}

int
config_load(struct config *c, char *err, size_t errlen)
{
	const char *path = getenv("TORC_CONFIG");

	if (path != NULL && *path != '\0') {
		if (config_read_file(c, path, err, errlen) < 0)
			return -1;
	} else if (access("/etc/torc/torc.toml", R_OK) == 0) {
		if (config_read_file(c, "/etc/torc/torc.toml", err, errlen) < 0)
			return -1;
	}
	for (int i = 0; i < config_nkeys; i++) {
		const char *v = getenv(config_keys[i].env);
		if (v == NULL)
			continue;
		char e2[256];
		if (config_set(c, i, v, SRC_ENV, e2, sizeof(e2)) < 0)
			return errf(err, errlen, "%s: %s", config_keys[i].env, e2);
	}
	return 0;
}

char *
config_value_text(const struct config *c, int i)
{
	char buf[4096];
	const char *s = NULL;
	switch (i) {
	case K_HOST: s = c->host; break;
	case K_PORT: snprintf(buf, sizeof(buf), "%ld", c->port); return strdup(buf);
	case K_DATABASE: s = c->database; break;
	case K_LOG_LEVEL: {
		static const char *lv[] = { "off", "error", "warn", "info", "debug", "trace" };
		s = lv[c->log_level];
		break;
	}
	case K_WEB_SERVER: s = c->web_server; break;
	case K_AUTH_FILE: s = c->auth_file; break;
	case K_REQUIRE_AUTH: s = c->require_auth ? "true" : "false"; break;
	case K_ENFORCE: s = c->enforce_access_control ? "true" : "false"; break;
	case K_ADMINS: {
		size_t n = 0;
		buf[0] = '\0';
		for (int j = 0; j < c->nadmin && n < sizeof(buf); j++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", j ? "," : "", c->admin_users[j]);
		return strdup(buf);
	}
	case K_TTL: snprintf(buf, sizeof(buf), "%ld", c->credential_cache_ttl_secs); return strdup(buf);
	case K_CACHE_DIR: s = c->cache_dir; break;
	case K_TRUST_RU: s = c->trust_remote_user ? "true" : "false"; break;
	case K_DURABLE: s = c->durable ? "true" : "false"; break;
	case K_HTTPS: s = c->https ? "true" : "false"; break;
	case K_TLS_CERT: s = c->tls_cert; break;
	case K_TLS_KEY: s = c->tls_key; break;
	case K_RUNTIME_DIR: s = c->runtime_dir; break;
	case K_IDLE: snprintf(buf, sizeof(buf), "%ld", c->idle_exit_secs); return strdup(buf);
	}
	return s ? strdup(s) : NULL;
}

const char *
config_source_name(enum config_source s)
{
	switch (s) {
	case SRC_FILE: return "file";
	case SRC_ENV: return "environment";
	case SRC_FLAG: return "flag";
	default: return "default";
	}
}

char *
config_cache_dir(const struct config *c)
{
	char buf[PATH_MAX];
	if (c->cache_dir != NULL)
		return strdup(c->cache_dir);
	snprintf(buf, sizeof(buf), "%s/auth-cache", c->database);
	return strdup(buf);
}

int
config_is_admin(const struct config *c, const char *user)
{
	for (int i = 0; i < c->nadmin; i++)
		if (strcmp(c->admin_users[i], user) == 0)
			return 1;
	return 0;
}
