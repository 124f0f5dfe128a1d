#!/usr/bin/env bats
# torc-server run --https: lighttpd's mod_openssl with a certificate from
# torc-server gen-cert.  TLS 1.2 and 1.3 only, AEAD ciphers only, a key
# others can read refuses to start, and authentication over plain HTTP on
# a non-loopback address starts with a loud warning.  Clients that would
# accept the old protocols and ciphers (SECLEVEL=0) are refused by the
# server itself, not by their own defaults.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	CERT="$T/cert.pem" KEY="$T/key.pem"
	"$ROOT/build/sbin/torc-server" gen-cert --tls-cert "$CERT" --tls-key "$KEY" >"$T/gen.out"
	export CURL_CA_BUNDLE="$CERT"	# what api and api_as trust
	HT="$T/htpasswd"
	"$ROOT/build/sbin/torc-htpasswd" add --cost 4 --password-stdin "$HT" alice <<<'alice-Pw-0700' >/dev/null
}

teardown() { stop_server; }

# https_run [flags]: torc-server run with --https and the trial certificate.
https_run() {
	start_server --https --tls-cert "$CERT" --tls-key "$KEY" "$@"
}

@test "gen-cert makes a P-256 certificate for localhost and a 0600 key, and never overwrites" {
	[[ "$(cat "$T/gen.out")" == *"private key: $KEY (mode 0600)"* ]]
	[ "$(stat -c %a "$KEY")" = 600 ]
	[ "$(stat -c %a "$CERT")" = 644 ]
	run openssl x509 -in "$CERT" -noout -text
	[[ "$output" == *"prime256v1"* || "$output" == *"P-256"* ]]
	[[ "$output" == *"DNS:localhost"* && "$output" == *"IP Address:127.0.0.1"* ]]
	openssl x509 -in "$CERT" -noout -checkend 86400
	before=$(sha256sum "$KEY" "$CERT")
	run "$ROOT/build/sbin/torc-server" gen-cert --tls-cert "$CERT" --tls-key "$KEY"
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists already"* ]]
	[ "$(sha256sum "$KEY" "$CERT")" = "$before" ]
}

@test "gen-cert --host names an address as an IP subjectAltName" {
	"$ROOT/build/sbin/torc-server" gen-cert --host 192.0.2.7 \
		--tls-cert "$T/ip.pem" --tls-key "$T/ip.key" >/dev/null
	run openssl x509 -in "$T/ip.pem" -noout -ext subjectAltName
	[[ "$output" == *"IP Address:192.0.2.7"* ]]
	[[ "$output" != *"DNS:192.0.2.7"* ]]
}

@test "--https serves the API to a client that trusts the certificate" {
	https_run
	[[ "$BASE" == "https://localhost:$PORT/torc-service/v1" ]]
	api GET /ping
	expect_code 200
	expect_json .status ok
	run curl -sS --cacert "$CERT" "https://127.0.0.1:$PORT/torc-service/v1/ping"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"ok"'* ]]
	# A client that does not trust it refuses the connection.
	run env -u CURL_CA_BUNDLE curl -sS --capath /nonexistent "$BASE/ping"
	[ "$status" -ne 0 ]
}

@test "--https with required auth: identities, 401 on a wrong password" {
	https_run --auth-file "$HT" --require-auth
	api_as alice:alice-Pw-0700 POST /workflows '{"name":"over-tls"}'
	expect_code 200
	expect_json .user alice
	api_as alice:wrong POST /workflows '{"name":"x"}'
	expect_code 401
	api POST /workflows '{"name":"x","user":"alice"}'
	expect_code 401
	! grep -q 'WARNING: authentication is enabled on plain HTTP' "$SERVER_LOG"
}

@test "TLS 1.0 and 1.1 are refused even to clients that offer them" {
	https_run
	run curl -sS -o /dev/null --http1.1 --ciphers 'DEFAULT:@SECLEVEL=0' \
		--tlsv1.1 --tls-max 1.1 "$BASE/ping"
	[ "$status" -ne 0 ]
	run curl -sS -o /dev/null --http1.1 --ciphers 'DEFAULT:@SECLEVEL=0' \
		--tlsv1.0 --tls-max 1.0 "$BASE/ping"
	[ "$status" -ne 0 ]
	run openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"alert protocol version"* || "$output" == *"unsupported protocol"* ]]
	run openssl s_client -connect "127.0.0.1:$PORT" -tls1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null
	[ "$status" -ne 0 ]
	# The same client speaking 1.2 or 1.3 gets through.
	run openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -CAfile "$CERT" -verify_return_error </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"Protocol  : TLSv1.2"* ]]
	run openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -CAfile "$CERT" -verify_return_error </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"TLSv1.3"* ]]
}

