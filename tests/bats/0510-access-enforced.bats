#!/usr/bin/env bats
# Access control enforced, optional authentication: the real Torc's
# enforcement tests (reference digest §7, items 17-27) rewritten against
# our server, with Torc's gaps closed, and the permission table of the
# security reference row by row: who creates and deletes groups, who
# manages members, who shares workflows (no self-grant), who reads what,
# the immutable system group, body-user spoofing and owner changes.
#
# As in Torc's fixture, the system admins are alice, bob, owner,
# api_owner, ml_owner, data_owner, ml_api_owner and data_api_owner; every
# user's password is "password".

load helpers

USERS="alice bob carol dave eve shared_user outsider owner owner_user
workflow_creator ml_owner data_owner some_owner creator wf_owner
removable_user unauthorized_user job_owner unauthorized_job_user api_owner
ml_api_owner data_api_owner"

setup_file() {
	export BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR"
	AUTH="$BATS_FILE_TMPDIR/htpasswd"
	for u in $USERS; do
		htpasswd -nbB -C 4 "$u" password
	done | grep . >"$AUTH"
	local admins=() a
	for a in alice bob owner api_owner ml_owner data_owner ml_api_owner data_api_owner; do
		admins+=(--admin-user "$a")
	done
	DBDIR="$BATS_FILE_TMPDIR/db" start_server --auth-file "$AUTH" \
		--enforce-access-control "${admins[@]}"
}

teardown_file() { stop_server; }

# as WHO METHOD PATH [BODY]: WHO "-" is anonymous; POST/PUT always send a body.
as() {
	local who="$1"; shift
	case "$1" in POST | PUT) [ $# -ge 3 ] || set -- "$@" '' ;; esac
	if [ "$who" = - ]; then
		api "$@"
	else
		api_as "$who:password" "$@"
	fi
}

# ok WHO METHOD PATH [BODY] -> echoes .id of a 200 answer
ok() {
	as "$@"
	expect_code 200 >&2
	jqb .id
}

# wf_for OWNER NAME: alice (a system admin) creates a workflow owned by OWNER.
wf_for() {
	ok alice POST /workflows "{\"name\":\"$2\",\"user\":\"$1\"}"
}

# has WORKFLOW USER -> true/false, asked by alice (a system admin)
has() {
	as alice GET "/access_check/$1/$2"
	expect_code 200 >&2
	jqb .has_access
}

# Torc's setup_two_teams, run by alice: sets ML and DATA.
two_teams() {
	local n=$RANDOM$RANDOM u
	ML=$(ok alice POST /access_groups "{\"name\":\"ml-team-$n\"}")
	DATA=$(ok alice POST /access_groups "{\"name\":\"data-team-$n\"}")
	for u in alice bob shared_user; do
		ok alice POST "/access_groups/$ML/members" "{\"user_name\":\"$u\",\"group_id\":$ML}" >/dev/null
	done
	for u in carol dave shared_user; do
		ok alice POST "/access_groups/$DATA/members" "{\"user_name\":\"$u\",\"group_id\":$DATA}" >/dev/null
	done
}

# ---- Torc's scenarios 17-27 -------------------------------------------------

@test "17. the owner has access" {
	wf=$(wf_for owner_user owner-test-workflow)
	[ "$(has "$wf" owner_user)" = true ]
	as owner_user GET "/workflows/$wf"
	expect_code 200
	expect_json .user owner_user
}

@test "18. an outsider has none" {
	wf=$(wf_for owner_user restricted-workflow)
	[ "$(has "$wf" outsider)" = false ]
	as outsider GET "/workflows/$wf"
	expect_code 403
}

