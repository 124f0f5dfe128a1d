#!/usr/bin/env bats
# torc-admin against databases made and used by the real server: a hot
# backup taken while writes go on, verify (good, damaged, rebuilt from the
# log), recover with the server up, stats, cache purge, exit codes.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	ADMIN="$ROOT/build/sbin/torc-admin"
	WRITER_PID=
}

teardown() {
	[ -z "$WRITER_PID" ] || { touch "$T/stop"; wait "$WRITER_PID" 2>/dev/null || true; }
	stop_server
}

admin() {
	run --separate-stderr "$ADMIN" --database "$DBDIR" "$@"
}

# mk N: create N workflows through the API.
mk() {
	local i
	for i in $(seq "$1"); do
		api POST /workflows "{\"name\":\"w$i\",\"user\":\"u\"}"
		expect_code 200
	done
}

# ids: every workflow id the server holds, sorted, one a line.
ids() {
	api GET '/workflows?offset=0&limit=10000'
	expect_code 200
	jq -r '.items[].id' <<<"$body" | sort -n
}

# writer: create workflows until $T/stop exists; each acknowledged id
# (HTTP 200 received) is appended to $T/acked.
writer() {
	local n=0 out
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		out=$(curl -s --max-time 30 -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
			--data-binary "{\"name\":\"hot$n\",\"user\":\"u\"}" "$BASE/workflows") || continue
		[ "${out##*$'\n'}" = 200 ] && jq -r .id <<<"${out%$'\n'*}" >>"$T/acked"
	done
}

@test "a hot backup while writes go on opens and holds every record acknowledged before it started" {
	start_server
	mk 20
	: >"$T/acked"
	writer &
	WRITER_PID=$!
	# Let writes get going, then note what was acknowledged before the backup.
	for _ in $(seq 200); do [ "$(wc -l <"$T/acked")" -ge 30 ] && break; sleep 0.05; done
	cp "$T/acked" "$T/before"
	[ "$(wc -l <"$T/before")" -ge 30 ]
	admin db backup "$T/backup"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == "backed up $DBDIR into $T/backup: "*"recovered and verified"* ]]
	# Writes kept going during and after the backup.
	sleep 0.5
	touch "$T/stop"
	wait "$WRITER_PID"
	WRITER_PID=
	[ "$(wc -l <"$T/acked")" -gt "$(wc -l <"$T/before")" ]
	stop_server
	[ -f "$T/backup/torc.version" ]
	[ ! -e "$T/backup/__db.001" ]

	# The copy verifies, and is consistent: every workflow has its status,
	# default resource requirement and owner index entry (one transaction).
	run --separate-stderr "$ADMIN" --database "$T/backup" db verify
	[ "$status" -eq 0 ]
	run --separate-stderr "$ADMIN" --database "$T/backup" db stats --json
	[ "$status" -eq 0 ]
	n=$(jq '.tables.workflows.records' <<<"$output")
	[ "$n" -ge 50 ]
	[ "$(jq '.tables.workflow_status.records' <<<"$output")" -eq "$n" ]
	[ "$(jq '.tables.resource_requirements.records' <<<"$output")" -eq "$n" ]
	[ "$(jq '.tables.idx_owner.records' <<<"$output")" -eq "$n" ]

	# A server opens the copy, and it holds everything acknowledged before.
	DBDIR="$T/backup" start_server
	ids >"$T/in-backup"
	for i in $(seq 20); do grep -qx "$i" "$T/in-backup"; done
	missing=$(grep -vxFf "$T/in-backup" "$T/before" || true)
	[ -z "$missing" ] || { echo "missing from the backup: $missing"; return 1; }
	# ... and it is a working database: it takes new writes.
	api POST /workflows '{"name":"after","user":"u"}'
	expect_code 200
}

@test "backup refuses a non-empty target, the database itself, and a missing argument" {
	start_server
	mk 2
	mkdir "$T/full" && touch "$T/full/x"
	admin db backup "$T/full"
	[ "$status" -eq 102 ]
	[ "$stderr" = "torc-admin: fatal: $T/full is not empty; back up into a new or empty folder" ]
	admin db backup "$DBDIR"
	[ "$status" -eq 102 ]
	admin db backup
	[ "$status" -eq 100 ]
	# An empty folder is fine.
	mkdir "$T/empty"
	admin db backup "$T/empty"
	[ "$status" -eq 0 ]
}

