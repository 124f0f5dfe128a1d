#!/usr/bin/env bats
# Authentication modes through the real server: disabled (everyone is
# anonymous, the header is never read), optional (valid credentials name
# the user, anything else is anonymous and logged), required (anything
# but valid credentials is a 401 with a Basic challenge and a JSON body,
# on every route).  The identity is read back from the owner the server
# stamps on a workflow created without a "user" field: an anonymous
# caller gets 400 "missing required field 'user'" instead.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	HT="$BATS_TEST_TMPDIR/htpasswd"
	{
		htpasswd -nbB -C 4 alice 'alice-Pw-4410'
		htpasswd -nbB -C 4 bob 'bob:Pw:4410'
	} | grep . >"$HT"
}

teardown() { stop_server; }

# serve [flags]: start_server, called where errexit is off so that its
# retry after a taken port works; prints the server's output on failure.
serve() {
	start_server "$@" || { echo "start_server failed:" >&2; cat "$SERVER_LOG" >&2; return 1; }
}

# whoami [USER:PASS]: sets $who to the owner stamped on a new workflow,
# "anonymous" when the server asks for a "user" field, or "401".
whoami() {
	if [ -n "${1-}" ]; then
		api_as "$1" POST /workflows '{"name":"probe"}'
	else
		api POST /workflows '{"name":"probe"}'
	fi
	case "$code" in
	200) who=$(jqb .user) ;;
	400) [[ "$body" == *"missing required field 'user'"* ]] && who=anonymous || who="400: $body" ;;
	401) who=401 ;;
	*) who="$code: $body" ;;
	esac
}

# hdr_req HEADER-VALUE METHOD PATH: a raw Authorization header.
hdr_req() {
	local out="$BATS_TEST_TMPDIR/out" hd="$BATS_TEST_TMPDIR/hd"
	code=$(curl -s -o "$out" -D "$hd" -w '%{http_code}' -X "$2" \
		-H "Authorization: $1" --max-time 60 "$BASE$3")
	body=$(cat "$out")
	headers=$(tr -d '\r' <"$hd")
}

