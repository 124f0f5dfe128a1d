#!/bin/bash
# demo.sh: what `make demo` runs, the README's first command.  On a fresh
# Debian machine it installs the dependencies (make deps), builds, creates
# two users (demo and other) in a fresh htpasswd file (bcrypt cost 8,
# random passwords), starts torc-server with --require-auth and
# --enforce-access-control (lighttpd, database in a temporary folder, a
# free port), runs the diamond workflow of share/examples/diamond.yaml
# with `torc run` (its scripts really transform a JSON data set), prints
# the job table, the results and the report, shows that user `other`
# cannot see demo's workflow, and stops the server.  Exits non-zero if
# any step failed.  TORC_DEMO_KEEP=1 keeps the temporary folder.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
T0=$(date +%s)
TORC="$ROOT/build/bin/torc"
SERVER_PID=
TMP=

if [ -t 1 ]; then
	say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
	say() { printf '\n==> %s\n' "$*"; }
fi
fail() { echo "demo: FAILED: $*" >&2; exit 1; }

cleanup() {
	local rc=$?
	if [ -n "$SERVER_PID" ]; then
		kill -INT "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ -n "$TMP" ]; then
		if [ "${TORC_DEMO_KEEP:-0}" = 1 ]; then
			echo "demo: kept $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Dependencies (make deps)"
make -s deps || fail "missing packages (see above)"

say "Build (make)"
make -s all || fail "the build failed"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/torc-demo.XXXXXX")
mkdir -p "$TMP/work/data"

say "Users demo and other in $TMP/htpasswd (bcrypt cost 8)"
newpw() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }
DEMO_PW=$(newpw)
OTHER_PW=$(newpw)
for u in demo other; do
	pw=$DEMO_PW
	[ "$u" = other ] && pw=$OTHER_PW
	printf '%s\n' "$pw" | build/sbin/torc-htpasswd add --cost 8 --password-stdin \
		"$TMP/htpasswd" "$u" >"$TMP/htpasswd.log" 2>&1 ||
		{ cat "$TMP/htpasswd.log" >&2; fail "torc-htpasswd add $u"; }
done
build/sbin/torc-htpasswd list "$TMP/htpasswd"

say "Server: torc-server run --require-auth --enforce-access-control"
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
BASE=
for attempt in 1 2 3; do
	PORT=$(free_port) || fail "no free port"
	build/sbin/torc-server run --port "$PORT" --database "$TMP/db" \
		--auth-file "$TMP/htpasswd" --require-auth --enforce-access-control \
		>"$TMP/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		if grep -q '^torc-server: serving' "$TMP/server.log" 2>/dev/null; then
			BASE=$(sed -n 's/^torc-server: serving \([^ ]*\) .*/\1/p' "$TMP/server.log" | head -1)
			break 2
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
	grep -q 'already in use' "$TMP/server.log" || break
done
[ -n "$BASE" ] || { cat "$TMP/server.log" >&2; fail "the server did not start"; }
echo "serving $BASE (pid $SERVER_PID, database $TMP/db)"

# The CLI reads these; the password never appears on a command line.
export TORC_API_URL="$BASE" TORC_USERNAME=demo TORC_PASSWORD="$DEMO_PW"

say "torc ping / version (as demo)"
"$TORC" ping || fail "ping"
"$TORC" version || fail "version"

say "Anonymous requests are refused"
if env -u TORC_PASSWORD "$TORC" workflows list 2>"$TMP/anon.err"; then
	fail "an anonymous list was accepted"
fi
sed 's/^/  /' "$TMP/anon.err"

say "Input data"
echo '{"name": "demo", "values": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4]}' \
	>"$TMP/work/data/input.json"
cat "$TMP/work/data/input.json"
ln -s "$ROOT/share/examples/scripts" "$TMP/work/scripts"
cd "$TMP/work"

say "torc workflows create share/examples/diamond.yaml"
WF=$("$TORC" -f json workflows create "$ROOT/share/examples/diamond.yaml" | jq -r .id)
[ -n "$WF" ] && [ "$WF" != null ] || fail "workflows create"
echo "workflow $WF"

say "torc run $WF --max-parallel-jobs 2"
"$TORC" run "$WF" --max-parallel-jobs 2 --output-dir output --poll-interval 0.2 \
	|| fail "torc run: not every job completed"

say "torc jobs list $WF"
"$TORC" jobs list "$WF"

say "torc results list $WF"
"$TORC" results list "$WF"

say "What the jobs printed (output/job_stdio/*.o)"
for f in output/job_stdio/*.o; do
	printf '  %s: %s\n' "$(basename "$f")" "$(head -3 "$f" | tr '\n' ' ')"
done

say "The report (data/report.json)"
cat data/report.json
jq -e '.count == 20 and .sum == 97 and .min == 1 and .max == 9 and .median == 4.5 and .parts == 2' \
	data/report.json >/dev/null || fail "the report is not what the data gives"
echo "checked: count 20, sum 97, min 1, max 9, median 4.5"

say "User other cannot see demo's workflow"
export TORC_USERNAME=other TORC_PASSWORD="$OTHER_PW"
if "$TORC" workflows get "$WF" 2>"$TMP/other.err"; then
	fail "user other could read workflow $WF"
fi
echo "torc workflows get $WF (as other):"
sed 's/^/  /' "$TMP/other.err"
grep -Eq 'HTTP (403|404)' "$TMP/other.err" || fail "expected 403 or 404"
"$TORC" workflows list --all-users >"$TMP/other.list" || fail "list as other"
echo "torc workflows list --all-users (as other):"
sed 's/^/  /' "$TMP/other.list"
[ "$(wc -l <"$TMP/other.list")" -eq 2 ] || fail "user other sees workflows"
if "$TORC" jobs list "$WF" >/dev/null 2>"$TMP/other.err"; then
	fail "user other could list the jobs of workflow $WF"
fi
echo "torc jobs list $WF (as other):"
sed 's/^/  /' "$TMP/other.err"

say "The passwords appear in no output, log or job file"
if grep -rlF -e "$DEMO_PW" -e "$OTHER_PW" "$TMP" --exclude=htpasswd; then
	fail "a password leaked into the files above"
fi
echo "checked: $(find "$TMP" -type f | wc -l) files"

say "Stopping the server"
cd "$ROOT"
kill -INT "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

echo
echo "demo: all steps passed in $(( $(date +%s) - T0 )) s"
