#!/usr/bin/env bats
# The authentication events, word for word as the Torc security reference
# lists them, with target torc::server::auth; and the promise behind them:
# no password, no Authorization value and no stored hash ever reaches a
# log line at any level, nor the cache folder or the database.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	HT="$BATS_TEST_TMPDIR/htpasswd"
	{
		htpasswd -nbB -C 4 alice 'Alice-Secret-4450'
		htpasswd -nbB -C 4 bob 'Bob:Secret:4450'
	} | grep . >"$HT"
}

teardown() { stop_server; }

# serve [flags]: start_server, called where errexit is off so that its
# retry after a taken port works; prints the server's output on failure.
serve() {
	start_server "$@" || { echo "start_server failed:" >&2; cat "$SERVER_LOG" >&2; return 1; }
}

# wait_line N LINE: LINE (whole, fixed) at least N times in the log.
wait_line() {
	local i
	for i in $(seq 1 100); do
		[ "$(grep -cFx -- "$2" "$SERVER_LOG")" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "expected $1 x '$2' in:" >&2
	cat "$SERVER_LOG" >&2
	return 1
}
nlines() { grep -cFx -- "$1" "$SERVER_LOG" || true; }

T=torc::server::auth

@test "required mode: success, failure and missing credentials, word for word" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth
	api_as 'alice:Alice-Secret-4450' GET /ping
	wait_line 1 "DEBUG $T: User 'alice' authenticated successfully"
	api_as 'alice:Alice-Secret-4451' GET /ping
	wait_line 1 "WARN $T: Authentication failed for user 'alice'"
	api_as 'mallory:Alice-Secret-4450' GET /ping
	wait_line 1 "WARN $T: Authentication failed for user 'mallory'"
	api GET /ping
	wait_line 1 "WARN $T: Authentication required but no credentials provided"
	# A malformed header counts as no credentials (with a DEBUG hint).
	curl -s -o /dev/null -H 'Authorization: Basic !!!' "$BASE/ping"
	wait_line 2 "WARN $T: Authentication required but no credentials provided"
	wait_line 1 "DEBUG $T: Ignoring a malformed or non-Basic Authorization header"
	api_as 'alice:Alice-Secret-4450' GET /ping
	wait_line 1 "DEBUG $T: User 'alice' authenticated from cache"
	wait_line 2 "DEBUG $T: User 'alice' authenticated successfully"
	# Every auth line has the target and one of the known texts.
	run -0 grep "$T" "$SERVER_LOG"
	[ "${#lines[@]}" -eq 8 ]
}

@test "optional and disabled modes log their own lines" {
	LOG_LEVEL=debug serve --auth-file "$HT"
	api GET /ping
	wait_line 1 "DEBUG $T: No credentials provided, allowing anonymous access"
	api_as 'bob:Bob:Secret:4450' GET /ping
	wait_line 1 "DEBUG $T: User 'bob' authenticated successfully"
	api_as 'bob:Bob:Secret' GET /ping
	wait_line 1 "WARN $T: Authentication failed for user 'bob'"
	[ "$(grep -c 'Authentication required' "$SERVER_LOG")" -eq 0 ]
	stop_server
	LOG_LEVEL=debug serve
	api GET /ping
	api_as 'bob:Bob:Secret:4450' GET /version
	wait_line 2 "DEBUG $T: No authentication configured, allowing request"
	[ "$(grep -c "User 'bob'" "$SERVER_LOG")" -eq 0 ]
}

@test "at the default level only the warnings show" {
	serve --auth-file "$HT" --require-auth
	api_as 'alice:Alice-Secret-4450' GET /ping
	api_as 'alice:Alice-Secret-4450' GET /ping
	api_as 'alice:nope' GET /ping
	api GET /ping
	wait_line 1 "WARN $T: Authentication failed for user 'alice'"
	wait_line 1 "WARN $T: Authentication required but no credentials provided"
	[ "$(grep -c '^DEBUG' "$SERVER_LOG")" -eq 0 ]
	stop_server
	serve --log-level error --auth-file "$HT" --require-auth
	api_as 'alice:nope' GET /ping
	expect_code 401
	api GET /workflows
	expect_code 401
	[ "$(grep -c "$T" "$SERVER_LOG")" -eq 0 ]
}