# wait_log N LINE: the log holds LINE (whole line, fixed) at least N times.
wait_log() {
	local i
	for i in $(seq 1 100); do
		[ "$(grep -cFx -- "$2" "$SERVER_LOG")" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "expected $1 x '$2' in:" >&2
	cat "$SERVER_LOG" >&2
	return 1
}

expect_challenge() {
	expect_code 401
	grep -qx 'WWW-Authenticate: Basic realm="Torc"' <<<"$headers"
	grep -qix 'Content-Type: application/json' <<<"$headers"
	[ "$(jqb .error.message)" = Unauthorized ]
}

@test "disabled: every request is anonymous, the header is ignored" {
	LOG_LEVEL=debug serve
	grep -qFx 'INFO torc_server: No htpasswd file configured, authentication disabled' "$SERVER_LOG"
	whoami
	[ "$who" = anonymous ]
	whoami 'alice:alice-Pw-4410'
	[ "$who" = anonymous ]
	whoami 'alice:wrong'
	[ "$who" = anonymous ]
	hdr_req 'Basic !!!' GET /ping
	expect_code 200
	# The body's "user" is the owner, as in Torc.
	api_as 'alice:alice-Pw-4410' POST /workflows '{"name":"w","user":"carol"}'
	expect_code 200
	expect_json .user carol
	wait_log 5 'DEBUG torc::server::auth: No authentication configured, allowing request'
	! grep -q 'authenticated\|Authentication failed' "$SERVER_LOG"
}

@test "optional: valid credentials name the user; anything else is anonymous and logged" {
	LOG_LEVEL=debug serve --auth-file "$HT"
	grep -qFx 'INFO torc_server: Authentication is OPTIONAL (backward compatible mode)' "$SERVER_LOG"
	whoami 'alice:alice-Pw-4410'
	[ "$who" = alice ]
	whoami 'bob:bob:Pw:4410'
	[ "$who" = bob ]
	whoami 'alice:wrong'
	[ "$who" = anonymous ]
	whoami 'nobody:alice-Pw-4410'
	[ "$who" = anonymous ]
	whoami
	[ "$who" = anonymous ]
	hdr_req 'Basic !!!' GET /workflows
	expect_code 200
	api GET /ping
	expect_code 200
	wait_log 1 "WARN torc::server::auth: Authentication failed for user 'alice'"
	wait_log 1 "WARN torc::server::auth: Authentication failed for user 'nobody'"
	wait_log 2 'DEBUG torc::server::auth: No credentials provided, allowing anonymous access'
	! grep -q 'Authentication required' "$SERVER_LOG"
}

@test "required: missing or invalid credentials get 401 on every route" {
	serve --auth-file "$HT" --require-auth
	grep -qFx 'INFO torc_server: Authentication is REQUIRED for all requests' "$SERVER_LOG"
	local p
	for p in /ping /version /workflows /workflows/1 /jobs /files/7 /nonexistent \
		/workflows/1/no/such/route; do
		api GET "$p"
		expect_challenge
		api_as 'alice:wrong' GET "$p"
		expect_challenge
		api_as 'nobody:alice-Pw-4410' GET "$p"
		expect_challenge
		hdr_req 'Basic !!!' GET "$p"
		expect_challenge
	done
	# Outside the API prefix too (the web server's 404 handler is a CGI).
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$PORT/nothing/here")
	[ "$code" = 401 ]
	for m in POST PUT DELETE PATCH; do
		api "$m" /workflows/1 '{"name":"x","user":"x"}'
		expect_challenge
	done
	whoami
	[ "$who" = 401 ]
	whoami 'alice:alice-Pw-4410'
	[ "$who" = alice ]
	api_as 'bob:bob:Pw:4410' GET /ping
	expect_code 200
	api_as 'bob:bob:Pw:4410' GET /version
	expect_code 200
}

@test "required: a refused request changes nothing" {
	serve --auth-file "$HT" --require-auth
	api POST /workflows '{"name":"sneaky","user":"mallory"}'
	expect_challenge
	api_as 'alice:wrong' POST /workflows '{"name":"sneaky","user":"mallory"}'
	expect_challenge
	api_as 'alice:alice-Pw-4410' POST /workflows '{"name":"mine"}'
	expect_code 200
	local id
	id=$(jqb .id)
	api DELETE "/workflows/$id"
	expect_challenge
	api_as 'alice:alice-Pw-4410' GET /workflows
	expect_code 200
	[ "$(jqb '[.items[].name] | join(",")')" = mine ]
}

@test "--require-auth without an auth file refuses to start" {
	run -102 "$ROOT/build/sbin/torc-server" run --port "$(free_port)" \
		--database "$BATS_TEST_TMPDIR/db" --require-auth
	[[ "$output" == *"--require-auth specified but no --auth-file provided"* ]]
	run -102 env TORC_REQUIRE_AUTH=true "$ROOT/build/sbin/torc-server" run \
		--port "$(free_port)" --database "$BATS_TEST_TMPDIR/db"
	[[ "$output" == *"no --auth-file provided"* ]]
	run -102 "$ROOT/build/sbin/torc-server" run --port "$(free_port)" \
		--database "$BATS_TEST_TMPDIR/db" --auth-file "$BATS_TEST_TMPDIR/missing"
	[[ "$output" == *"cannot read auth file $BATS_TEST_TMPDIR/missing"* ]]
	run -102 "$ROOT/build/sbin/torc-server" run --port "$(free_port)" \
		--database "$BATS_TEST_TMPDIR/db" --auth-file "$BATS_TEST_TMPDIR"
	[[ "$output" == *"cannot read auth file"* ]]
}

@test "the mode also comes from TORC_* variables and torc.toml" {
	TORC_AUTH_FILE="$HT" TORC_REQUIRE_AUTH=1 serve
	api GET /ping
	expect_challenge
	api_as 'alice:alice-Pw-4410' GET /ping
	expect_code 200
	stop_server
	printf '[server]\nauth_file = "%s"\nrequire_auth = true\n' "$HT" >"$BATS_TEST_TMPDIR/torc.toml"
	serve --config "$BATS_TEST_TMPDIR/torc.toml"
	api GET /version
	expect_challenge
	whoami 'bob:bob:Pw:4410'
	[ "$who" = bob ]
	# A flag turns the file's setting off.
	stop_server
	serve --config "$BATS_TEST_TMPDIR/torc.toml" --require-auth=false
	whoami
	[ "$who" = anonymous ]
}

@test "startup reports the file, the user count and every bad line" {
	{
		echo '# users'
		htpasswd -nbB -C 4 carol 'carol-Pw-4410' | grep .
		htpasswd -nbm md5user 'md5-Pw-4410' 2>/dev/null | grep .
		echo 'broken line'
		htpasswd -nbB -C 4 carol 'other-Pw-4410' | grep .
	} >>"$HT"
	serve --auth-file "$HT" --require-auth
	grep -qFx "INFO torc_server: Loading htpasswd file from: $HT" "$SERVER_LOG"
	grep -qFx 'INFO torc_server: Loaded 3 users from htpasswd file' "$SERVER_LOG"
	grep -qFx "WARN torc::server::htpasswd: Password hash for user 'md5user' at line 5 is not an accepted bcrypt hash (\$2a\$, \$2b\$ or \$2y\$): MD5 (apr1); refused" "$SERVER_LOG"
	grep -qFx "WARN torc::server::htpasswd: Invalid htpasswd line 6: no ':'; ignored" "$SERVER_LOG"
	grep -qFx "WARN torc::server::htpasswd: Duplicate user 'carol' at line 7 ignored: line 4 wins" "$SERVER_LOG"
	# The order of the startup lines, as in Torc.
	run -0 grep -E '^INFO torc_server: (Loading|Loaded|Authentication is)' "$SERVER_LOG"
	[ "${lines[0]%% from*}" = 'INFO torc_server: Loading htpasswd file' ]
	[ "${lines[1]}" = 'INFO torc_server: Loaded 3 users from htpasswd file' ]
	[ "${lines[2]}" = 'INFO torc_server: Authentication is REQUIRED for all requests' ]
}

@test "an htpasswd file without users starts with a warning; users added later work" {
	printf '# nobody yet\n\n' >"$HT"
	serve --auth-file "$HT" --require-auth
	grep -qFx 'INFO torc_server: Loaded 0 users from htpasswd file' "$SERVER_LOG"
	grep -q '^WARN torc_server: No valid users found in htpasswd file' "$SERVER_LOG"
	api_as 'dave:dave-Pw-4410' GET /ping
	expect_challenge
	htpasswd -nbB -C 4 dave 'dave-Pw-4410' >>"$HT"
	api_as 'dave:dave-Pw-4410' GET /ping
	expect_code 200
}