@test "19. sharing with a team; a system admin cannot share what they cannot access" {
	two_teams
	wf=$(wf_for workflow_creator ml-shared-workflow)
	[ "$(has "$wf" alice)" = false ]
	# Torc lets alice attach it and so grant herself access: we refuse.
	as alice POST "/workflows/$wf/access_groups/$ML"
	expect_code 403
	expect_json .error.message "User 'alice' does not have access to workflow $wf"
	[ "$(has "$wf" alice)" = false ]
	as workflow_creator POST "/workflows/$wf/access_groups/$ML"
	expect_code 200
	[ "$(has "$wf" alice)" = true ]
	[ "$(has "$wf" bob)" = true ]
	[ "$(has "$wf" carol)" = false ]
}

@test "20. two teams, two workflows" {
	two_teams
	ml=$(wf_for ml_owner ml-workflow)
	data=$(wf_for data_owner data-workflow)
	as ml_owner POST "/workflows/$ml/access_groups/$ML"
	expect_code 200
	as data_owner POST "/workflows/$data/access_groups/$DATA"
	expect_code 200
	[ "$(has "$ml" shared_user)" = true ]
	[ "$(has "$data" shared_user)" = true ]
	[ "$(has "$ml" alice)" = true ]
	[ "$(has "$data" alice)" = false ]
	[ "$(has "$ml" carol)" = false ]
	[ "$(has "$data" carol)" = true ]
}

@test "21. detaching revokes" {
	two_teams
	wf=$(wf_for some_owner revoke-test-workflow)
	as some_owner POST "/workflows/$wf/access_groups/$ML"
	expect_code 200
	[ "$(has "$wf" alice)" = true ]
	# A system admin may take a workflow out of a group (it only removes access).
	as alice DELETE "/workflows/$wf/access_groups/$ML"
	expect_code 200
	[ "$(has "$wf" alice)" = false ]
	as alice GET "/workflows/$wf"
	expect_code 403
}

@test "22. one workflow, both teams" {
	two_teams
	wf=$(wf_for creator multi-group-workflow)
	as creator POST "/workflows/$wf/access_groups/$ML"
	expect_code 200
	as creator POST "/workflows/$wf/access_groups" "{\"group_id\":$DATA}"
	expect_code 200
	for u in alice bob carol dave shared_user; do
		[ "$(has "$wf" "$u")" = true ]
	done
	[ "$(has "$wf" outsider)" = false ]
}

@test "23. removing the user from the group revokes" {
	g=$(ok alice POST /access_groups "{\"name\":\"user-removal-test-$RANDOM$RANDOM\"}")
	ok alice POST "/access_groups/$g/members" '{"user_name":"removable_user"}' >/dev/null
	wf=$(wf_for wf_owner user-removal-workflow)
	as wf_owner POST "/workflows/$wf/access_groups/$g"
	expect_code 200
	[ "$(has "$wf" removable_user)" = true ]
	as removable_user GET "/workflows/$wf"
	expect_code 200
	as alice DELETE "/access_groups/$g/members/removable_user"
	expect_code 200
	[ "$(has "$wf" removable_user)" = false ]
	as removable_user GET "/workflows/$wf"
	expect_code 403
}

@test "24. GET /workflows/:id by an unauthorized user is 403" {
	wf=$(wf_for owner api-test-workflow)
	as unauthorized_user GET "/workflows/$wf"
	expect_code 403
	expect_json .error.error Forbidden
	expect_json .error.message "User 'unauthorized_user' does not have access to workflow $wf"
	[[ "$headers" == *"Content-Type: application/json"* ]]
}

@test "25. GET /jobs/:id by an unauthorized user is 403" {
	wf=$(wf_for job_owner job-access-test-workflow)
	# Torc lets alice create the job (creates are unchecked): we refuse.
	as alice POST /jobs "{\"workflow_id\":$wf,\"name\":\"test-job\",\"command\":\"echo hi\"}"
	expect_code 403
	job=$(ok job_owner POST /jobs "{\"workflow_id\":$wf,\"name\":\"test-job\",\"command\":\"echo hi\"}")
	as unauthorized_job_user GET "/jobs/$job"
	expect_code 403
	as job_owner GET "/jobs/$job"
	expect_code 200
}

