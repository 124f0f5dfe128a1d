#!/usr/bin/env bats
# systemd: the units in systemd/ verify cleanly and are sandboxed; the
# sysusers.d and tmpfiles.d snippets make the user and the folders in a
# root folder; and torc.service's own command line and environment, run
# under systemd-socket-activate the way torc.socket would start it (as the
# torc user, in a network namespace of its own like PrivateNetwork=yes),
# costs no process until the first connection, serves it, authenticates,
# and exits after the idle time.  No running systemd is needed.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	command -v systemd-socket-activate >/dev/null || make -C "$ROOT" deps >&2
	T="$BATS_TEST_TMPDIR"
	ACT_PID=
}

teardown() {
	if [ -n "${ACT_PID:-}" ]; then
		kill -TERM "$ACT_PID" 2>/dev/null || true
		wait "$ACT_PID" 2>/dev/null || true
	fi
}

# unit_value FILE KEY: the values of KEY= lines, one a line.
unit_value() {
	sed -n "s/^$2=//p" "$ROOT/systemd/$1"
}

# activate ARGS...: systemd-socket-activate in its own session, output to
# $T/act.log; sets ACT_PID.
activate() {
	setsid systemd-socket-activate "$@" >"$T/act.log" 2>&1 </dev/null &
	ACT_PID=$!
	local i
	for i in $(seq 1 100); do
		grep -q '^Listening on' "$T/act.log" && return 0
		sleep 0.05
	done
	cat "$T/act.log" >&2
	return 1
}

# wait_exit SECS: wait for the activated process to end; sets $act_status.
wait_exit() {
	local i
	for i in $(seq 1 $(($1 * 20))); do
		kill -0 "$ACT_PID" 2>/dev/null || break
		sleep 0.05
	done
	act_status=0
	wait "$ACT_PID" || act_status=$?
	ACT_PID=
}

# make_root: the user and folders from the snippets, and the programs in
# their installed places, below $R.  Sets R, TORC_UID, TORC_GID.
make_root() {
	R="$T/root"
	mkdir -p "$R/etc" "$R/usr/sbin" "$R/usr/lib/torc/cgi-bin/torc-service/v1" "$R/run/torc"
	systemd-sysusers --root="$R" "$ROOT/systemd/torc.sysusers" 2>/dev/null
	systemd-tmpfiles --create --root="$R" "$ROOT/systemd/torc.tmpfiles"
	TORC_UID=$(awk -F: '$1 == "torc" { print $3 }' "$R/etc/passwd")
	TORC_GID=$(awk -F: '$1 == "torc" { print $4 }' "$R/etc/passwd")
	cp "$ROOT/build/sbin/torc-server" "$R/usr/sbin/"
	cp "$ROOT"/build/cgi-bin/torc-service/v1/* "$R/usr/lib/torc/cgi-bin/torc-service/v1/"
	chmod -R a+rX "$R/usr"
	# RuntimeDirectory=torc: systemd makes it for the service user.
	chown "$TORC_UID:$TORC_GID" "$R/run/torc"
	chmod 700 "$R/run/torc"
	# The torc user must reach the files below the bats folders.
	local d="$T"
	while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

@test "the units verify without a warning and are sandboxed" {
	mkdir -p "$T/units"
	cp "$ROOT/systemd/torc.socket" "$T/units/"
	sed "s|/usr/sbin/torc-server|$ROOT/build/sbin/torc-server|" "$ROOT/systemd/torc.service" \
		>"$T/units/torc.service"
	run systemd-analyze verify --man=no "$T/units/torc.socket" "$T/units/torc.service"
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "$output" >&2; return 1; }
	run systemd-analyze security --offline=yes "$T/units/torc.service"
	level=$(sed -n 's/.*Overall exposure level for torc.service: \([0-9.]*\).*/\1/p' <<<"$output")
	[ -n "$level" ]
	awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || { echo "exposure $level" >&2; return 1; }
	for k in User NoNewPrivileges ProtectSystem PrivateTmp ProtectHome PrivateNetwork \
		CapabilityBoundingSet SystemCallFilter; do
		grep -q "^$k=" "$ROOT/systemd/torc.service" || { echo "no $k=" >&2; return 1; }
	done
	[ "$(unit_value torc.service User)" = torc ]
	[ "$(unit_value torc.service ProtectSystem)" = strict ]
	[[ "$(unit_value torc.socket ListenStream)" == 127.0.0.1:* ]]
}

@test "sysusers.d and tmpfiles.d make the torc user and its private folders" {
	[ "$(id -u)" = 0 ] || skip "needs root to create users and chown in a root folder"
	make_root
	grep -q '^torc:x:[0-9]*:[0-9]*:Torc workflow server:/var/lib/torc:/usr/sbin/nologin$' "$R/etc/passwd"
	[ "$TORC_UID" -lt 1000 ]
	[ "$(stat -c '%a %u %g' "$R/var/lib/torc")" = "700 $TORC_UID $TORC_GID" ]
	[ "$(stat -c '%a %u %g' "$R/var/cache/torc")" = "700 $TORC_UID $TORC_GID" ]
	[ "$(stat -c '%a %u %g' "$R/var/log/torc")" = "750 $TORC_UID $TORC_GID" ]
	[ "$(stat -c '%a %u' "$R/etc/torc")" = "755 0" ]
	# The service's folders agree with the snippets.
	[ "$(unit_value torc.service StateDirectoryMode)" = 0700 ]
	[ "$(unit_value torc.service CacheDirectoryMode)" = 0700 ]
	[ "$(unit_value torc.service LogsDirectoryMode)" = 0750 ]
}

