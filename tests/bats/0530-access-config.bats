#!/usr/bin/env bats
# Access control and configuration: where the admin list comes from
# (--admin-user, comma-separated TORC_ADMIN_USERS, admin_users in
# torc.toml), the system group following it across restarts on the same
# database, required authentication in front of the access rules, and an
# empty admin list.

load helpers

setup() {
	AUTH="$BATS_TEST_TMPDIR/htpasswd"
	for u in alice bob carol dave anonymous; do
		htpasswd -nbB -C 4 "$u" password
	done | grep . >"$AUTH"
}

teardown() { stop_server; }

as() {
	local who="$1"; shift
	case "$1" in POST | PUT) [ $# -ge 3 ] || set -- "$@" '' ;; esac
	if [ "$who" = - ]; then
		api "$@"
	else
		api_as "$who:password" "$@"
	fi
}

ok() {
	as "$@"
	expect_code 200 >&2
	jqb .id
}

# The system group's members as "user:role,..." (asked by $1).
admins_as() {
	as "$1" GET /access_groups
	expect_code 200 >&2
	local id
	id=$(jqb '.items[] | select(.name == "admin") | .id')
	as "$1" GET "/access_groups/$id/members"
	jqb '[.items[] | "\(.user_name):\(.role)"] | join(",")'
}

@test "TORC_ADMIN_USERS is a comma-separated list" {
	TORC_ADMIN_USERS="alice, bob" start_server --auth-file "$AUTH" --enforce-access-control
	[ "$(admins_as carol)" = "alice:admin,bob:admin" ]
	as alice POST /access_groups '{"name":"by-alice"}'
	expect_code 200
	as bob POST /access_groups '{"name":"by-bob"}'
	expect_code 200
	as carol POST /access_groups '{"name":"by-carol"}'
	expect_code 403
}

@test "admin_users in torc.toml" {
	cat >"$BATS_TEST_TMPDIR/torc.toml" <<'EOF'
[server]
admin_users = ["carol", "dave"]
enforce_access_control = true
EOF
	start_server --config "$BATS_TEST_TMPDIR/torc.toml" --auth-file "$AUTH"
	[ "$(admins_as alice)" = "carol:admin,dave:admin" ]
	as carol POST /access_groups '{"name":"by-carol"}'
	expect_code 200
	as alice POST /access_groups '{"name":"by-alice"}'
	expect_code 403
}

@test "the system group follows the admin list across restarts" {
	start_server --auth-file "$AUTH" --enforce-access-control --admin-user alice --admin-user bob
	[ "$(admins_as carol)" = "alice:admin,bob:admin" ]
	w=$(ok dave POST /workflows '{"name":"for-the-admins"}')
	as carol GET /access_groups
	admin=$(jqb '.items[] | select(.name == "admin") | .id')
	as dave POST "/workflows/$w/access_groups/$admin"
	expect_code 200
	as bob GET "/workflows/$w"
	expect_code 200
	as carol GET "/workflows/$w"
	expect_code 403
	stop_server

	# Same database, new list: bob out, carol in.  The first request that
	# needs groups brings the stored group in line; access follows at once.
	start_server --auth-file "$AUTH" --enforce-access-control --admin-user alice --admin-user carol
	as bob GET "/workflows/$w"
	expect_code 403
	as carol GET "/workflows/$w"
	expect_code 200
	as bob GET /workflows
	expect_json .total_count 0
	as carol GET /workflows
	expect_json .total_count 1
	[ "$(admins_as dave)" = "alice:admin,carol:admin" ]
	as carol GET /access_groups
	expect_json "[.items[] | select(.name == \"admin\") | .id] | @csv" "$admin"
	as bob POST /access_groups '{"name":"by-bob"}'
	expect_code 403
	as carol POST /access_groups '{"name":"by-carol"}'
	expect_code 200
	as carol GET /users/bob/groups
	expect_json .total_count 0
	grep -q "Removing user 'bob' from admin group (not in config)" "$SERVER_LOG"
	grep -q "Adding user 'carol' to admin group" "$SERVER_LOG"
	stop_server

	# An empty list empties the group: nobody manages groups any more.
	start_server --auth-file "$AUTH" --enforce-access-control
	[ "$(admins_as dave)" = "" ]
	as alice POST /access_groups '{"name":"by-alice"}'
	expect_code 403
	as alice GET "/workflows/$w"
	expect_code 403
	as dave GET "/workflows/$w"
	expect_code 200
}

