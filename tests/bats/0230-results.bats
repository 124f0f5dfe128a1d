#!/usr/bin/env bats
# /results: CRUD, references to the job and compute node of the same
# workflow (404), unique (job, run, attempt) (409), status strings,
# filters, all_runs against the current-result index, pagination,
# delete-all, removal with the workflow.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

mk_job() {
	api POST /jobs "{\"workflow_id\":$1,\"name\":\"$2\",\"command\":\"true\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

mk_node() {
	api POST /compute_nodes "{\"workflow_id\":$1,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":1,\"memory_gb\":1,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	expect_code 200 >&2
	jqb .id
}

# result_json WF JOB NODE [extra json members, overriding the defaults]
result_json() {
	jq -cn --argjson wf "$1" --argjson job "$2" --argjson cn "$3" --argjson extra "{${4:-}}" \
		'{workflow_id:$wf, job_id:$job, compute_node_id:$cn, run_id:1, return_code:0,
		  exec_time_minutes:0.5, completion_time:"2025-01-01T00:00:00Z", status:"completed"} + $extra'
}

mk_result() {
	api POST /results "$(result_json "$@")"
	expect_code 200 >&2
	jqb .id
}

@test "create, get, update and delete a result" {
	wf=$(mk_workflow res-crud)
	job=$(mk_job "$wf" j)
	cn=$(mk_node "$wf")
	api POST /results "$(result_json "$wf" "$job" "$cn" '"peak_memory_bytes":1048576,"avg_memory_bytes":524288,"peak_cpu_percent":99.5,"avg_cpu_percent":50')"
	expect_code 200
	id=$(jqb .id)
	expect_json '[.job_id,.workflow_id,.run_id,.attempt_id,.compute_node_id,.return_code,.exec_time_minutes,.status] | @csv' \
		"$job,$wf,1,1,$cn,0,0.5,\"completed\""
	expect_json '[.peak_memory_bytes,.avg_memory_bytes,.peak_cpu_percent,.avg_cpu_percent] | @csv' \
		'1048576,524288,99.5,50'
	api GET "/results/$id"
	expect_code 200
	expect_json .completion_time 2025-01-01T00:00:00Z
	api PUT "/results/$id" '{"return_code":3,"status":"failed"}'
	expect_code 200
	expect_json '[.return_code,.status,.exec_time_minutes] | @csv' '3,"failed",0.5'
	api DELETE "/results/$id"
	expect_code 200
	expect_json .id "$id"
	api GET "/results/$id"
	expect_code 404
	expect_json .error.message "Result not found with ID: $id"
	api PUT "/results/$id" '{"return_code":1}'
	expect_code 404
	api DELETE "/results/$id"
	expect_code 404
}

@test "the job and the compute node must exist in the result's workflow (404)" {
	wf=$(mk_workflow res-refs)
	other=$(mk_workflow res-refs-other)
	job=$(mk_job "$wf" j)
	cn=$(mk_node "$wf")
	ojob=$(mk_job "$other" oj)
	ocn=$(mk_node "$other")
	api POST /results "$(result_json "$wf" 999999 "$cn")"
	expect_code 404
	[[ "$(jqb .error.message)" == *job_id* ]]
	api POST /results "$(result_json "$wf" "$ojob" "$cn")"
	expect_code 404
	[[ "$(jqb .error.message)" == *job_id* ]]
	api POST /results "$(result_json "$wf" "$job" 999999)"
	expect_code 404
	[[ "$(jqb .error.message)" == *compute_node_id* ]]
	api POST /results "$(result_json "$wf" "$job" "$ocn")"
	expect_code 404
	[[ "$(jqb .error.message)" == *compute_node_id* ]]
	api POST /results "$(result_json 999999 "$job" "$cn")"
	expect_code 404
	[[ "$(jqb .error.message)" == *"Workflow not found"* ]]
	id=$(mk_result "$wf" "$job" "$cn")
	api PUT "/results/$id" "{\"compute_node_id\":$ocn}"
	expect_code 404
	api PUT "/results/$id" "{\"job_id\":$ojob}"
	expect_code 404
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 1
	expect_json '.items[0].job_id' "$job"
}

@test "(job_id, run_id, attempt_id) is unique: 409" {
	wf=$(mk_workflow res-unique)
	job=$(mk_job "$wf" j)
	cn=$(mk_node "$wf")
	mk_result "$wf" "$job" "$cn" >/dev/null
	api POST /results "$(result_json "$wf" "$job" "$cn" '"return_code":1')"
	expect_code 409
	[[ "$(jqb .error.message)" == *"already exists"* ]]
	api POST /results "$(result_json "$wf" "$job" "$cn" '"attempt_id":1')"
	expect_code 409
	second=$(mk_result "$wf" "$job" "$cn" '"attempt_id":2')
	mk_result "$wf" "$job" "$cn" '"run_id":2' >/dev/null
	api PUT "/results/$second" '{"attempt_id":1}'
	expect_code 409
	api PUT "/results/$second" '{"return_code":4}'
	expect_code 200
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 3
}

