#!/usr/bin/env bats
# Apache httpd 2.4 (prefork + mod_cgi, in the foreground) serving the CGIs
# with the two recipes of share/deploy/apache, as written but for the
# paths: torc.conf (CGIPassAuth On, the CGIs check the bcrypt htpasswd
# file, required mode) and torc-apache-auth.conf (Apache checks the same
# file with mod_authn_file; the CGIs trust REMOTE_USER).  Under root,
# Apache runs the CGIs as nobody, which owns the data folders.

load helpers

bats_require_minimum_version 1.5.0

MODS=/usr/lib/apache2/modules

# apache_start NAME RECIPE [sed-expr]: writes $T/NAME.conf around the recipe
# and starts apache2 on a free port, written to $T/NAME.port.
apache_start() {
	local name="$1" recipe="$2" extra="${3-}" port i
	mkdir -p "$T/$name-data" "$T/$name-cache" "$T/$name-run"
	chown "$RUN_USER:$RUN_GROUP" "$T/$name-data" "$T/$name-cache"
	chmod 700 "$T/$name-data" "$T/$name-cache"
	sed -e "s|/usr/lib/torc/cgi-bin/torc-service/v1|$T/cgi|g" \
		-e "s|/var/lib/torc|$T/$name-data|g" \
		-e "s|/var/cache/torc|$T/$name-cache|g" \
		-e "s|/etc/torc/htpasswd|$T/htpasswd|g" \
		-e "s|TORC_LOG_LEVEL info|TORC_LOG_LEVEL debug|" \
		${extra:+-e "$extra"} \
		"$ROOT/share/deploy/apache/$recipe" >"$T/$name-torc.conf"
	local try
	for try in 1 2 3; do
		port=$(free_port)
		apache_conf "$name" "$port" >"$T/$name.conf"
		: >"$T/$name-error.log"
		# Its own session: on stop, prefork signals its whole process group.
		setsid apache2 -f "$T/$name.conf" -DFOREGROUND >/dev/null 2>>"$T/$name-error.log" &
		echo $! >"$T/$name.master"
		for i in $(seq 1 100); do
			if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
				echo "$port" >"$T/$name.port"
				return 0
			fi
			kill -0 "$(cat "$T/$name.master")" 2>/dev/null || break
			sleep 0.05
		done
		apache_stop "$name"
		# A free_port that a client connection holds: try another.
		grep -q 'Address already in use' "$T/$name-error.log" || break
	done
	echo "apache2 ($name) did not start:" >&2
	cat "$T/$name-error.log" >&2
	return 1
}

# apache_conf NAME PORT: a minimal main configuration around the recipe.
apache_conf() {
	local name="$1" port="$2" m
	echo "ServerName localhost"
	echo "ServerRoot $T"
	echo "Listen 127.0.0.1:$port"
	echo "PidFile $T/$name.pid"
	echo "ErrorLog $T/$name-error.log"
	echo "LogLevel warn"
	echo "DefaultRuntimeDir $T/$name-run"
	echo "Mutex file:$T/$name-run default"
	for m in mpm_prefork authz_core authn_core alias cgi env auth_basic \
		authn_file authz_user authn_socache socache_shmcb; do
		echo "LoadModule ${m}_module $MODS/mod_$m.so"
	done
	echo "StartServers 1"
	echo "MinSpareServers 1"
	echo "MaxSpareServers 2"
	echo "MaxRequestWorkers 8"
	[ "$(id -u)" != 0 ] || printf 'User %s\nGroup %s\n' "$RUN_USER" "$RUN_GROUP"
	echo "Include $T/$name-torc.conf"
}