@test "required authentication comes first; an account named anonymous is still no one" {
	start_server --auth-file "$AUTH" --require-auth --enforce-access-control --admin-user alice
	for p in /access_groups /access_groups/1 /users/alice/groups /access_check/1/alice /workflows; do
		api GET "$p"
		expect_code 401
		[[ "$headers" == *'WWW-Authenticate: Basic realm="Torc"'* ]]
	done
	api_as alice:wrong GET /access_groups
	expect_code 401
	as alice POST /access_groups '{"name":"team"}'
	expect_code 200
	w=$(ok bob POST /workflows '{"name":"bobs"}')
	# "anonymous" passes authentication but is treated as anonymous.
	as anonymous GET /access_groups
	expect_code 403
	expect_json .error.message "Anonymous access not allowed when access control is enabled"
	as anonymous GET "/workflows/$w"
	expect_code 403
	as anonymous POST /workflows '{"name":"mine"}'
	expect_code 403
	as anonymous GET "/access_check/$w/bob"
	expect_code 403
	as anonymous GET /workflows
	expect_code 200
	expect_json .total_count 0
}

@test "enforcement off with authentication: the system group is still kept in line" {
	start_server --auth-file "$AUTH" --admin-user dave
	[ "$(admins_as -)" = "dave:admin" ]
	# Anyone manages ordinary groups; nobody changes the system group.
	g=$(ok carol POST /access_groups '{"name":"open"}')
	ok - POST "/access_groups/$g/members" '{"user_name":"x"}' >/dev/null
	as carol GET /access_groups
	admin=$(jqb '.items[] | select(.name == "admin") | .id')
	as dave POST "/access_groups/$admin/members" '{"user_name":"carol"}'
	expect_code 403
	as dave DELETE "/access_groups/$admin"
	expect_code 403
	# No checks on workflows: carol reads bob's.
	w=$(ok bob POST /workflows '{"name":"open-wf"}')
	as carol GET "/workflows/$w"
	expect_code 200
	expect_json .user bob
}

@test "concurrent first requests make one system group; concurrent duplicates one winner" {
	start_server --auth-file "$AUTH" --enforce-access-control --admin-user alice --admin-user bob
	local out="$BATS_TEST_TMPDIR/codes" i pids=()
	for i in $(seq 8); do
		curl -s -o /dev/null -w '%{http_code}\n' -u carol:password "$BASE/access_groups" >>"$out" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(sort -u "$out")" = 200 ]
	[ "$(admins_as carol)" = "alice:admin,bob:admin" ]
	as carol GET /access_groups
	expect_json '[.items[].name] | join(",")' admin
	[ "$(grep -c "Adding user" "$SERVER_LOG")" -eq 2 ]
	: >"$out"
	pids=()
	for i in $(seq 8); do
		curl -s -o /dev/null -w '%{http_code}\n' -u alice:password -X POST \
			-H 'Content-Type: application/json' -d '{"name":"race"}' "$BASE/access_groups" >>"$out" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(grep -c '^200$' "$out")" -eq 1 ]
	[ "$(grep -c '^409$' "$out")" -eq 7 ]
	as carol GET /access_groups
	expect_json '[.items[] | select(.name == "race")] | length' 1
}

@test "the admin group's changes are logged once, when they commit, not by refused requests" {
	start_server --auth-file "$AUTH" --enforce-access-control --admin-user alice
	for _ in 1 2 3; do
		as bob POST /access_groups '{"name":"by-bob"}'
		expect_code 403
	done
	[ "$(grep -c "Created the system group 'admin'" "$SERVER_LOG")" -eq 0 ]
	as alice GET /access_groups
	expect_code 200
	as bob POST /access_groups '{"name":"by-bob"}'
	expect_code 403
	as carol GET /access_groups
	[ "$(grep -c "Created the system group 'admin'" "$SERVER_LOG")" -eq 1 ]
	[ "$(grep -c "Adding user 'alice' to admin group" "$SERVER_LOG")" -eq 1 ]
}
