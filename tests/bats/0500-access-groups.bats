#!/usr/bin/env bats
# Access groups on a plain server (no authentication, no enforcement):
# the real Torc's tests/test_access_groups.rs (reference digest §7, items
# 1-16) rewritten against our server, plus what enforcement-off still
# refuses (the system group), duplicates (409, not Torc's 500), missing
# parents (404), validation, pagination, ordering and cleanup on delete.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# mk_group NAME [DESCRIPTION] -> echoes the id
mk_group() {
	if [ $# -ge 2 ]; then
		api POST /access_groups "{\"name\":\"$1\",\"description\":\"$2\"}"
	else
		api POST /access_groups "{\"name\":\"$1\"}"
	fi
	expect_code 200 >&2
	jqb .id
}

# add_member GROUP USER [ROLE]
add_member() {
	api POST "/access_groups/$1/members" "{\"user_name\":\"$2\",\"group_id\":$1${3:+,\"role\":\"$3\"}}"
	expect_code 200 >&2
}

attach() {
	api POST "/workflows/$1/access_groups/$2" ''
	expect_code 200 >&2
}

@test "1. create a group: id, name, description and created_at" {
	api POST /access_groups '{"name":"test-group","description":"A test access group"}'
	expect_code 200
	[ "$(jqb .id)" -gt 0 ]
	expect_json .name test-group
	expect_json .description "A test access group"
	[[ "$(jqb .created_at)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]
	expect_json 'has("is_system")' false
}

@test "2. a group without a description has none in the answer" {
	api POST /access_groups '{"name":"group-no-desc"}'
	expect_code 200
	expect_json 'has("description")' false
}

@test "3. get a group by id" {
	id=$(mk_group get-test-group "Get me")
	api GET "/access_groups/$id"
	expect_code 200
	expect_json '[.id, .name, .description] | @csv' "$id,\"get-test-group\",\"Get me\""
	expect_json 'has("is_system")' false
}

@test "4. list groups" {
	for i in 0 1 2; do mk_group "list-group-$i" >/dev/null; done
	api GET /access_groups
	expect_code 200
	[ "$(jqb '.items | length')" -ge 3 ]
	[ "$(jqb .total_count)" -ge 3 ]
	for i in 0 1 2; do
		expect_json "[.items[].name] | index(\"list-group-$i\") != null" true
	done
	expect_json '[.offset, .limit, .has_more] | @csv' '0,10000,false'
	# Sorted by name.
	expect_json '[.items[].name] == ([.items[].name] | sort)' true
}

@test "5. list groups with offset and limit" {
	for i in 0 1 2 3 4; do mk_group "page-group-$i" >/dev/null; done
	api GET '/access_groups?offset=0&limit=2'
	expect_code 200
	[ "$(jqb '.items | length')" -le 2 ]
	expect_json '[.offset, .limit, .has_more] | @csv' '0,2,true'
	total=$(jqb .total_count)
	api GET "/access_groups?offset=$((total - 1))&limit=2"
	expect_json '[(.items | length), .has_more] | @csv' '1,false'
	api GET '/access_groups?limit=10001'
	expect_code 400
	api GET '/access_groups?offset=-1'
	expect_code 400
}

@test "6. delete a group" {
	id=$(mk_group delete-test-group)
	api DELETE "/access_groups/$id"
	expect_code 200
	expect_json '[.id, .name] | @csv' "$id,\"delete-test-group\""
	api GET "/access_groups/$id"
	expect_code 404
	expect_json .error.message "Group not found with ID: $id"
	api DELETE "/access_groups/$id"
	expect_code 404
}

@test "7. add a member" {
	id=$(mk_group membership-test-group)
	api POST "/access_groups/$id/members" "{\"user_name\":\"alice\",\"group_id\":$id}"
	expect_code 200
	[ "$(jqb .id)" -gt 0 ]
	expect_json '[.user_name, .group_id, .role] | @csv' "\"alice\",$id,\"member\""
	[ -n "$(jqb .created_at)" ]
}

@test "8. list members" {
	id=$(mk_group members-list-group)
	for u in dave bob carol; do add_member "$id" "$u"; done
	api GET "/access_groups/$id/members"
	expect_code 200
	expect_json '[.items[].user_name] | join(",")' bob,carol,dave
	expect_json '[.total_count, .has_more] | @csv' '3,false'
	api GET "/access_groups/$id/members?offset=1&limit=1"
	expect_json '[.items[].user_name] | join(",")' carol
	expect_json .has_more true
}

@test "9. remove a member" {
	id=$(mk_group remove-member-group)
	add_member "$id" eve
	api DELETE "/access_groups/$id/members/eve"
	expect_code 200
	expect_json .user_name eve
	expect_json .group_id "$id"
	api GET "/access_groups/$id/members"
	expect_json .total_count 0
	api DELETE "/access_groups/$id/members/eve"
	expect_code 404
	expect_json .error.message "Membership not found for user 'eve' in group $id"
}

@test "10. a user's groups" {
	for i in 0 1 2; do
		g=$(mk_group "user-groups-test-$i")
		add_member "$g" multi-group-user
	done
	api GET /users/multi-group-user/groups
	expect_code 200
	[ "$(jqb '.items | length')" -ge 3 ]
	for i in 0 1 2; do
		expect_json "[.items[].name] | index(\"user-groups-test-$i\") != null" true
	done
	api GET /users/multi-group/groups
	expect_json .total_count 0
	api GET /users/nobody-at-all/groups
	expect_code 200
	expect_json '[.total_count, .has_more, (.items | length)] | @csv' '0,false,0'
}

@test "11. share a workflow with a group" {
	wf=$(mk_workflow workflow-for-group wf-user)
	g=$(mk_group workflow-access-group)
	api POST "/workflows/$wf/access_groups/$g" ''
	expect_code 200
	expect_json '[.workflow_id, .group_id] | @csv' "$wf,$g"
	[ -n "$(jqb .created_at)" ]
}

@test "12. a workflow in several groups" {
	wf=$(mk_workflow workflow-multi-groups wf-user-2)
	for i in 2 0 1; do attach "$wf" "$(mk_group "wf-group-$i")"; done
	api GET "/workflows/$wf/access_groups"
	expect_code 200
	expect_json '[.items[].name] | join(",")' wf-group-0,wf-group-1,wf-group-2
	expect_json '[.total_count, .offset, .limit, .has_more] | @csv' '3,0,10000,false'
}

@test "13. unshare a workflow" {
	wf=$(mk_workflow workflow-to-remove wf-user-3)
	g=$(mk_group removable-wf-group)
	attach "$wf" "$g"
	api DELETE "/workflows/$wf/access_groups/$g"
	expect_code 200
	expect_json '[.workflow_id, .group_id] | @csv' "$wf,$g"
	api GET "/workflows/$wf/access_groups"
	expect_json '[.items[].name] | index("removable-wf-group")' null
	api DELETE "/workflows/$wf/access_groups/$g"
	expect_code 404
	expect_json .error.message "Association not found for workflow $wf in group $g"
}

@test "14. access_check: the owner" {
	wf=$(mk_workflow owned-workflow owner-user)
	api GET "/access_check/$wf/owner-user"
	expect_code 200
	expect_json '[.has_access, .user_name, .workflow_id] | @csv' "true,\"owner-user\",$wf"
}

@test "15. access_check: a group member, before and after sharing" {
	wf=$(mk_workflow shared-workflow creator)
	g=$(mk_group access-check-group)
	add_member "$g" group-member
	api GET "/access_check/$wf/group-member"
	expect_json .has_access false
	attach "$wf" "$g"
	api GET "/access_check/$wf/group-member"
	expect_json .has_access true
}

@test "16. access_check: a stranger" {
	wf=$(mk_workflow private-workflow private-owner)
	api GET "/access_check/$wf/random-user"
	expect_code 200
	expect_json .has_access false
	api GET /access_check/999999/random-user
	expect_code 200
	expect_json .has_access false
}

@test "duplicates are 409 conflicts" {
	g=$(mk_group dup-group)
	api POST /access_groups '{"name":"dup-group"}'
	expect_code 409
	expect_json .error.message "Group 'dup-group' already exists"
	add_member "$g" frank
	api POST "/access_groups/$g/members" '{"user_name":"frank","role":"admin"}'
	expect_code 409
	expect_json .error.message "User 'frank' is already a member of group $g"
	wf=$(mk_workflow dup-wf)
	attach "$wf" "$g"
	api POST "/workflows/$wf/access_groups/$g" ''
	expect_code 409
	expect_json .error.message "Workflow $wf is already associated with group $g"
	api POST "/workflows/$wf/access_groups" "{\"group_id\":$g}"
	expect_code 409
}

@test "the openapi form: POST /workflows/:id/access_groups with a group_id body" {
	wf=$(mk_workflow body-attach)
	g=$(mk_group body-attach-group)
	api POST "/workflows/$wf/access_groups" "{\"workflow_id\":$wf,\"group_id\":$g}"
	expect_code 200
	expect_json '[.workflow_id, .group_id] | @csv' "$wf,$g"
	api GET "/workflows/$wf/access_groups"
	expect_json '[.items[].id] | @csv' "$g"
	api POST "/workflows/$wf/access_groups" '{}'
	expect_code 400
	api POST "/workflows/$wf/access_groups" "{\"workflow_id\":$((wf + 1000)),\"group_id\":$g}"
	expect_code 400
}

@test "missing parents are 404" {
	wf=$(mk_workflow parents)
	g=$(mk_group parents-group)
	api GET /access_groups/999999
	expect_code 404
	api GET /access_groups/999999/members
	expect_code 404
	expect_json .error.error NotFound
	api POST /access_groups/999999/members '{"user_name":"x"}'
	expect_code 404
	api DELETE /access_groups/999999/members/x
	expect_code 404
	api POST "/workflows/$wf/access_groups/999999" ''
	expect_code 404
	expect_json .error.message "Group not found with ID: 999999"
	api POST "/workflows/999999/access_groups/$g" ''
	expect_code 404
	expect_json .error.message "Workflow not found with ID: 999999"
	api GET /workflows/999999/access_groups
	expect_code 404
	api DELETE "/workflows/$wf/access_groups/999999"
	expect_code 404
}

@test "bodies are validated" {
	g=$(mk_group valid-group)
	api POST /access_groups '{"description":"no name"}'
	expect_code 400
	api POST /access_groups '{"name":""}'
	expect_code 400
	api POST /access_groups '{"name":7}'
	expect_code 400
	api POST /access_groups "{\"name\":\"$(printf 'g%.0s' $(seq 257))\"}"
	expect_code 400
	api POST /access_groups '{"name":"tab\there"}'
	expect_code 400
	api POST /access_groups '{"name":"warned","colour":"red"}'
	expect_code 200
	[[ "$headers" == *"Warning: Ignoring unknown fields in body: [colour]"* ]]
	api POST "/access_groups/$g/members" '{"role":"member"}'
	expect_code 400
	api POST "/access_groups/$g/members" '{"user_name":"x","role":"owner"}'
	expect_code 400
	api POST "/access_groups/$g/members" '{"user_name":"a/b"}'
	expect_code 400
	api POST "/access_groups/$g/members" "{\"user_name\":\"$(printf 'u%.0s' $(seq 257))\"}"
	expect_code 400
	# group_id in the body is ignored: the path decides.
	api POST "/access_groups/$g/members" '{"user_name":"path-wins","group_id":999999,"role":"admin"}'
	expect_code 200
	expect_json '[.group_id, .role] | @csv' "$g,\"admin\""
	api GET /access_groups/abc
	expect_code 400
	api PUT "/access_groups/$g" '{}'
	expect_code 405
}

@test "deleting a group removes its memberships and workflow links" {
	wf=$(mk_workflow cascade-wf cascade-owner)
	g=$(mk_group cascade-group)
	keep=$(mk_group cascade-keep)
	add_member "$g" cascade-user
	add_member "$keep" cascade-user
	attach "$wf" "$g"
	attach "$wf" "$keep"
	api GET "/access_check/$wf/cascade-user"
	expect_json .has_access true
	api DELETE "/access_groups/$g"
	expect_code 200
	api GET /users/cascade-user/groups
	expect_json '[.items[].name] | join(",")' cascade-keep
	api GET "/workflows/$wf/access_groups"
	expect_json '[.items[].name] | join(",")' cascade-keep
	api DELETE "/workflows/$wf/access_groups/$keep"
	api GET "/access_check/$wf/cascade-user"
	expect_json .has_access false
	# The name is free again; the new group starts empty.
	g2=$(mk_group cascade-group)
	[ "$g2" != "$g" ]
	api GET "/access_groups/$g2/members"
	expect_json .total_count 0
}

@test "deleting a workflow removes its group links" {
	wf=$(mk_workflow doomed-wf)
	g=$(mk_group doomed-group)
	attach "$wf" "$g"
	api DELETE "/workflows/$wf"
	expect_code 200
	api GET "/workflows/$wf/access_groups"
	expect_code 404
	api DELETE "/access_groups/$g"
	expect_code 200
}

@test "enforcement off: anyone manages groups, but the system group stays" {
	api GET /access_groups
	admin=$(jqb '.items[] | select(.name == "admin") | .id')
	[ -n "$admin" ]
	api GET "/access_groups/$admin"
	expect_json '[.name, .description] | @csv' '"admin","System administrators"'
	expect_json 'has("is_system")' false
	api GET "/access_groups/$admin/members"
	expect_json .total_count 0
	api DELETE "/access_groups/$admin"
	expect_code 403
	expect_json .error.message "Cannot delete system groups"
	api POST "/access_groups/$admin/members" '{"user_name":"mallory","role":"admin"}'
	expect_code 403
	expect_json .error.message "Admin group membership is managed via server configuration"
	api DELETE "/access_groups/$admin/members/mallory"
	expect_code 403
	api POST /access_groups '{"name":"admin"}'
	expect_code 409
	api GET "/access_groups/$admin/members"
	expect_json .total_count 0
	# Anyone (anonymous here) creates, fills and deletes ordinary groups.
	g=$(mk_group anyone-group)
	add_member "$g" someone admin
	api DELETE "/access_groups/$g/members/someone"
	expect_code 200
	api DELETE "/access_groups/$g"
	expect_code 200
}

@test "names as long as authentication accepts (256 bytes) are groups, members and owners" {
	local long257 long256
	long256=$(printf 'n%.0s' $(seq 256))
	long257=${long256}n
	g=$(mk_group "g$(printf 'g%.0s' $(seq 255))")
	api GET "/access_groups/$g"
	[ "$(jqb '.name | length')" = 256 ]
	add_member "$g" "$long256"
	api GET "/users/$long256/groups"
	expect_json .total_count 1
	api POST "/access_groups/$g/members" "{\"user_name\":\"$long257\"}"
	expect_code 400
	# A workflow's owner is indexed by name: the longest one is found.
	api POST /workflows "{\"name\":\"long-owner\",\"user\":\"$long256\"}"
	expect_code 200
	wf=$(jqb .id)
	api GET "/workflows?user=$long256"
	expect_json .total_count 1
	expect_json '.items[0].id' "$wf"
	api POST /workflows "{\"name\":\"too-long\",\"user\":\"$long257\"}"
	expect_code 400
	expect_json .error.message "user is longer than 256 bytes"
	api PUT "/workflows/$wf" "{\"user\":\"$long257\"}"
	expect_code 400
	api GET "/workflows/$wf"
	expect_json .user "$long256"
}
