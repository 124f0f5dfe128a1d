#!/usr/bin/env bats
# FastCGI: under lighttpd every resource's program runs resident and forks a
# child per request (lib/fcgi.c, docs/performance.md); torc-server starts
# the fronts and starts again one that dies (lib/fronts.c).  The request itself
# still runs in a process of its own, so what holds for a CGI holds here.

load helpers

CGI="$ROOT/build/cgi-bin/torc-service/v1"

teardown() {
	stop_server
	[ -z "${FRONT:-}" ] || kill "$FRONT" 2>/dev/null || true
}

# A FastCGI front of PROGRAM on SOCK, started by libfcgi's cgi-fcgi (an
# independent implementation of the spawning side), in environment ENV...
start_front() {
	local sock="$1" program="$2"; shift 2
	env -i PATH="$PATH" "$@" cgi-fcgi -start -connect "$sock" "$CGI/$program"
	for _ in $(seq 1 100); do
		FRONT=$(pgrep -f "^$CGI/$program\$" | head -1)
		[ -n "$FRONT" ] && [ -S "$sock" ] && return 0
		sleep 0.05
	done
	return 1
}

# first_request PROGRAM: the pid of a request of PROGRAM in progress (waits up to 3 s).
first_request() {
	local req
	for _ in $(seq 1 60); do
		req=$(request_pids "$1" | head -1)
		[ -n "$req" ] && { echo "$req"; return 0; }
		sleep 0.05
	done
	return 1
}

# fcgi_request SOCK ENV... < body: one request through cgi-fcgi, reply on stdout.
fcgi_request() {
	local sock="$1"; shift
	env -i PATH="$PATH" TZ=UTC TORC_CONFIG=none "$@" cgi-fcgi -bind -connect "$sock"
}

