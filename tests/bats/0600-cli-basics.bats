#!/usr/bin/env bats
# The torc CLI's frame: global options, --help everywhere, usage errors
# and exit codes, the error line format, ping and version (with the
# version check against stub servers), output formats, and the paging
# loop of list commands (against a stub that pages by 3).

load helpers
bats_require_minimum_version 1.5.0

T="$ROOT/build/bin/torc"

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

setup() {
	export TORC_API_URL="$BASE" TORC_USERNAME=tester
	STUB_PID=
}

teardown() {
	if [ -n "$STUB_PID" ]; then
		kill "$STUB_PID" 2>/dev/null || true
		wait "$STUB_PID" 2>/dev/null || true
	fi
}

# start_stub MODE: a tiny HTTP server on a free port (STUB_URL, STUB_LOG).
# MODE: version=TEXT (GET /version answers that JSON string; workflows
# pages by 3 over 7 items), or raw=TEXT (every answer is TEXT, HTTP 200).
start_stub() {
	STUB_LOG="$BATS_TEST_TMPDIR/stub.log"
	: >"$STUB_LOG"
	cat >"$BATS_TEST_TMPDIR/stub.py" <<'EOF'
import http.server, json, sys, urllib.parse
portfile, logfile, mode = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def answer(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        with open(logfile, "a") as f:
            f.write("%s %s auth=%s\n" % (self.command, self.path,
                    "yes" if self.headers.get("Authorization") else "no"))
        if mode.startswith("raw="):
            return self.answer(200, mode[4:])
        if u.path.endswith("/version"):
            return self.answer(200, json.dumps(mode[8:]))
        if u.path.endswith("/workflows"):
            off = int(q.get("offset", ["0"])[0])
            lim = int(q.get("limit", ["10000"])[0])
            total = 7
            end = min(off + min(3, lim), total)
            items = [{"id": i + 1, "name": "w%d" % (i + 1), "user": "tester"}
                     for i in range(off, end)]
            return self.answer(200, json.dumps({"items": items, "offset": off,
                "count": len(items), "total_count": total,
                "has_more": off + len(items) < total}))
        self.answer(404, json.dumps({"error": {"message": "no such thing"}}))
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
EOF
	rm -f "$BATS_TEST_TMPDIR/stub.port"
	python3 "$BATS_TEST_TMPDIR/stub.py" "$BATS_TEST_TMPDIR/stub.port" "$STUB_LOG" "$1" &
	STUB_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$BATS_TEST_TMPDIR/stub.port" ] && break
		sleep 0.05
	done
	STUB_URL="http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/stub.port")/torc-service/v1"
}

@test "torc --help lists every command; no command is a usage error" {
	run -0 "$T" --help
	[[ "$output" == "usage: torc [GLOBAL OPTIONS] COMMAND [ARGS]"* ]]
	for c in ping version run "workflows create" "workflows list" "workflows get" \
		"workflows update" "workflows delete" "workflows status" "workflows initialize" \
		"workflows cancel" "workflows reset-status" "workflows is-complete" \
		"jobs list" "jobs get" "files list" "results list" "events list" "user-data list" \
		"access-groups create" "access-groups list" "access-groups get" \
		"access-groups delete" "access-groups add-user" "access-groups remove-user" \
		"access-groups list-members" "access-groups add-workflow" \
		"access-groups remove-workflow" "access-groups list-groups" access-check; do
		grep -qx "  $c" <<<"$output" || { echo "missing: $c"; return 1; }
	done
	run -100 "$T"
	[[ "$output" == usage:* ]]
}

@test "every command's --help works without a server and exits 0" {
	export TORC_API_URL=http://127.0.0.1:1/torc-service/v1
	run -0 "$T" --help
	local cmds
	cmds=$(sed -n 's/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\?\)$/\1/p' <<<"$output")
	[ "$(wc -l <<<"$cmds")" -ge 30 ]
	while read -r c; do
		# shellcheck disable=SC2086
		run -0 "$T" $c --help
		[[ "$output" == "usage: torc $c"* ]] || { echo "$c: $output"; return 1; }
		run -0 "$T" $c -h
		[[ "$output" == "usage: torc $c"* ]]
	done <<<"$cmds"
	run -0 "$T" workflows --help
	[[ "$output" == *"  workflows reset-status"* ]]
	run -100 "$T" workflows
	run -0 "$T" access-groups --help
	[[ "$output" == *"  access-groups add-workflow"* ]]
}