@test "only AEAD ciphers: CBC suites with SHA-1 or SHA-2 MACs are refused" {
	https_run
	local weak
	# Each is accepted by a lighttpd left at SECLEVEL=0 with this certificate.
	for weak in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384 ECDHE-ECDSA-AES128-SHA256; do
		run openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
			-cipher "$weak:@SECLEVEL=0" </dev/null
		[ "$status" -ne 0 ] || { echo "accepted $weak" >&2; return 1; }
	done
	run openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 </dev/null
	[ "$status" -eq 0 ]
	run openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305 </dev/null
	[ "$status" -eq 0 ]
}

@test "a private key that group or others can read refuses to start, in one line" {
	local port mode
	port=$(free_port)
	for mode in 644 640 604 660 602 620; do
		chmod "$mode" "$KEY"
		run "$ROOT/build/sbin/torc-server" run --https --tls-cert "$CERT" --tls-key "$KEY" \
			--port "$port" --database "$T/db"
		[ "$status" -eq 102 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "torc-server: fatal: refusing TLS private key $KEY: group or others have access to it (mode 0$mode); run chmod 600 on it" ]]
	done
	! (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null
	chmod 400 "$KEY"
	https_run
	api GET /ping
	expect_code 200
}

@test "a missing or unreadable key or certificate refuses to start" {
	local port
	port=$(free_port)
	run "$ROOT/build/sbin/torc-server" run --https --tls-cert "$CERT" --tls-key "$T/nokey.pem" \
		--port "$port" --database "$T/db"
	[ "$status" -eq 102 ]
	[[ "$output" == "torc-server: fatal: cannot read TLS private key $T/nokey.pem: No such file or directory" ]]
	run "$ROOT/build/sbin/torc-server" run --https --tls-cert "$T/nocert.pem" --tls-key "$KEY" \
		--port "$port" --database "$T/db"
	[ "$status" -eq 102 ]
	[[ "$output" == *"cannot read TLS certificate $T/nocert.pem"* ]]
	run "$ROOT/build/sbin/torc-server" run --https --tls-cert "$CERT" --tls-key "$T" \
		--port "$port" --database "$T/db"
	[ "$status" -eq 102 ]
	[[ "$output" == *"is not a regular file"* ]]
	run "$ROOT/build/sbin/torc-server" run --https --port "$port" --database "$T/db"
	[ "$status" -eq 102 ]
	[[ "$output" == *"--https needs --tls-cert and --tls-key"* ]]
	run "$ROOT/build/sbin/torc-server" run --https --tls-cert "$CERT" --tls-key "$KEY" \
		--web-server busybox --port "$port" --database "$T/db"
	[ "$status" -eq 102 ]
	[[ "$output" == *"lighttpd only"* ]]
	! (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null
}

@test "a key and certificate that do not match fail at start, not at the first request" {
	"$ROOT/build/sbin/torc-server" gen-cert --tls-cert "$T/other.pem" --tls-key "$T/other.key" >/dev/null
	run "$ROOT/build/sbin/torc-server" run --https --tls-cert "$CERT" --tls-key "$T/other.key" \
		--port "$(free_port)" --database "$T/db"
	[ "$status" -ne 0 ]
	[[ "$output" == *"exited during startup"* ]]
}

@test "HTTPS settings come from torc.toml and TORC_* too" {
	printf '[server]\nhttps = true\ntls_cert = "%s"\n' "$CERT" >"$T/torc.toml"
	TORC_CONFIG="$T/torc.toml" TORC_TLS_KEY="$KEY" start_server
	[[ "$BASE" == https://* ]]
	api GET /ping
	expect_code 200
	run "$ROOT/build/sbin/torc-server" show-config --config "$T/torc.toml"
	[[ "$output" == *https*true*file* ]]
}

@test "auth on plain HTTP on a non-loopback address starts, with a loud warning" {
	start_server --host 0.0.0.0 --auth-file "$HT" --log-level error
	grep -q '^WARN torc_server: WARNING: authentication is enabled on plain HTTP on a non-loopback address (0.0.0.0)' "$SERVER_LOG"
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/torc-service/v1/ping")
	[ "$code" = 200 ]
	stop_server
	# Loopback (by name or address), HTTPS, or no auth file: no warning.
	for flags in "--host localhost --auth-file $HT" "--host 127.0.0.1 --auth-file $HT" \
		"--host ::1 --auth-file $HT" "--host 0.0.0.0" \
		"--host 0.0.0.0 --auth-file $HT --https --tls-cert $CERT --tls-key $KEY"; do
		# shellcheck disable=SC2086
		start_server $flags
		! grep -q 'WARNING' "$SERVER_LOG" || { cat "$SERVER_LOG" >&2; return 1; }
		stop_server
	done
}

@test "an IPv6 host is bracketed in the configuration and the URL" {
	https_run --host ::1
	[[ "$BASE" == "https://[::1]:$PORT/torc-service/v1" ]]
	run curl -sS -g "$BASE/ping"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"ok"'* ]]
}
