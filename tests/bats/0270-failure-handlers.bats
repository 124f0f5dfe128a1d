#!/usr/bin/env bats
# /failure_handlers and /workflows/:id/failure_handlers: create with rules
# validated, get, delete message, the workflow's list, 404s, bad input,
# removal with the workflow.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

RULES='[{\"exit_codes\":[1,2],\"match_all_exit_codes\":false,\"recovery_script\":\"fix.sh\",\"max_retries\":3}]'

mk_fh() {
	api POST /failure_handlers "{\"workflow_id\":$1,\"name\":\"$2\",\"rules\":\"${3:-$RULES}\"}"
	expect_code 200 >&2
	jqb .id
}

@test "create, get and delete a failure handler" {
	wf=$(mk_workflow fh-crud)
	api POST /failure_handlers "{\"workflow_id\":$wf,\"name\":\"retry\",\"rules\":\"$RULES\"}"
	expect_code 200
	id=$(jqb .id)
	expect_json '[.workflow_id,.name] | @csv' "$wf,\"retry\""
	# rules stay a JSON string, as Torc keeps them.
	expect_json '.rules | type' string
	expect_json '.rules | fromjson | .[0].exit_codes | join(",")' '1,2'
	api GET "/failure_handlers/$id"
	expect_code 200
	expect_json '.rules | fromjson | .[0].recovery_script' fix.sh
	api DELETE "/failure_handlers/$id"
	expect_code 200
	expect_json .message "Failure handler deleted successfully"
	api GET "/failure_handlers/$id"
	expect_code 404
	expect_json .error.message "Failure handler not found with ID: $id"
	api DELETE "/failure_handlers/$id"
	expect_code 404
	api PUT "/failure_handlers/1" '{"name":"x"}'
	expect_code 405
}

@test "rules must be a JSON array of rule objects (422); other bad input is 400" {
	wf=$(mk_workflow fh-bad)
	for r in 'not json' '{\"exit_codes\":[1]}' '[1,2]' '[{\"exit_codes\":\"1\"}]' \
		'[{\"exit_codes\":[1.5]}]' '[{\"match_all_exit_codes\":\"yes\"}]' \
		'[{\"max_retries\":-1}]' '[{\"recovery_script\":5}]' '[{\"a\":1,\"a\":2}]'; do
		api POST /failure_handlers "{\"workflow_id\":$wf,\"name\":\"x\",\"rules\":\"$r\"}"
		expect_code 422
		[[ "$(jqb .error.message)" == *"'rules'"* ]]
	done
	api POST /failure_handlers "{\"workflow_id\":$wf,\"name\":\"x\",\"rules\":[]}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'rules'"* ]]
	api POST /failure_handlers "{\"workflow_id\":$wf,\"name\":\"x\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'rules'"* ]]
	api POST /failure_handlers "{\"workflow_id\":$wf,\"rules\":\"[]\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'name'"* ]]
	api POST /failure_handlers '{"name":"x","rules":"[]"}'
	expect_code 400
	[[ "$(jqb .error.message)" == *"'workflow_id'"* ]]
	api POST /failure_handlers '{"workflow_id":999999,"name":"x","rules":"[]"}'
	expect_code 404
	api GET "/workflows/$wf/failure_handlers"
	expect_json .total_count 0
	# An empty rule list is a valid (if useless) handler.
	mk_fh "$wf" empty '[]' >/dev/null
}

@test "the workflow's list: envelope, pagination, 404 for a missing workflow" {
	wf=$(mk_workflow fh-list)
	other=$(mk_workflow fh-list-other)
	for n in a b c; do mk_fh "$wf" "$n" >/dev/null; done
	mk_fh "$other" z >/dev/null
	api GET "/workflows/$wf/failure_handlers"
	expect_code 200
	expect_json '[.items[].name] | join(",")' 'a,b,c'
	expect_json '[.offset,.max_limit,.count,.total_count,.has_more] | @csv' '0,10000,3,3,false'
	api GET "/workflows/$wf/failure_handlers?offset=1&limit=1"
	expect_json '[.items[].name] | join(",")' 'b'
	expect_json .has_more true
	api GET "/workflows/$wf/failure_handlers?sort_by=name&reverse_sort=true"
	expect_json '[.items[].name] | join(",")' 'c,b,a'
	api GET "/workflows/$wf/failure_handlers?limit=x"
	expect_code 400
	api GET "/workflows/$wf/failure_handlers?colour=red"
	expect_code 400
	api GET /workflows/999999/failure_handlers
	expect_code 404
	expect_json .error.message "Workflow not found with ID: 999999"
}

@test "deleting the workflow removes its failure handlers" {
	wf=$(mk_workflow fh-cascade)
	id=$(mk_fh "$wf" a)
	api DELETE "/workflows/$wf"
	expect_code 200
	api GET "/failure_handlers/$id"
	expect_code 404
}
