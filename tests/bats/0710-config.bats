#!/usr/bin/env bats
# Configuration: torc.toml [server], TORC_* variables and torc-server flags.
# Precedence flags > environment > file > defaults, with the real Torc's
# quirks fixed: a flag set to its default still wins, booleans turn off
# from every source, and a bad value is an error naming the key and line
# (Torc silently falls back to all defaults).  show-config prints where each
# value came from.  The TOML reader's own cases are in tests/unit/test_config.c.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	unset TORC_SERVER__PORT TORC_SERVER__HOST TORC_SERVER__URL TORC_DURABLE TORC_HTTPS \
		TORC_WEB_SERVER TORC_RUNTIME_DIR TORC_IDLE_EXIT_SECS TORC_TLS_CERT TORC_TLS_KEY
}

teardown() { stop_server; }

show() {
	run --separate-stderr "$ROOT/build/sbin/torc-server" show-config "$@"
}

# line KEY: the show-config line of KEY, blanks squeezed.
line() {
	grep "^$1 " <<<"$output" | tr -s ' '
}

@test "show-config lists every setting once, with its source" {
	show
	[ "$status" -eq 0 ]
	for k in host port database log_level web_server auth_file require_auth \
		enforce_access_control admin_users credential_cache_ttl_secs cache_dir \
		trust_remote_user durable https tls_cert tls_key runtime_dir idle_exit_secs; do
		[ "$(grep -c "^$k " <<<"$output")" -eq 1 ] || { echo "missing $k"; return 1; }
	done
	[ "$(line port)" = "port = 8080 # default" ]
	[ "$(line host)" = "host = localhost # default" ]
	[ "$(line auth_file)" = "auth_file = (unset) # default" ]
	[ "$(line admin_users)" = "admin_users = (none) # default" ]
	[[ "$output" == *"# no config file read (/etc/torc/torc.toml does not exist)"* ]] ||
		[[ "$output" == *"flags > environment > /etc/torc/torc.toml > defaults"* ]]
}

@test "flags > environment > file > defaults, and a flag at its default still wins" {
	printf '[server]\nport = 9000\ncredential_cache_ttl_secs = 5\nlog_level = "debug"\n' >"$T/torc.toml"
	export TORC_CONFIG="$T/torc.toml"
	show
	[ "$(line port)" = "port = 9000 # file $T/torc.toml:2" ]
	[ "$(line credential_cache_ttl_secs)" = "credential_cache_ttl_secs = 5 # file $T/torc.toml:3" ]
	TORC_PORT=9100 show
	[ "$(line port)" = "port = 9100 # environment TORC_PORT" ]
	# Torc drops a flag equal to its default; here --port 8080 beats both.
	TORC_PORT=9100 show --port 8080
	[ "$(line port)" = "port = 8080 # flag --port" ]
	TORC_PORT=9100 show --port=8080 --log-level info --credential-cache-ttl-secs 60
	[ "$(line port)" = "port = 8080 # flag --port" ]
	[ "$(line log_level)" = "log_level = info # flag --log-level" ]
	[ "$(line credential_cache_ttl_secs)" = "credential_cache_ttl_secs = 60 # flag --credential-cache-ttl-secs" ]
	# Torc's layered spelling works too, below TORC_<KEY>.
	TORC_SERVER__PORT=9200 show
	[ "$(line port)" = "port = 9200 # environment TORC_SERVER__PORT" ]
	TORC_SERVER__PORT=9200 TORC_PORT=9300 show
	[ "$(line port)" = "port = 9300 # environment TORC_PORT" ]
}

