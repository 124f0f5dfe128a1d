#!/usr/bin/env bats
# /user_data: CRUD with any JSON data, consumer/producer links written into
# the jobs on POST, filters, pagination, delete-all, bad input, and removal
# with the workflow.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# mk_ud WF NAME [extra json members] [query] -> echoes the id
mk_ud() {
	api POST "/user_data${4:+?$4}" "{\"workflow_id\":$1,\"name\":\"$2\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

mk_job() {
	api POST /jobs "{\"workflow_id\":$1,\"name\":\"$2\",\"command\":\"true\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

@test "create, get, update and delete user data; data may be any JSON" {
	wf=$(mk_workflow ud-crud)
	api POST /user_data "{\"workflow_id\":$wf,\"name\":\"cfg\",\"data\":{\"a\":[1,2,{\"b\":null}],\"s\":\"x\"}}"
	expect_code 200
	id=$(jqb .id)
	expect_json .is_ephemeral false
	expect_json '.data.a[2] | has("b")' true
	expect_json .data.s x

	api GET "/user_data/$id"
	expect_code 200
	expect_json '.data | tojson' '{"a":[1,2,{"b":null}],"s":"x"}'
	expect_json .name cfg

	# COALESCE: absent and null fields are kept, data cannot be reset to null.
	api PUT "/user_data/$id" '{"data":42,"is_ephemeral":true}'
	expect_code 200
	expect_json .data 42
	expect_json .name cfg
	expect_json .is_ephemeral true
	api PUT "/user_data/$id" '{"name":"cfg2","data":null}'
	expect_code 200
	expect_json .data 42
	expect_json .name cfg2
	api PUT "/user_data/$id" '{"data":"text"}'
	expect_json .data text
	api PUT "/user_data/$id" '{"data":[true,false]}'
	expect_json '.data | tojson' '[true,false]'

	api DELETE "/user_data/$id"
	expect_code 200
	expect_json .id "$id"
	api GET "/user_data/$id"
	expect_code 404
	expect_json .error.message "User data not found with ID: $id"
	api PUT "/user_data/$id" '{"name":"x"}'
	expect_code 404
	api DELETE "/user_data/$id"
	expect_code 404
}

@test "bad input is 400 naming the field" {
	wf=$(mk_workflow ud-bad)
	api POST /user_data "{\"workflow_id\":$wf}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'name'"* ]]
	api POST /user_data '{"name":"x"}'
	expect_code 400
	[[ "$(jqb .error.message)" == *"'workflow_id'"* ]]
	api POST /user_data "{\"workflow_id\":$wf,\"name\":\"x\",\"is_ephemeral\":\"yes\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'is_ephemeral'"* ]]
	api POST "/user_data?consumer_job_id=abc" "{\"workflow_id\":$wf,\"name\":\"x\"}"
	expect_code 400
	api POST "/user_data?colour=red" "{\"workflow_id\":$wf,\"name\":\"x\"}"
	expect_code 400
	api POST /user_data '{"workflow_id":999999,"name":"x"}'
	expect_code 404
	api GET "/user_data?workflow_id=$wf"
	expect_json .total_count 0
	api GET /user_data
	expect_code 400
	[[ "$(jqb .error.message)" == *workflow_id* ]]
	api GET "/user_data?workflow_id=$wf&is_ephemeral=perhaps"
	expect_code 400
}