@test "torc-server runs one resident front per resource and lighttpd connects to it; each request is forked from it" {
	TORC_FAULT=before-commit TORC_FAULT_SLEEP_MS=1500 \
		start_server --runtime-dir "$BATS_TEST_TMPDIR/rt"
	conf="$BATS_TEST_TMPDIR/rt/lighttpd.conf"
	# every cgi-bin program but notfound (a plain CGI for 404s) is a front
	for src in "$ROOT"/cgi-bin/*.c; do
		name=$(basename "$src" .c)
		if [ "$name" = notfound ]; then
			! grep -q "\"/torc-service/v1/notfound\" =>" "$conf"
		else
			grep -q "\"/torc-service/v1/$name\" => ((" "$conf"
		fi
	done
	[ "$(front_pids | wc -l)" -eq $(($(ls "$ROOT"/cgi-bin/*.c | wc -l) - 1)) ]
	api GET /ping
	expect_code 200
	# a slow write is served by a child of the workflows front, with the same program
	curl -s -o "$BATS_TEST_TMPDIR/slow.out" --max-time 30 -X POST \
		-d '{"name":"slow","user":"u"}' "$BASE/workflows" 3>&- &
	curl_pid=$!
	req=$(first_request workflows)
	parent=$(ps -o ppid= -p "$req" | tr -d ' ')
	front_pids | grep -qx "$parent"
	[ "$(readlink "/proc/$parent/exe")" = "$CGI/workflows" ]
	wait "$curl_pid"
	jq -e '.name == "slow"' "$BATS_TEST_TMPDIR/slow.out"
	# it is gone once it has answered; the front stays
	for _ in $(seq 1 40); do [ -z "$(request_pids workflows)" ] && break; sleep 0.05; done
	[ -z "$(request_pids workflows)" ]
	kill -0 "$parent"
}

@test "--fastcgi=false runs every request as a plain CGI" {
	start_server --runtime-dir "$BATS_TEST_TMPDIR/rt" --fastcgi=false
	! grep -q fastcgi.server "$BATS_TEST_TMPDIR/rt/lighttpd.conf"
	[ -z "$(front_pids)" ]
	api POST /workflows '{"name":"w","user":"u"}'
	expect_code 200
	api GET "/workflows/$(jqb .id)"
	expect_code 200
	expect_json .name w
	run "$ROOT/build/sbin/torc-server" show-config --fastcgi=false
	[[ "$output" == *fastcgi*false* ]]
}

@test "no process of a request may write a core file (it would hold the Authorization header)" {
	for mode in true false; do
		TORC_FAULT=before-commit TORC_FAULT_SLEEP_MS=1500 start_server --fastcgi=$mode
		curl -s -o /dev/null --max-time 30 -u alice:secret -X POST \
			-d '{"name":"slow","user":"u"}' "$BASE/workflows" 3>&- &
		curl_pid=$!
		req=$(first_request workflows)
		for p in $req $(front_pids); do
			grep -Eq '^Max core file size +0 +0 ' "/proc/$p/limits"
		done
		wait "$curl_pid"
		stop_server
	done
}

@test "a runtime folder too long for socket paths falls back to plain CGI with a warning" {
	long="$BATS_TEST_TMPDIR/$(printf 'r%.0s' $(seq 1 100))"
	start_server --runtime-dir "$long"
	grep -q 'too long a path for FastCGI sockets' "$SERVER_LOG"
	[ -z "$(front_pids)" ]
	api GET /ping
	expect_code 200
}

@test "a killed request gets the web server's JSON error; its front serves the next one" {
	TORC_FAULT=before-commit TORC_FAULT_SLEEP_MS=3000 start_server
	curl -s -o "$BATS_TEST_TMPDIR/k.out" -w '%{http_code}' --max-time 30 -X POST \
		-d '{"name":"killed","user":"u"}' "$BASE/workflows" >"$BATS_TEST_TMPDIR/k.code" 3>&- &
	curl_pid=$!
	victim=$(first_request workflows)
	front=$(ps -o ppid= -p "$victim" | tr -d ' ')
	kill -KILL "$victim"
	wait "$curl_pid" || true
	code=$(cat "$BATS_TEST_TMPDIR/k.code")
	[[ "$code" == 5* ]]
	jq -e '.error.message | startswith("web server:")' "$BATS_TEST_TMPDIR/k.out"
	kill -0 "$front"
	api GET /ping
	expect_code 200
	api GET /workflows
	expect_code 200
	expect_json .total_count 0		# the killed create left nothing
}

# all_gone PID...: every one has ended (waits up to 5 s)
all_gone() {
	local p alive
	for _ in $(seq 1 100); do
		alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# front_of PROGRAM: the pid of PROGRAM's front
front_of() {
	local p
	for p in $(front_pids); do
		[ "$(readlink "/proc/$p/exe")" = "$CGI/$1" ] && echo "$p"
	done
	return 0
}

# new_front_of PROGRAM OLD: waits (up to 3 s) for a front of PROGRAM other than OLD
new_front_of() {
	local f
	for _ in $(seq 1 60); do
		f=$(front_of "$1")
		[ -n "$f" ] && [ "$f" != "$2" ] && { echo "$f"; return 0; }
		sleep 0.05
	done
	return 1
}

@test "a killed front is started again by torc-server and no request is lost" {
	start_server
	front=$(front_of ping)
	[ -n "$front" ]
	kill -KILL "$front"
	for _ in 1 2 3 4 5; do
		api GET /ping
		expect_code 200
	done
	[ "$(front_pids | wc -l)" -eq $(($(ls "$ROOT"/cgi-bin/*.c | wc -l) - 1)) ]
	grep -q "the ping front (pid $front) was killed by signal 9; starting it again" "$SERVER_LOG"
	# Killed again at once, it is started again only a second after its
	# last start; meanwhile requests wait on its socket instead of failing.
	again=$(new_front_of ping "$front")
	kill -KILL "$again"
	SECONDS=0
	api GET /ping
	expect_code 200
	[ "$SECONDS" -le 3 ]
	new_front_of ping "$again" >/dev/null
}

@test "a stopped front holds no request for ever: 504 after the front timeout, JSON" {
	start_server
	front=$(front_of ping)
	kill -STOP "$front"
	SECONDS=0
	code=$(curl -s -o "$BATS_TEST_TMPDIR/t.out" -w '%{http_code}' --max-time 60 "$BASE/ping")
	kill -CONT "$front"
	echo "$code after $SECONDS s: $(cat "$BATS_TEST_TMPDIR/t.out")" >&2
	[ "$code" = 504 ]
	# FRONT_TIMEOUT_S: a CGI's lifetime (20 s) plus 10
	[ "$SECONDS" -ge 29 ] && [ "$SECONDS" -le 40 ]
	jq -e '.error.message | startswith("web server: gateway timeout")' "$BATS_TEST_TMPDIR/t.out"
	api GET /ping
	expect_code 200
}

@test "two servers cannot share a runtime folder" {
	start_server --runtime-dir "$BATS_TEST_TMPDIR/rt"
	run "$ROOT/build/sbin/torc-server" run --port "$(free_port)" --database "$BATS_TEST_TMPDIR/db2" \
		--runtime-dir "$BATS_TEST_TMPDIR/rt"
	[ "$status" -ne 0 ]
	[[ "$output" == *"runtime folder $BATS_TEST_TMPDIR/rt is in use by another torc-server"* ]]
	api GET /ping
	expect_code 200
	[ -e "$BATS_TEST_TMPDIR/rt/lighttpd.conf" ]
}

@test "fronts killed under load are started again every time; the resource serves on" {
	start_server
	api POST /workflows '{"name":"w","user":"u"}'
	wf=$(jqb .id)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"j\",\"command\":\"true\"}"
	job=$(jqb .id)
	: >"$BATS_TEST_TMPDIR/codes"
	loops=()
	for _ in 1 2 3 4 5 6 7 8; do
		(
			while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
				curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 "$BASE/jobs/$job" \
					>>"$BATS_TEST_TMPDIR/codes"
			done
		) 3>&- &
		loops+=($!)
	done
	front=$(front_of jobs)
	for round in 1 2 3 4 5; do
		sleep 0.3
		kill -KILL "$front"
		front=$(new_front_of jobs "$front") || {
			echo "round $round: no new front" >&2
			touch "$BATS_TEST_TMPDIR/stop"
			wait "${loops[@]}"
			return 1
		}
	done
	sleep 0.5
	touch "$BATS_TEST_TMPDIR/stop"
	wait "${loops[@]}"
	api GET "/jobs/$job"
	expect_code 200
	total=$(wc -l <"$BATS_TEST_TMPDIR/codes")
	failed=$(grep -vc '^200$' "$BATS_TEST_TMPDIR/codes" || true)
	echo "$total requests while 5 fronts were killed, $failed not 200" >&2
	# Only a connection the killed front had just accepted can fail.
	[ "$failed" -le 5 ]
}

@test "fronts end with the server, even when lighttpd is killed outright, and hold no stray descriptors" {
	start_server
	fronts=$(front_pids)
	[ -n "$fronts" ]
	for f in $fronts; do
		# only 0-2 (and nothing inherited from this test's harness)
		[ "$(ls "/proc/$f/fd" | sort -n | tr '\n' ' ')" = "0 1 2 " ]
	done
	lighttpd=$(lighttpd_pid)
	[ -n "$lighttpd" ]
	kill -KILL "$lighttpd"
	wait "$SERVER_PID" || true
	SERVER_PID=
	all_gone $fronts
	# torc-server itself killed outright: lighttpd and the fronts end too.
	start_server
	procs="$(lighttpd_pid) $(front_pids)"
	kill -KILL "$SERVER_PID"
	wait "$SERVER_PID" || true
	SERVER_PID=
	all_gone $procs
}

@test "libfcgi's cgi-fcgi talks to a front: long parameters, a body over many records" {
	sock="$BATS_TEST_TMPDIR/wf.sock"
	start_front "$sock" workflows
	big=$(head -c 200000 /dev/zero | tr '\0' a)
	printf '{"name":"%s","user":"u"}' "$big" >"$BATS_TEST_TMPDIR/body.json"
	fcgi_request "$sock" REQUEST_METHOD=POST SCRIPT_NAME=/torc-service/v1/workflows \
		CONTENT_LENGTH="$(stat -c %s "$BATS_TEST_TMPDIR/body.json")" \
		TORC_DATABASE="$BATS_TEST_TMPDIR/db" <"$BATS_TEST_TMPDIR/body.json" >"$BATS_TEST_TMPDIR/out"
	head -1 "$BATS_TEST_TMPDIR/out" | grep -q '^Status: 200'
	sed '1,/^\r$/d' "$BATS_TEST_TMPDIR/out" |
		jq -e '(.name | length) == 200000 and (.name | test("^a+$")) and .id == 1'
	# a 201-byte path arrives whole (a four-byte name-value length): the 400 quotes it
	long="/$(printf 'p%.0s' $(seq 1 200))"
	fcgi_request "$sock" REQUEST_METHOD=GET SCRIPT_NAME=/torc-service/v1/workflows \
		PATH_INFO="$long" HTTP_X_PADDING="$(printf 'x%.0s' $(seq 1 300))" \
		TORC_DATABASE="$BATS_TEST_TMPDIR/db" </dev/null >"$BATS_TEST_TMPDIR/out"
	head -1 "$BATS_TEST_TMPDIR/out" | grep -q '^Status: 400'
	sed '1,/^\r$/d' "$BATS_TEST_TMPDIR/out" | jq -e --arg p "'/workflows$long'" '.error.message | endswith($p)'
	# an empty body where one is required: the route's 400, not a hang
	fcgi_request "$sock" REQUEST_METHOD=POST SCRIPT_NAME=/torc-service/v1/workflows \
		CONTENT_LENGTH=0 TORC_DATABASE="$BATS_TEST_TMPDIR/db" </dev/null >"$BATS_TEST_TMPDIR/out"
	head -1 "$BATS_TEST_TMPDIR/out" | grep -q '^Status: 400'
}

@test "a request sees only its parameters, never the front's environment" {
	sock="$BATS_TEST_TMPDIR/wf.sock"
	start_front "$sock" workflows TORC_DATABASE="$BATS_TEST_TMPDIR/front-db" \
		REMOTE_USER=mallory TORC_TRUST_REMOTE_USER=true TORC_ENFORCE_ACCESS_CONTROL=true
	fcgi_request "$sock" REQUEST_METHOD=POST SCRIPT_NAME=/torc-service/v1/workflows \
		CONTENT_LENGTH=24 TORC_DATABASE="$BATS_TEST_TMPDIR/db" \
		<<<'{"name":"w","user":"u"} ' >"$BATS_TEST_TMPDIR/out"
	head -1 "$BATS_TEST_TMPDIR/out" | grep -q '^Status: 200'
	# the owner is the body's, not a REMOTE_USER left in the front's environment
	sed '1,/^\r$/d' "$BATS_TEST_TMPDIR/out" | jq -e '.user == "u"'
	[ -d "$BATS_TEST_TMPDIR/db" ]
	[ ! -e "$BATS_TEST_TMPDIR/front-db" ]
}

# fcgi_raw SOCK [HEXRECORDS...]: send raw FastCGI records (the arguments, or
# standard input when there are none) and half-close, print what came back
# as hex (empty: closed without a reply).
FCGI_RAW_PY='
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
out = b""
try:
    s.sendall(bytes.fromhex("".join(sys.argv[2:]) if len(sys.argv) > 2 else sys.stdin.read().strip()))
    s.shutdown(socket.SHUT_WR)
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    print("TIMEOUT"); sys.exit(1)
except (BrokenPipeError, ConnectionResetError):
    pass
print(out.hex())
'
fcgi_raw() {
	python3 -c "$FCGI_RAW_PY" "$@"
}

@test "a front survives malformed and unexpected FastCGI input" {
	sock="$BATS_TEST_TMPDIR/wf.sock"
	start_front "$sock" ping
	# garbage: the connection closes with no reply
	run fcgi_raw "$sock" 6465616462656566
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	# a role other than responder (authorizer, 2): FCGI_END_REQUEST, FCGI_UNKNOWN_ROLE
	run fcgi_raw "$sock" 0101000100080000 0002000000000000
	[ "$status" -eq 0 ]
	[[ "$output" == *0103000100080000000000000300000* ]]
	# an abort before the parameters end: closed, no reply
	run fcgi_raw "$sock" 0101000100080000 0001000000000000 0102000100000000
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	# a truncated record, then the peer half-closes: no reply, no hang
	run fcgi_raw "$sock" 0101000100080000 00010000
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	# still serving: a whole request through libfcgi
	fcgi_request "$sock" REQUEST_METHOD=GET SCRIPT_NAME=/torc-service/v1/ping </dev/null \
		>"$BATS_TEST_TMPDIR/out"
	grep -q '"status":"ok"' "$BATS_TEST_TMPDIR/out"
	kill -0 "$FRONT"
}

@test "parameters over the limit get a JSON 431" {
	sock="$BATS_TEST_TMPDIR/wf.sock"
	start_front "$sock" ping
	# 5 PARAMS records of 65,535 bytes: more than TORC_FCGI_PARAMS_BYTES (256 KiB)
	rec="01040001ffff0000$(head -c 65535 /dev/zero | od -An -v -tx1 | tr -d ' \n')"
	echo "0101000100080000 0001000000000000 $rec $rec $rec $rec $rec" | tr -d ' ' >"$BATS_TEST_TMPDIR/big.hex"
	run fcgi_raw "$sock" <"$BATS_TEST_TMPDIR/big.hex"
	[ "$status" -eq 0 ]
	reply=$(python3 -c 'import sys; sys.stdout.write(bytes.fromhex(sys.stdin.read().strip()).decode("latin1").replace("\0", ""))' <<<"$output")
	[[ "$reply" == *"Status: 431 Request Header Fields Too Large"* ]]
	[[ "$reply" == *'{"error":{"message":"request header fields too large: more than 262144 bytes or 8192 fields"}}'* ]]
	kill -0 "$FRONT"
}

@test "480 request headers reach the program through lighttpd, as under plain CGI" {
	start_server
	args=()
	for i in $(seq 1 480); do args+=(-H "X-H$i: v"); done
	code=$(curl -s -o "$BATS_TEST_TMPDIR/out" -w '%{http_code}' "${args[@]}" "$BASE/ping")
	[ "$code" = 200 ]
	jq -e '.status == "ok"' "$BATS_TEST_TMPDIR/out"
}

@test "a path that starts with a resource's name is notfound's 404, as under plain CGI" {
	start_server
	for p in workflowsX pingX jobs.json 'ping%20' 'users;x'; do
		api GET "/$p"
		expect_code 404
		expect_json .error.message "no such route: GET /torc-service/v1/$p"
	done
	api GET /workflows
	expect_code 200
}

@test "the resident processes get the library path torc-server was given, not the rest" {
	LD_LIBRARY_PATH=/opt/torc-libs SOME_SECRET=x start_server
	for f in $(front_pids); do
		tr '\0' '\n' <"/proc/$f/environ" | grep -qx 'LD_LIBRARY_PATH=/opt/torc-libs'
		! tr '\0' '\n' <"/proc/$f/environ" | grep -q '^SOME_SECRET='
	done
}

@test "a ^C to the whole process group stops gracefully: requests in progress get their answer" {
	DBDIR="$BATS_TEST_TMPDIR/db" SERVER_LOG="$BATS_TEST_TMPDIR/server.log"
	PORT=$(free_port)
	TORC_FAULT=before-commit TORC_FAULT_SLEEP_MS=1500 setsid "$ROOT/build/sbin/torc-server" run \
		--port "$PORT" --database "$DBDIR" >"$SERVER_LOG" 2>&1 3>&- &
	SERVER_PID=$!
	for _ in $(seq 1 200); do grep -q '^torc-server: serving' "$SERVER_LOG" && break; sleep 0.05; done
	BASE="http://localhost:$PORT/torc-service/v1"
	curl -s -o "$BATS_TEST_TMPDIR/slow.out" -w '%{http_code}' --max-time 30 -X POST \
		-d '{"name":"slow","user":"u"}' "$BASE/workflows" >"$BATS_TEST_TMPDIR/slow.code" 3>&- &
	curl_pid=$!
	first_request workflows >/dev/null
	kill -INT -- "-$SERVER_PID"		# as a terminal's ^C: every process of the group
	st=0
	wait "$SERVER_PID" || st=$?
	SERVER_PID=
	wait "$curl_pid" || true
	[ "$st" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/slow.code")" = 200 ]
	jq -e '.name == "slow"' "$BATS_TEST_TMPDIR/slow.out"
}