@test "booleans turn off from every source" {
	printf '[server]\nrequire_auth = true\nenforce_access_control = true\nhttps = true\n' >"$T/on.toml"
	export TORC_CONFIG="$T/on.toml"
	show
	[ "$(line require_auth)" = "require_auth = true # file $T/on.toml:2" ]
	# Torc ORs booleans: a true in the file could not be turned off.
	TORC_REQUIRE_AUTH=false show
	[ "$(line require_auth)" = "require_auth = false # environment TORC_REQUIRE_AUTH" ]
	TORC_REQUIRE_AUTH=true show --require-auth=false --enforce-access-control false --no-https
	[ "$(line require_auth)" = "require_auth = false # flag --require-auth" ]
	[ "$(line enforce_access_control)" = "enforce_access_control = false # flag --enforce-access-control" ]
	[ "$(line https)" = "https = false # flag --no-https" ]
	for v in 0 no off FALSE; do
		TORC_ENFORCE_ACCESS_CONTROL=$v show
		[ "$(line enforce_access_control)" = "enforce_access_control = false # environment TORC_ENFORCE_ACCESS_CONTROL" ]
	done
	# A boolean flag alone is true, and does not swallow the next option.
	unset TORC_CONFIG
	show --trust-remote-user --durable false --port 8081
	[ "$(line trust_remote_user)" = "trust_remote_user = true # flag --trust-remote-user" ]
	[ "$(line durable)" = "durable = false # flag --durable" ]
	[ "$(line port)" = "port = 8081 # flag --port" ]
}

@test "the server honours a boolean turned off over the file" {
	printf '[server]\nenforce_access_control = true\n' >"$T/acl.toml"
	start_server --config "$T/acl.toml"
	api POST /workflows '{"name":"w","user":"u"}'
	expect_code 403
	stop_server
	# The file says true; the variable turns it off.
	TORC_ENFORCE_ACCESS_CONTROL=false start_server --config "$T/acl.toml"
	api POST /workflows '{"name":"w","user":"u"}'
	expect_code 200
	stop_server
	start_server --config "$T/acl.toml" --enforce-access-control=false
	api POST /workflows '{"name":"w","user":"u"}'
	expect_code 200
}

@test "admin_users: each source replaces the list; repeated flags add up" {
	printf '[server]\nadmin_users = ["f1", "f2"]\n' >"$T/a.toml"
	export TORC_CONFIG="$T/a.toml"
	show
	[ "$(line admin_users)" = "admin_users = f1,f2 # file $T/a.toml:2" ]
	TORC_ADMIN_USERS="e1, e2" show
	[ "$(line admin_users)" = "admin_users = e1,e2 # environment TORC_ADMIN_USERS" ]
	TORC_ADMIN_USERS="e1" show --admin-user x --admin-user y,z
	[ "$(line admin_users)" = "admin_users = x,y,z # flag --admin-user" ]
	show --admin-user=
	[ "$(line admin_users)" = "admin_users = (none) # flag --admin-user" ]
}