@test "POST with consumer_job_id and producer_job_id links the jobs" {
	wf=$(mk_workflow ud-links)
	j1=$(mk_job "$wf" producer)
	j2=$(mk_job "$wf" consumer)
	a=$(mk_ud "$wf" a "" "producer_job_id=$j1")
	b=$(mk_ud "$wf" b "" "consumer_job_id=$j2&producer_job_id=$j1")
	c=$(mk_ud "$wf" c "" "consumer_job_id=$j2")
	d=$(mk_ud "$wf" d)
	# Both at once on the same job.
	e=$(mk_ud "$wf" e "" "consumer_job_id=$j1&producer_job_id=$j1")

	api GET "/jobs/$j1"
	expect_code 200
	expect_json '.output_user_data_ids | join(",")' "$a,$b,$e"
	expect_json '.input_user_data_ids | join(",")' "$e"
	api GET "/jobs/$j2"
	expect_json '.input_user_data_ids | join(",")' "$b,$c"
	expect_json 'has("output_user_data_ids")' false

	api GET "/user_data?workflow_id=$wf&producer_job_id=$j1"
	expect_code 200
	expect_json '[.items[].name] | join(",")' 'a,b,e'
	api GET "/user_data?workflow_id=$wf&consumer_job_id=$j2"
	expect_json '[.items[].name] | join(",")' 'b,c'
	api GET "/user_data?workflow_id=$wf&consumer_job_id=$j2&producer_job_id=$j1"
	expect_json '[.items[].name] | join(",")' 'b'
	api GET "/user_data?workflow_id=$wf&consumer_job_id=999999"
	expect_json .total_count 0

	# A job that does not exist, or lives in another workflow, is 404 and nothing is created.
	other=$(mk_workflow ud-links-other)
	jo=$(mk_job "$other" elsewhere)
	api POST "/user_data?consumer_job_id=$jo" "{\"workflow_id\":$wf,\"name\":\"x\"}"
	expect_code 404
	[[ "$(jqb .error.message)" == *consumer_job_id* ]]
	api POST "/user_data?producer_job_id=999999" "{\"workflow_id\":$wf,\"name\":\"x\"}"
	expect_code 404
	api GET "/user_data?workflow_id=$wf"
	expect_json .total_count 5

	# Deleting user data takes it out of the jobs again.
	api DELETE "/user_data/$b"
	expect_code 200
	api GET "/jobs/$j1"
	expect_json '.output_user_data_ids | join(",")' "$a,$e"
	api GET "/jobs/$j2"
	expect_json '.input_user_data_ids | join(",")' "$c"
	api DELETE "/user_data?workflow_id=$wf"
	expect_json .deleted_count 4
	api GET "/jobs/$j1"
	expect_json 'has("output_user_data_ids") or has("input_user_data_ids")' false
	api GET "/jobs/$j2"
	expect_json 'has("input_user_data_ids")' false
}

@test "list: envelope, pagination, name substring and is_ephemeral" {
	wf=$(mk_workflow ud-list)
	mk_ud "$wf" alpha_one '"is_ephemeral":true' >/dev/null
	mk_ud "$wf" beta >/dev/null
	mk_ud "$wf" alpha_two >/dev/null
	mk_ud "$wf" gamma '"is_ephemeral":true,"data":1' >/dev/null

	api GET "/user_data?workflow_id=$wf"
	expect_json '[.offset,.max_limit,.count,.total_count,.has_more] | @csv' '0,10000,4,4,false'
	expect_json '[.items[].name] | join(",")' 'alpha_one,beta,alpha_two,gamma'
	api GET "/user_data?workflow_id=$wf&offset=1&limit=2"
	expect_json '[.items[].name] | join(",")' 'beta,alpha_two'
	expect_json .has_more true
	api GET "/user_data?workflow_id=$wf&sort_by=name&reverse_sort=true&limit=1"
	expect_json '[.items[].name] | join(",")' 'gamma'

	api GET "/user_data?workflow_id=$wf&name=alpha"
	expect_json '[.items[].name] | join(",")' 'alpha_one,alpha_two'
	api GET "/user_data?workflow_id=$wf&name=ta"
	expect_json '[.items[].name] | join(",")' 'beta'
	api GET "/user_data?workflow_id=$wf&is_ephemeral=true"
	expect_json '[.items[].name] | join(",")' 'alpha_one,gamma'
	api GET "/user_data?workflow_id=$wf&is_ephemeral=false"
	expect_json '[.items[].name] | join(",")' 'beta,alpha_two'
	api GET "/user_data?workflow_id=$wf&is_ephemeral=true&name=alpha"
	expect_json '[.items[].name] | join(",")' 'alpha_one'
}

@test "delete-all answers deleted_count; deleting the workflow removes its user data" {
	wf=$(mk_workflow ud-del)
	other=$(mk_workflow ud-del-other)
	mk_ud "$wf" a >/dev/null
	mk_ud "$wf" b >/dev/null
	keep=$(mk_ud "$other" keep)
	api DELETE "/user_data?workflow_id=$wf"
	expect_code 200
	expect_json 'keys | join(",")' deleted_count
	expect_json .deleted_count 2
	api GET "/user_data?workflow_id=$wf"
	expect_json .total_count 0
	api GET "/user_data/$keep"
	expect_code 200

	api DELETE "/workflows/$other"
	expect_code 200
	api GET "/user_data/$keep"
	expect_code 404
	api GET "/user_data?workflow_id=$other"
	expect_json .total_count 0
}
