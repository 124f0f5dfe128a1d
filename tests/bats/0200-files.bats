#!/usr/bin/env bats
# /files: CRUD, the st_mtime overwrite rule, filters (name, path,
# produced_by_job_id, is_output), pagination, delete-all, bad input, and
# removal with the workflow.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# mk_file WF NAME PATH [extra json members] -> echoes the id
mk_file() {
	api POST /files "{\"workflow_id\":$1,\"name\":\"$2\",\"path\":\"$3\"${4:+,$4}}"
	expect_code 200 >&2
	jqb .id
}

# mk_job WF NAME [extra json members] -> echoes the id
mk_job() {
	api POST /jobs "{\"workflow_id\":$1,\"name\":\"$2\",\"command\":\"true\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

@test "create, get, update and delete a file" {
	wf=$(mk_workflow files-crud)
	api POST /files "{\"workflow_id\":$wf,\"name\":\"in\",\"path\":\"/data/in.txt\",\"st_mtime\":1700000000.25}"
	expect_code 200
	id=$(jqb .id)
	[ "$id" -gt 0 ]
	expect_json .workflow_id "$wf"
	expect_json .name in
	expect_json .path /data/in.txt
	expect_json .st_mtime 1700000000.25

	api GET "/files/$id"
	expect_code 200
	expect_json '[.id,.name,.path,.st_mtime] | @csv' "$id,\"in\",\"/data/in.txt\",1700000000.25"

	# COALESCE for name and path; st_mtime always overwritten.
	api PUT "/files/$id" '{"name":"renamed","st_mtime":5.5}'
	expect_code 200
	expect_json .name renamed
	expect_json .path /data/in.txt
	expect_json .st_mtime 5.5
	api PUT "/files/$id" '{"path":"/data/other"}'
	expect_code 200
	expect_json .name renamed
	expect_json .path /data/other
	expect_json 'has("st_mtime")' false
	api PUT "/files/$id" '{"st_mtime":7}'
	api PUT "/files/$id" '{"st_mtime":null}'
	expect_code 200
	expect_json 'has("st_mtime")' false
	api GET "/files/$id"
	expect_json 'has("st_mtime")' false
	expect_json .name renamed

	api DELETE "/files/$id"
	expect_code 200
	expect_json .id "$id"
	expect_json .name renamed
	api GET "/files/$id"
	expect_code 404
	expect_json .error.message "File not found with ID: $id"
}

@test "missing rows are 404, not 500" {
	api GET /files/999999
	expect_code 404
	api PUT /files/999999 '{"name":"x"}'
	expect_code 404
	api DELETE /files/999999
	expect_code 404
	api POST /files '{"workflow_id":999999,"name":"x","path":"/x"}'
	expect_code 404
	expect_json .error.message "Workflow not found with ID: 999999"
}

@test "bad input is 400 naming the field, and changes nothing" {
	wf=$(mk_workflow files-bad)
	api POST /files "{\"workflow_id\":$wf,\"path\":\"/x\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'name'"* ]]
	api POST /files "{\"workflow_id\":$wf,\"name\":\"x\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'path'"* ]]
	api POST /files '{"name":"x","path":"/x"}'
	expect_code 400
	[[ "$(jqb .error.message)" == *"'workflow_id'"* ]]
	api POST /files "{\"workflow_id\":$wf,\"name\":\"x\",\"path\":\"/x\",\"st_mtime\":\"yesterday\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'st_mtime'"* ]]
	api POST /files "{\"workflow_id\":\"$wf\",\"name\":\"x\",\"path\":\"/x\"}"
	expect_code 400
	api POST /files "{\"workflow_id\":$wf,\"name\":7,\"path\":\"/x\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'name'"* ]]
	api POST /files '{"workflow_id":'"$wf"',"name":"x",'
	expect_code 400
	api GET "/files?workflow_id=$wf"
	expect_json .total_count 0
	api GET /files/abc
	expect_code 400
}

@test "unknown body fields are ignored and named in a Warning header" {
	wf=$(mk_workflow files-warn)
	api POST /files "{\"workflow_id\":$wf,\"name\":\"x\",\"path\":\"/x\",\"colour\":\"red\"}"
	expect_code 200
	expect_json 'has("colour")' false
	[[ "$headers" == *"Warning: Ignoring unknown fields in body: [colour]"* ]]
}

@test "list: workflow_id is required, unknown and malformed parameters are 400" {
	api GET /files
	expect_code 400
	[[ "$(jqb .error.message)" == *workflow_id* ]]
	api GET "/files?workflow_id=abc"
	expect_code 400
	api GET "/files?workflow_id=1&colour=red"
	expect_code 400
	[[ "$(jqb .error.message)" == *colour* ]]
	api GET "/files?workflow_id=1&is_output=maybe"
	expect_code 400
	api GET "/files?workflow_id=1&produced_by_job_id=x"
	expect_code 400
	api GET "/files?workflow_id=1&limit=10001"
	expect_code 400
}