@test "26. a shared workflow and its job: team members in, others out" {
	two_teams
	wf=$(wf_for api_owner shared-api-workflow)
	as api_owner POST "/workflows/$wf/access_groups/$ML"
	expect_code 200
	job=$(ok api_owner POST /jobs "{\"workflow_id\":$wf,\"name\":\"shared-test-job\",\"command\":\"true\"}")
	as alice GET "/workflows/$wf"
	expect_code 200
	as alice GET "/jobs/$job"
	expect_code 200
	as carol GET "/workflows/$wf"
	expect_code 403
	as carol GET "/jobs/$job"
	expect_code 403
}

@test "27. each team sees its own workflow" {
	two_teams
	ml=$(wf_for ml_api_owner ml-api-workflow)
	data=$(wf_for data_api_owner data-api-workflow)
	as ml_api_owner POST "/workflows/$ml/access_groups/$ML"
	expect_code 200
	as data_api_owner POST "/workflows/$data/access_groups/$DATA"
	expect_code 200
	as shared_user GET "/workflows/$ml"
	expect_code 200
	as shared_user GET "/workflows/$data"
	expect_code 200
	as alice GET "/workflows/$ml"
	expect_code 200
	as alice GET "/workflows/$data"
	expect_code 403
	# And the list shows exactly those.
	as shared_user GET /workflows
	expect_json "[.items[].id] | (index($ml) != null) and (index($data) != null)" true
	as alice GET /workflows
	expect_json "[.items[].id] | (index($ml) != null) and (index($data) == null)" true
}

# ---- the permission table --------------------------------------------------

@test "create a group: system admins only" {
	n=perm-create-$RANDOM$RANDOM
	as - POST /access_groups "{\"name\":\"$n\"}"
	expect_code 403
	expect_json .error.message "Anonymous access not allowed for admin operations"
	as carol POST /access_groups "{\"name\":\"$n\"}"
	expect_code 403
	expect_json .error.error Forbidden
	expect_json .error.message "User 'carol' is not a system administrator"
	as alice POST /access_groups "{\"name\":\"$n\"}"
	expect_code 200
	as bob POST /access_groups "{\"name\":\"$n\"}"
	expect_code 409
}

@test "delete a group: system admins only, never the system group" {
	g=$(ok alice POST /access_groups "{\"name\":\"perm-delete-$RANDOM$RANDOM\"}")
	ok alice POST "/access_groups/$g/members" '{"user_name":"carol","role":"admin"}' >/dev/null
	as - DELETE "/access_groups/$g"
	expect_code 403
	# Even the group's own admin cannot delete it.
	as carol DELETE "/access_groups/$g"
	expect_code 403
	expect_json .error.message "User 'carol' is not a system administrator"
	as carol DELETE /access_groups/999999
	expect_code 403
	as alice DELETE /access_groups/999999
	expect_code 404
	as bob DELETE "/access_groups/$g"
	expect_code 200
	as alice GET /access_groups
	admin=$(jqb '.items[] | select(.name == "admin") | .id')
	as alice DELETE "/access_groups/$admin"
	expect_code 403
	expect_json .error.message "Cannot delete system groups"
}

@test "read groups, members and a user's groups: any authenticated caller" {
	g=$(ok alice POST /access_groups "{\"name\":\"perm-read-$RANDOM$RANDOM\",\"description\":\"d\"}")
	ok alice POST "/access_groups/$g/members" '{"user_name":"dave"}' >/dev/null
	for who in carol outsider; do
		as "$who" GET /access_groups
		expect_code 200
		as "$who" GET "/access_groups/$g"
		expect_code 200
		as "$who" GET "/access_groups/$g/members"
		expect_code 200
		expect_json '[.items[].user_name] | join(",")' dave
		as "$who" GET /users/dave/groups
		expect_code 200
		expect_json "[.items[].id] | index($g) != null" true
	done
	for p in /access_groups "/access_groups/$g" "/access_groups/$g/members" /users/dave/groups \
		/access_groups/999999; do
		as - GET "$p"
		expect_code 403
		expect_json .error.message "Anonymous access not allowed when access control is enabled"
	done
	# Wrong credentials in optional mode are anonymous too.
	api_as carol:wrong GET /access_groups
	expect_code 403
}

