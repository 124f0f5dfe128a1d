/*
 * test_config.c: the torc.toml reader and the resolution of settings.
 *
 * Golden cases: each valid file lists the settings it must produce
 * ("key=value;key=value", values as config_value_text prints them, every
 * one marked as from the file); each invalid file the start of its error
 * ("path:line: key: reason" with the temporary path cut off).  Then the
 * order of sources (file < TORC_SERVER__* < TORC_* < flags), booleans
 * turned off from every source, lists, and the notes about ignored keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "log.h"

extern char **environ;

static char tmpdir[] = "/tmp/test_config.XXXXXX";
static char path[512];

struct golden {
	const char	*name;
	const char	*toml;
	const char	*want;		/* valid: "key=value;..."; NULL for invalid */
	const char	*err;		/* invalid: what follows "<path>:" */
};

static const struct golden golden[] = {
	/* ---- valid ---- */
	{ "empty file", "", "port=8080;host=localhost", NULL },
	{ "comments and blanks only", "# nothing\n\n   \t# more\n", "port=8080", NULL },
	{ "every key", "[server]\n"
	  "host = \"0.0.0.0\"\nport = 9000\ndatabase = \"/var/lib/torc\"\n"
	  "log_level = \"debug\"\nweb_server = \"busybox\"\nauth_file = \"/etc/torc/htpasswd\"\n"
	  "require_auth = true\nenforce_access_control = true\nadmin_users = [\"alice\", \"bob\"]\n"
	  "credential_cache_ttl_secs = 0\ncache_dir = \"/var/cache/torc\"\ntrust_remote_user = true\n"
	  "durable = false\nhttps = true\ntls_cert = \"/c.pem\"\ntls_key = \"/k.pem\"\n"
	  "runtime_dir = \"/run/torc\"\nidle_exit_secs = 30\n",
	  "host=0.0.0.0;port=9000;database=/var/lib/torc;log_level=debug;web_server=busybox;"
	  "auth_file=/etc/torc/htpasswd;require_auth=true;enforce_access_control=true;"
	  "admin_users=alice,bob;credential_cache_ttl_secs=0;cache_dir=/var/cache/torc;"
	  "trust_remote_user=true;durable=false;https=true;tls_cert=/c.pem;tls_key=/k.pem;"
	  "runtime_dir=/run/torc;idle_exit_secs=30", NULL },
	{ "booleans turn off", "[server]\nrequire_auth = false\ndurable = false\n",
	  "require_auth=false;durable=false", NULL },
	{ "other tables skipped", "[client]\nurl = \"http://h:1/torc-service/v1\"\nformat = 3\n"
	  "[server]\nport = 1\n[dash]\nport = \"not ours\"\n", "port=1", NULL },
	{ "comments after values", "[server]   # the server\nport = 2 # two\nhost = \"h\"# tight\n",
	  "port=2;host=h", NULL },
	{ "CRLF line ends", "[server]\r\nport = 3\r\nhost = \"h\"\r\n", "port=3;host=h", NULL },
	{ "no final newline", "[server]\nport = 4", "port=4", NULL },
	{ "byte-order mark", "\xEF\xBB\xBF[server]\nport = 5\n", "port=5", NULL },
	{ "blanks in the header", "[ server ]\nport = 6\n", "port=6", NULL },
	{ "quoted keys", "[\"server\"]\n\"port\" = 7\n'host' = \"q\"\n", "port=7;host=q", NULL },
	{ "dotted key at the top", "server.port = 8\nserver . host = \"d\"\n", "port=8;host=d", NULL },
	{ "integer forms", "[server]\nport = 8_080\nidle_exit_secs = 0x1F\ncredential_cache_ttl_secs = 0o17\n",
	  "port=8080;idle_exit_secs=31;credential_cache_ttl_secs=15", NULL },
	{ "binary and signed", "[server]\nport = 0b101\nidle_exit_secs = +9\n", "port=5;idle_exit_secs=9", NULL },
	{ "literal string keeps backslashes", "[server]\ndatabase = 'C:\\data\\torc'\n",
	  "database=C:\\data\\torc", NULL },
	{ "basic string escapes", "[server]\ndatabase = \"/a\\\\b\\u00e9\\\"q\"\n",
	  "database=/a\\b\xC3\xA9\"q", NULL },
	{ "multi-line basic string", "[server]\ndatabase = \"\"\"\n/srv/\\\n    torc\"\"\"\n",
	  "database=/srv/torc", NULL },
	{ "multi-line literal string", "[server]\ndatabase = '''\n/x/y'''\n", "database=/x/y", NULL },
	{ "array over lines, comments, trailing comma",
	  "[server]\nadmin_users = [\n  \"alice\",  # first\n\n  'bob',\n]\nport = 9\n",
	  "admin_users=alice,bob;port=9", NULL },
	{ "empty array", "[server]\nadmin_users = []\n", "admin_users=", NULL },
	{ "duplicates in the list collapse", "[server]\nadmin_users = [\"a\", \"a\", \" b \"]\n",
	  "admin_users=a,b", NULL },
	{ "empty auth_file means none", "[server]\nauth_file = \"\"\n", "auth_file=", NULL },
	{ "url is host", "[server]\nurl = \"10.0.0.1\"\n", "host=10.0.0.1", NULL },
	{ "Torc-only keys ignored", "[server]\nthreads = 4\ncompletion_check_interval_secs = 30.0\n"
	  "log_dir = \"/x\"\njson_logs = true\nport = 10\n", "port=10", NULL },
	{ "server.logging ignored", "[server]\nport = 11\n[server.logging]\nlog_dir = \"/var/log\"\n"
	  "json_logs = false\nadmin_users = [\"x\"]\n", "port=11;admin_users=", NULL },
	{ "inline logging table ignored", "[server]\nlogging = { log_dir = \"/l\", json_logs = true }\nport = 12\n",
	  "port=12", NULL },
	{ "values outside [server] of every kind",
	  "[other]\nf = 3.14\ne = -1e-3\ni = inf\nd = 1979-05-27T07:32:00Z\nd2 = 1979-05-27 07:32:00\n"
	  "t = 07:32:00\nnested = [[1, 2], [\"a\"]]\ntbl = { a = { b = 1 } }\n[[other.list]]\nx = 1\n"
	  "[[other.list]]\nx = 2\n[server]\nport = 13\n", "port=13", NULL },
	{ "log level names", "[server]\nlog_level = \"trace\"\n", "log_level=trace", NULL },
	{ "log level off", "[server]\nlog_level = \"off\"\n", "log_level=off", NULL },

	/* ---- invalid: each names the line and the key ---- */
	{ "string for an integer", "[server]\nport = \"x\"\n", NULL, "2: port: expected an integer, got a string" },
	{ "unknown key", "[server]\nprot = 1\n", NULL, "2: unknown key 'prot' in [server]" },
	{ "key set twice", "[server]\nport = 1\n\nport = 2\n", NULL, "4: port: set twice (first on line 2)" },
	{ "dotted and plain twice", "server.port = 1\n[server]\nport = 2\n", NULL, "3: port: set twice (first on line 1)" },
	{ "host and url both", "[server]\nhost = \"a\"\nurl = \"b\"\n", NULL, "3: url: host is already set on line 2" },
	{ "table twice", "[server]\nport = 1\n[client]\n[server]\n", NULL, "4: table [server] appears twice (first on line 1)" },
	{ "bare word", "[server]\nhost = localhost\n", NULL, "2: host: 'localhost' is not a value" },
	{ "yes is not TOML", "[server]\nrequire_auth = yes\n", NULL, "2: require_auth: 'yes' is not a value" },
	{ "string for a boolean", "[server]\nrequire_auth = \"true\"\n", NULL,
	  "2: require_auth: expected true or false, got a string" },
	{ "integer for a boolean", "[server]\nhttps = 1\n", NULL, "2: https: expected true or false, got an integer" },
	{ "float for an integer", "[server]\ncredential_cache_ttl_secs = 60.0\n", NULL,
	  "2: credential_cache_ttl_secs: expected an integer, got a float" },
	{ "integer for a string", "[server]\nhost = 1\n", NULL, "2: host: expected a quoted string, got an integer" },
	{ "string for the list", "[server]\nadmin_users = \"alice,bob\"\n", NULL,
	  "2: admin_users: expected an array of strings" },
	{ "mixed list", "[server]\nadmin_users = [\"a\", 1]\n", NULL, "2: admin_users: expected an array of strings" },
	{ "comma inside a name", "[server]\nadmin_users = [\"a,b\"]\n", NULL, "2: admin_users: 'a,b' contains a comma" },
	{ "port out of range", "[server]\nport = 70000\n", NULL, "2: port: 70000 is not a port (1-65535)" },
	{ "port zero", "[server]\nport = 0\n", NULL, "2: port: 0 is not a port (1-65535)" },
	{ "negative ttl", "[server]\ncredential_cache_ttl_secs = -1\n", NULL, "2: credential_cache_ttl_secs: -1 is negative" },
	{ "leading zero", "[server]\nport = 08080\n", NULL, "2: port: '08080': a number cannot start with 0" },
	{ "double underscore", "[server]\nport = 8__0\n", NULL, "2: port: '8__0' is not a value" },
	{ "integer too large", "[server]\nport = 99999999999999999999\n", NULL, "2: port: '99999999999999999999' is out of range" },
	{ "bad level", "[server]\nlog_level = \"loud\"\n", NULL, "2: log_level: 'loud' is not a level" },
	{ "bad web server", "[server]\nweb_server = \"apache\"\n", NULL, "2: web_server: 'apache' is not lighttpd or busybox" },
	{ "empty database", "[server]\ndatabase = \"\"\n", NULL, "2: database: must not be empty" },
	{ "missing value", "[server]\nport =\n", NULL, "2: port: missing value" },
	{ "missing value, comment", "[server]\nport = # none\n", NULL, "2: port: missing value" },
	{ "no equals sign", "[server]\nport 8080\n", NULL, "2: expected 'key = value'" },
	{ "two values", "[server]\nport = 1 2\n", NULL, "2: port: unexpected text after the value: '2'" },
	{ "unclosed string", "[server]\nhost = \"abc\n", NULL, "2: host: newline inside a one-line string" },
	{ "unclosed string at the end", "[server]\nhost = \"abc", NULL, "2: host: string not closed" },
	{ "bad escape", "[server]\nhost = \"a\\qb\"\n", NULL, "2: host: bad escape '\\q'" },
	{ "NUL escape", "[server]\nhost = \"a\\u0000\"\n", NULL, "2: host: \\u escape is not a usable character" },
	{ "unclosed array", "[server]\nadmin_users = [\n\"a\",\n\"b\"\nport = 1\n", NULL,
	  "5: admin_users: expected ',' or ']' in an array" },
	{ "malformed header", "[server\nport = 1\n", NULL, "1: malformed table header" },
	{ "text after a header", "[server] port = 1\n", NULL, "1: unexpected text after the value" },
	{ "unknown server table", "[server.tls]\ncert = \"x\"\n", NULL, "1: unknown table [server.tls]" },
	{ "unknown server table, dotted key", "[server]\ntls.cert = \"x\"\n", NULL, "2: unknown table [server.tls]" },
	{ "array of server tables", "[[server]]\nport = 1\n", NULL, "1: [[server]] must be a table, [server]" },
	{ "server as a value", "server = { port = 1 }\n", NULL, "1: server: write the server settings as a [server] table" },
	{ "error past a multi-line array", "[server]\nadmin_users = [\n\"a\"\n]\nport = x\n", NULL, "5: port: 'x' is not a value" },
	{ "error in another table still counts", "[client]\nurl = http://x\n[server]\n", NULL, "2: url: 'http://x' is not a" },
	{ "inline table across lines", "[other]\nt = { a = 1,\n b = 2 }\n", NULL, "2: t: expected a key" },
	{ "control character", "[server]\nhost = \"a\x01\"\n", NULL, "2: host: control character inside a string" },
	{ "stray carriage return", "[server]\rport = 1\n", NULL, "1: unexpected text after the value" },
	{ NULL, NULL, NULL, NULL }
};

