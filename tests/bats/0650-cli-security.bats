#!/usr/bin/env bats
# The CLI's credentials: the password never shows up in any output, log,
# job environment, job file, process list or the runner's environment
# block; --prompt-password reads it without echo from the terminal;
# --password warns; Basic credentials go to the configured host only (a
# redirect to another host does not carry them); no password, no header.

load helpers
bats_require_minimum_version 1.5.0

T="$ROOT/build/bin/torc"

setup_file() {
	export BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR"
	# A long random password that cannot occur by chance.
	# Kept in a file, never in an exported variable: jobs would inherit that.
	local pw
	pw="pw$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	(umask 077; echo "$pw" >"$BATS_FILE_TMPDIR/password")
	htpasswd -nbB -C 4 sec "$pw" | grep . >"$BATS_FILE_TMPDIR/htpasswd"
	DBDIR="$BATS_FILE_TMPDIR/db" start_server --auth-file "$BATS_FILE_TMPDIR/htpasswd" \
		--require-auth --enforce-access-control
}

teardown_file() { stop_server; }

setup() {
	export TORC_API_URL="$BASE" TORC_USERNAME=sec
	unset TORC_PASSWORD
	PW=$(cat "$BATS_FILE_TMPDIR/password")
	STUB_PIDS=()
	W="$BATS_TEST_TMPDIR/w$BATS_TEST_NUMBER"
	mkdir -p "$W"
	cd "$W"
}

