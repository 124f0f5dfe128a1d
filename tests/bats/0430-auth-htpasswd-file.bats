#!/usr/bin/env bats
# The htpasswd file as the server reads it: only bcrypt ($2a$, $2b$,
# $2y$) lines count, every other hash is refused even with the right
# password; comments, blank lines, CRLF, a BOM and stray whitespace are
# tolerated; the first line of a duplicated user wins; edits apply at
# once without a restart; a cost above the cap is refused without
# stalling.  Lines come from Apache's htpasswd, never from our tool.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	# The one slow fixture (about 2 s): a cost-15 hash, above the cap of 14.
	htpasswd -nbB -C 15 slow 'slow-Pw-4430' | grep . >"$BATS_FILE_TMPDIR/slow15"
}

setup() {
	HT="$BATS_TEST_TMPDIR/htpasswd"
	: >"$HT"
}

teardown() { stop_server; }

# serve [flags]: start_server, called where errexit is off so that its
# retry after a taken port works; prints the server's output on failure.
serve() {
	start_server "$@" || { echo "start_server failed:" >&2; cat "$SERVER_LOG" >&2; return 1; }
}

# line USER PASSWORD [htpasswd flags]: one htpasswd line (cost-4 bcrypt).
line() {
	local u="$1" p="$2"
	shift 2
	[ $# -gt 0 ] || set -- -B -C 4
	htpasswd -nb "$@" "$u" "$p" 2>/dev/null | grep .
}

can() { api_as "$1" GET /ping; expect_code 200; }
cannot() { api_as "$1" GET /ping; expect_code 401; }

wait_log() {
	local i
	for i in $(seq 1 100); do
		[ "$(grep -cF -- "$2" "$SERVER_LOG")" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "expected $1 x '$2' in:" >&2
	cat "$SERVER_LOG" >&2
	return 1
}

@test "bcrypt \$2a\$, \$2b\$ and \$2y\$ lines from Apache's htpasswd verify" {
	local y
	y=$(line ya 'ya-Pw-4430')
	[[ "$y" == 'ya:$2y$04$'* ]]
	{
		echo "${y/\$2y\$/\$2a\$}" | sed 's/^ya:/a:/'
		echo "${y/\$2y\$/\$2b\$}" | sed 's/^ya:/b:/'
		echo "$y"
	} >"$HT"
	serve --auth-file "$HT" --require-auth
	can 'a:ya-Pw-4430'
	can 'b:ya-Pw-4430'
	can 'ya:ya-Pw-4430'
	cannot 'a:ya-Pw-4431'
	cannot 'b:ya-pw-4430'
	cannot 'ya:'
}

@test "DES, MD5-apr1, SHA1, plain text and \$2x\$ lines are refused with the right password" {
	local y
	y=$(line x 'x-Pw-4430')
	{
		line des 'des-Pw-4430' -d
		line md5 'md5-Pw-4430' -m
		line sha 'sha-Pw-4430' -s
		line plain 'plain-Pw-4430' -p
		echo "${y/\$2y\$/\$2x\$}"
		echo 'crypt5:$5$saltsalt$Bi0jrZq9JLa5GjSg8KD9k6Dzv6rWdyVdKIGgaGXRGH6'
		line ok 'ok-Pw-4430'
	} >"$HT"
	grep -q '^des:[./A-Za-z0-9]\{13\}$' "$HT"
	grep -q '^md5:\$apr1\$' "$HT"
	grep -q '^sha:{SHA}' "$HT"
	grep -q '^plain:plain-Pw-4430$' "$HT"
	grep -q '^x:\$2x\$04\$' "$HT"
	serve --auth-file "$HT" --require-auth
	grep -qF 'INFO torc_server: Loaded 1 users from htpasswd file' "$SERVER_LOG"
	local u
	for u in des md5 sha plain; do
		cannot "$u:$u-Pw-4430"
		wait_log 2 "Password hash for user '$u' at line "
	done
	cannot 'x:x-Pw-4430'
	cannot 'crypt5:anything'
	# DES reads 8 characters: neither the full password nor its prefix works.
	cannot 'des:des-Pw-4'
	can 'ok:ok-Pw-4430'
	grep -qF "user 'des' at line 1 is not an accepted bcrypt hash (\$2a\$, \$2b\$ or \$2y\$): DES crypt; refused" "$SERVER_LOG"
	grep -qF "user 'md5' at line 2 is not an accepted bcrypt hash (\$2a\$, \$2b\$ or \$2y\$): MD5 (apr1); refused" "$SERVER_LOG"
	grep -qF "user 'sha' at line 3 is not an accepted bcrypt hash (\$2a\$, \$2b\$ or \$2y\$): SHA1; refused" "$SERVER_LOG"
	grep -qF "user 'x' at line 5 is not an accepted bcrypt hash (\$2a\$, \$2b\$ or \$2y\$): bcrypt \$2x\$ (buggy variant); refused" "$SERVER_LOG"
}

@test "comments, blank lines, CRLF, a BOM and stray whitespace are tolerated" {
	{
		printf '\xef\xbb\xbf%s\r\n' "$(line bom 'bom-Pw-4430')"
		printf '# a comment: with a colon\r\n'
		printf '\r\n'
		printf '   \t\r\n'
		printf '  # indented comment\n'
		printf '%s  \t\r\n' "$(line trail 'trail-Pw-4430')"
		printf '\t %s\n' "$(line lead 'lead-Pw-4430')"
		line spaced 'spaced-Pw-4430' | sed 's/:/ : /'
		printf '%s' "$(line last 'last-Pw-4430')"		# no final newline
	} >"$HT"
	serve --auth-file "$HT" --require-auth
	grep -qF 'INFO torc_server: Loaded 5 users from htpasswd file' "$SERVER_LOG"
	! grep -q '^WARN' "$SERVER_LOG" || false
	for u in bom trail lead spaced last; do
		can "$u:$u-Pw-4430"
	done
	cannot 'bom:bom-Pw-4430 '
	cannot '# a comment: with a colon'
}

@test "a duplicated user: the first line wins, with a warning" {
	{
		line dup 'first-Pw-4430'
		line other 'other-Pw-4430'
		line dup 'second-Pw-4430'
	} >"$HT"
	serve --auth-file "$HT" --require-auth
	grep -qFx "WARN torc::server::htpasswd: Duplicate user 'dup' at line 3 ignored: line 1 wins" "$SERVER_LOG"
	can 'dup:first-Pw-4430'
	cannot 'dup:second-Pw-4430'
	wait_log 3 "Duplicate user 'dup' at line 3 ignored: line 1 wins"
	# A refused first line is not rescued by a later good one.
	{ line dup2 'dup2-Pw-4430' -p; line dup2 'dup2-Pw-4430'; } >>"$HT"
	cannot 'dup2:dup2-Pw-4430'
}

@test "edits apply at once: change, remove and add users without a restart" {
	line alice 'old-Pw-4430' >"$HT"
	line bob 'bob-Pw-4430' >>"$HT"
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth
	can 'alice:old-Pw-4430'
	can 'alice:old-Pw-4430'		# now from the credential cache
	wait_log 1 "User 'alice' authenticated from cache"
	# Change alice's password in place.
	{ line alice 'new-Pw-4430'; line bob 'bob-Pw-4430'; } >"$HT"
	cannot 'alice:old-Pw-4430'
	can 'alice:new-Pw-4430'
	# Remove bob (atomic replace, as an editor or our tool does).
	can 'bob:bob-Pw-4430'
	can 'bob:bob-Pw-4430'
	line alice 'new-Pw-4430' >"$HT.new" && mv "$HT.new" "$HT"
	cannot 'bob:bob-Pw-4430'
	# Add carol.
	cannot 'carol:carol-Pw-4430'
	line carol 'carol-Pw-4430' >>"$HT"
	can 'carol:carol-Pw-4430'
	# Comment alice out.
	sed -i 's/^alice/#alice/' "$HT"
	cannot 'alice:new-Pw-4430'
	[ "$(grep -c "User 'alice' authenticated from cache" "$SERVER_LOG")" -eq 1 ]
}

@test "edits apply at once with the cache disabled too" {
	line alice 'old-Pw-4430' >"$HT"
	serve --auth-file "$HT" --require-auth --credential-cache-ttl-secs 0
	can 'alice:old-Pw-4430'
	line alice 'new-Pw-4430' >"$HT"
	cannot 'alice:old-Pw-4430'
	can 'alice:new-Pw-4430'
	: >"$HT"
	cannot 'alice:new-Pw-4430'
}

@test "an unreadable htpasswd file is a 401 (required) or anonymous (optional), never a 500" {
	line alice 'alice-Pw-4430' >"$HT"
	serve --auth-file "$HT" --require-auth
	can 'alice:alice-Pw-4430'
	mv "$HT" "$HT.away"
	cannot 'alice:alice-Pw-4430'
	wait_log 1 "ERROR torc::server::auth: Cannot read htpasswd file $HT: No such file or directory"
	mv "$HT.away" "$HT"
	can 'alice:alice-Pw-4430'
	stop_server
	serve --auth-file "$HT"
	rm "$HT"
	api_as 'alice:alice-Pw-4430' POST /workflows '{"name":"w"}'
	expect_code 400
	[[ "$body" == *"missing required field 'user'"* ]]
}

@test "a cost above the cap (15 > 14) is refused and logged without stalling" {
	# The hostile line first: it must not set the pace for unknown users.
	{ cat "$BATS_FILE_TMPDIR/slow15"; line fast 'fast-Pw-4430'; } >"$HT"
	head -1 "$HT" | grep -q '^slow:\$2y\$15\$'
	serve --auth-file "$HT" --require-auth
	grep -qFx "WARN torc::server::htpasswd: Bcrypt cost 15 for user 'slow' at line 1 is above the maximum 14: refused" "$SERVER_LOG"
	grep -qF 'Loaded 1 users from htpasswd file' "$SERVER_LOG"
	local t0 t1
	t0=$(date +%s%N)
	cannot 'slow:slow-Pw-4430'
	cannot 'nobody:slow-Pw-4430'
	t1=$(date +%s%N)
	# Two cost-4 runs, not a cost-15 (about 2 s) or cost-14 (about 1 s) one.
	[ $(((t1 - t0) / 1000000)) -lt 1000 ]
	wait_log 1 "WARN torc::server::htpasswd: Bcrypt cost 15 for user 'slow' is above the maximum 14: refused"
	wait_log 1 "WARN torc::server::auth: Authentication failed for user 'slow'"
	can 'fast:fast-Pw-4430'
}