@test "add and remove members: system admins and the group's admins" {
	g=$(ok alice POST /access_groups "{\"name\":\"perm-members-$RANDOM$RANDOM\"}")
	ok alice POST "/access_groups/$g/members" '{"user_name":"carol","role":"admin"}' >/dev/null
	ok alice POST "/access_groups/$g/members" '{"user_name":"dave"}' >/dev/null
	as - POST "/access_groups/$g/members" '{"user_name":"eve"}'
	expect_code 403
	expect_json .error.message "Anonymous access not allowed for group management"
	# dave is a plain member; outsider is nothing.
	for who in dave outsider; do
		as "$who" POST "/access_groups/$g/members" '{"user_name":"eve"}'
		expect_code 403
		expect_json .error.message "User '$who' is not an admin of group $g"
		as "$who" DELETE "/access_groups/$g/members/dave"
		expect_code 403
	done
	# carol, the group's admin, adds, promotes and removes.
	as carol POST "/access_groups/$g/members" '{"user_name":"eve","role":"admin"}'
	expect_code 200
	expect_json .role admin
	as eve POST "/access_groups/$g/members" '{"user_name":"outsider"}'
	expect_code 200
	as carol DELETE "/access_groups/$g/members/outsider"
	expect_code 200
	as carol DELETE "/access_groups/$g/members/outsider"
	expect_code 404
	# A group admin of another group has no say here.
	h=$(ok alice POST /access_groups "{\"name\":\"perm-other-$RANDOM$RANDOM\"}")
	as carol POST "/access_groups/$h/members" '{"user_name":"carol"}'
	expect_code 403
	# A system admin manages any ordinary group.
	as bob DELETE "/access_groups/$g/members/eve"
	expect_code 200
	as - DELETE "/access_groups/$g/members/dave"
	expect_code 403
	as carol GET "/access_groups/$g/members"
	expect_json '[.items[] | "\(.user_name):\(.role)"] | join(",")' carol:admin,dave:member
}

@test "the system group mirrors the configured admins and is immutable through the API" {
	as carol GET /access_groups
	admin=$(jqb '.items[] | select(.name == "admin") | .id')
	[ -n "$admin" ]
	as carol GET "/access_groups/$admin/members"
	expect_code 200
	expect_json '[.items[].user_name] | join(",")' \
		alice,api_owner,bob,data_api_owner,data_owner,ml_api_owner,ml_owner,owner
	expect_json '[.items[].role] | unique | join(",")' admin
	as carol GET /users/alice/groups
	expect_json "[.items[].name] | index(\"admin\") != null" true
	for who in alice bob carol; do
		as "$who" POST "/access_groups/$admin/members" '{"user_name":"mallory"}'
		expect_code 403
		expect_json .error.message "Admin group membership is managed via server configuration"
		as "$who" DELETE "/access_groups/$admin/members/bob"
		expect_code 403
	done
	as alice DELETE "/access_groups/$admin"
	expect_code 403
	as alice POST /access_groups '{"name":"admin"}'
	expect_code 409
	as carol GET "/access_groups/$admin/members"
	expect_json .total_count 8
}