@test "verify: a good database passes with the server up; damage is found and named" {
	start_server
	mk 30
	admin db verify
	[ "$status" -eq 0 ]
	[[ "$output" == *"workflows.db               ok, 30 records"* ]]
	[[ "$output" == *"no damage"* ]]
	# The server carries on after verify let it back in.
	api GET /workflows/30
	expect_code 200
	stop_server
	# Damage a table: verify fails, names it, and says how many.
	dd if=/dev/urandom of="$DBDIR/workflows.db" bs=4096 seek=2 count=2 conv=notrunc 2>/dev/null
	admin db verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"workflows.db               DAMAGED"* ]]
	[[ "$stderr" == "torc-admin: 1 of "*" tables in $DBDIR failed verification" ]]
	# A missing table is damage too.
	mv "$DBDIR/workflows.db" "$T/workflows.db.damaged"
	admin db verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"workflows.db               MISSING"* ]]
	# Every log file is kept, so catastrophic recovery rebuilds it.
	admin db recover --catastrophic
	[ "$status" -eq 0 ]
	[[ "$output" == *"replayed every log file of $DBDIR"* ]]
	admin db verify
	[ "$status" -eq 0 ]
	start_server
	[ "$(ids | wc -l)" -eq 30 ]
}

@test "recover with the server up: requests carry on and nothing is lost" {
	start_server
	mk 10
	: >"$T/codes"
	(
		while [ ! -e "$T/stop" ]; do
			curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 "$BASE/workflows/1" >>"$T/codes"
		done
	) &
	WRITER_PID=$!
	sleep 0.3
	admin db recover
	[ "$status" -eq 0 ]
	[ "$output" = "recovered $DBDIR" ]
	admin db recover
	[ "$status" -eq 0 ]
	sleep 0.3
	touch "$T/stop"
	wait "$WRITER_PID"
	WRITER_PID=
	[ "$(sort -u "$T/codes")" = 200 ]
	[ "$(ids | wc -l)" -eq 10 ]
	mk 1
}

@test "stats: records per table, log, transactions, locks and cache, as text and JSON" {
	start_server
	mk 5
	admin db stats
	[ "$status" -eq 0 ]
	[[ "$output" == "database $DBDIR"* ]]
	grep -Eq '^workflows +5 ' <<<"$output"
	grep -Eq '^idx_owner \(index\) +5 ' <<<"$output"
	grep -q '^log: ' <<<"$output"
	grep -q '^transactions: 0 active' <<<"$output"
	grep -q '^locks: ' <<<"$output"
	grep -q '^cache: ' <<<"$output"
	admin db stats --json
	[ "$status" -eq 0 ]
	[ "$(jq '.tables.workflows.records' <<<"$output")" -eq 5 ]
	[ "$(jq -r '.tables.idx_owner.kind' <<<"$output")" = index ]
	[ "$(jq '.records' <<<"$output")" -ge 15 ]
	[ "$(jq '.log.files' <<<"$output")" -ge 1 ]
	[ "$(jq '.transactions.committed' <<<"$output")" -gt 0 ]
	[ "$(jq '.locks.limit' <<<"$output")" -gt 0 ]
	[ "$(jq '.cache.bytes' <<<"$output")" -gt 0 ]
	# The server still serves.
	mk 1
}

