#!/usr/bin/env bats
# A lighttpd of one's own (not the one torc-server run starts) with
# share/deploy/lighttpd/torc.conf and torc-https.conf as written but for
# the paths and ports: plain HTTP and HTTPS from one lighttpd, which drops
# to nobody after reading the root-only key when started as root.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	host_setup
	mkdir -p "$T/data" "$T/cache" "$T/www" "$T/tls"
	"$ROOT/build/sbin/torc-htpasswd" add --cost 4 --password-stdin "$T/htpasswd" alice \
		<<<'alice-Pw-0710' >/dev/null
	chown "$RUN_USER:$RUN_GROUP" "$T/htpasswd" "$T/data" "$T/cache"
	chmod 600 "$T/htpasswd"
	chmod 700 "$T/data" "$T/cache"
	"$ROOT/build/sbin/torc-server" gen-cert --tls-cert "$T/tls/cert.pem" \
		--tls-key "$T/tls/key.pem" >/dev/null

	local try i
	for try in 1 2 3; do
		P1=$(free_port) P2=$(free_port)
		sed -e "s|/usr/lib/torc/cgi-bin/torc-service/v1|$T/cgi|g" \
			-e "s|/var/lib/torc|$T/data|g" \
			-e "s|/var/cache/torc|$T/cache|g" \
			-e "s|/etc/torc/htpasswd|$T/htpasswd|g" \
			-e 's|"TORC_LOG_LEVEL" => "info"|"TORC_LOG_LEVEL" => "debug"|' \
			"$ROOT/share/deploy/lighttpd/torc.conf" >"$T/torc.conf"
		sed -e "s|/etc/torc/tls|$T/tls|g" -e "s|\":8443\"|\"127.0.0.1:$P2\"|" \
			"$ROOT/share/deploy/lighttpd/torc-https.conf" >"$T/torc-https.conf"
		{
			echo "server.document-root = \"$T/www\""
			echo "server.bind = \"127.0.0.1\""
			echo "server.port = $P1"
			if [ "$(id -u)" = 0 ]; then
				echo "server.username = \"$RUN_USER\""
				echo "server.groupname = \"$RUN_GROUP\""
			fi
			echo "include \"$T/torc.conf\""
			echo "include \"$T/torc-https.conf\""
		} >"$T/lighttpd.conf"
		: >"$T/lighttpd.log"
		setsid lighttpd -D -f "$T/lighttpd.conf" >/dev/null 2>>"$T/lighttpd.log" &
		echo $! >"$T/lighttpd.pid"
		for i in $(seq 1 100); do
			if curl -s -o /dev/null "http://127.0.0.1:$P1/"; then
				printf '%s %s\n' "$P1" "$P2" >"$T/ports"
				return 0
			fi
			kill -0 "$(cat "$T/lighttpd.pid")" 2>/dev/null || break
			sleep 0.05
		done
		kill -TERM "$(cat "$T/lighttpd.pid")" 2>/dev/null || true
		wait "$(cat "$T/lighttpd.pid")" 2>/dev/null || true
		grep -q 'Address already in use' "$T/lighttpd.log" || break
	done
	echo "lighttpd did not start:" >&2
	cat "$T/lighttpd.log" >&2
	return 1
}

teardown_file() {
	local pid
	pid=$(cat "$T/lighttpd.pid" 2>/dev/null) || return 0
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

setup() {
	read -r P1 P2 <"$T/ports"
	BASE="http://127.0.0.1:$P1/torc-service/v1"
}

whoami() {
	if [ -n "${1-}" ]; then
		api_as "$1" POST /workflows '{"name":"probe"}'
	else
		api POST /workflows '{"name":"probe"}'
	fi
	case "$code" in
	200) who=$(jqb .user) ;;
	*) who=$code ;;
	esac
}

@test "lighttpd recipe: the header reaches the CGIs, the owner is the user, required mode refuses the rest" {
	whoami alice:alice-Pw-0710
	[ "$who" = alice ]
	whoami alice:wrong
	[ "$who" = 401 ]
	whoami
	[ "$who" = 401 ]
	[[ "$headers" == *'WWW-Authenticate: Basic realm="Torc"'* ]]
	grep -q "User 'alice' authenticated successfully" "$T/lighttpd.log"
	! grep -q 'alice-Pw-0710' "$T/lighttpd.log"
}

@test "lighttpd recipe: PATH_INFO routes, JSON 404s, data owned by the server user" {
	api_as alice:alice-Pw-0710 POST /workflows '{"name":"lighty"}'
	expect_code 200
	id=$(jqb .id)
	api_as alice:alice-Pw-0710 GET "/workflows/$id"
	expect_code 200
	expect_json .name lighty
	api_as alice:alice-Pw-0710 GET /no_such_route
	expect_code 404
	[[ "$body" == *"no such route"* ]]
	[ "$(stat -c %U "$T/data/torc.version")" = "$RUN_USER" ]
	[ -n "$(ls -A "$T/cache")" ]
}

@test "lighttpd HTTPS recipe: TLS 1.2+ with the same identities; TLS 1.1 refused" {
	BASE="https://localhost:$P2/torc-service/v1"
	export CURL_CA_BUNDLE="$T/tls/cert.pem"
	whoami alice:alice-Pw-0710
	[ "$who" = alice ]
	whoami alice:wrong
	[ "$who" = 401 ]
	run curl -sS -o /dev/null --http1.1 --ciphers 'DEFAULT:@SECLEVEL=0' \
		--tlsv1.1 --tls-max 1.1 "$BASE/ping"
	[ "$status" -ne 0 ]
	run openssl s_client -connect "127.0.0.1:$P2" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null
	[ "$status" -ne 0 ]
	run openssl s_client -connect "127.0.0.1:$P2" -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' </dev/null
	[ "$status" -ne 0 ]
	run openssl s_client -connect "127.0.0.1:$P2" -tls1_2 -CAfile "$T/tls/cert.pem" \
		-verify_return_error </dev/null
	[ "$status" -eq 0 ]
}