@test "bad values are errors naming the key and the line, never a fallback to defaults" {
	bad() {
		printf "$1" >"$T/bad.toml"
		run --separate-stderr env TORC_CONFIG="$T/bad.toml" "$ROOT/build/sbin/torc-server" show-config
		[ "$status" -eq 102 ] || { echo "status $status for: $1"; return 1; }
		[ "$output" = "" ]
		[[ "$stderr" == "torc-server: fatal: $T/bad.toml:$2"* ]] || { echo "got: $stderr"; return 1; }
	}
	bad '[server]\nport = "8080"\n' "2: port: expected an integer, got a string"
	bad '[server]\n\nprot = 1\n' "3: unknown key 'prot' in [server]"
	bad '[server]\nrequire_auth = yes\n' "2: require_auth: 'yes' is not a value (strings need quotes; booleans are true or false)"
	bad '[server]\nhost = localhost\n' "2: host: 'localhost' is not a value (strings need quotes; booleans are true or false)"
	bad '[server]\nport = 1\nport = 2\n' "3: port: set twice (first on line 2)"
	bad '[server]\nport = 70000\n' "2: port: 70000 is not a port (1-65535)"
	bad '[server]\nadmin_users = "alice"\n' '2: admin_users: expected an array of strings, ["alice", "bob"], got a string'
	bad '[server]\ncredential_cache_ttl_secs = -5\n' "2: credential_cache_ttl_secs: -5 is negative"
	bad '[server]\nlog_level = "loud"\n' "2: log_level: 'loud' is not a level (error, warn, info, debug, trace, off)"
	bad '[server]\nadmin_users = [\n  "a",\n  "b"\nport = 1\n' "5: admin_users: expected ',' or ']' in an array"
	bad '[server.tls]\ncert = "x"\n' "1: unknown table [server.tls]"
	bad '[client]\nurl = http://x\n' "2: url: 'http://x' is not a value"
	# Environment: the variable is named.
	run --separate-stderr env TORC_CREDENTIAL_CACHE_TTL_SECS=1m "$ROOT/build/sbin/torc-server" show-config
	[ "$status" -eq 102 ]
	[ "$stderr" = "torc-server: fatal: TORC_CREDENTIAL_CACHE_TTL_SECS: credential_cache_ttl_secs: '1m' is not an integer" ]
	run --separate-stderr env TORC_REQUIRE_AUTH=maybe "$ROOT/build/sbin/torc-server" run
	[ "$status" -eq 102 ]
	[[ "$stderr" == *"TORC_REQUIRE_AUTH: require_auth: 'maybe' is not a boolean (true or false)"* ]]
	# Flags: usage errors naming the flag.
	show --port eighty
	[ "$status" -eq 100 ]
	[ "$stderr" = "torc-server: --port: port: 'eighty' is not an integer" ]
	show --no-port
	[ "$status" -eq 100 ]
	[[ "$stderr" == *"unknown option '--no-port'"* ]]
	# A named file that is missing is an error too.
	run --separate-stderr env TORC_CONFIG="$T/nope.toml" "$ROOT/build/sbin/torc-server" show-config
	[ "$status" -eq 102 ]
	[[ "$stderr" == *"cannot open config file $T/nope.toml: No such file or directory"* ]]
}

@test "a CGI with a bad setting answers 500 naming it, not defaults" {
	start_server
	stop_server
	printf '[server]\nrequire_auth = 1\n' >"$T/bad.toml"
	run --separate-stderr env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
		SCRIPT_NAME=/torc-service/v1/ping PATH_INFO= QUERY_STRING= TORC_DATABASE="$DBDIR" \
		TORC_CONFIG="$T/bad.toml" "$ROOT/build/cgi-bin/torc-service/v1/ping"
	[[ "$output" == "Status: 500"* ]]
	[[ "$output" == *"bad.toml:2: require_auth: expected true or false, got an integer"* ]]
}

@test "settings reach the CGIs; an unset path unsets the file's value there" {
	HT="$T/htpasswd"
	htpasswd -nbB -C 4 alice 'alice-pw' | grep . >"$HT"
	printf '[server]\nauth_file = "%s"\nrequire_auth = true\n' "$HT" >"$T/auth.toml"
	start_server
	stop_server
	ping_cgi() {
		run --separate-stderr env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
			SCRIPT_NAME=/torc-service/v1/ping PATH_INFO= QUERY_STRING= TORC_DATABASE="$DBDIR" \
			TORC_CONFIG="$T/auth.toml" "$@" "$ROOT/build/cgi-bin/torc-service/v1/ping"
		code=$(head -1 <<<"$output" | tr -d '\r')
	}
	ping_cgi
	[ "$code" = "Status: 401 Unauthorized" ]
	# torc-server exports an unset auth_file as TORC_AUTH_FILE="": disabled.
	ping_cgi TORC_AUTH_FILE=
	[ "$code" = "Status: 200 OK" ]
	# Through the real server: the file asks for auth, the flags turn it off.
	start_server --config "$T/auth.toml" --auth-file= --require-auth=false --log-level debug
	api GET /ping
	expect_code 200
	grep -q 'No authentication configured, allowing request' "$SERVER_LOG"
	stop_server
	start_server --config "$T/auth.toml"
	api GET /ping
	expect_code 401
	api_as alice:alice-pw GET /ping
	expect_code 200
}