@test "share a workflow: the owner with any group; group admins only what they can access" {
	g=$(ok alice POST /access_groups "{\"name\":\"perm-share-$RANDOM$RANDOM\"}")
	ok alice POST "/access_groups/$g/members" '{"user_name":"carol","role":"admin"}' >/dev/null
	ok alice POST "/access_groups/$g/members" '{"user_name":"dave"}' >/dev/null
	mine=$(ok eve POST /workflows '{"name":"eve-private"}')
	# carol admins the group but cannot reach eve's workflow: no self-grant.
	as carol POST "/workflows/$mine/access_groups/$g"
	expect_code 403
	expect_json .error.message "User 'carol' does not have access to workflow $mine"
	as carol GET "/workflows/$mine"
	expect_code 403
	as - POST "/workflows/$mine/access_groups/$g"
	expect_code 403
	expect_json .error.message "Anonymous access not allowed for workflow-group operations"
	# The owner shares with a group she is not even in.
	as eve POST "/workflows/$mine/access_groups/$g"
	expect_code 200
	as dave GET "/workflows/$mine"
	expect_code 200
	# dave (plain member) may work in it but not share or unshare it.
	h=$(ok alice POST /access_groups "{\"name\":\"perm-share-h-$RANDOM$RANDOM\"}")
	ok alice POST "/access_groups/$h/members" '{"user_name":"dave"}' >/dev/null
	as dave POST "/workflows/$mine/access_groups/$h"
	expect_code 403
	expect_json .error.message "User 'dave' is not an admin of group $h"
	as dave DELETE "/workflows/$mine/access_groups/$g"
	expect_code 403
	# carol, who can now access it through g, may re-share it with a group she admins.
	ok alice POST "/access_groups/$h/members" '{"user_name":"carol","role":"admin"}' >/dev/null
	as carol POST "/workflows/$mine/access_groups/$h"
	expect_code 200
	# And a group admin may unshare from her group without access of her own.
	as eve DELETE "/workflows/$mine/access_groups/$g"
	expect_code 200
	as carol GET "/workflows/$mine"
	expect_code 200
	as carol DELETE "/workflows/$mine/access_groups/$h"
	expect_code 200
	as carol GET "/workflows/$mine"
	expect_code 403
	as dave GET "/workflows/$mine"
	expect_code 403
	# Missing things: 404 for callers who are someone.
	as eve POST "/workflows/$mine/access_groups/999999"
	expect_code 404
	as eve POST "/workflows/999999/access_groups/$g"
	expect_code 404
}

@test "the system group: only a workflow's owner shares with it" {
	as carol GET /access_groups
	admin=$(jqb '.items[] | select(.name == "admin") | .id')
	w=$(ok dave POST /workflows '{"name":"dave-for-admins"}')
	# bob (a system admin) cannot attach dave's workflow to the admin group.
	as bob POST "/workflows/$w/access_groups/$admin"
	expect_code 403
	as bob GET "/workflows/$w"
	expect_code 403
	as dave POST "/workflows/$w/access_groups/$admin"
	expect_code 200
	as bob GET "/workflows/$w"
	expect_code 200
	as carol GET "/workflows/$w"
	expect_code 403
	# With access through it, bob (admin of every ordinary group) may share it on,
	# but only the owner may take it out of the system group.
	g=$(ok bob POST /access_groups "{\"name\":\"perm-sys-$RANDOM$RANDOM\"}")
	as bob POST "/workflows/$w/access_groups/$g"
	expect_code 200
	as bob DELETE "/workflows/$w/access_groups/$admin"
	expect_code 403
	as dave DELETE "/workflows/$w/access_groups/$admin"
	expect_code 200
	as bob GET "/workflows/$w"
	expect_code 403
}

@test "a workflow's groups: whoever may access the workflow" {
	g=$(ok alice POST /access_groups "{\"name\":\"perm-wfgroups-$RANDOM$RANDOM\"}")
	ok alice POST "/access_groups/$g/members" '{"user_name":"dave"}' >/dev/null
	w=$(ok eve POST /workflows '{"name":"eve-groups"}')
	as eve POST "/workflows/$w/access_groups/$g"
	expect_code 200
	as eve GET "/workflows/$w/access_groups"
	expect_code 200
	expect_json '[.items[].id] | @csv' "$g"
	as dave GET "/workflows/$w/access_groups"
	expect_code 200
	as carol GET "/workflows/$w/access_groups"
	expect_code 403
	as alice GET "/workflows/$w/access_groups"
	expect_code 403
	as - GET "/workflows/$w/access_groups"
	expect_code 403
	as carol GET /workflows/999999/access_groups
	expect_code 404
}

