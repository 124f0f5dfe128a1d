#!/usr/bin/env bats
# /events: CRUD with any JSON data, id order, after_timestamp, the category
# filter, pagination, DELETE /events?workflow_id= (count), bad input, and
# removal with the workflow.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# mk_event WF TIMESTAMP DATA -> echoes the id
mk_event() {
	api POST /events "{\"workflow_id\":$1,\"timestamp\":$2,\"data\":$3}"
	expect_code 200 >&2
	jqb .id
}

@test "two events are listed in order and items[1] is the second (Torc test)" {
	wf=$(mk_workflow ev-torc)
	e1=$(mk_event "$wf" 1700000000000 '{"key1":1,"key2":2}')
	e2=$(mk_event "$wf" 1700000000001 '{"key3":3,"key4":4}')
	api GET "/events?workflow_id=$wf"
	expect_code 200
	expect_json '.items | length' 2
	expect_json '.items[1].data | tojson' '{"key3":3,"key4":4}'
	expect_json '.items[0].timestamp' 1700000000000
	api DELETE "/events/$e1"
	expect_code 200
	expect_json .id "$e1"
	api DELETE "/events/$e2"
	expect_code 200
	api GET "/events?workflow_id=$wf"
	expect_json '.items | length' 0
}

@test "create, get, update and delete; missing rows are 404" {
	wf=$(mk_workflow ev-crud)
	api POST /events "{\"workflow_id\":$wf,\"timestamp\":5,\"data\":[1,\"two\",null]}"
	expect_code 200
	id=$(jqb .id)
	expect_json '.data | tojson' '[1,"two",null]'
	api GET "/events/$id"
	expect_code 200
	expect_json '[.workflow_id,.timestamp] | @csv' "$wf,5"
	api PUT "/events/$id" '{"data":{"category":"x"}}'
	expect_code 200
	expect_json '.data.category' x
	expect_json .timestamp 5
	api DELETE "/events/$id"
	expect_code 200
	api GET "/events/$id"
	expect_code 404
	expect_json .error.message "Event not found with ID: $id"
	api PUT "/events/$id" '{"timestamp":1}'
	expect_code 404
	api DELETE "/events/$id"
	expect_code 404
	api POST /events '{"workflow_id":999999,"timestamp":1,"data":{}}'
	expect_code 404
}

@test "bad input is 400 naming the field" {
	wf=$(mk_workflow ev-bad)
	api POST /events "{\"workflow_id\":$wf,\"data\":{}}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'timestamp'"* ]]
	api POST /events "{\"workflow_id\":$wf,\"timestamp\":1}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'data'"* ]]
	api POST /events "{\"workflow_id\":$wf,\"timestamp\":1.5,\"data\":{}}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'timestamp'"* ]]
	api POST /events "{\"workflow_id\":$wf,\"timestamp\":\"now\",\"data\":{}}"
	expect_code 400
	api POST /events '{"timestamp":1,"data":{}}'
	expect_code 400
	[[ "$(jqb .error.message)" == *"'workflow_id'"* ]]
	api GET /events
	expect_code 400
	api GET "/events?workflow_id=$wf&after_timestamp=soon"
	expect_code 400
	api GET "/events?workflow_id=$wf&colour=red"
	expect_code 400
	api GET "/events?workflow_id=$wf"
	expect_json .total_count 0
}

@test "list: after_timestamp is strict, category matches data.category, pagination" {
	wf=$(mk_workflow ev-list)
	mk_event "$wf" 100 '{"category":"user_action","action":"reset"}' >/dev/null
	mk_event "$wf" 200 '{"category":"workflow_canceled"}' >/dev/null
	mk_event "$wf" 300 '{"event_type":"job_retried"}' >/dev/null
	mk_event "$wf" 150 '{"category":"user_action","action":"update"}' >/dev/null
	mk_event "$wf" 400 '"just a string"' >/dev/null

	api GET "/events?workflow_id=$wf"
	expect_json '[.items[].timestamp] | join(",")' '100,200,300,150,400'
	expect_json '[.count,.total_count,.has_more] | @csv' '5,5,false'
	api GET "/events?workflow_id=$wf&after_timestamp=150"
	expect_json '[.items[].timestamp] | join(",")' '200,300,400'
	api GET "/events?workflow_id=$wf&after_timestamp=400"
	expect_json .total_count 0
	api GET "/events?workflow_id=$wf&category=user_action"
	expect_json '[.items[].data.action] | join(",")' 'reset,update'
	api GET "/events?workflow_id=$wf&category=user_action&after_timestamp=100"
	expect_json '[.items[].data.action] | join(",")' 'update'
	api GET "/events?workflow_id=$wf&category=nothing"
	expect_json .total_count 0
	api GET "/events?workflow_id=$wf&sort_by=timestamp&reverse_sort=true&limit=2"
	expect_json '[.items[].timestamp] | join(",")' '400,300'
	expect_json '[.count,.total_count,.has_more] | @csv' '2,5,true'
	api GET "/events?workflow_id=$wf&offset=3"
	expect_json '[.items[].timestamp] | join(",")' '150,400'
}

@test "DELETE /events?workflow_id= answers count; deleting the workflow removes its events" {
	wf=$(mk_workflow ev-del)
	other=$(mk_workflow ev-del-other)
	for t in 1 2 3; do mk_event "$wf" "$t" '{}' >/dev/null; done
	keep=$(mk_event "$other" 1 '{}')
	api DELETE "/events?workflow_id=$wf"
	expect_code 200
	expect_json 'keys | join(",")' count
	expect_json .count 3
	api GET "/events?workflow_id=$wf"
	expect_json .total_count 0
	api DELETE "/events?workflow_id=$wf"
	expect_json .count 0
	api DELETE /events
	expect_code 400
	api GET "/events/$keep"
	expect_code 200

	api DELETE "/workflows/$other"
	expect_code 200
	api GET "/events/$keep"
	expect_code 404
	api GET "/events?workflow_id=$other"
	expect_json .total_count 0
}