@test "bad input is 400 naming the field" {
	wf=$(mk_workflow res-bad)
	job=$(mk_job "$wf" j)
	cn=$(mk_node "$wf")
	for f in job_id workflow_id run_id compute_node_id return_code exec_time_minutes completion_time status; do
		api POST /results "$(result_json "$wf" "$job" "$cn" | jq -c "del(.$f)")"
		expect_code 400
		[[ "$(jqb .error.message)" == *"'$f'"* ]]
	done
	api POST /results "$(result_json "$wf" "$job" "$cn" '"status":"done"')"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'status'"* ]]
	api POST /results "$(result_json "$wf" "$job" "$cn" '"return_code":"0"')"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'return_code'"* ]]
	api POST /results "$(result_json "$wf" "$job" "$cn" '"exec_time_minutes":"1m"')"
	expect_code 400
	api POST /results "$(result_json "$wf" "$job" "$cn" '"run_id":1.5')"
	expect_code 400
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 0
	api GET /results
	expect_code 400
	api GET "/results?workflow_id=$wf&status=done"
	expect_code 400
	api GET "/results?workflow_id=$wf&all_runs=1"
	expect_code 400
	api GET "/results?workflow_id=$wf&return_code=zero"
	expect_code 400
	api GET "/results?workflow_id=$wf&colour=red"
	expect_code 400
}

@test "every job status string is accepted" {
	wf=$(mk_workflow res-statuses)
	job=$(mk_job "$wf" j)
	cn=$(mk_node "$wf")
	a=1
	for s in uninitialized blocked ready pending running completed failed canceled terminated disabled pending_failed; do
		api POST /results "$(result_json "$wf" "$job" "$cn" "\"status\":\"$s\",\"attempt_id\":$a")"
		expect_code 200
		expect_json .status "$s"
		a=$((a + 1))
	done
	api GET "/results?workflow_id=$wf&all_runs=true&status=pending_failed"
	expect_json .total_count 1
}

@test "list: filters with all_runs, pagination" {
	wf=$(mk_workflow res-list)
	j1=$(mk_job "$wf" j1)
	j2=$(mk_job "$wf" j2)
	c1=$(mk_node "$wf")
	c2=$(mk_node "$wf")
	mk_result "$wf" "$j1" "$c1" >/dev/null
	mk_result "$wf" "$j1" "$c1" '"run_id":2,"return_code":1,"status":"failed"' >/dev/null
	mk_result "$wf" "$j2" "$c2" '"return_code":1,"status":"failed"' >/dev/null
	mk_result "$wf" "$j2" "$c1" '"run_id":2,"attempt_id":2' >/dev/null

	# Results posted directly are not current results of their jobs.
	api GET "/results?workflow_id=$wf"
	expect_code 200
	expect_json '[.count,.total_count,.has_more] | @csv' '0,0,false'

	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json '[.offset,.max_limit,.count,.total_count,.has_more] | @csv' '0,10000,4,4,false'
	api GET "/results?workflow_id=$wf&all_runs=true&job_id=$j1"
	expect_json '[.items[].run_id] | join(",")' '1,2'
	api GET "/results?workflow_id=$wf&all_runs=true&run_id=2"
	expect_json '[.items[].job_id] | join(",")' "$j1,$j2"
	api GET "/results?workflow_id=$wf&all_runs=true&return_code=1"
	expect_json '[.items[].job_id] | join(",")' "$j1,$j2"
	api GET "/results?workflow_id=$wf&all_runs=true&status=completed"
	expect_json .total_count 2
	api GET "/results?workflow_id=$wf&all_runs=true&compute_node_id=$c2"
	expect_json '[.items[].job_id] | join(",")' "$j2"
	api GET "/results?workflow_id=$wf&all_runs=true&job_id=$j2&run_id=2&status=completed&compute_node_id=$c1"
	expect_json .total_count 1
	api GET "/results?workflow_id=$wf&all_runs=true&limit=3&offset=1&sort_by=return_code"
	expect_json '[.count,.total_count,.has_more] | @csv' '3,4,false'
	expect_json '[.items[].return_code] | join(",")' '0,1,1'
}

@test "complete_job's result is the current one; deleting it takes it out of the default list" {
	wf=$(mk_workflow res-current)
	job=$(mk_job "$wf" j)
	cn=$(mk_node "$wf")
	old=$(mk_result "$wf" "$job" "$cn" '"run_id":0,"attempt_id":5')
	api POST "/jobs/$job/complete_job/completed/0" "$(result_json "$wf" "$job" "$cn" '"run_id":0')"
	expect_code 200
	api GET "/results?workflow_id=$wf"
	expect_code 200
	expect_json .total_count 1
	cur=$(jqb '.items[0].id')
	[ "$cur" != "$old" ]
	expect_json '.items[0].job_id' "$job"
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 2

	api DELETE "/results/$cur"
	expect_code 200
	api GET "/results?workflow_id=$wf"
	expect_json .total_count 0
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json '[.items[].id] | join(",")' "$old"
}

@test "delete-all answers count; deleting the workflow removes its results" {
	wf=$(mk_workflow res-del)
	job=$(mk_job "$wf" j)
	cn=$(mk_node "$wf")
	mk_result "$wf" "$job" "$cn" >/dev/null
	mk_result "$wf" "$job" "$cn" '"run_id":2' >/dev/null
	api DELETE "/results?workflow_id=$wf"
	expect_code 200
	expect_json 'keys | join(",")' count
	expect_json .count 2
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 0

	id=$(mk_result "$wf" "$job" "$cn")
	api DELETE "/workflows/$wf"
	expect_code 200
	api GET "/results/$id"
	expect_code 404
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 0
}