@test "torc.service as torc.socket starts it: nothing runs until the first connection, then it serves, authenticates and exits when idle" {
	[ "$(id -u)" = 0 ] || skip "needs root to run as the torc user"
	make_root
	"$ROOT/build/sbin/torc-htpasswd" add --cost 4 --password-stdin "$R/etc/torc/htpasswd" alice \
		<<<'alice-Pw-0760' >/dev/null
	chown "$TORC_UID:$TORC_GID" "$R/etc/torc/htpasswd"
	chmod 600 "$R/etc/torc/htpasswd"
	printf '[server]\nauth_file = "%s"\nrequire_auth = true\n' "$R/etc/torc/htpasswd" \
		>"$R/etc/torc/torc.toml"

	# The service's environment and command, with the paths below $R and a
	# short idle time; the socket's address with a free port.
	local envs=() line
	while read -r line; do
		line=${line//=\/var\//=$R\/var\/}
		line=${line//=\/run\//=$R\/run\/}
		[[ "$line" == TORC_IDLE_EXIT_SECS=* ]] && line=TORC_IDLE_EXIT_SECS=2
		envs+=(-E "$line")
	done < <(unit_value torc.service Environment)
	envs+=(-E "TORC_CONFIG=$R/etc/torc/torc.toml" -E PATH)
	read -r -a cmd <<<"$(unit_value torc.service ExecStart)"
	cmd[0]="$R${cmd[0]}"
	listen=$(unit_value torc.socket ListenStream)
	PORT=$(free_port)
	listen="${listen%:*}:$PORT"
	# User=torc and PrivateNetwork=yes, as systemd would apply them.
	sandbox=(unshare --net setpriv --reuid "$TORC_UID" --regid "$TORC_GID" --clear-groups)

	activate -l "$listen" "${envs[@]}" "${sandbox[@]}" "${cmd[@]}"
	# Idle before the first connection: only the activator, no child.
	sleep 0.3
	[ "$(cat /proc/$ACT_PID/comm)" = systemd-socket- ]
	[ -z "$(pgrep -P "$ACT_PID")" ]

	BASE="http://$listen/torc-service/v1"
	api_as alice:alice-Pw-0760 POST /workflows '{"name":"activated"}'
	expect_code 200
	expect_json .user alice
	[ "$(cat /proc/$ACT_PID/comm)" = torc-server ]
	[ "$(stat -c %u /proc/$ACT_PID)" = "$TORC_UID" ]
	api_as alice:wrong GET /workflows
	expect_code 401
	api GET /ping
	expect_code 401
	[ "$(stat -c %u "$R/var/lib/torc/torc.version")" = "$TORC_UID" ]
	[ -n "$(ls -A "$R/var/cache/torc")" ]
	grep -q 'serving http://127.0.0.1:'"$PORT"'/torc-service/v1' "$T/act.log"

	# Two idle seconds later lighttpd and torc-server are gone, with exit 0.
	wait_exit 10
	[ "$act_status" -eq 0 ] || { cat "$T/act.log" >&2; return 1; }
	grep -q 'server stopped after idle timeout' "$T/act.log"
	[ -z "$(ls -A "$R/run/torc" 2>/dev/null)" ]
}

@test "socket activation: every passed socket is served (IPv4 and IPv6), over HTTPS too, and the configured port is never bound" {
	"$ROOT/build/sbin/torc-server" gen-cert --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" >/dev/null
	P1=$(free_port) P2=$(free_port) P3=$(free_port)
	activate -l "127.0.0.1:$P1" -l "[::1]:$P2" \
		"$ROOT/build/sbin/torc-server" run --database "$T/db" --port "$P3" \
		--https --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --idle-exit-secs 30
	run curl -sS --cacert "$T/cert.pem" "https://127.0.0.1:$P1/torc-service/v1/ping"
	[[ "$output" == *'"ok"'* ]] || { echo "$output" >&2; cat "$T/act.log" >&2; return 1; }
	run curl -sS -g --cacert "$T/cert.pem" "https://[::1]:$P2/torc-service/v1/ping"
	[[ "$output" == *'"ok"'* ]]
	! (echo >/dev/tcp/127.0.0.1/$P3) 2>/dev/null
	kill -TERM "$ACT_PID"
	wait_exit 10
	[ "$act_status" -eq 0 ]
}

@test "socket activation: sockets meant for another process are ignored, bad ones refused" {
	# LISTEN_PID names another process: torc-server binds its own port.
	PORT=$(free_port)
	run env LISTEN_PID=1 LISTEN_FDS=1 "$ROOT/build/sbin/torc-server" run --port "$PORT" \
		--database "$T/db" --idle-exit-secs 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"serving http://localhost:$PORT/"* ]]
	# fd 3 is not a socket.
	run sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" run --database "$1"' \
		"$ROOT/build/sbin/torc-server" "$T/db" 3</dev/null
	[ "$status" -eq 102 ]
	[[ "$output" == *"inherited fd 3 is not a stream socket"* ]]
	run sh -c 'LISTEN_PID=$$ LISTEN_FDS=x exec "$0" run --database "$1"' \
		"$ROOT/build/sbin/torc-server" "$T/db"
	[ "$status" -eq 102 ]
	[[ "$output" == *"LISTEN_FDS=x is not a count"* ]]
}

@test "socket activation is for lighttpd only" {
	PORT=$(free_port)
	activate -l "127.0.0.1:$PORT" "$ROOT/build/sbin/torc-server" run --database "$T/db" \
		--web-server busybox
	curl -s -o /dev/null "http://127.0.0.1:$PORT/" || true
	wait_exit 5
	[ "$act_status" -eq 102 ]
	grep -q 'sockets passed by systemd are taken by lighttpd only' "$T/act.log"
}
