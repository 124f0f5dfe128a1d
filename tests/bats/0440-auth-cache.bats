#!/usr/bin/env bats
# The credential cache through the real server.  A hit shows as the DEBUG
# line "User 'u' authenticated from cache" before "... authenticated
# successfully"; without it the request ran bcrypt.  The folder is 0700,
# the secret and the entries 0600; TTL 0 writes nothing; failures are
# never cached; a damaged entry or folder falls back to bcrypt.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	HT="$BATS_TEST_TMPDIR/htpasswd"
	{
		htpasswd -nbB -C 4 alice 'alice-Pw-4440'
		htpasswd -nbB -C 4 bob 'bob-Pw-4440'
	} | grep . >"$HT"
	CACHE="$BATS_TEST_TMPDIR/db/auth-cache"
}

teardown() { stop_server; }

# serve [flags]: start_server, called where errexit is off so that its
# retry after a taken port works; prints the server's output on failure.
serve() {
	start_server "$@" || { echo "start_server failed:" >&2; cat "$SERVER_LOG" >&2; return 1; }
}

can() { api_as "$1" GET /ping; expect_code 200; }
cannot() { api_as "$1" GET /ping; expect_code 401; }

# count LINE: exact occurrences in the server log.
count() { grep -cFx -- "$1" "$SERVER_LOG" || true; }
ok_line() { echo "DEBUG torc::server::auth: User '$1' authenticated successfully"; }
hit_line() { echo "DEBUG torc::server::auth: User '$1' authenticated from cache"; }

# successes USER N: wait for N success lines (stderr of a CGI may land a
# moment after its reply), so that counts of hits are final.
successes() {
	local i
	for i in $(seq 1 100); do
		[ "$(count "$(ok_line "$1")")" -ge "$2" ] && break
		sleep 0.05
	done
	[ "$(count "$(ok_line "$1")")" -eq "$2" ]
}
hits() { [ "$(count "$(hit_line "$1")")" -eq "$2" ]; }

entries() { find "${1:-$CACHE}" -maxdepth 1 -regextype posix-extended -regex '.*/[0-9a-f]{64}' | sort; }
nentries() { entries "$@" | wc -l; }

@test "a second request is served from the cache, not bcrypt" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth
	[ ! -e "$CACHE" ]
	can 'alice:alice-Pw-4440'
	successes alice 1
	hits alice 0
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	successes alice 3
	hits alice 2
	# Each hit is followed by the success line, as in Torc.
	grep -A1 -Fx "$(hit_line alice)" "$SERVER_LOG" | grep -qFx "$(ok_line alice)"
	# The cache is per password: another password misses and fails.
	cannot 'alice:alice-Pw-4441'
	hits alice 2
	# And per user.
	can 'bob:bob-Pw-4440'
	successes bob 1
	hits bob 0
}

@test "the cache folder is 0700, the secret and the entries 0600, whatever the umask" {
	umask 000
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth \
		--cache-dir "$BATS_TEST_TMPDIR/cc"
	can 'alice:alice-Pw-4440'
	can 'bob:bob-Pw-4440'
	local d="$BATS_TEST_TMPDIR/cc"
	[ "$(stat -c %a "$d")" = 700 ]
	[ "$(stat -c %a "$d/secret")" = 600 ]
	[ "$(stat -c %s "$d/secret")" = 32 ]
	[ "$(nentries "$d")" -eq 2 ]
	local e
	for e in $(entries "$d"); do
		[ "$(stat -c %a "$e")" = 600 ]
		[ "$(head -1 "$e")" = 'torc-credcache 1' ]
	done
	# Nothing else: no temporary files, no names or passwords.
	[ "$(ls -A "$d" | wc -l)" -eq 3 ]
	[ ! -e "$CACHE" ]
	can 'alice:alice-Pw-4440'
	successes alice 2
	hits alice 1
}

@test "entries expire after the TTL and bcrypt runs again" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth \
		--credential-cache-ttl-secs 1
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	successes alice 2
	hits alice 1
	local e m1
	e=$(entries)
	m1=$(stat -c %Y.%y "$e")
	sleep 2
	can 'alice:alice-Pw-4440'
	successes alice 3
	hits alice 1
	# The entry was written again, and hits again.
	[ "$(entries)" = "$e" ]
	[ "$(stat -c %Y.%y "$e")" != "$m1" ]
	can 'alice:alice-Pw-4440'
	successes alice 4
	hits alice 2
}

@test "a hit does not extend the lifetime of an entry" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth \
		--credential-cache-ttl-secs 2
	can 'alice:alice-Pw-4440'
	sleep 1.2
	can 'alice:alice-Pw-4440'
	sleep 1.2
	can 'alice:alice-Pw-4440'
	successes alice 3
	hits alice 1
}