@test "a user name cannot forge log lines" {
	LOG_LEVEL=debug serve --auth-file "$HT"
	local t
	t=$(printf 'eve\r\nINFO torc_server forged\n:x' | base64 -w0)
	curl -s -o /dev/null -H "Authorization: Basic $t" "$BASE/ping"
	wait_line 1 "WARN $T: Authentication failed for user 'eve??INFO torc_server forged?'"
	[ "$(grep -c '^INFO torc_server forged' "$SERVER_LOG")" -eq 0 ]
}

@test "no password, Authorization value or hash in any log, the cache or the database" {
	local extra="$BATS_TEST_TMPDIR/extra"
	{
		htpasswd -nbp carol 'Carol-Plain-4450'	# plain text: refused, never echoed
		htpasswd -nbd dave 'DaveDes4'		# DES: refused, never echoed
		htpasswd -nbB -C 4 erin 'Erin-Secret-4450'
		htpasswd -nbB -C 4 erin 'Erin-Second-4450'	# duplicate: warned about
	} 2>/dev/null | grep . >>"$HT"
	LOG_LEVEL=trace serve --auth-file "$HT" --require-auth
	local -a pw=(Alice-Secret-4450 'Bob:Secret:4450' Carol-Plain-4450 DaveDes4
		Erin-Secret-4450 Erin-Second-4450 Wrong-Secret-4450 'Bob:Secret')
	local -a creds=('alice:Alice-Secret-4450' 'alice:Wrong-Secret-4450'
		'bob:Bob:Secret:4450' 'bob:Bob:Secret' 'carol:Carol-Plain-4450'
		'dave:DaveDes4' 'erin:Erin-Secret-4450' 'erin:Erin-Second-4450'
		'nobody:Wrong-Secret-4450')
	local -a tokens=()
	local c t
	for c in "${creds[@]}"; do
		t=$(printf '%s' "$c" | base64 -w0)
		tokens+=("$t")
		curl -s -o /dev/null -H "Authorization: Basic $t" "$BASE/ping"
		curl -s -o /dev/null -H "Authorization: basic $t" -X POST \
			-d '{"name":"w"}' "$BASE/workflows"
	done
	# Malformed and over-long values built around a password.
	t=$(printf 'alice\0:Alice-Secret-4450' | base64 -w0)
	tokens+=("$t")
	curl -s -o /dev/null -H "Authorization: Basic $t" "$BASE/ping"
	t=$(printf 'aliceAlice-Secret-4450' | base64 -w0)
	tokens+=("$t")
	curl -s -o /dev/null -H "Authorization: Basic $t" "$BASE/ping"
	curl -s -o /dev/null -H "Authorization: Basic Alice-Secret-4450" "$BASE/ping"
	curl -s -o /dev/null -H "Authorization: Alice-Secret-4450" "$BASE/ping"
	t=$(printf 'alice:Alice-Secret-4450%9000s' x | base64 -w0)
	tokens+=("${t:0:40}")
	curl -s -o /dev/null -H "Authorization: Basic $t" "$BASE/ping"
	# The credentials as curl sends them, in a URL too.
	curl -s -o /dev/null "http://alice:Alice-Secret-4450@localhost:$PORT/torc-service/v1/ping"
	api_as 'alice:Alice-Secret-4450' GET /ping
	expect_code 200
	# Let the last CGI finish writing, then look everywhere.
	sleep 0.3
	[ -d "$DBDIR/auth-cache" ]
	grep -q "^TRACE\|^DEBUG $T" "$SERVER_LOG"
	local -a hashes
	mapfile -t hashes < <(cut -d: -f2- "$HT")
	for s in "${pw[@]}" "${tokens[@]}" "${hashes[@]}"; do
		[ -n "$s" ]
		if grep -rlaF -- "$s" "$SERVER_LOG" "$DBDIR"; then
			echo "leaked: $s" >&2
			return 1
		fi
	done
	[ "$(grep -ci 'authorization: \|HTTP_AUTHORIZATION' "$SERVER_LOG")" -eq 0 ]
	# Salt and digest halves of the hashes stay out too.
	for s in "${hashes[@]}"; do
		[ "${#s}" -eq 60 ] || continue
		[ "$(grep -rlaF -- "${s:29}" "$SERVER_LOG" "$DBDIR" | wc -l)" -eq 0 ]
		[ "$(grep -rlaF -- "${s:7:22}" "$SERVER_LOG" "$DBDIR" | wc -l)" -eq 0 ]
	done
}