@test "access_check: no oracle for anonymous callers or strangers" {
	w=$(ok eve POST /workflows '{"name":"eve-check"}')
	g=$(ok alice POST /access_groups "{\"name\":\"perm-check-$RANDOM$RANDOM\"}")
	ok alice POST "/access_groups/$g/members" '{"user_name":"dave"}' >/dev/null
	as eve POST "/workflows/$w/access_groups/$g"
	expect_code 200
	as - GET "/access_check/$w/eve"
	expect_code 403
	as - GET /access_check/999999/eve
	expect_code 403
	# Anyone may ask about themselves; a missing workflow is just "no".
	as carol GET "/access_check/$w/carol"
	expect_code 200
	expect_json .has_access false
	as carol GET /access_check/999999/carol
	expect_code 200
	expect_json .has_access false
	as dave GET "/access_check/$w/dave"
	expect_json .has_access true
	# About others: a stranger is refused, present workflow or not.
	as carol GET "/access_check/$w/eve"
	expect_code 403
	as carol GET /access_check/999999/eve
	expect_code 403
	# Those who can access it, and system admins, may ask.
	as eve GET "/access_check/$w/dave"
	expect_json .has_access true
	as dave GET "/access_check/$w/carol"
	expect_json .has_access false
	as alice GET "/access_check/$w/dave"
	expect_code 200
	expect_json .has_access true
	# System admins have no implicit access.
	as alice GET "/access_check/$w/alice"
	expect_json .has_access false
}

@test "body user spoofing is refused; only system admins create for others" {
	as carol POST /workflows '{"name":"spoof","user":"bob"}'
	expect_code 403
	expect_json .error.error Forbidden
	as bob GET '/workflows?name=spoof'
	expect_json .total_count 0
	as carol POST /workflows '{"name":"carol-own"}'
	expect_code 200
	expect_json .user carol
	as carol POST /workflows '{"name":"carol-own-2","user":"carol"}'
	expect_code 200
	expect_json .user carol
	as alice POST /workflows '{"name":"for-dave","user":"dave"}'
	expect_code 200
	expect_json .user dave
	as dave GET "/workflows/$(jqb .id)"
	expect_code 200
	as - POST /workflows '{"name":"anon","user":"carol"}'
	expect_code 403
}

@test "only a system admin changes a workflow's owner" {
	w=$(ok carol POST /workflows '{"name":"carol-keeps"}')
	as carol PUT "/workflows/$w" '{"user":"dave"}'
	expect_code 403
	as carol PUT "/workflows/$w" '{"user":"carol","description":"same owner is fine"}'
	expect_code 200
	as carol GET "/workflows/$w"
	expect_json '[.user, .description] | @csv' '"carol","same owner is fine"'
	# alice is an admin but cannot reach carol's workflow at all.
	as alice PUT "/workflows/$w" '{"user":"alice"}'
	expect_code 403
	# bob, an admin who owns his workflow, may hand it over; then it is gone for him.
	b=$(ok bob POST /workflows '{"name":"bob-gives"}')
	as bob PUT "/workflows/$b" '{"user":"carol"}'
	expect_code 200
	expect_json .user carol
	as carol GET "/workflows/$b"
	expect_code 200
	as bob GET "/workflows/$b"
	expect_code 403
	as carol GET '/workflows?name=bob-gives'
	expect_json .total_count 1
	as bob GET '/workflows?name=bob-gives'
	expect_json .total_count 0
}
