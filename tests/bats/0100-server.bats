#!/usr/bin/env bats
# torc-server run: startup, base URL, errors, clean shutdown.

load helpers

teardown() { stop_server; }

@test "run prints the base URL and serves ping and version" {
	start_server
	[[ "$BASE" == "http://localhost:$PORT/torc-service/v1" ]]
	api GET /ping
	expect_code 200
	expect_json .status ok
	api GET /version
	expect_code 200
	[[ "$(jqb .)" == 0.10.* ]]
}

@test "SIGINT stops the server and leaves nothing running" {
	start_server
	local conf
	conf=$(ls -d /tmp/torc-server.* 2>/dev/null | wc -l)
	pid=$SERVER_PID
	children=$(pgrep -P "$pid" | tr '\n' ' ')
	[ -n "$children" ]
	kill -INT "$pid"
	wait "$pid"
	SERVER_PID=
	for c in $children; do ! kill -0 "$c" 2>/dev/null; done
	! (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null
	# nothing was in progress, so nothing was waited for
	! grep -q 'waiting for requests in progress' "$SERVER_LOG"
}

@test "a stop waits for requests in progress: they commit, and nothing is left running" {
	# Each create sleeps 7 s before its commit: past the 5 s that
	# torc-server gives lighttpd before killing it, so the CGI outlives
	# its web server and torc-server (its subreaper) must wait for it.
	TORC_FAULT=before-commit TORC_FAULT_SLEEP_MS=7000 start_server
	curl -s -o "$BATS_TEST_TMPDIR/slow.out" --max-time 30 -X POST \
		-d '{"name":"slow","user":"u"}' "$BASE/workflows" 3>&- &
	local curl_pid=$!
	for _ in $(seq 1 100); do
		grep -q 'FAULT: pid .* sleeps' "$SERVER_LOG" && break
		sleep 0.05
	done
	grep -q 'FAULT: pid .* sleeps' "$SERVER_LOG"
	local cgi
	cgi=$(sed -n 's/.*FAULT: pid \([0-9]*\) sleeps.*/\1/p' "$SERVER_LOG" | head -1)
	kill -INT "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	SERVER_PID=
	wait "$curl_pid" || true
	[ "$st" -eq 0 ]
	! kill -0 "$cgi" 2>/dev/null
	grep -q 'waiting for requests in progress to finish' "$SERVER_LOG"
	# The request committed although its client lost the answer.
	TORC_CONFIG=none "$ROOT/build/sbin/torc-admin" db stats --database "$DBDIR" --json >"$BATS_TEST_TMPDIR/stats"
	[ "$(jq -r '.tables.workflows.records' "$BATS_TEST_TMPDIR/stats")" = 1 ]
}

@test "SIGTERM stops the server with exit 0" {
	start_server
	kill -TERM "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	SERVER_PID=
	[ "$st" -eq 0 ]
}

@test "a port already in use is a one-line error and non-zero exit" {
	start_server
	run "$ROOT/build/sbin/torc-server" run --port "$PORT" --database "$BATS_TEST_TMPDIR/db2"
	[ "$status" -ne 0 ]
	[[ "$output" == *"port $PORT on localhost is already in use"* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "an unwritable database folder is an error" {
	if [ "$(id -u)" = 0 ]; then
		# root can write anywhere: use a path under a regular file instead
		touch "$BATS_TEST_TMPDIR/afile"
		run "$ROOT/build/sbin/torc-server" run --port 1 --database "$BATS_TEST_TMPDIR/afile/db"
	else
		mkdir -p "$BATS_TEST_TMPDIR/ro"; chmod 500 "$BATS_TEST_TMPDIR/ro"
		run "$ROOT/build/sbin/torc-server" run --port 1 --database "$BATS_TEST_TMPDIR/ro/db"
	fi
	[ "$status" -ne 0 ]
	[[ "$output" == *"torc-server: fatal:"* ]]
}

@test "a missing web server is an error naming it" {
	run env TORC_LIGHTTPD=/nonexistent/lighttpd "$ROOT/build/sbin/torc-server" run \
		--port "$(free_port)" --database "$BATS_TEST_TMPDIR/db"
	[ "$status" -eq 102 ]
	[[ "$output" == *"web server 'lighttpd' not found"* ]]
}

@test "unknown flag and bad values name the setting" {
	run "$ROOT/build/sbin/torc-server" run --bogus
	[ "$status" -eq 100 ]
	[[ "$output" == *"unknown option '--bogus'"* ]]
	run "$ROOT/build/sbin/torc-server" run --port notaport
	[ "$status" -eq 100 ]
	[[ "$output" == *"port"* ]]
	run env TORC_CREDENTIAL_CACHE_TTL_SECS=abc "$ROOT/build/sbin/torc-server" run
	[ "$status" -eq 102 ]
	[[ "$output" == *"TORC_CREDENTIAL_CACHE_TTL_SECS"* ]]
}

@test "--require-auth without --auth-file refuses to start" {
	run "$ROOT/build/sbin/torc-server" run --require-auth --port "$(free_port)" --database "$BATS_TEST_TMPDIR/db"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--require-auth specified but no --auth-file provided"* ]]
}

@test "torc.toml settings apply, environment beats file, flags beat both" {
	cat >"$BATS_TEST_TMPDIR/torc.toml" <<TOML
[client]
url = "ignored"
[server]
log_level = "debug"   # comment
credential_cache_ttl_secs = 5
admin_users = ["alice", "bob"]
TOML
	run env TORC_CONFIG="$BATS_TEST_TMPDIR/torc.toml" TORC_CREDENTIAL_CACHE_TTL_SECS=7 \
		"$ROOT/build/sbin/torc-server" show-config --log-level warn
	[ "$status" -eq 0 ]
	[[ "$output" == *"log_level"*"= warn"*"# flag"* ]]
	[[ "$output" == *"credential_cache_ttl_secs"*"= 7"*"# environment"* ]]
	[[ "$output" == *"admin_users"*"= alice,bob"*"# file"* ]]
}

@test "an unparsable torc.toml value is an error naming key and line" {
	printf '[server]\nport = "x"\n' >"$BATS_TEST_TMPDIR/bad.toml"
	run env TORC_CONFIG="$BATS_TEST_TMPDIR/bad.toml" "$ROOT/build/sbin/torc-server" show-config
	[ "$status" -eq 102 ]
	[[ "$output" == *"bad.toml:2"*"port"* ]]
	printf '[server]\nprot = 1\n' >"$BATS_TEST_TMPDIR/bad2.toml"
	run env TORC_CONFIG="$BATS_TEST_TMPDIR/bad2.toml" "$ROOT/build/sbin/torc-server" show-config
	[ "$status" -eq 102 ]
	[[ "$output" == *"unknown key 'prot'"* ]]
}

@test "busybox httpd serves the API under /cgi-bin" {
	start_server --web-server busybox
	[[ "$BASE" == "http://localhost:$PORT/cgi-bin/torc-service/v1" ]]
	api GET /ping
	expect_code 200
	api POST /workflows '{"name":"bb","user":"u"}'
	expect_code 200
	api GET "/workflows/$(jqb .id)"
	expect_code 200
	expect_json .name bb
}

@test "busybox with an auth file refuses to start with an explanation" {
	htpasswd -nbB -C 4 alice pw >"$BATS_TEST_TMPDIR/htpasswd" 2>/dev/null || echo 'alice:$2y$04$abcdefghijklmnopqrstuu5MtZ6W5eNmqYrN7u3cZc5ZKxHqk4Rq' >"$BATS_TEST_TMPDIR/htpasswd"
	run "$ROOT/build/sbin/torc-server" run --web-server busybox --auth-file "$BATS_TEST_TMPDIR/htpasswd" --port "$(free_port)" --database "$BATS_TEST_TMPDIR/db"
	[ "$status" -eq 102 ]
	[[ "$output" == *"does not pass the Authorization header"* ]]
}