static void
write_file(const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static void
write_text(const char *text)
{
	write_file(text, strlen(text));
}

static int
check_settings(const struct golden *g, const struct config *c)
{
	char *want = strdup(g->want), *save = NULL;
	int ok = 1;
	for (char *kv = strtok_r(want, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		*eq = '\0';
		int i = config_key_index(kv);
		if (i < 0) {
			fprintf(stderr, "%s: no key %s\n", g->name, kv);
			ok = 0;
			continue;
		}
		char *got = config_value_text(c, i);
		if (got == NULL || strcmp(got, eq + 1) != 0) {
			fprintf(stderr, "%s: %s == '%s', expected '%s'\n", g->name, kv,
			    got ? got : "(null)", eq + 1);
			ok = 0;
		}
		free(got);
	}
	free(want);
	return ok;
}

static void
test_golden(void)
{
	char err[1024];
	size_t plen = strlen(path);

	for (const struct golden *g = golden; g->name != NULL; g++) {
		struct config c;
		config_defaults(&c);
		write_file(g->toml, strlen(g->toml));
		int rc = config_read_file(&c, path, err, sizeof(err));
		if (g->want != NULL) {
			if (rc != 0)
				fprintf(stderr, "%s: unexpected error: %s\n", g->name, err);
			CHECK(rc == 0 && check_settings(g, &c));
			continue;
		}
		int ok = rc == -1 && strncmp(err, path, plen) == 0 && err[plen] == ':' &&
		    strncmp(err + plen + 1, g->err, strlen(g->err)) == 0;
		if (!ok)
			fprintf(stderr, "%s: got rc %d '%s', expected '%s'\n", g->name, rc,
			    rc ? err : "", g->err);
		CHECK(ok);
	}
}

static void
test_nul_and_size(void)
{
	struct config c;
	char err[1024];

	config_defaults(&c);
	write_file("[server]\nport = 1\0\n", 19);
	CHECK_INT(config_read_file(&c, path, err, sizeof(err)), -1);
	CHECK(strstr(err, ":2: NUL byte in the file") != NULL);

	size_t big = (size_t)CONFIG_MAX_FILE + 10;
	char *text = malloc(big);
	memset(text, '#', big);
	text[0] = '\n';
	write_file(text, big);
	free(text);
	config_defaults(&c);
	CHECK_INT(config_read_file(&c, path, err, sizeof(err)), -1);
	CHECK(strstr(err, "larger than") != NULL);

	config_defaults(&c);
	CHECK_INT(config_read_file(&c, "/nonexistent/torc.toml", err, sizeof(err)), -1);
	CHECK(strstr(err, "cannot open config file /nonexistent/torc.toml") != NULL);
}

static void
test_sources_and_origins(void)
{
	struct config c;
	char err[1024], where[600];

	write_text("[server]\n\nport = 9000\nrequire_auth = true\nadmin_users = [\"f1\", \"f2\"]\n"
	    "enforce_access_control = true\nhost = \"filehost\"\n");
	config_defaults(&c);
	CHECK_INT(config_read_file(&c, path, err, sizeof(err)), 0);
	int port = config_key_index("port");
	CHECK_INT(c.src[port], SRC_FILE);
	snprintf(where, sizeof(where), "%s:3", path);
	CHECK_STR(c.origin[port], where);
	CHECK_STR(c.config_file, path);
	CHECK(c.origin[config_key_index("database")] == NULL);
	CHECK_INT(c.src[config_key_index("database")], SRC_DEFAULT);

	/* config_load: file, then TORC_SERVER__*, then TORC_*. */
	setenv("TORC_CONFIG", path, 1);
	setenv("TORC_SERVER__PORT", "9100", 1);
	setenv("TORC_SERVER__HOST", "torchost", 1);
	setenv("TORC_HOST", "envhost", 1);
	setenv("TORC_REQUIRE_AUTH", "false", 1);
	setenv("TORC_ENFORCE_ACCESS_CONTROL", "Off", 1);
	setenv("TORC_ADMIN_USERS", "e1, e2 ,e1", 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), 0);
	CHECK_INT(c.port, 9100);
	CHECK_INT(c.src[port], SRC_ENV);
	CHECK_STR(c.origin[port], "TORC_SERVER__PORT");
	CHECK_STR(c.host, "envhost");
	CHECK_STR(c.origin[config_key_index("host")], "TORC_HOST");
	CHECK_INT(c.require_auth, 0);
	CHECK_INT(c.enforce_access_control, 0);
	CHECK_INT(c.nadmin, 2);
	CHECK_STR(c.admin_users[0], "e1");
	CHECK_STR(c.admin_users[1], "e2");

	/* Flags (config_set with SRC_FLAG) beat everything, defaults included. */
	CHECK_INT(config_set(&c, port, "8080", SRC_FLAG, err, sizeof(err)), 0);
	CHECK_INT(c.port, 8080);
	CHECK_INT(c.src[port], SRC_FLAG);
	/* Repeated list flags add up; the first one replaced the env list. */
	int adm = config_key_index("--admin-user");
	CHECK_INT(config_set(&c, adm, "x", SRC_FLAG, err, sizeof(err)), 0);
	CHECK_INT(config_set(&c, adm, "y,z", SRC_FLAG, err, sizeof(err)), 0);
	CHECK_INT(c.nadmin, 3);
	CHECK_STR(c.admin_users[0], "x");
	CHECK_STR(c.admin_users[2], "z");
	/* An empty flag empties it. */
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), 0);
	CHECK_INT(config_set(&c, adm, "", SRC_FLAG, err, sizeof(err)), 0);
	CHECK_INT(c.nadmin, 0);

	/* A bad variable is an error that names it. */
	setenv("TORC_PORT", "eighty", 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), -1);
	CHECK_STR(err, "TORC_PORT: port: 'eighty' is not an integer");
	unsetenv("TORC_PORT");
	setenv("TORC_REQUIRE_AUTH", "", 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), -1);
	CHECK_STR(err, "TORC_REQUIRE_AUTH: require_auth: '' is not a boolean (true or false)");
	unsetenv("TORC_REQUIRE_AUTH");

	/* "" unsets an optional string from a later source. */
	write_text("[server]\nauth_file = \"/etc/ht\"\ncache_dir = \"/c\"\n");
	setenv("TORC_AUTH_FILE", "", 1);
	setenv("TORC_CACHE_DIR", "", 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), 0);
	CHECK(c.auth_file == NULL);
	CHECK(c.cache_dir == NULL);
	char *v = config_value_text(&c, config_key_index("auth_file"));
	CHECK_STR(v, "");
	free(v);
	unsetenv("TORC_AUTH_FILE");
	unsetenv("TORC_CACHE_DIR");

	/* TORC_CONFIG=none (or empty) reads no file, even a broken one. */
	write_text("[server]\nport = broken\n");
	setenv("TORC_CONFIG", "none", 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), 0);
	CHECK(c.config_file == NULL);
	setenv("TORC_CONFIG", "", 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), 0);
	setenv("TORC_CONFIG", path, 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), -1);
	setenv("TORC_CONFIG", "/nonexistent/torc.toml", 1);
	config_defaults(&c);
	CHECK_INT(config_load(&c, err, sizeof(err)), -1);

	unsetenv("TORC_CONFIG");
	unsetenv("TORC_SERVER__PORT");
	unsetenv("TORC_SERVER__HOST");
	unsetenv("TORC_HOST");
	unsetenv("TORC_ENFORCE_ACCESS_CONTROL");
	unsetenv("TORC_ADMIN_USERS");
}