@test "cache purge: expired entries go, live ones stay unless --all; the secret stays" {
	HT="$T/htpasswd"
	htpasswd -nbB -C 4 alice 'alice-pw' | grep . >"$HT"
	htpasswd -nbB -C 4 bob 'bob-pw' | grep . >>"$HT"
	start_server --auth-file "$HT" --credential-cache-ttl-secs 2
	entries() { find "$DBDIR/auth-cache" -type f ! -name secret | wc -l; }
	api_as alice:alice-pw GET /ping
	expect_code 200
	[ "$(entries)" -eq 1 ]
	export TORC_CREDENTIAL_CACHE_TTL_SECS=2
	admin cache purge
	[ "$status" -eq 0 ]
	[ "$output" = "removed 0 expired entries or stale temporary files from $DBDIR/auth-cache" ]
	[ "$(entries)" -eq 1 ]
	sleep 3
	admin cache purge
	[ "$status" -eq 0 ]
	[ "$output" = "removed 1 expired entries or stale temporary files from $DBDIR/auth-cache" ]
	[ "$(entries)" -eq 0 ]
	api_as bob:bob-pw GET /ping
	[ "$(entries)" -eq 1 ]
	admin cache purge --all
	[ "$output" = "removed 1 entries from $DBDIR/auth-cache" ]
	[ "$(entries)" -eq 0 ]
	[ -f "$DBDIR/auth-cache/secret" ]
	# The cache folder comes from --cache-dir / TORC_CACHE_DIR too.
	run --separate-stderr "$ADMIN" --database "$DBDIR" --cache-dir "$T/nocache" cache purge
	[ "$status" -eq 0 ]
	[ "$output" = "no credential cache at $T/nocache: nothing to purge" ]
	# Logins still work after a purge.
	api_as alice:alice-pw GET /ping
	expect_code 200
}

@test "settings come from the server's configuration; exit codes" {
	start_server
	mk 3
	stop_server
	# The database folder from torc.toml and from TORC_DATABASE.
	printf '[server]\ndatabase = "%s"\n' "$DBDIR" >"$T/torc.toml"
	run --separate-stderr env TORC_CONFIG="$T/torc.toml" "$ADMIN" db stats --json
	[ "$status" -eq 0 ]
	[ "$(jq '.tables.workflows.records' <<<"$output")" -eq 3 ]
	run --separate-stderr "$ADMIN" --config "$T/torc.toml" db stats --json
	[ "$status" -eq 0 ]
	run --separate-stderr env TORC_DATABASE="$DBDIR" "$ADMIN" db verify
	[ "$status" -eq 0 ]
	# Usage: 100.
	run --separate-stderr "$ADMIN"
	[ "$status" -eq 100 ]
	run --separate-stderr "$ADMIN" db frobnicate
	[ "$status" -eq 100 ]
	[[ "$stderr" == "torc-admin: unknown command 'db frobnicate' (see torc-admin --help)" ]]
	run --separate-stderr "$ADMIN" db stats --all
	[ "$status" -eq 100 ]
	run --separate-stderr "$ADMIN" --bogus db stats
	[ "$status" -eq 100 ]
	run --separate-stderr "$ADMIN" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"db backup DIR"* ]]
	# Misconfiguration: 102.
	run --separate-stderr "$ADMIN" --database "$T/nowhere" db verify
	[ "$status" -eq 102 ]
	[[ "$stderr" == "torc-admin: fatal: no database at $T/nowhere: No such file or directory"* ]]
	mkdir "$T/notdb"
	run --separate-stderr "$ADMIN" --database "$T/notdb" db stats
	[ "$status" -eq 102 ]
	run --separate-stderr "$ADMIN" --database "$T/notdb" db recover
	[ "$status" -eq 102 ]
	printf '[server]\nport = "x"\n' >"$T/bad.toml"
	run --separate-stderr "$ADMIN" --config "$T/bad.toml" db stats
	[ "$status" -eq 102 ]
	[[ "$stderr" == *"bad.toml:2: port: expected an integer, got a string"* ]]
	# Not the owner: 102, naming the owner.
	chown nobody "$DBDIR"
	admin db stats
	[ "$status" -eq 102 ]
	[[ "$stderr" == *"$DBDIR belongs to nobody"*"sudo -u nobody"* ]]
	chown "$(id -u)" "$DBDIR"
	# Busy: somebody holds the database past --wait: 111, nothing done.
	flock -o -x "$DBDIR/torc.intent" sleep 5 &
	local holder=$!
	# Until the holder has it: a shared lock can no longer be had.
	for _ in $(seq 200); do flock -n -s "$DBDIR/torc.intent" true || break; sleep 0.05; done
	! flock -n -s "$DBDIR/torc.intent" true
	admin --wait 1 db verify
	[ "$status" -eq 111 ]
	[[ "$stderr" == *"nothing done"* ]]
	admin --wait 1 db stats
	[ "$status" -eq 111 ]
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	admin db verify
	[ "$status" -eq 0 ]
}