teardown() {
	local p
	for p in "${STUB_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# start_stub NAME MODE: a logging HTTP server on 127.0.0.1 (port in
# NAME.port, requests in NAME.log as "METHOD PATH auth=yes|no").  MODE
# "redirect=URL" answers 302 to URL+path; "ok" answers the version/lists.
start_stub() {
	cat >stub.py <<'EOF'
import http.server, json, sys
name, mode = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def handle_one(self):
        with open(name + ".log", "a") as f:
            f.write("%s %s auth=%s\n" % (self.command, self.path,
                    "yes" if self.headers.get("Authorization") else "no"))
        if mode.startswith("redirect="):
            self.send_response(302)
            self.send_header("Location", mode[9:] + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps("0.10.0 (stub)" if self.path.endswith("/version") else
                          {"items": [], "offset": 0, "count": 0, "total_count": 0,
                           "has_more": False}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_PUT = do_DELETE = handle_one
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(name + ".port.tmp", "w").write(str(s.server_address[1]))
import os
os.rename(name + ".port.tmp", name + ".port")
s.serve_forever()
EOF
	: >"$1.log"
	python3 stub.py "$1" "$2" &
	STUB_PIDS+=($!)
	for _ in $(seq 1 100); do [ -s "$1.port" ] && break; sleep 0.05; done
	[ -s "$1.port" ]
}

# A job that shows everything a job can see of the runner.
snoop_spec() {
	cat >snoop.yaml <<'EOF'
name: snoop
jobs:
  - name: look
    command: "env; echo ---; tr '\\0' '\\n' </proc/$PPID/environ; echo ---; tr '\\0' ' ' </proc/$PPID/cmdline; echo; ps -eo args; exit 0"
  - name: fail
    command: "echo failing; exit 3"
EOF
}

@test "the password appears nowhere: outputs, errors, logs, job env, runner env and argv (TORC_PASSWORD)" {
	snoop_spec
	export TORC_PASSWORD="$PW"
	{
		"$T" ping
		"$T" -f json workflows create snoop.yaml
		"$T" run snoop.yaml --max-parallel-jobs 2 -o out -p 0.1 || true
		"$T" -f json workflows list
		"$T" workflows get 999999 || true
		"$T" jobs list 1 || true
		"$T" -f json results list 2 || true
		"$T" --url "http://127.0.0.1:1/torc-service/v1" ping || true
	} >all.out 2>all.err
	grep -q 'Created workflow' all.err
	wf=$(grep -o 'Created workflow [0-9]*' all.err | tail -1 | cut -d' ' -f3)
	job_o=$(ls out/job_stdio/job_wf${wf}_j*_r1_a1.o | head -1)
	# The job saw its environment, the runner's environment and argv.
	grep -q "^TORC_JOB_NAME=look$" out/job_stdio/*.o
	! grep -q '^TORC_PASSWORD' out/job_stdio/*.o
	grep -q '^TORC_API_URL=' out/job_stdio/*.o
	[ -n "$job_o" ]
	# Nothing anywhere under the test's folders holds the password
	# (the htpasswd file holds a bcrypt hash, not the password).
	! grep -rlF -- "$PW" "$BATS_TEST_TMPDIR" "$BATS_FILE_TMPDIR" --exclude=htpasswd --exclude=password
}

@test "--password works, warns, and is wiped from the process's argv" {
	snoop_spec
	run -0 --separate-stderr "$T" --password "$PW" ping
	[[ "$stderr" == "torc: warning: --password shows the password to other users in process lists; prefer TORC_PASSWORD or --prompt-password" ]]
	"$T" --password "$PW" run snoop.yaml --max-parallel-jobs 1 -o out -p 0.1 >run.out 2>run.err || true
	grep -q -- '--password xxxxxxxx' out/job_stdio/*.o
	"$T" --password="$PW" ping >eq.out 2>eq.err
	! grep -rlF -- "$PW" "$W"
}

@test "--prompt-password reads the password from the terminal without echo" {
	cat >ttydrive.py <<'EOF'
import os, pty, sys
pw = os.environ.pop("PROMPT_PW").encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen = b""
while b"Password for sec: " not in seen:
    chunk = os.read(fd, 1024)
    if not chunk:
        break
    seen += chunk
os.write(fd, pw + b"\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, st = os.waitpid(pid, 0)
open("transcript", "wb").write(seen)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
	PROMPT_PW="$PW" run python3 ttydrive.py "$T" --prompt-password ping
	[ "$status" -eq 0 ] || { cat -A transcript; false; }
	grep -q "Password for sec: " transcript
	grep -q "$BASE: ok" transcript
	! grep -qF -- "$PW" transcript
	PROMPT_PW="wrong" run -1 python3 ttydrive.py "$T" --prompt-password ping
	grep -q "Unauthorized (HTTP 401)" transcript
	# No terminal at all: a clear error.
	run -1 --separate-stderr setsid -w "$T" --prompt-password ping </dev/null
	[[ "$stderr" == "torc: error: cannot open /dev/tty for the password prompt: "* ]]
}

@test "credentials go to the configured host only: a redirect elsewhere is not followed" {
	start_stub elsewhere ok
	start_stub configured "redirect=http://127.0.0.1:$(cat elsewhere.port)"
	url="http://localhost:$(cat configured.port)/torc-service/v1"
	run -1 --separate-stderr env TORC_PASSWORD="$PW" "$T" --url "$url" workflows list
	[[ "$stderr" == "torc: error: the server redirects to http://127.0.0.1:$(cat elsewhere.port)/torc-service/v1/version; torc does not follow redirects (HTTP 302)" ]]
	# The configured host got the credentials; the other one got nothing.
	grep -q 'auth=yes' configured.log
	! grep -q 'auth=yes' elsewhere.log
	[ ! -s elsewhere.log ]
	run -1 env TORC_PASSWORD="$PW" "$T" --url "$url" --skip-version-check -f json workflows list
	! grep -q 'auth=yes' elsewhere.log
	! grep -rlF -- "$PW" "$W"
}

@test "no password, no Authorization header" {
	start_stub plain ok
	run -0 "$T" --url "http://127.0.0.1:$(cat plain.port)/torc-service/v1" workflows list
	grep -q 'GET /torc-service/v1/workflows' plain.log
	! grep -q 'auth=yes' plain.log
	run -0 env TORC_PASSWORD="$PW" "$T" --url "http://127.0.0.1:$(cat plain.port)/torc-service/v1" workflows list
	grep -q 'auth=yes' plain.log
}

@test "https: the certificate is checked; --cacert trusts one, --insecure skips the check" {
	"$ROOT/build/sbin/torc-server" gen-cert --tls-cert c.pem --tls-key k.pem --host localhost >/dev/null
	local port url
	for _ in 1 2 3; do
		port=$(free_port)
		"$ROOT/build/sbin/torc-server" run --port "$port" --database "$W/db" --https \
			--tls-cert c.pem --tls-key k.pem >https.log 2>&1 &
		STUB_PIDS+=($!)
		for _ in $(seq 1 200); do
			grep -q '^torc-server: serving' https.log && break 2
			sleep 0.05
		done
	done
	url="https://localhost:$port/torc-service/v1"
	run -1 --separate-stderr "$T" --url "$url" ping
	[[ "$stderr" == "torc: error: cannot reach $url: "*"certificate"* ]]
	run -0 "$T" --url "$url" --cacert c.pem ping
	[ "$output" = "$url: ok" ]
	run -0 "$T" --url "$url" --insecure ping
	run -1 "$T" --url "$url" --cacert /nonexistent.pem ping
}