apache_stop() {
	local pid
	pid=$(cat "$T/$1.master" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$T/$1.master"
}

setup_file() {
	command -v apache2 >/dev/null || make -C "$ROOT" deps >&2
	host_setup
	# One user hashed by torc-htpasswd ($2b$), one by Apache's htpasswd ($2y$).
	"$ROOT/build/sbin/torc-htpasswd" add --cost 4 --password-stdin "$T/htpasswd" alice \
		<<<'alice-Pw-0730' >/dev/null
	htpasswd -nbB -C 4 bob 'bob-Pw-0730' 2>/dev/null | grep . >>"$T/htpasswd"
	chown "$RUN_USER:$RUN_GROUP" "$T/htpasswd"
	chmod 600 "$T/htpasswd"
	apache_start cgi torc.conf
	apache_start aa torc-apache-auth.conf
}

teardown_file() {
	apache_stop cgi
	apache_stop aa
}

# on NAME: point api/api_as at that Apache.
on() {
	BASE="http://127.0.0.1:$(cat "$T/$1.port")/torc-service/v1"
}

# whoami [USER:PASS]: owner stamped on a workflow created without "user".
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

@test "CGIPassAuth: both hash flavours authenticate and name the owner" {
	on cgi
	whoami alice:alice-Pw-0730
	[ "$who" = alice ]
	whoami bob:bob-Pw-0730
	[ "$who" = bob ]
	api_as alice:alice-Pw-0730 GET /workflows
	expect_code 200
	[ "$(jqb '[.items[] | select(.user == "bob")] | length')" -ge 1 ]
}

@test "CGIPassAuth, required mode: no, wrong or unknown credentials are a JSON 401" {
	on cgi
	api GET /ping
	expect_code 401
	[[ "$headers" == *'WWW-Authenticate: Basic realm="Torc"'* ]]
	[[ "$(jqb .message 2>/dev/null || true)$body" == *Unauthorized* ]]
	whoami alice:wrong
	[ "$who" = 401 ]
	whoami mallory:alice-Pw-0730
	[ "$who" = 401 ]
	whoami
	[ "$who" = 401 ]
	grep -q "Authentication failed for user 'alice'" "$T/cgi-error.log"
	! grep -q 'alice-Pw-0730\|wrong' "$T/cgi-error.log"
}

@test "CGIPassAuth: routes with PATH_INFO, JSON 404s, settings from SetEnv" {
	on cgi
	api_as alice:alice-Pw-0730 POST /workflows '{"name":"apache-wf"}'
	expect_code 200
	id=$(jqb .id)
	api_as alice:alice-Pw-0730 GET "/workflows/$id"
	expect_code 200
	expect_json .name apache-wf
	api_as alice:alice-Pw-0730 GET /no_such_route/1
	expect_code 404
	[[ "$body" == *"no such route"* ]]
	# TORC_DATABASE and TORC_CACHE_DIR came through SetEnv, and the CGIs
	# ran as $RUN_USER.
	[ -f "$T/cgi-data/torc.version" ]
	[ "$(stat -c %U "$T/cgi-data/torc.version")" = "$RUN_USER" ]
	[ -n "$(ls -A "$T/cgi-cache")" ]
}

@test "without CGIPassAuth Apache hides the header: required mode refuses everyone" {
	apache_start nopass torc.conf 's|CGIPassAuth On|CGIPassAuth Off|'
	on nopass
	whoami alice:alice-Pw-0730
	apache_stop nopass
	[ "$who" = 401 ]
}

@test "Apache authenticates: both hash flavours, REMOTE_USER names the owner" {
	on aa
	whoami alice:alice-Pw-0730
	[ "$who" = alice ]
	whoami bob:bob-Pw-0730
	[ "$who" = bob ]
	grep -q "User 'alice' authenticated by the web server (REMOTE_USER)" "$T/aa-error.log"
	api_as bob:bob-Pw-0730 GET /ping
	expect_code 200
}

@test "Apache authenticates: no, wrong or unknown credentials are Apache's 401" {
	on aa
	api GET /ping
	expect_code 401
	[[ "$headers" == *'WWW-Authenticate: Basic realm="Torc"'* ]]
	whoami alice:wrong
	[ "$who" = 401 ]
	whoami mallory:x
	[ "$who" = 401 ]
	whoami
	[ "$who" = 401 ]
}

@test "Apache authenticates: a client cannot name itself through a header" {
	on aa
	local out="$T/forge.out"
	code=$(curl -s -o "$out" -w '%{http_code}' -u alice:alice-Pw-0730 \
		-H 'Remote-User: mallory' -H 'REMOTE_USER: mallory' -H 'X-Remote-User: mallory' \
		-H 'Content-Type: application/json' --data-binary '{"name":"forged"}' "$BASE/workflows")
	[ "$code" = 200 ]
	[ "$(jq -r .user "$out")" = alice ]
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Remote-User: alice' "$BASE/ping")
	[ "$code" = 401 ]
}
