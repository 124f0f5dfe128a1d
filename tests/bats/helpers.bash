# helpers.bash: start the real server for a suite and talk to it with curl.
#
#   load helpers
#   setup()    { start_server [torc-server flags...]; }
#   teardown() { stop_server; }
#   api GET /workflows            -> sets $code (HTTP status), $body, $headers
#   api POST /workflows '{"name":"w","user":"u"}'
#   api_as alice:pw GET /workflows  (HTTP Basic)
#   jqb '.items | length'         -> jq over $body
#
# The server runs from build/sbin/torc-server on a free port with a fresh
# database in $BATS_TEST_TMPDIR; its stdout/stderr go to $SERVER_LOG.

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
export LANG=C LC_ALL=C TZ=UTC
unset TORC_CONFIG TORC_AUTH_FILE TORC_REQUIRE_AUTH TORC_ENFORCE_ACCESS_CONTROL \
	TORC_ADMIN_USERS TORC_DATABASE TORC_PORT TORC_HOST TORC_LOG_LEVEL \
	TORC_CREDENTIAL_CACHE_TTL_SECS TORC_CACHE_DIR TORC_TRUST_REMOTE_USER \
	TORC_API_URL TORC_PASSWORD TORC_USERNAME http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

. "$ROOT/tests/lib/free-port.sh"

# start_server [flags]: sets PORT, BASE, DBDIR, SERVER_LOG, SERVER_PID.
start_server() {
	DBDIR="${DBDIR:-$BATS_TEST_TMPDIR/db}"
	SERVER_LOG="$BATS_TEST_TMPDIR/server.log"
	local tries
	for tries in 1 2 3; do
		PORT=$(free_port)
		"$ROOT/build/sbin/torc-server" run --port "$PORT" --database "$DBDIR" \
			--log-level "${LOG_LEVEL:-info}" "$@" >"$SERVER_LOG" 2>&1 &
		SERVER_PID=$!
		local i
		for i in $(seq 1 200); do
			if grep -q '^torc-server: serving' "$SERVER_LOG" 2>/dev/null; then
				BASE="$(sed -n 's/^torc-server: serving \([^ ]*\) .*/\1/p' "$SERVER_LOG" | head -1)"
				export PORT BASE DBDIR SERVER_LOG SERVER_PID
				return 0
			fi
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true
		grep -q 'already in use' "$SERVER_LOG" || break
	done
	echo "server did not start:" >&2
	cat "$SERVER_LOG" >&2
	return 1
}

stop_server() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill -INT "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}

# api METHOD PATH [BODY]: PATH is relative to the base URL.
api() {
	_api_req "" "$@"
}

# api_as USER:PASS METHOD PATH [BODY]
api_as() {
	local cred="$1"; shift
	_api_req "$cred" "$@"
}

_api_req() {
	local cred="$1" method="$2" path="$3" data="${4-}"
	local hdr="$BATS_TEST_TMPDIR/hdr.$$" out="$BATS_TEST_TMPDIR/out.$$"
	local args=(-s -o "$out" -D "$hdr" -w '%{http_code}' -X "$method" --max-time 60)
	[ -n "$cred" ] && args+=(-u "$cred")
	if [ $# -ge 4 ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$data")
	fi
	code=$(curl "${args[@]}" "$BASE$path")
	body=$(cat "$out")
	headers=$(tr -d '\r' <"$hdr")
	rm -f "$out" "$hdr"
}

jqb() {
	jq -r "$@" <<<"$body"
}

# Assert helpers that print context on failure.
expect_code() {
	if [ "$code" != "$1" ]; then
		echo "expected HTTP $1, got $code: $body" >&2
		return 1
	fi
}

expect_json() {
	# expect_json FILTER EXPECTED
	local got
	got=$(jq -r "$1" <<<"$body")
	if [ "$got" != "$2" ]; then
		echo "expected $1 == '$2', got '$got' in: $body" >&2
		return 1
	fi
}

# mk_workflow NAME [USER] -> echoes the id
mk_workflow() {
	api POST /workflows "{\"name\":\"$1\",\"user\":\"${2:-tester}\"}"
	jqb .id
}

# lighttpd_pid: the web server torc-server runs.
lighttpd_pid() {
	local p
	for p in $(cat "/proc/$SERVER_PID/task/$SERVER_PID/children" 2>/dev/null); do
		[ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" = lighttpd ] && { echo "$p"; return 0; }
	done
	return 0
}

# front_pids: the resident FastCGI processes torc-server runs, one per
# resource (its children with a listening socket on fd 0).
front_pids() {
	local p
	for p in $(cat "/proc/$SERVER_PID/task/$SERVER_PID/children" 2>/dev/null); do
		[[ "$(readlink "/proc/$p/fd/0" 2>/dev/null)" == socket:* ]] &&
			[ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" != lighttpd ] && echo "$p"
	done
	return 0
}

# request_pids [PROGRAM]: the processes serving a request right now, of
# every CGI program or of the one named.  A plain CGI is lighttpd's child;
# under FastCGI (the default) a request is a child of its resource's front,
# or of torc-server itself once that front has died (it is the subreaper).
# (The kernel's child lists: pgrep can miss a child that lives 1 ms.)
request_pids() {
	local p q exe="${1:+$ROOT/build/cgi-bin/torc-service/v1/$1}" fronts
	fronts=" $(front_pids | tr '\n' ' ') "
	for p in $(cat "/proc/$SERVER_PID/task/$SERVER_PID/children" 2>/dev/null); do
		if [[ "$fronts" == *" $p "* ]] ||
			[ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" = lighttpd ]; then
			for q in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
				[ -z "$exe" ] || [ "$(readlink "/proc/$q/exe")" = "$exe" ] && echo "$q"
			done
		else
			[ -z "$exe" ] || [ "$(readlink "/proc/$p/exe")" = "$exe" ] && echo "$p"
		fi
	done
	return 0
}

# host_setup: for a suite that runs a web server of its own over copies of
# the CGIs (0705 lighttpd, 0730 Apache, 0750 nginx).  Sets T (the file's
# folder), RUN_USER and RUN_GROUP (nobody when run as root, who must then
# be able to reach T, else the caller) and copies the programs to T/cgi.
host_setup() {
	T="$BATS_FILE_TMPDIR"
	export T
	if [ "$(id -u)" = 0 ]; then
		RUN_USER=nobody RUN_GROUP=nogroup
		local d="$T"
		while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
			chmod o+x "$d"
			d=$(dirname "$d")
		done
	else
		RUN_USER=$(id -un) RUN_GROUP=$(id -gn)
	fi
	export RUN_USER RUN_GROUP
	mkdir -p "$T/cgi"
	cp "$ROOT"/build/cgi-bin/torc-service/v1/* "$T/cgi/"
	chmod 755 "$T/cgi" "$T"/cgi/*
}
