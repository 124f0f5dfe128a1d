#!/usr/bin/env bats
# --trust-remote-user: a web server that authenticates by itself (Apache
# with mod_auth_*, nginx auth_request) hands the CGI a REMOTE_USER, which
# the CGI takes as the caller only when told to.  The CGI binaries are run
# directly here, with the CGI variables a web server would set; a client
# of our own lighttpd can never set REMOTE_USER through a header.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	HT="$BATS_TEST_TMPDIR/htpasswd"
	htpasswd -nbB -C 4 alice 'alice-Pw-4460' | grep . >"$HT"
	# A database made by the real server, then left alone.
	serve
	stop_server
}

teardown() { stop_server; }

# serve [flags]: start_server, called where errexit is off so that its
# retry after a taken port works; prints the server's output on failure.
serve() {
	start_server "$@" || { echo "start_server failed:" >&2; cat "$SERVER_LOG" >&2; return 1; }
}

# cgi [VAR=value...]: POST {"name":"probe"} to the workflows CGI with the
# given extra variables; sets $status_line, $code, $body and $output.
cgi() {
	local data='{"name":"probe"}'
	run --separate-stderr env -i PATH="$PATH" TZ=UTC \
		GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST \
		SCRIPT_NAME=/torc-service/v1/workflows PATH_INFO= QUERY_STRING= \
		CONTENT_TYPE=application/json CONTENT_LENGTH=${#data} \
		SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 \
		TORC_DATABASE="$DBDIR" TORC_LOG_LEVEL=debug "$@" \
		"$ROOT/build/cgi-bin/torc-service/v1/workflows" <<<"$data"
	if [ "$status" -ne 0 ]; then
		echo "CGI exit $status: $output $stderr" >&2
		return 1
	fi
	status_line=$(head -1 <<<"$output" | tr -d '\r')
	code=${status_line#Status: }
	code=${code%% *}
	body=$(sed '1,/^\r\?$/d' <<<"$output")
}

# whoami_cgi VAR=value...: the owner stamped, "anonymous" or the status.
whoami_cgi() {
	cgi "$@"
	case "$code" in
	200) who=$(jqb .user) ;;
	400) [[ "$body" == *"missing required field 'user'"* ]] && who=anonymous || who=400 ;;
	*) who=$code ;;
	esac
}

@test "with the flag, the CGI takes REMOTE_USER as the caller in every mode" {
	whoami_cgi REMOTE_USER=bob TORC_TRUST_REMOTE_USER=1
	[ "$who" = bob ]
	[[ "$stderr" == *"DEBUG torc::server::auth: User 'bob' authenticated by the web server (REMOTE_USER)"* ]]
	whoami_cgi REMOTE_USER=bob TORC_TRUST_REMOTE_USER=true TORC_AUTH_FILE="$HT"
	[ "$who" = bob ]
	whoami_cgi REMOTE_USER=bob TORC_TRUST_REMOTE_USER=1 TORC_AUTH_FILE="$HT" TORC_REQUIRE_AUTH=1
	[ "$who" = bob ]
	# REMOTE_USER wins over an Authorization header the web server passed on.
	whoami_cgi REMOTE_USER=bob TORC_TRUST_REMOTE_USER=1 TORC_AUTH_FILE="$HT" \
		TORC_REQUIRE_AUTH=1 HTTP_AUTHORIZATION="Basic $(printf alice:alice-Pw-4460 | base64)"
	[ "$who" = bob ]
	# The same setting from torc.toml.
	printf '[server]\ntrust_remote_user = true\n' >"$BATS_TEST_TMPDIR/torc.toml"
	whoami_cgi REMOTE_USER=carol TORC_CONFIG="$BATS_TEST_TMPDIR/torc.toml"
	[ "$who" = carol ]
}

@test "without the flag, REMOTE_USER is ignored" {
	whoami_cgi REMOTE_USER=bob
	[ "$who" = anonymous ]
	whoami_cgi REMOTE_USER=bob TORC_TRUST_REMOTE_USER=0
	[ "$who" = anonymous ]
	whoami_cgi REMOTE_USER=bob TORC_AUTH_FILE="$HT"
	[ "$who" = anonymous ]
	whoami_cgi REMOTE_USER=bob TORC_AUTH_FILE="$HT" TORC_REQUIRE_AUTH=1
	[ "$who" = 401 ]
	[[ "$output" == *'WWW-Authenticate: Basic realm="Torc"'* ]]
	[[ "$stderr" != *"REMOTE_USER"* ]]
	# Basic credentials still decide.
	whoami_cgi REMOTE_USER=bob TORC_AUTH_FILE="$HT" TORC_REQUIRE_AUTH=1 \
		HTTP_AUTHORIZATION="Basic $(printf alice:alice-Pw-4460 | base64)"
	[ "$who" = alice ]
}

@test "an unusable REMOTE_USER is ignored with a warning and the mode decides" {
	local long
	long=$(head -c 257 /dev/zero | tr '\0' u)
	for ru in '' "$long" $'bob\nINFO forged' $'bob\x7f'; do
		whoami_cgi REMOTE_USER="$ru" TORC_TRUST_REMOTE_USER=1 TORC_AUTH_FILE="$HT" \
			TORC_REQUIRE_AUTH=1
		[ "$who" = 401 ]
		if [ -n "$ru" ]; then
			[[ "$stderr" == *"WARN torc::server::auth: Ignoring an unusable REMOTE_USER"* ]]
		fi
		[[ "$stderr" != *forged* ]]
		whoami_cgi REMOTE_USER="$ru" TORC_TRUST_REMOTE_USER=1
		[ "$who" = anonymous ]
	done
	# 256 bytes is still a name (the workflow store may refuse it as an
	# owner; the identity is what counts here).
	cgi REMOTE_USER="${long:1}" TORC_TRUST_REMOTE_USER=1
	[[ "$stderr" == *"User '${long:1}' authenticated by the web server (REMOTE_USER)"* ]]
}

@test "through our lighttpd a client cannot set REMOTE_USER with a header" {
	serve --auth-file "$HT" --require-auth --trust-remote-user
	local h
	for h in 'Remote-User: bob' 'REMOTE_USER: bob' 'Remote_User: bob' 'X-Remote-User: bob'; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "$h" "$BASE/ping")
		[ "$code" = 401 ]
	done
	api_as 'alice:alice-Pw-4460' POST /workflows '{"name":"w"}'
	expect_code 200
	expect_json .user alice
	stop_server
	serve --trust-remote-user
	code=$(curl -s -o "$BATS_TEST_TMPDIR/o" -w '%{http_code}' -H 'Remote-User: bob' \
		-H 'Content-Type: application/json' -d '{"name":"w"}' "$BASE/workflows")
	[ "$code" = 400 ]
	grep -q "missing required field 'user'" "$BATS_TEST_TMPDIR/o"
}
