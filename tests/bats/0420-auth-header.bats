#!/usr/bin/env bats
# The Basic Authorization header through the real server, sent raw with
# curl -H: the scheme is case-insensitive, the password is everything
# after the first colon, and anything malformed (bad base64, no colon, a
# NUL byte, another scheme, an over-long value) is a 401 in required
# mode and anonymous in optional mode, never a 500.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	HT="$BATS_TEST_TMPDIR/htpasswd"
	{
		htpasswd -nbB -C 4 alice 'alice-Pw-4420'
		htpasswd -nbB -C 4 bob 'b:o:b-Pw-4420'
		htpasswd -nbB -C 4 'jos'$'\xc3\xa9' 'jose-Pw-4420'
	} | grep . >"$HT"
}

teardown() { stop_server; }

# serve [flags]: start_server, called where errexit is off so that its
# retry after a taken port works; prints the server's output on failure.
serve() {
	start_server "$@" || { echo "start_server failed:" >&2; cat "$SERVER_LOG" >&2; return 1; }
}

b64() { printf '%b' "$1" | base64 -w0; }

# hdr_req HEADER-VALUE [PATH]: GET with a raw Authorization header.
hdr_req() {
	local out="$BATS_TEST_TMPDIR/out" hd="$BATS_TEST_TMPDIR/hd"
	code=$(curl -s -o "$out" -D "$hd" -w '%{http_code}' \
		-H "Authorization: $1" --max-time 60 "$BASE${2:-/ping}")
	body=$(cat "$out")
	headers=$(tr -d '\r' <"$hd")
}

# ok_as HEADER-VALUE USER: accepted, and the request runs as USER.
ok_as() {
	local out="$BATS_TEST_TMPDIR/out"
	code=$(curl -s -o "$out" -w '%{http_code}' -X POST -H "Authorization: $1" \
		-H 'Content-Type: application/json' --data-binary '{"name":"probe"}' \
		--max-time 60 "$BASE/workflows")
	body=$(cat "$out")
	expect_code 200
	expect_json .user "$2"
}

refused() {
	hdr_req "$@"
	expect_code 401
	grep -qx 'WWW-Authenticate: Basic realm="Torc"' <<<"$headers"
	[ "$(jqb .error.message)" = Unauthorized ]
}

@test "the scheme is case-insensitive; one or more spaces follow it" {
	serve --auth-file "$HT" --require-auth
	local t
	t=$(b64 'alice:alice-Pw-4420')
	for s in Basic basic BASIC bAsIc; do
		ok_as "$s $t" alice
	done
	ok_as "Basic   $t" alice
	refused "Basic$t"
	refused "Bearer $t"
	refused "Digest $t"
	refused "Basix $t"
	refused 'Basic'
	refused 'Basic '
}

@test "the password is everything after the first colon" {
	serve --auth-file "$HT" --require-auth
	ok_as "Basic $(b64 'bob:b:o:b-Pw-4420')" bob
	# Torc keeps only the second field, so it would accept these.
	refused "Basic $(b64 'bob:b')"
	refused "Basic $(b64 'bob:b:o')"
	refused "Basic $(b64 'bob:b:o:b-Pw-4420:extra')"
	refused "Basic $(b64 'alice:alice-Pw-4420:')"
	# curl -u splits at the first colon the same way.
	api_as 'bob:b:o:b-Pw-4420' GET /ping
	expect_code 200
}

