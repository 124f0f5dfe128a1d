#!/usr/bin/env bats
# make install / make uninstall into a DESTDIR: every file in its FHS place,
# the installed torc-server finds the installed CGIs by itself and serves,
# the installed tools and pages work, and uninstall leaves nothing behind.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	D="$BATS_TEST_TMPDIR/dest"
	INSTALL_LOG="$BATS_TEST_TMPDIR/install.log"
	IPID=
}

teardown() {
	if [ -n "$IPID" ]; then
		kill -INT "$IPID" 2>/dev/null
		wait "$IPID" 2>/dev/null || true
	fi
}

# run_installed [flags]: start DESTDIR's torc-server; sets IPID, IBASE, ILOG.
run_installed() {
	ILOG="$BATS_TEST_TMPDIR/installed-server.log"
	local port tries i
	for tries in 1 2 3; do
		port=$(free_port)
		"$D/usr/sbin/torc-server" run --port "$port" --database "$BATS_TEST_TMPDIR/db" \
			--runtime-dir "$BATS_TEST_TMPDIR/run" "$@" >"$ILOG" 2>&1 &
		IPID=$!
		for i in $(seq 200); do
			if grep -q '^torc-server: serving' "$ILOG"; then
				IBASE="http://localhost:$port/torc-service/v1"
				return 0
			fi
			kill -0 "$IPID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$IPID" 2>/dev/null; wait "$IPID" 2>/dev/null || true
		IPID=
		grep -q 'already in use' "$ILOG" || break
	done
	cat "$ILOG" >&2
	return 1
}

@test "make install puts everything in its place; the installed server serves; uninstall removes it all" {
	make -C "$ROOT" install PREFIX=/usr DESTDIR="$D" >"$INSTALL_LOG" 2>&1 || { cat "$INSTALL_LOG"; return 1; }

	# Programs and CGIs, executable.
	for p in usr/sbin/torc-server usr/sbin/torc-admin usr/sbin/torc-htpasswd usr/bin/torc; do
		[ -x "$D/$p" ] || { echo "missing $p"; return 1; }
	done
	for c in "$ROOT"/build/cgi-bin/torc-service/v1/*; do
		[ -x "$D/usr/lib/torc/cgi-bin/torc-service/v1/${c##*/}" ] || { echo "missing CGI ${c##*/}"; return 1; }
	done
	# Man pages, the example configuration, recipes, docs, units.
	for f in usr/share/man/man8/torc-server.8 usr/share/man/man8/torc-admin.8 \
		usr/share/man/man8/torc-htpasswd.8 usr/share/man/man1/torc.1 \
		usr/share/torc/torc.toml.example usr/share/doc/torc-cgi/configuration.md \
		usr/share/doc/torc-cgi/README.md usr/lib/systemd/system/torc.service \
		usr/lib/systemd/system/torc.socket usr/lib/tmpfiles.d/torc.conf \
		usr/lib/sysusers.d/torc.conf; do
		[ -f "$D/$f" ] || { echo "missing $f"; return 1; }
	done
	[ "$(stat -c %a "$D/usr/share/man/man8/torc-admin.8")" = 644 ]
	[ "$(stat -c %a "$D/usr/sbin/torc-admin")" = 755 ]
	# Every file of share/ is there, executables still executable.
	(cd "$ROOT/share" && find . -type f) | while read -r f; do
		[ -f "$D/usr/share/torc/$f" ] || { echo "missing share/$f"; return 1; }
		[ ! -x "$ROOT/share/$f" ] || [ -x "$D/usr/share/torc/$f" ] || { echo "not executable: $f"; return 1; }
	done
	grep -qx 'ExecStart=/usr/sbin/torc-server run' "$D/usr/lib/systemd/system/torc.service"
	# Nothing outside the prefix (no /etc): the example is to be copied there.
	[ "$(ls "$D")" = usr ]

	# The man pages render without warnings.
	for m in "$D"/usr/share/man/man8/torc-server.8 "$D"/usr/share/man/man8/torc-admin.8; do
		run groff -man -Tutf8 -ww -z "$m"
		[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$m: $output"; return 1; }
	done

	# The example parses, and with every line uncommented sets every key.
	run "$D/usr/sbin/torc-server" show-config --config "$D/usr/share/torc/torc.toml.example"
	[ "$status" -eq 0 ]
	sed 's/^#\([a-z_]* = \)/\1/' "$D/usr/share/torc/torc.toml.example" >"$BATS_TEST_TMPDIR/all.toml"
	run "$D/usr/sbin/torc-server" show-config --config "$BATS_TEST_TMPDIR/all.toml"
	[ "$status" -eq 0 ]
	[ "$(grep -c "# file $BATS_TEST_TMPDIR/all.toml:" <<<"$output")" -eq 19 ]

	# The installed server finds the installed CGIs (no --cgi-dir) and serves.
	run_installed
	grep -q "\"/torc-service/v1/\" => \"$D/usr/lib/torc/cgi-bin/torc-service/v1/\"" \
		"$BATS_TEST_TMPDIR/run/lighttpd.conf"
	code=$(curl -s -o "$BATS_TEST_TMPDIR/ping" -w '%{http_code}' "$IBASE/ping")
	[ "$code" = 200 ]
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-d '{"name":"w","user":"u"}' "$IBASE/workflows")
	[ "$code" = 200 ]
	# The installed CLI and admin tool work against it.
	run "$D/usr/bin/torc" --url "$IBASE" workflows list
	[ "$status" -eq 0 ]
	run "$D/usr/sbin/torc-admin" --database "$BATS_TEST_TMPDIR/db" db stats --json
	[ "$status" -eq 0 ]
	[ "$(jq '.tables.workflows.records' <<<"$output")" -eq 1 ]
	kill -INT "$IPID"
	wait "$IPID"
	IPID=

	# Uninstall: no file or link left, and torc's own folders are gone.
	make -C "$ROOT" uninstall PREFIX=/usr DESTDIR="$D" >>"$INSTALL_LOG" 2>&1 || { cat "$INSTALL_LOG"; return 1; }
	left=$(find "$D" ! -type d)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	for d in usr/lib/torc usr/share/torc usr/share/doc/torc-cgi; do
		[ ! -e "$D/$d" ] || { echo "left behind: $d"; return 1; }
	done
}

@test "another PREFIX: units point at its sbin; uninstall leaves what it did not install" {
	make -C "$ROOT" install PREFIX=/usr/local DESTDIR="$D" >"$INSTALL_LOG" 2>&1 || { cat "$INSTALL_LOG"; return 1; }
	grep -qx 'ExecStart=/usr/local/sbin/torc-server run' "$D/usr/local/lib/systemd/system/torc.service"
	[ -x "$D/usr/local/lib/torc/cgi-bin/torc-service/v1/ping" ]
	# A file of the administrator's beside ours survives uninstall.
	echo mine >"$D/usr/local/share/torc/local-notes.txt"
	echo mine >"$D/usr/local/sbin/other-tool"
	make -C "$ROOT" uninstall PREFIX=/usr/local DESTDIR="$D" >>"$INSTALL_LOG" 2>&1 || { cat "$INSTALL_LOG"; return 1; }
	[ "$(find "$D" ! -type d | sort)" = "$(printf '%s\n' "$D/usr/local/sbin/other-tool" "$D/usr/local/share/torc/local-notes.txt" | sort)" ]
	[ ! -e "$D/usr/local/lib/torc" ]
}