@test "a Torc config file is accepted: url is host, Torc-only keys are noted" {
	cat >"$T/torc.toml" <<'EOF'
# as written for the real Torc
[client]
api_url = "http://localhost:8080/torc-service/v1"
format = "table"

[server]
url = "127.0.0.1"
port = 8080
threads = 4
database = "/tmp/ignored-by-the-test.db"
log_level = "info"
https = false
completion_check_interval_secs = 30.0
admin_users = ["alice"]

[server.logging]
log_dir = "/var/log/torc"
json_logs = false
# Torc's template puts this here, where it does nothing.
admin_users = ["mallory"]

[dash]
port = 8090
EOF
	show --config "$T/torc.toml"
	[ "$status" -eq 0 ]
	[ "$(line host)" = "host = 127.0.0.1 # file $T/torc.toml:7" ]
	[ "$(line admin_users)" = "admin_users = alice # file $T/torc.toml:14" ]
	[[ "$output" == *"# note: $T/torc.toml:7: url is Torc's name for host: used as host"* ]]
	[[ "$output" == *"# note: $T/torc.toml:9: threads is ignored"* ]]
	[[ "$output" == *"# note: $T/torc.toml:13: completion_check_interval_secs is ignored"* ]]
	[[ "$output" == *"# note: $T/torc.toml:16: [server.logging] is ignored"* ]]
	[[ "$output" == *"# note: $T/torc.toml:20: admin_users under [server.logging] is ignored"* ]]
	# The server logs the same notes at start, as warnings.
	sed -i '/^database/d' "$T/torc.toml"
	start_server --config "$T/torc.toml"
	grep -q "^WARN torc_server: config: $T/torc.toml:9: threads is ignored" "$SERVER_LOG"
	api GET /ping
	expect_code 200
}

@test "Torc's run flags: --url is --host; --threads, --log-dir and friends are noted" {
	show --url 127.0.0.2 --threads 8 --completion-check-interval-secs=5 --log-dir /x --json-logs
	[ "$status" -eq 0 ]
	[ "$(line host)" = "host = 127.0.0.2 # flag --url" ]
	[[ "$output" == *"# note: --threads is ignored"* ]]
	[[ "$output" == *"# note: --completion-check-interval-secs is ignored"* ]]
	[[ "$output" == *"# note: --log-dir is ignored"* ]]
	[[ "$output" == *"# note: --json-logs is ignored"* ]]
	[[ "$stderr" == *"WARN torc_server: config: --threads is ignored"* ]]
}

@test "TORC_CONFIG=none (or --config=) reads no file, even a broken one" {
	printf '[server]\nport = broken\n' >"$T/broken.toml"
	TORC_CONFIG=none show
	[ "$status" -eq 0 ]
	[[ "$output" == *"# no config file read (TORC_CONFIG is empty or none)"* ]]
	TORC_CONFIG="$T/broken.toml" show --config=
	[ "$status" -eq 0 ]
	TORC_CONFIG="$T/broken.toml" show
	[ "$status" -eq 102 ]
}

@test "show-config takes the same flags as run and prints paths as given" {
	show --host 0.0.0.0 --https --tls-cert /etc/torc/cert.pem --tls-key /etc/torc/key.pem \
		--auth-file /etc/torc/htpasswd --cache-dir /var/cache/torc --database /var/lib/torc
	[ "$status" -eq 0 ]
	[ "$(line tls_key)" = "tls_key = /etc/torc/key.pem # flag --tls-key" ]
	[ "$(line auth_file)" = "auth_file = /etc/torc/htpasswd # flag --auth-file" ]
	[ "$(line database)" = "database = /var/lib/torc # flag --database" ]
	# No setting holds a secret: passwords are never settings.
	[[ "$output" != *"(redacted)"* ]]
}
