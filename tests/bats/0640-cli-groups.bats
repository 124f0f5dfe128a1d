#!/usr/bin/env bats
# `torc access-groups ...` and `torc access-check` against a server with
# --require-auth and --enforce-access-control: admin creates groups, a
# group admin manages members, an owner shares a workflow, and the access
# of the other users follows (reference §2.15).

load helpers
bats_require_minimum_version 1.5.0

T="$ROOT/build/bin/torc"

setup_file() {
	export BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR"
	AUTH="$BATS_FILE_TMPDIR/htpasswd"
	for u in admin alice bob carol; do
		htpasswd -nbB -C 4 "$u" "pw-$u"
	done | grep . >"$AUTH"
	DBDIR="$BATS_FILE_TMPDIR/db" start_server --auth-file "$AUTH" --require-auth \
		--enforce-access-control --admin-user admin
}

teardown_file() { stop_server; }

setup() {
	export TORC_API_URL="$BASE"
	unset TORC_USERNAME TORC_PASSWORD
	cd "$BATS_TEST_TMPDIR"
}

# as USER torc ARGS...: runs the CLI as USER (password from the environment)
as() {
	local u="$1"; shift
	TORC_USERNAME="$u" TORC_PASSWORD="pw-$u" "$T" "$@"
}

# mk_group NAME -> echoes the id (created by admin)
mk_group() {
	as admin -f json access-groups create "$1" -d "group $1" | jq .id
}

@test "only a system admin creates groups; names are unique" {
	run -0 --separate-stderr as admin -f json access-groups create team-a -d "Team A"
	[ "$(jq -r '.name, .description' <<<"$output" | tr '\n' '|')" = "team-a|Team A|" ]
	[ "$(jq .id <<<"$output")" -gt 0 ]
	run -1 --separate-stderr as alice access-groups create team-x
	[[ "$stderr" == "torc: error: "*"(HTTP 403)" ]]
	run -1 --separate-stderr as admin access-groups create team-a
	[[ "$stderr" == *"(HTTP 409)" ]]
	run -0 as admin access-groups create team-b
	grep -q '^name  *team-b$' <<<"$output"
}

@test "access-groups list, get and delete" {
	g=$(mk_group listed)
	run -0 as admin -f json access-groups list
	[ "$(jq "[.access_groups[] | select(.id == $g)] | length" <<<"$output")" = 1 ]
	run -0 as admin -f json access-groups list --limit 1
	[ "$(jq '.access_groups | length' <<<"$output")" = 1 ]
	run -0 as admin access-groups list
	[[ "${lines[0]}" == "ID  NAME"*"DESCRIPTION"*"CREATED" ]]
	grep -Eq "^ *$g  listed  +group listed  " <<<"$output"
	run -0 as admin -f json access-groups get "$g"
	[ "$(jq -r .name <<<"$output")" = listed ]
	run -0 as admin access-groups delete "$g"
	[ "$output" = "Deleted access group $g" ]
	run -1 --separate-stderr as admin access-groups get "$g"
	[[ "$stderr" == *"(HTTP 404)" ]]
	run -100 as admin access-groups get x
}

@test "members: add with a role, list, remove; group admins manage members" {
	g=$(mk_group crew)
	run -0 as admin -f json access-groups add-user "$g" alice --role admin
	[ "$(jq -r '.user_name, .role' <<<"$output" | tr '\n' ' ')" = "alice admin " ]
	# alice, a group admin, adds bob as a member.
	run -0 as alice access-groups add-user "$g" bob
	grep -q '^role  *member$' <<<"$output"
	run -1 --separate-stderr as bob access-groups add-user "$g" carol
	[[ "$stderr" == *"(HTTP 403)" ]]
	run -1 --separate-stderr as admin access-groups add-user "$g" bob
	[[ "$stderr" == *"(HTTP 409)" ]]
	run -100 as admin access-groups add-user "$g" carol --role boss
	run -0 as admin -f json access-groups list-members "$g"
	[ "$(jq -r '[.members[] | "\(.user_name):\(.role)"] | join(",")' <<<"$output")" = "alice:admin,bob:member" ]
	run -0 as admin access-groups list-members "$g"
	grep -Eq '^ *[0-9]+  bob  +member  ' <<<"$output"
	run -0 as alice access-groups remove-user "$g" bob
	[ "$output" = "Removed bob from access group $g" ]
	run -0 as admin -f json access-groups list-members "$g"
	[ "$(jq '.members | length' <<<"$output")" = 1 ]
}

@test "sharing a workflow with a group gives its members access; access-check tells" {
	g=$(mk_group sharers)
	as admin access-groups add-user "$g" bob >/dev/null
	printf '{"name":"shared","jobs":[{"name":"a","command":"true"}]}' >shared.json
	wf=$(as alice -f json workflows create shared.json | jq .id)
	[ "$wf" -gt 0 ]
	run -1 --separate-stderr as bob workflows get "$wf"
	[[ "$stderr" == *"(HTTP 403)" ]]
	run -1 as alice access-check "$wf" bob
	[ "$output" = "bob may not access workflow $wf" ]
	run -0 as alice -f json access-groups add-workflow "$wf" "$g"
	[ "$(jq .workflow_id <<<"$output")" = "$wf" ]
	run -0 as alice access-check "$wf" bob
	[ "$output" = "bob may access workflow $wf" ]
	run -0 as alice -f json access-check "$wf" bob
	[ "$(jq .has_access <<<"$output")" = true ]
	run -0 as bob -f json workflows get "$wf"
	[ "$(jq -r .name <<<"$output")" = shared ]
	run -0 as bob -f json jobs list "$wf"
	[ "$(jq '.jobs | length' <<<"$output")" = 1 ]
	run -1 as alice access-check "$wf" carol
	run -0 as alice -f json access-groups list-workflow-groups "$wf"
	[ "$(jq -c '[.access_groups[].id]' <<<"$output")" = "[$g]" ]
	run -0 as alice access-groups remove-workflow "$wf" "$g"
	[ "$output" = "Removed workflow $wf from access group $g" ]
	run -1 as bob workflows get "$wf"
	run -1 as alice access-check "$wf" bob
}

@test "list-groups shows a user's groups, mine by default" {
	g1=$(mk_group carols-1)
	g2=$(mk_group carols-2)
	as admin access-groups add-user "$g1" carol >/dev/null
	as admin access-groups add-user "$g2" carol >/dev/null
	run -0 as carol -f json access-groups list-groups
	[ "$(jq -c '[.access_groups[].id] | sort' <<<"$output")" = "[$g1,$g2]" ]
	run -0 as admin -f json access-groups list-groups carol
	[ "$(jq -c '[.access_groups[].id] | sort' <<<"$output")" = "[$g1,$g2]" ]
	run -0 as admin access-groups list-groups carol
	grep -q 'carols-1' <<<"$output"
}

@test "without a password the server says 401 and the CLI says how to give one" {
	run -1 --separate-stderr env TORC_USERNAME=alice "$T" access-groups list
	[ "$stderr" = "torc: error: Unauthorized (HTTP 401); give a password with TORC_PASSWORD or --prompt-password" ]
	run -1 --separate-stderr env TORC_USERNAME=alice TORC_PASSWORD=wrong "$T" access-groups list
	[ "$stderr" = "torc: error: Unauthorized (HTTP 401)" ]
}