@test "invalid base64, no colon, NUL bytes and empty halves get 401" {
	serve --auth-file "$HT" --require-auth
	refused 'Basic !!!'
	refused 'Basic YWxpY2U6YWxpY2UtUHctNDQyMA=!'
	refused "Basic $(b64 'alice:alice-Pw-4420')="		# extra padding
	refused 'Basic YWxp=ZTph'				# padding inside
	refused 'Basic YWxpY2U6YWxpY2UtUHctNDQyMB=='		# non-zero trailing bits
	refused "Basic $(b64 'alice:alice-Pw-4420' | tr '+/' '-_')x"
	refused "Basic $(b64 'alicealice-Pw-4420')"		# no colon
	refused "Basic $(b64 'alice\0:alice-Pw-4420')"		# NUL in the user
	refused "Basic $(b64 'alice:alice-Pw-4420\0')"		# NUL in the password
	refused "Basic $(b64 '\0alice:alice-Pw-4420')"
	refused "Basic $(b64 ':alice-Pw-4420')"			# empty user
	refused "Basic $(b64 'alice:')"				# empty password
	refused "Basic $(b64 ':')"
	refused "Basic $(b64 'alice:alice-Pw-4420') trailing"
	# Unpadded base64 is accepted.
	local t
	t=$(b64 'alice:alice-Pw-4420x')
	[[ "$t" == *= ]]
	htpasswd -nbB -C 4 pad 'alice-Pw-4420x' | grep . >>"$HT"
	ok_as "Basic $(b64 'pad:alice-Pw-4420x' | tr -d =)" pad
}

@test "an over-long header gets 401, never 500 or 431" {
	serve --auth-file "$HT" --require-auth
	local t junk
	t=$(b64 'alice:alice-Pw-4420')
	junk=$(head -c 9000 /dev/zero | tr '\0' A)
	refused "Basic $junk"
	refused "Basic ${junk}${junk}"
	# Valid credentials after many spaces: 8192 bytes pass, 8193 do not.
	local sp
	sp=$(head -c $((8192 - 5 - ${#t})) /dev/zero | tr '\0' ' ')
	ok_as "Basic$sp$t" alice
	refused "Basic $sp$t"
	# A password over 1024 bytes is refused although bcrypt reads 72.
	local p1024 p1025
	p1024=$(head -c 1024 /dev/zero | tr '\0' p)
	p1025="${p1024}p"
	printf '%s\n' "$p1024" | "$ROOT/build/sbin/torc-htpasswd" hash --cost 4 \
		--password-stdin long 2>/dev/null >>"$HT"
	ok_as "Basic $(b64 "long:$p1024")" long
	refused "Basic $(b64 "long:$p1025")"
	# Far beyond any limit: the web server's own refusal, still not a 5xx.
	hdr_req "Basic $(head -c 70000 /dev/zero | tr '\0' A)"
	[[ "$code" == 4?? ]]
	api GET /ping
	expect_code 401
}

@test "two Authorization headers are refused" {
	serve --auth-file "$HT" --require-auth
	local out="$BATS_TEST_TMPDIR/out"
	code=$(curl -s -o "$out" -w '%{http_code}' \
		-H "Authorization: Basic $(b64 'alice:alice-Pw-4420')" \
		-H "Authorization: Basic $(b64 'bob:b:o:b-Pw-4420')" "$BASE/ping")
	[ "$code" = 401 ]
}

@test "user names are bytes: UTF-8 names work and are case-sensitive" {
	serve --auth-file "$HT" --require-auth
	ok_as "Basic $(b64 'jos\xc3\xa9:jose-Pw-4420')" "josé"
	refused "Basic $(b64 'Alice:alice-Pw-4420')"
	refused "Basic $(b64 'jos\xc3\x89:jose-Pw-4420')"
	refused "Basic $(b64 ' alice:alice-Pw-4420')"
}

@test "optional mode: every malformed header is anonymous, never an error" {
	serve --auth-file "$HT"
	local h
	for h in 'Basic !!!' "Basic $(b64 'alicealice-Pw-4420')" \
		"Basic $(b64 'alice\0:alice-Pw-4420')" 'Bearer x' 'Basic' \
		"Basic $(head -c 9000 /dev/zero | tr '\0' A)"; do
		hdr_req "$h" /ping
		expect_code 200
		hdr_req "$h" /workflows
		expect_code 200
	done
	ok_as "basic $(b64 'alice:alice-Pw-4420')" alice
}