static void
test_booleans_and_flags(void)
{
	struct config c;
	char err[512];
	int b;
	static const char *yes[] = { "true", "TRUE", "yes", "on", "1", NULL };
	static const char *no[] = { "false", "False", "no", "off", "0", NULL };

	for (int i = 0; yes[i]; i++)
		CHECK(config_parse_bool(yes[i], &b) == 0 && b == 1);
	for (int i = 0; no[i]; i++)
		CHECK(config_parse_bool(no[i], &b) == 0 && b == 0);
	CHECK_INT(config_parse_bool("maybe", &b), -1);
	CHECK_INT(config_parse_bool("", &b), -1);

	config_defaults(&c);
	int ra = config_key_index("--require-auth");
	CHECK_INT(config_set(&c, ra, "true", SRC_FILE, err, sizeof(err)), 0);
	CHECK_INT(config_set(&c, ra, "false", SRC_FLAG, err, sizeof(err)), 0);
	CHECK_INT(c.require_auth, 0);
	CHECK_INT(config_key_index("--url"), config_key_index("host"));
	CHECK_INT(config_key_index("--no-such"), -1);
	CHECK_INT(config_key_index("url"), -1);		/* the file alias is the reader's */

	int takes = -1;
	CHECK(config_ignored_flag("--threads", &takes) != NULL && takes == 1);
	CHECK(config_ignored_flag("--json-logs", &takes) != NULL && takes == 0);
	CHECK(config_ignored_flag("--port", &takes) == NULL);

	/* Every key has a variable TORC_<KEY> and a flag; room in src[]. */
	CHECK(config_nkeys <= CONFIG_MAX_KEYS);
	for (int i = 0; i < config_nkeys; i++) {
		char env[128];
		snprintf(env, sizeof(env), "TORC_%s", config_keys[i].key);
		for (char *p = env; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		CHECK_STR(config_keys[i].env, env);
		CHECK(strncmp(config_keys[i].flag, "--", 2) == 0);
	}
}

static void
test_notes(void)
{
	struct config c;
	char err[512];

	write_text("[server]\nthreads = 8\nurl = \"h\"\n[server.logging]\nlog_dir = \"/l\"\n"
	    "admin_users = [\"a\"]\n");
	config_defaults(&c);
	CHECK_INT(config_read_file(&c, path, err, sizeof(err)), 0);
	CHECK_INT(c.nnotes, 4);
	CHECK(c.nnotes > 0 && strstr(c.notes[0], ":2: threads is ignored") != NULL);
	CHECK(c.nnotes > 1 && strstr(c.notes[1], ":3: url is Torc's name for host") != NULL);
	CHECK(c.nnotes > 2 && strstr(c.notes[2], ":4: [server.logging] is ignored") != NULL);
	CHECK(c.nnotes > 3 && strstr(c.notes[3], ":6: admin_users under [server.logging]") != NULL);
	CHECK_INT(c.nadmin, 0);
	for (int i = 0; i < CONFIG_MAX_NOTES + 5; i++)
		config_note(&c, "n%d", i);
	CHECK_INT(c.nnotes, CONFIG_MAX_NOTES);
}

int
main(void)
{
	log_set_level(LOG_OFF);
	unsetenv("TORC_CONFIG");
	/* The settings under test come from this program only. */
	for (char **e = environ; *e; ) {
		if (strncmp(*e, "TORC_", 5) == 0) {
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(*e, "="), *e);
			unsetenv(name);
			continue;
		}
		e++;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/torc.toml", tmpdir);
	test_golden();
	test_nul_and_size();
	test_sources_and_origins();
	test_booleans_and_flags();
	test_notes();
	unlink(path);
	rmdir(tmpdir);
	config_release();
	return check_done();
}
