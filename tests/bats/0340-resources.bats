#!/usr/bin/env bats
# Resource-aware claiming (filters, sort methods, greedy packing, time
# limit, scheduler match), ready_job_requirements, required_existing_files,
# missing_user_data and process_changed_job_inputs.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

mk_job() {
	api POST /jobs "{\"workflow_id\":$1,\"name\":\"$2\",\"command\":\"echo $2\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

mk_file() {
	api POST /files "{\"workflow_id\":$1,\"name\":\"$2\",\"path\":\"/d/$2\"}"
	expect_code 200 >&2
	jqb .id
}

# mk_rr WF NAME CPUS GPUS NODES MEMORY RUNTIME
mk_rr() {
	api POST /resource_requirements "{\"workflow_id\":$1,\"name\":\"$2\",\"num_cpus\":$3,\"num_gpus\":$4,\"num_nodes\":$5,\"memory\":\"$6\",\"runtime\":\"$7\"}"
	expect_code 200 >&2
	jqb .id
}

mk_node() {
	api POST /compute_nodes "{\"workflow_id\":$1,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	expect_code 200 >&2
	jqb .id
}

# claim_res WF LIMIT NODE-JSON [QUERY] -> names of the claimed jobs, comma-separated
claim_res() {
	api POST "/workflows/$1/claim_jobs_based_on_resources/$2${4:+?$4}" "$3"
	expect_code 200 >&2
	jqb '[.jobs[].name] | join(",")'
}

reset_ready() {
	api POST "/workflows/$1/reset_job_status" ''
	api POST "/workflows/$1/initialize_jobs" ''
}

@test "claim by resources: filters by the node, packs greedily, marks pending" {
	wf=$(mk_workflow res-pack)
	small=$(mk_rr "$wf" small 1 0 1 1g PT10M)
	mid=$(mk_rr "$wf" mid 2 0 1 3g PT30M)
	big=$(mk_rr "$wf" big 8 0 1 2g PT10M)
	gpu=$(mk_rr "$wf" gpu 1 1 1 1g PT10M)
	mk_job "$wf" s1 "\"resource_requirements_id\":$small" >/dev/null
	mk_job "$wf" m1 "\"resource_requirements_id\":$mid" >/dev/null
	mk_job "$wf" b1 "\"resource_requirements_id\":$big" >/dev/null
	mk_job "$wf" g1 "\"resource_requirements_id\":$gpu" >/dev/null
	mk_job "$wf" m2 "\"resource_requirements_id\":$mid" >/dev/null
	mk_job "$wf" s2 "\"resource_requirements_id\":$small" >/dev/null
	api POST "/workflows/$wf/initialize_jobs" ''
	# 4 cpus, 5 GiB, no gpu: b1 (8 cpus) and g1 never fit; after s1 and m1,
	# m2 does not fit either, s2 does.
	node='{"num_cpus":4,"memory_gb":5,"num_gpus":0,"num_nodes":1}'
	[ "$(claim_res "$wf" 10 "$node")" = "s1,m1,s2" ]
	api GET "/jobs?workflow_id=$wf&status=pending"
	expect_json '[.items[].name] | join(",")' "s1,m1,s2"
	[ "$(claim_res "$wf" 10 "$node")" = "m2" ]
	[ "$(claim_res "$wf" 10 "$node")" = "" ]
	# The limit applies before packing.
	reset_ready "$wf"
	[ "$(claim_res "$wf" 1 "$node")" = "s1" ]
	reset_ready "$wf"
	[ "$(claim_res "$wf" 0 "$node")" = "" ]
	gnode='{"num_cpus":16,"memory_gb":64,"num_gpus":1,"num_nodes":1}'
	[ "$(claim_res "$wf" 10 "$gnode" sort_method=gpus_runtime_memory)" = "g1,m1,m2,b1,s1,s2" ]
}

@test "claim by resources: gpus are summed while packing, as cpus and memory are" {
	wf=$(mk_workflow res-gpus)
	gpu=$(mk_rr "$wf" gpu 1 1 1 1g PT10M)
	mk_job "$wf" g1 "\"resource_requirements_id\":$gpu" >/dev/null
	mk_job "$wf" g2 "\"resource_requirements_id\":$gpu" >/dev/null
	mk_job "$wf" g3 "\"resource_requirements_id\":$gpu" >/dev/null
	api POST "/workflows/$wf/initialize_jobs" ''
	one='{"num_cpus":8,"memory_gb":16,"num_gpus":1,"num_nodes":1}'
	two='{"num_cpus":8,"memory_gb":16,"num_gpus":2,"num_nodes":1}'
	[ "$(claim_res "$wf" 10 "$one")" = "g1" ]
	[ "$(claim_res "$wf" 10 "$two")" = "g2,g3" ]
	[ "$(claim_res "$wf" 10 "$two")" = "" ]
}

@test "claim by resources: sort methods and the time limit" {
	wf=$(mk_workflow res-sort)
	long_small=$(mk_rr "$wf" ls 1 0 1 1g PT2H)
	short_big=$(mk_rr "$wf" sb 1 0 1 4g PT10M)
	mk_job "$wf" ls "\"resource_requirements_id\":$long_small" >/dev/null
	mk_job "$wf" sb "\"resource_requirements_id\":$short_big" >/dev/null
	mk_job "$wf" dflt >/dev/null
	api POST "/workflows/$wf/initialize_jobs" ''
	node='{"num_cpus":1,"memory_gb":16,"num_gpus":0,"num_nodes":1}'
	[ "$(claim_res "$wf" 1 "$node" sort_method=gpus_runtime_memory)" = ls ]
	reset_ready "$wf"
	[ "$(claim_res "$wf" 1 "$node" sort_method=gpus_memory_runtime)" = sb ]
	reset_ready "$wf"
	[ "$(claim_res "$wf" 1 "$node")" = ls ]
	reset_ready "$wf"
	# One hour: the two-hour job does not fit.
	tl='{"num_cpus":8,"memory_gb":16,"num_gpus":0,"num_nodes":1,"time_limit":"PT1H"}'
	[ "$(claim_res "$wf" 10 "$tl")" = "sb,dflt" ]
	api POST "/workflows/$wf/claim_jobs_based_on_resources/10" '{"num_cpus":1,"memory_gb":1,"num_gpus":0,"num_nodes":1,"time_limit":"soon"}'
	expect_code 422
	api POST "/workflows/$wf/claim_jobs_based_on_resources/10" '{"num_cpus":1,"num_gpus":0,"num_nodes":1}'
	expect_code 400
	api POST "/workflows/$wf/claim_jobs_based_on_resources/10?sort_method=fastest" "$tl"
	expect_code 400
	api POST "/workflows/$wf/claim_jobs_based_on_resources/x" "$tl"
	expect_code 400
	api POST "/workflows/999999/claim_jobs_based_on_resources/10" "$tl"
	expect_code 404
}

@test "claim by resources: multi-node jobs consume nodes; scheduler match" {
	wf=$(mk_workflow res-nodes)
	two=$(mk_rr "$wf" two 1 0 2 1g PT10M)
	mk_job "$wf" n1 "\"resource_requirements_id\":$two" >/dev/null
	mk_job "$wf" n2 "\"resource_requirements_id\":$two" >/dev/null
	mk_job "$wf" sched "\"scheduler_id\":7" >/dev/null
	api POST "/workflows/$wf/initialize_jobs" ''
	node='{"num_cpus":8,"memory_gb":8,"num_gpus":0,"num_nodes":3}'
	[ "$(claim_res "$wf" 10 "$node")" = n1 ]
	reset_ready "$wf"
	node4='{"num_cpus":8,"memory_gb":8,"num_gpus":0,"num_nodes":4,"scheduler_config_id":7}'
	[ "$(claim_res "$wf" 10 "$node4")" = "n1,n2,sched" ]
	reset_ready "$wf"
	# Only the scheduler's job left: strict matching refuses it to other nodes.
	api PUT "/jobs/$(mk_job "$wf" dummy)" '{"status":"disabled"}'
	node1='{"num_cpus":8,"memory_gb":8,"num_gpus":0,"num_nodes":1,"scheduler_config_id":3}'
	[ "$(claim_res "$wf" 10 "$node1" strict_scheduler_match=true)" = "" ]
	[ "$(claim_res "$wf" 10 "$node1")" = "sched" ]
}

@test "ready_job_requirements sums what ready jobs need" {
	wf=$(mk_workflow ready-req)
	a=$(mk_rr "$wf" a 2 1 1 2g PT1H)
	b=$(mk_rr "$wf" b 4 0 3 1g P0DT2H)
	mk_job "$wf" j1 "\"resource_requirements_id\":$a" >/dev/null
	mk_job "$wf" j2 "\"resource_requirements_id\":$b,\"scheduler_id\":5" >/dev/null
	mk_job "$wf" j3 >/dev/null
	api GET "/workflows/$wf/ready_job_requirements"
	expect_code 200
	expect_json '[.num_jobs, .num_cpus, .num_gpus, .max_num_nodes] | @csv' '0,0,0,0'
	api POST "/workflows/$wf/initialize_jobs" ''
	api GET "/workflows/$wf/ready_job_requirements"
	expect_json '[.num_jobs, .num_cpus, .num_gpus, .max_num_nodes, .max_runtime] | @csv' '3,7,1,3,"P0DT2H"'
	expect_json '.memory_gb > 3.0 and .memory_gb < 3.01' true
	api GET "/workflows/$wf/ready_job_requirements?scheduler_config_id=5"
	expect_json '[.num_jobs, .num_cpus] | @csv' '1,4'
	api GET /workflows/999999/ready_job_requirements
	expect_code 404
}

@test "required_existing_files: inputs nobody produces, plus outputs of completed jobs" {
	wf=$(mk_workflow req-files)
	n=$(mk_node "$wf")
	raw=$(mk_file "$wf" raw)
	mid=$(mk_file "$wf" mid)
	out=$(mk_file "$wf" out)
	p=$(mk_job "$wf" p "\"input_file_ids\":[$raw],\"output_file_ids\":[$mid]")
	mk_job "$wf" q "\"input_file_ids\":[$mid],\"output_file_ids\":[$out]" >/dev/null
	api GET "/workflows/$wf/required_existing_files"
	expect_code 200
	expect_json 'tojson' "{\"files\":[$raw]}"
	api POST "/workflows/$wf/initialize_jobs" ''
	api POST "/jobs/$p/complete_job/completed/0" "{\"compute_node_id\":$n,\"return_code\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\"}"
	api GET "/workflows/$wf/required_existing_files"
	expect_json '.files | @csv' "$raw,$mid"
	api GET /workflows/999999/required_existing_files
	expect_code 404
}

@test "missing_user_data: consumed and never produced, or output of a completed job, without data" {
	wf=$(mk_workflow missing-ud)
	n=$(mk_node "$wf")
	api POST /user_data "{\"workflow_id\":$wf,\"name\":\"given\",\"data\":{\"x\":1}}"
	given=$(jqb .id)
	api POST /user_data "{\"workflow_id\":$wf,\"name\":\"absent\"}"
	absent=$(jqb .id)
	api POST /user_data "{\"workflow_id\":$wf,\"name\":\"made\"}"
	made=$(jqb .id)
	p=$(mk_job "$wf" p "\"input_user_data_ids\":[$given,$absent],\"output_user_data_ids\":[$made]")
	api GET "/workflows/$wf/missing_user_data"
	expect_code 200
	expect_json 'tojson' "{\"user_data\":[$absent]}"
	api POST "/workflows/$wf/initialize_jobs" ''
	api POST "/jobs/$p/complete_job/completed/0" "{\"compute_node_id\":$n,\"return_code\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\"}"
	api GET "/workflows/$wf/missing_user_data"
	expect_json '.user_data | @csv' "$absent,$made"
	api PUT "/user_data/$made" '{"data":[1,2]}'
	api GET "/workflows/$wf/missing_user_data"
	expect_json '.user_data | @csv' "$absent"
}

@test "process_changed_job_inputs: changed input data reinitializes the consumer (dry_run first)" {
	wf=$(mk_workflow changed-inputs)
	n=$(mk_node "$wf")
	api POST /user_data "{\"workflow_id\":$wf,\"name\":\"cfg\",\"data\":{\"alpha\":1}}"
	ud=$(jqb .id)
	c=$(mk_job "$wf" consumer "\"input_user_data_ids\":[$ud]")
	o=$(mk_job "$wf" other)
	api POST "/workflows/$wf/process_changed_job_inputs" ''
	expect_code 200
	expect_json 'tojson' '{"reinitialized_jobs":[]}'
	api POST "/workflows/$wf/initialize_jobs" ''
	api POST "/jobs/$c/complete_job/completed/0" "{\"compute_node_id\":$n,\"return_code\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\"}"
	api POST "/workflows/$wf/process_changed_job_inputs" ''
	expect_json '.reinitialized_jobs | length' 0
	api PUT "/user_data/$ud" '{"data":{"alpha":2}}'
	api POST "/workflows/$wf/process_changed_job_inputs?dry_run=true" ''
	expect_json '.reinitialized_jobs | join(",")' consumer
	api GET "/jobs/$c"
	expect_json .status completed
	api POST "/workflows/$wf/process_changed_job_inputs" ''
	expect_json '.reinitialized_jobs | join(",")' consumer
	api GET "/jobs/$c"
	expect_json .status uninitialized
	api GET "/jobs/$o"
	expect_json .status ready
	api POST "/workflows/$wf/initialize_jobs?only_uninitialized=true" ''
	api GET "/jobs/$c"
	expect_json .status ready
	api POST "/workflows/$wf/process_changed_job_inputs" ''
	expect_json '.reinitialized_jobs | length' 0
}
