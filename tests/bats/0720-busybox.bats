#!/usr/bin/env bats
# busybox httpd with share/deploy/busybox/torc.toml as written but for the
# paths and port: the API with authentication disabled works; an auth file
# refuses to start with the reason, whichever way it is set.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	sed -e "s|/var/lib/torc|$T/data|" "$ROOT/share/deploy/busybox/torc.toml" >"$T/torc.toml"
}

teardown() { stop_server; }

@test "busybox recipe: the API below /cgi-bin, callers anonymous" {
	# start_server's --port and --database win over the file's (flags > file);
	# host and web_server come from it.
	TORC_CONFIG="$T/torc.toml" start_server
	[[ "$BASE" == "http://127.0.0.1:$PORT/cgi-bin/torc-service/v1" ]]
	api GET /ping
	expect_code 200
	api POST /workflows '{"name":"bb","user":"carol"}'
	expect_code 200
	expect_json .user carol
	id=$(jqb .id)
	api GET "/workflows/$id"
	expect_code 200
	expect_json .name bb
	# Credentials change nothing: busybox keeps the header to itself.
	api_as alice:pw POST /workflows '{"name":"probe"}'
	expect_code 400
	[[ "$body" == *"missing required field 'user'"* ]]
	api GET /no_such_route
	expect_code 404
}

@test "busybox recipe with an auth file refuses to start and says what works" {
	htpasswd -nbB -C 4 alice pw 2>/dev/null | grep . >"$T/htpasswd"
	local port
	port=$(free_port)
	run env TORC_CONFIG="$T/torc.toml" TORC_AUTH_FILE="$T/htpasswd" \
		"$ROOT/build/sbin/torc-server" run --port "$port"
	[ "$status" -eq 102 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"busybox httpd does not pass the Authorization header"* ]]
	[[ "$output" == *"lighttpd"*"Apache or nginx"* ]]
	printf 'auth_file = "%s"\nrequire_auth = true\n' "$T/htpasswd" >>"$T/torc.toml"
	run env TORC_CONFIG="$T/torc.toml" "$ROOT/build/sbin/torc-server" run --port "$port"
	[ "$status" -eq 102 ]
	[[ "$output" == *"does not pass the Authorization header"* ]]
	! (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null
	# Dropping web_server (lighttpd, the default) makes the same file work.
	sed -i '/^web_server/d' "$T/torc.toml"
	TORC_CONFIG="$T/torc.toml" start_server
	api_as alice:pw POST /workflows '{"name":"probe"}'
	expect_code 200
	expect_json .user alice
}
