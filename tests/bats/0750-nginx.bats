#!/usr/bin/env bats
# nginx in the foreground with share/deploy/nginx/torc.conf as written but
# for the paths, passing requests to a fcgiwrap on a Unix socket.  The
# Authorization header reaches the CGIs as HTTP_AUTHORIZATION and the
# TORC_* settings as FastCGI parameters.  Under root, nginx's workers and
# fcgiwrap run as nobody, which owns the data folders.

load helpers

bats_require_minimum_version 1.5.0

# nginx_conf PORT: the main configuration around the recipe.
nginx_conf() {
	echo "daemon off;"
	echo "master_process on;"
	echo "worker_processes 1;"
	echo "pid $T/nginx.pid;"
	echo "error_log $T/nginx-error.log warn;"
	[ "$(id -u)" != 0 ] || echo "user $RUN_USER $RUN_GROUP;"
	echo "events { worker_connections 64; }"
	echo "http {"
	echo "  access_log off;"
	local t
	for t in client_body fastcgi proxy uwsgi scgi; do
		echo "  ${t}_temp_path $T/nginx-tmp/$t;"
	done
	echo "  include $T/torc-nginx.conf;"
	echo "}"
}

setup_file() {
	command -v nginx >/dev/null && command -v fcgiwrap >/dev/null || make -C "$ROOT" deps >&2
	host_setup
	mkdir -p "$T/data" "$T/cache" "$T/nginx-tmp" "$T/sock"
	"$ROOT/build/sbin/torc-htpasswd" add --cost 4 --password-stdin "$T/htpasswd" alice \
		<<<'alice-Pw-0750' >/dev/null
	chown "$RUN_USER:$RUN_GROUP" "$T/htpasswd" "$T/data" "$T/cache" "$T/sock"
	chmod 600 "$T/htpasswd"
	chmod 700 "$T/data" "$T/cache" "$T/sock"

	sed -e "s|/usr/lib/torc/cgi-bin/torc-service/v1|$T/cgi|g" \
		-e "s|/var/lib/torc|$T/data|g" \
		-e "s|/var/cache/torc|$T/cache|g" \
		-e "s|/etc/torc/htpasswd|$T/htpasswd|g" \
		-e "s|unix:/run/torc-fcgiwrap.sock|unix:$T/sock/fcgiwrap.sock|" \
		-e "s|TORC_LOG_LEVEL info|TORC_LOG_LEVEL debug|" \
		"$ROOT/share/deploy/nginx/torc.conf" >"$T/torc-nginx.conf"

	# fcgiwrap as the run user; the CGIs' stderr goes to its log.
	local priv=()
	[ "$(id -u)" != 0 ] || priv=(setpriv --reuid "$RUN_USER" --regid "$RUN_GROUP" --clear-groups)
	# In a session of its own: stopping it means its whole group (below).
	setsid "${priv[@]}" fcgiwrap -c 2 -s "unix:$T/sock/fcgiwrap.sock" >/dev/null 2>"$T/fcgiwrap.log" &
	echo $! >"$T/fcgiwrap.pid"

	local try i port
	for try in 1 2 3; do
		port=$(free_port)
		sed "s|listen 127.0.0.1:8080;|listen 127.0.0.1:$port;|" "$T/torc-nginx.conf" >"$T/t.conf"
		mv "$T/t.conf" "$T/torc-nginx.conf"
		nginx_conf >"$T/nginx.conf"
		: >"$T/nginx-error.log"
		setsid nginx -c "$T/nginx.conf" -e "$T/nginx-error.log" >/dev/null 2>>"$T/nginx-error.log" &
		echo $! >"$T/nginx.master"
		for i in $(seq 1 100); do
			if [ -S "$T/sock/fcgiwrap.sock" ] && curl -s -o /dev/null "http://127.0.0.1:$port/"; then
				echo "$port" >"$T/port"
				return 0
			fi
			kill -0 "$(cat "$T/nginx.master")" 2>/dev/null || break
			sleep 0.05
		done
		kill -TERM "$(cat "$T/nginx.master")" 2>/dev/null || true
		wait "$(cat "$T/nginx.master")" 2>/dev/null || true
		grep -q 'Address already in use' "$T/nginx-error.log" || break
		# Next try: back to the recipe's port, then a new one.
		sed -i "s|listen 127.0.0.1:$port;|listen 127.0.0.1:8080;|" "$T/torc-nginx.conf"
	done
	echo "nginx did not start:" >&2
	cat "$T/nginx-error.log" "$T/fcgiwrap.log" >&2
	return 1
}

teardown_file() {
	local f pid
	for f in nginx.master fcgiwrap.pid; do
		pid=$(cat "$T/$f" 2>/dev/null) || continue
		# fcgiwrap's preforked children outlive it: end the session's
		# process group, which setsid made with the leader's id.
		kill -TERM -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

setup() {
	BASE="http://127.0.0.1:$(cat "$T/port")/torc-service/v1"
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

@test "nginx + fcgiwrap: the Authorization header reaches the CGIs; the owner is the user" {
	whoami alice:alice-Pw-0750
	[ "$who" = alice ]
	api_as alice:alice-Pw-0750 GET /workflows
	expect_code 200
	[ "$(jqb '[.items[] | select(.user == "alice")] | length')" -ge 1 ]
	grep -q "User 'alice' authenticated successfully" "$T/fcgiwrap.log"
}

@test "nginx + fcgiwrap, required mode from fastcgi_param: no or wrong credentials are a JSON 401" {
	api GET /ping
	expect_code 401
	[[ "$headers" == *'WWW-Authenticate: Basic realm="Torc"'* ]]
	[[ "$body" == *Unauthorized* ]]
	whoami alice:wrong
	[ "$who" = 401 ]
	whoami
	[ "$who" = 401 ]
	grep -q "Authentication failed for user 'alice'" "$T/fcgiwrap.log"
	! grep -q 'alice-Pw-0750' "$T/fcgiwrap.log" "$T/nginx-error.log"
}

@test "nginx + fcgiwrap: PATH_INFO, query strings, JSON 404s, the data folder" {
	api_as alice:alice-Pw-0750 POST /workflows '{"name":"nginx-wf"}'
	expect_code 200
	id=$(jqb .id)
	api_as alice:alice-Pw-0750 GET "/workflows/$id"
	expect_code 200
	expect_json .name nginx-wf
	api_as alice:alice-Pw-0750 GET "/workflows?limit=1"
	expect_code 200
	[ "$(jqb '.items | length')" = 1 ]
	api_as alice:alice-Pw-0750 GET /no_such_route/1
	expect_code 404
	[[ "$body" == *"no such route: GET /torc-service/v1/no_such_route/1"* ]]
	[ "$(stat -c %U "$T/data/torc.version")" = "$RUN_USER" ]
	[ -n "$(ls -A "$T/cache")" ]
}

@test "nginx + fcgiwrap: a Proxy header never becomes HTTP_PROXY, REMOTE_USER is not trusted" {
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Proxy: http://127.0.0.1:1' \
		-H 'Remote-User: alice' "$BASE/ping")
	[ "$code" = 401 ]
	! grep -q "authenticated by the web server" "$T/fcgiwrap.log"
}