@test "TTL 0 disables the cache: nothing is written, every request runs bcrypt" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth \
		--credential-cache-ttl-secs 0
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	successes alice 3
	hits alice 0
	[ ! -e "$CACHE" ]
	stop_server
	# The same through the environment, with an explicit folder.
	TORC_CREDENTIAL_CACHE_TTL_SECS=0 LOG_LEVEL=debug serve --auth-file "$HT" \
		--cache-dir "$BATS_TEST_TMPDIR/cc"
	api_as 'bob:bob-Pw-4440' POST /workflows '{"name":"w"}'
	expect_json .user bob
	api_as 'bob:bob-Pw-4440' POST /workflows '{"name":"w"}'
	expect_json .user bob
	successes bob 2
	hits bob 0
	[ ! -e "$BATS_TEST_TMPDIR/cc" ]
}

@test "failures are never cached" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth
	cannot 'alice:wrong-1'
	cannot 'alice:wrong-1'
	cannot 'nobody:alice-Pw-4440'
	[ "$(nentries 2>/dev/null)" -eq 0 ]
	can 'alice:alice-Pw-4440'
	[ "$(nentries)" -eq 1 ]
	cannot 'alice:wrong-1'
	cannot 'alice:alice-Pw-444'
	cannot 'alice:alice-Pw-44400'
	[ "$(nentries)" -eq 1 ]
	# The optional mode caches successes only, too.
	stop_server
	LOG_LEVEL=debug serve --auth-file "$HT"
	api_as 'bob:wrong' GET /ping
	expect_code 200
	[ "$(nentries)" -eq 1 ]
	api_as 'bob:bob-Pw-4440' GET /ping
	api_as 'bob:bob-Pw-4440' GET /ping
	[ "$(nentries)" -eq 2 ]
	successes bob 2
	hits bob 1
}

@test "a truncated, corrupt or replaced entry falls back to bcrypt" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	hits alice 1
	local e size
	e=$(entries)
	size=$(stat -c %s "$e")
	# Truncated.
	truncate -s 10 "$e"
	can 'alice:alice-Pw-4440'
	successes alice 3
	hits alice 1
	[ "$(stat -c %s "$e")" = "$size" ]
	can 'alice:alice-Pw-4440'
	hits alice 2
	# Same size, wrong content.
	head -c "$size" /dev/zero | tr '\0' x >"$e"
	can 'alice:alice-Pw-4440'
	successes alice 5
	hits alice 2
	# Empty.
	: >"$e"
	can 'alice:alice-Pw-4440'
	successes alice 6
	hits alice 2
	# A symbolic link to a good entry, and a folder in its place.
	can 'bob:bob-Pw-4440'
	local b
	b=$(entries | grep -vx "$e")
	rm "$e" && ln -s "$b" "$e"
	can 'alice:alice-Pw-4440'
	successes alice 7
	hits alice 2
	[ ! -L "$e" ]
	rm -f "$e" && mkdir "$e"
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	successes alice 9
	hits alice 2
	grep -q "^WARN torc::server::auth: Credential cache .*: cannot write an entry" "$SERVER_LOG"
	# Entries planted with the right name but readable by others miss too.
	rmdir "$e"
	can 'alice:alice-Pw-4440'
	chmod 644 "$e"
	can 'alice:alice-Pw-4440'
	successes alice 11
	hits alice 2
}

@test "a damaged cache folder or secret is a WARN and a miss, never a failure" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth
	can 'alice:alice-Pw-4440'
	chmod 755 "$CACHE"
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	successes alice 3
	hits alice 0
	grep -qFx "WARN torc::server::auth: Credential cache $CACHE has mode 0755, not 0700: cache not used" "$SERVER_LOG"
	chmod 700 "$CACHE"
	can 'alice:alice-Pw-4440'
	hits alice 1
	chmod 644 "$CACHE/secret"
	can 'alice:alice-Pw-4440'
	successes alice 5
	hits alice 1
	grep -q '^WARN torc::server::auth: Credential cache secret is unreadable, not ours, not 0600' "$SERVER_LOG"
	# A new secret invalidates every entry: remove it and start afresh.
	rm "$CACHE/secret"
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	successes alice 7
	hits alice 2
	# The cache folder replaced by a symbolic link is not followed.
	mv "$CACHE" "$CACHE.real"
	ln -s "$CACHE.real" "$CACHE"
	can 'alice:alice-Pw-4440'
	can 'alice:alice-Pw-4440'
	successes alice 9
	hits alice 2
}

@test "expired entries nobody asks for any more are swept out" {
	LOG_LEVEL=debug serve --auth-file "$HT" --require-auth \
		--credential-cache-ttl-secs 1
	can 'alice:alice-Pw-4440'
	can 'bob:bob-Pw-4440'
	[ "$(nentries)" -eq 2 ]
	local old
	old=$(entries)
	# alice's password changes: her old entry is never looked up again.
	htpasswd -nbB -C 4 alice 'alice-new-4440' | grep . >"$HT.new"
	grep '^bob:' "$HT" >>"$HT.new" && mv "$HT.new" "$HT"
	sleep 2
	can 'alice:alice-new-4440'
	# Only alice's new entry is left; both old ones are gone.
	[ "$(nentries)" -eq 1 ]
	! grep -qxF -f <(entries) <<<"$old" || false
}