@test "usage errors exit 100 and name the problem" {
	run -100 --separate-stderr "$T" frobnicate
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
	run -100 --separate-stderr "$T" workflows frobnicate
	[[ "$stderr" == *"unknown command 'workflows frobnicate'"* ]]
	run -100 --separate-stderr "$T" --bogus ping
	[[ "$stderr" == *"unknown option '--bogus'"* ]]
	run -100 --separate-stderr "$T" workflows list --bogus
	[[ "$stderr" == "torc: usage error: unknown option '--bogus'"* ]]
	[[ "$stderr" == *"usage: torc workflows list"* ]]
	run -100 --separate-stderr "$T" workflows get
	[[ "$stderr" == *"missing argument"* ]]
	run -100 --separate-stderr "$T" workflows get 1 2
	[[ "$stderr" == *"too many arguments"* ]]
	run -100 --separate-stderr "$T" workflows get abc
	[[ "$stderr" == *"the workflow id must be a positive whole number, not 'abc'"* ]]
	run -100 --separate-stderr "$T" workflows get 0
	run -100 --separate-stderr "$T" jobs list 1 --limit x
	[[ "$stderr" == *"option '--limit' needs a whole number"* ]]
	run -100 --separate-stderr "$T" -f yaml ping
	[[ "$stderr" == *"--format must be table or json"* ]]
	run -100 --separate-stderr "$T" jobs list 1 --status nonsense
	[[ "$stderr" == *"unknown job status 'nonsense'"* ]]
	run -100 --separate-stderr "$T" run
	run -100 --separate-stderr "$T" run 1 --max-parallel-jobs 0
	run -100 --separate-stderr "$T" workflows update 1
	[[ "$stderr" == *"nothing to change"* ]]
	run -100 --separate-stderr "$T" --url
	[[ "$stderr" == *"option '--url' needs a value"* ]]
}

@test "--version prints the client version without a server" {
	run -0 "$T" --url http://127.0.0.1:1/x --version
	[ "$output" = "torc 0.10.0 (torc-cgi)" ]
}

@test "ping answers in both formats; --url wins over TORC_API_URL" {
	run -0 "$T" ping
	[ "$output" = "$BASE: ok" ]
	run -0 "$T" -f json ping
	[ "$(jq -r .status <<<"$output")" = ok ]
	run -0 "$T" --format=json ping
	TORC_API_URL=http://127.0.0.1:1/torc-service/v1 run -0 "$T" --url "$BASE" ping
	[ "$output" = "$BASE: ok" ]
	run -0 "$T" --url "$BASE/" ping
}

@test "the default URL is http://localhost:8080/torc-service/v1" {
	run -0 "$T" --help
	[[ "$output" == *"default http://localhost:8080/torc-service/v1"* ]]
	unset TORC_API_URL
	run "$T" --skip-version-check workflows get 999999999
	# Whatever listens there (or not), the CLI talked to that URL.
	[[ "$output" == *"localhost:8080"* ]] || [ "$status" -ne 111 ]
}

@test "version prints both versions; the server's major version must match" {
	run -0 --separate-stderr "$T" version
	[ "$(sed -n 's/^client  *//p' <<<"$output")" = "0.10.0 (torc-cgi)" ]
	[[ "$(sed -n 's/^server  *//p' <<<"$output")" == 0.10.* ]]
	run -0 "$T" -f json version
	[ "$(jq -r .client <<<"$output")" = "0.10.0 (torc-cgi)" ]

	start_stub 'version=1.0.0 (other)'
	run -1 --separate-stderr "$T" --url "$STUB_URL" ping
	[[ "$stderr" == "torc: error: the server runs version 1.0.0 (other), incompatible with this torc 0.10.0" ]]
	run -1 --separate-stderr "$T" --url "$STUB_URL" version
	[[ "$stderr" == *"major version differs"* ]]
	# --skip-version-check skips the comparison.
	run -0 --separate-stderr "$T" --url "$STUB_URL" --skip-version-check workflows list --limit 1
}

@test "an older minor or another patch level only warns; an odd version string is ignored" {
	start_stub 'version=0.9.0 (old)'
	run -0 --separate-stderr "$T" --url "$STUB_URL" workflows list
	[[ "$stderr" == *"torc: warning: the server runs version 0.9.0 (old); this torc is 0.10.0"* ]]
	kill "$STUB_PID"; wait "$STUB_PID" 2>/dev/null || true
	start_stub 'version=0.10.7'
	run -0 --separate-stderr "$T" --url "$STUB_URL" workflows list
	[[ "$stderr" == *"warning"* ]]
	kill "$STUB_PID"; wait "$STUB_PID" 2>/dev/null || true
	start_stub 'version=0.11.0'
	run -0 --separate-stderr "$T" --url "$STUB_URL" workflows list
	[ -z "$stderr" ]
	kill "$STUB_PID"; wait "$STUB_PID" 2>/dev/null || true
	start_stub 'version=dev build'
	run -0 --separate-stderr "$T" --url "$STUB_URL" workflows list
	[ -z "$stderr" ]
}