@test "list: envelope, pagination, sorting and the name and path filters" {
	wf=$(mk_workflow files-list)
	other=$(mk_workflow files-list-other)
	for i in 1 2 3 4 5; do mk_file "$wf" "f$i" "/p/$((6 - i))" >/dev/null; done
	mk_file "$other" f1 /p/5 >/dev/null

	api GET "/files?workflow_id=$wf"
	expect_code 200
	expect_json '[.offset,.max_limit,.count,.total_count,.has_more] | @csv' '0,10000,5,5,false'
	expect_json '[.items[].name] | join(",")' 'f1,f2,f3,f4,f5'

	api GET "/files?workflow_id=$wf&limit=2&offset=2"
	expect_json '[.offset,.count,.total_count,.has_more] | @csv' '2,2,5,true'
	expect_json '[.items[].name] | join(",")' 'f3,f4'
	api GET "/files?workflow_id=$wf&limit=2&offset=4"
	expect_json '[.count,.has_more] | @csv' '1,false'
	api GET "/files?workflow_id=$wf&limit=0"
	expect_json '[.count,.total_count] | @csv' '0,5'

	api GET "/files?workflow_id=$wf&sort_by=path"
	expect_json '[.items[].name] | join(",")' 'f5,f4,f3,f2,f1'
	api GET "/files?workflow_id=$wf&sort_by=name&reverse_sort=true"
	expect_json '[.items[].name] | join(",")' 'f5,f4,f3,f2,f1'

	api GET "/files?workflow_id=$wf&name=f2"
	expect_json '[.items[].name] | join(",")' 'f2'
	api GET "/files?workflow_id=$wf&name=f"
	expect_json .total_count 0
	api GET "/files?workflow_id=$wf&path=/p/5"
	expect_json '[.items[].name] | join(",")' 'f1'
	expect_json '.items[0].workflow_id' "$wf"
}

@test "list: produced_by_job_id and is_output follow the jobs' output files" {
	wf=$(mk_workflow files-jobs)
	a=$(mk_file "$wf" a /a)
	b=$(mk_file "$wf" b /b)
	c=$(mk_file "$wf" c /c)
	d=$(mk_file "$wf" d /d)
	j1=$(mk_job "$wf" j1 "\"input_file_ids\":[$a],\"output_file_ids\":[$b,$c]")
	j2=$(mk_job "$wf" j2 "\"input_file_ids\":[$b],\"output_file_ids\":[$d]")

	api GET "/files?workflow_id=$wf&produced_by_job_id=$j1"
	expect_code 200
	expect_json '[.items[].name] | join(",")' 'b,c'
	api GET "/files?workflow_id=$wf&produced_by_job_id=$j2"
	expect_json '[.items[].name] | join(",")' 'd'
	api GET "/files?workflow_id=$wf&produced_by_job_id=999999"
	expect_json .total_count 0

	api GET "/files?workflow_id=$wf&is_output=true"
	expect_json '[.items[].name] | join(",")' 'b,c,d'
	# false is no filter at all, as in Torc.
	api GET "/files?workflow_id=$wf&is_output=false"
	expect_json '[.items[].name] | join(",")' 'a,b,c,d'
	api GET "/files?workflow_id=$wf&is_output=true&produced_by_job_id=$j1&name=c"
	expect_json '[.items[].name] | join(",")' 'c'
}

@test "delete-all answers deleted_count and leaves other workflows alone" {
	wf=$(mk_workflow files-del)
	other=$(mk_workflow files-del-other)
	for i in 1 2 3; do mk_file "$wf" "f$i" "/f$i" >/dev/null; done
	keep=$(mk_file "$other" keep /keep)
	api DELETE "/files?workflow_id=$wf"
	expect_code 200
	expect_json 'keys | join(",")' deleted_count
	expect_json .deleted_count 3
	api GET "/files?workflow_id=$wf"
	expect_json .total_count 0
	api DELETE "/files?workflow_id=$wf"
	expect_json .deleted_count 0
	api GET "/files/$keep"
	expect_code 200
	api DELETE /files
	expect_code 400
}

@test "deleting the workflow removes its files" {
	wf=$(mk_workflow files-cascade)
	id=$(mk_file "$wf" f /f)
	api DELETE "/workflows/$wf"
	expect_code 200
	api GET "/files/$id"
	expect_code 404
	api GET "/files?workflow_id=$wf"
	expect_json .total_count 0
}