@test "server errors read 'torc: error: <message> (HTTP N)' and exit 1" {
	run -1 --separate-stderr "$T" workflows get 999999
	[ "$stderr" = "torc: error: Workflow not found with ID: 999999 (HTTP 404)" ]
	[ -z "$output" ]
	run -1 --separate-stderr "$T" jobs get 999999
	[[ "$stderr" == "torc: error: "*"(HTTP 404)" ]]
}

@test "no server: exit 111 with the reason" {
	run -111 --separate-stderr "$T" --url http://127.0.0.1:1/torc-service/v1 ping
	[[ "$stderr" == "torc: error: cannot reach http://127.0.0.1:1/torc-service/v1: "* ]]
}

@test "an answer that is not JSON is an error, not a crash" {
	start_stub 'raw=<html>oops</html>'
	run -1 --separate-stderr "$T" --url "$STUB_URL" --skip-version-check ping
	[[ "$stderr" == *"the answer is not JSON (HTTP 200)"* ]]
}

@test "a URL with user:password@ is refused without echoing it" {
	run -100 --separate-stderr "$T" --url "http://bob:s3cretpw@127.0.0.1:1/x" ping
	[[ "$stderr" == *"without user or password"* ]]
	[[ "$stderr" != *s3cretpw* ]]
	run -100 "$T" --url "ftp://127.0.0.1/x" ping
	run -100 "$T" --url "file:///etc/passwd" ping
}

@test "list commands page through everything (offset += len(items) until has_more is false)" {
	start_stub 'version=0.10.0'
	run -0 "$T" --url "$STUB_URL" -f json workflows list
	[ "$(jq length <<<"$output")" = 7 ]
	[ "$(jq -r '[.[].id] | join(",")' <<<"$output")" = "1,2,3,4,5,6,7" ]
	grep -c 'GET /torc-service/v1/workflows?' "$STUB_LOG" | grep -qx 3
	grep -q 'offset=0' "$STUB_LOG"
	grep -q 'offset=3' "$STUB_LOG"
	grep -q 'offset=6' "$STUB_LOG"
	# --limit stops early; --offset starts later.
	run -0 "$T" --url "$STUB_URL" -f json workflows list --limit 5
	[ "$(jq -r '[.[].id] | join(",")' <<<"$output")" = "1,2,3,4,5" ]
	run -0 "$T" --url "$STUB_URL" -f json workflows list --offset 5
	[ "$(jq -r '[.[].id] | join(",")' <<<"$output")" = "6,7" ]
	run -0 "$T" --url "$STUB_URL" workflows list
	[ "$(wc -l <<<"$output")" = 9 ]
}

@test "-f json prints the server's objects; tables have a header and a rule" {
	api POST /workflows '{"name":"fmt \"quoted\" ünïcödé","user":"tester","description":"d"}'
	wf=$(jqb .id)
	run -0 "$T" -f json workflows get "$wf"
	[ "$(jq -r .name <<<"$output")" = 'fmt "quoted" ünïcödé' ]
	[ "$(jq -r .id <<<"$output")" = "$wf" ]
	run -0 "$T" workflows get "$wf"
	[ "${lines[0]}" = "FIELD                                           VALUE" ] ||
		[[ "${lines[0]}" == "FIELD"*"VALUE" ]]
	[[ "${lines[1]}" == "-----"*"  -"* ]]
	grep -q '^name  *fmt "quoted" ünïcödé$' <<<"$output"
	run -0 "$T" workflows list
	[[ "${lines[0]}" == "ID  NAME"* ]]
	grep -q "fmt \"quoted\" ünïcödé" <<<"$output"
}

@test "table cells cannot carry terminal escape sequences" {
	api POST /workflows "$(jq -nc '{name: "evil\u001b[31mred\u0007", user: "tester"}')"
	wf=$(jqb .id)
	run -0 "$T" workflows list
	[[ "$output" != *$'\e'* ]]
	[[ "$output" == *"evil?[31mred?"* ]]
	run -0 "$T" -f json workflows get "$wf"
	[ "$(jq -r .name <<<"$output")" = $'evil\e[31mred\a' ]
}
