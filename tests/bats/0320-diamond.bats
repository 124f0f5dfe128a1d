#!/usr/bin/env bats
# The diamond of share/examples (preprocess -> work1, work2 -> postprocess,
# linked only through files f1..f6), built with API calls, driven the way
# a job runner does: claim, start, complete.  After each completion exactly
# the right jobs are ready.  Then the failure path, the failed-only reset,
# and the reference's §6 items 32, 36 and 37 (setup -> a, b, fail ->
# finalize).

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

mk_file() {
	api POST /files "{\"workflow_id\":$1,\"name\":\"$2\",\"path\":\"/d/$2.json\"}"
	expect_code 200 >&2
	jqb .id
}

mk_job() {
	api POST /jobs "{\"workflow_id\":$1,\"name\":\"$2\",\"command\":\"run $2\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

mk_node() {
	api POST /compute_nodes "{\"workflow_id\":$1,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	expect_code 200 >&2
	jqb .id
}

complete() {
	api POST "/jobs/$1/complete_job/$2/$3" "{\"job_id\":$1,\"run_id\":$3,\"compute_node_id\":$5,\"return_code\":$4,\"exec_time_minutes\":0.1,\"completion_time\":\"2024-01-01T00:00:00Z\",\"status\":\"$2\"}"
	expect_code 200 >&2
}

# statuses WF -> "name=status ..." in id order
statuses() {
	api GET "/jobs?workflow_id=$1"
	jqb '[.items[] | "\(.name)=\(.status)"] | join(" ")'
}

ready_names() {
	api GET "/jobs?workflow_id=$1&status=ready"
	jqb '[.items[].name] | join(",")'
}

# Builds the diamond; sets WF, NODE, F1..F6, PRE, W1, W2, POST.
mk_diamond() {
	WF=$(mk_workflow "$1")
	NODE=$(mk_node "$WF")
	F1=$(mk_file "$WF" f1); F2=$(mk_file "$WF" f2); F3=$(mk_file "$WF" f3)
	F4=$(mk_file "$WF" f4); F5=$(mk_file "$WF" f5); F6=$(mk_file "$WF" f6)
	PRE=$(mk_job "$WF" preprocess "\"input_file_ids\":[$F1],\"output_file_ids\":[$F2,$F3]")
	W1=$(mk_job "$WF" work1 "\"input_file_ids\":[$F2],\"output_file_ids\":[$F4]")
	W2=$(mk_job "$WF" work2 "\"input_file_ids\":[$F3],\"output_file_ids\":[$F5]")
	POST=$(mk_job "$WF" postprocess "\"input_file_ids\":[$F4,$F5],\"output_file_ids\":[$F6]")
}

# start JOB: start a claimed job under run $RUN (0 unless set).
start() {
	api PUT "/jobs/$1/start_job/${RUN:-0}/$NODE"
	expect_code 200 >&2
}

@test "diamond: initialize gives 1 ready, 3 blocked; each completion readies exactly the right jobs" {
	mk_diamond diamond
	api GET "/workflows/$WF/required_existing_files"
	expect_json '.files | @csv' "$F1"
	api POST "/workflows/$WF/initialize_jobs" ''
	expect_code 200
	[ "$(statuses "$WF")" = "preprocess=ready work1=blocked work2=blocked postprocess=blocked" ]
	api GET "/jobs/$POST"
	expect_json '.depends_on_job_ids | @csv' "$W1,$W2"

	api POST "/workflows/$WF/claim_next_jobs" ''
	expect_json '[.jobs[].id] | @csv' "$PRE"
	start "$PRE"
	complete "$PRE" completed 0 0 "$NODE"
	[ "$(ready_names "$WF")" = "work1,work2" ]
	[ "$(statuses "$WF")" = "preprocess=completed work1=ready work2=ready postprocess=blocked" ]

	api POST "/workflows/$WF/claim_next_jobs" ''
	expect_json '[.jobs[].id] | @csv' "$W1,$W2"
	start "$W1"; start "$W2"
	complete "$W2" completed 0 0 "$NODE"
	[ "$(ready_names "$WF")" = "" ]
	[ "$(statuses "$WF")" = "preprocess=completed work1=running work2=completed postprocess=blocked" ]
	complete "$W1" completed 0 0 "$NODE"
	[ "$(ready_names "$WF")" = "postprocess" ]
	api GET "/workflows/$WF/is_complete"
	expect_json .is_complete false

	api POST "/workflows/$WF/claim_next_jobs" ''
	expect_json '[.jobs[].name] | join(",")' postprocess
	start "$POST"
	complete "$POST" completed 0 0 "$NODE"
	[ "$(statuses "$WF")" = "preprocess=completed work1=completed work2=completed postprocess=completed" ]
	api GET "/workflows/$WF/is_complete"
	expect_json .is_complete true
	api GET "/results?workflow_id=$WF"
	expect_json .total_count 4
	expect_json '[.items[].return_code] | unique | @csv' 0
	api GET "/workflows/$WF/required_existing_files"
	expect_json '.files | @csv' "$F1,$F2,$F3,$F4,$F5,$F6"
}

@test "diamond: a failure of the first job cancels the rest; failed-only reset and initialize restart it" {
	mk_diamond diamond-fail
	api POST "/workflows/$WF/initialize_jobs" ''
	api POST "/workflows/$WF/claim_next_jobs" ''
	start "$PRE"
	complete "$PRE" failed 0 1 "$NODE"
	[ "$(statuses "$WF")" = "preprocess=failed work1=canceled work2=canceled postprocess=canceled" ]
	api GET "/workflows/$WF/is_complete"
	expect_json .is_complete true
	api POST "/workflows/$WF/claim_next_jobs" ''
	expect_json '.jobs | length' 0

	api POST "/workflows/$WF/reset_job_status?failed_only=true" ''
	expect_code 200
	expect_json '[.updated_count, .reset_type] | @csv' '4,"failed_only"'
	[ "$(statuses "$WF")" = "preprocess=uninitialized work1=uninitialized work2=uninitialized postprocess=uninitialized" ]
	api POST "/workflows/$WF/initialize_jobs" ''
	[ "$(statuses "$WF")" = "preprocess=ready work1=blocked work2=blocked postprocess=blocked" ]
	# The old result is no longer the current one.
	api GET "/results?workflow_id=$WF"
	expect_json .total_count 0
	api GET "/results?workflow_id=$WF&all_runs=true"
	expect_json .total_count 1
}

@test "diamond: a failure in one branch cancels the join, the other branch still runs" {
	mk_diamond diamond-branch
	api POST "/workflows/$WF/initialize_jobs" ''
	api POST "/workflows/$WF/claim_next_jobs" ''
	complete "$PRE" completed 0 0 "$NODE"
	api POST "/workflows/$WF/claim_next_jobs" ''
	complete "$W1" failed 0 3 "$NODE"
	# postprocess still waits for work2.
	[ "$(statuses "$WF")" = "preprocess=completed work1=failed work2=pending postprocess=blocked" ]
	complete "$W2" completed 0 0 "$NODE"
	[ "$(statuses "$WF")" = "preprocess=completed work1=failed work2=completed postprocess=canceled" ]
}

@test "deleting another workflow leaves the diamond alone (6.32)" {
	mk_diamond diamond-keep
	api POST "/workflows/$WF/initialize_jobs" ''
	keep=$WF
	mk_diamond diamond-gone
	api POST "/workflows/$WF/initialize_jobs" ''
	gone_job=$PRE
	api DELETE "/workflows/$WF"
	expect_code 200
	api GET "/jobs/$gone_job"
	expect_code 404
	[ "$(statuses "$keep")" = "preprocess=ready work1=blocked work2=blocked postprocess=blocked" ]
	api POST "/workflows/$keep/claim_next_jobs" ''
	expect_json '[.jobs[].name] | join(",")' preprocess
}

@test "setup -> a, b, fail -> finalize: cancel, failed-only reset, rerun (6.36, 6.37)" {
	WF=$(mk_workflow cancel-flow)
	NODE=$(mk_node "$WF")
	setup=$(mk_job "$WF" setup)
	wa=$(mk_job "$WF" work_a "\"depends_on_job_ids\":[$setup]")
	wb=$(mk_job "$WF" work_b "\"depends_on_job_ids\":[$setup]")
	wf_=$(mk_job "$WF" work_fail "\"depends_on_job_ids\":[$setup]")
	fin=$(mk_job "$WF" finalize "\"depends_on_job_ids\":[$wa,$wb,$wf_]")
	# The client's initialize: reset, bump run_id to 1, initialize.
	api POST "/workflows/$WF/reset_status" ''
	api POST "/workflows/$WF/reset_job_status" ''
	api PUT "/workflows/$WF/status" '{"run_id":1,"is_canceled":false}'
	api POST "/workflows/$WF/initialize_jobs" ''
	RUN=1
	api POST "/workflows/$WF/claim_next_jobs?limit=4" ''
	start "$setup"; complete "$setup" completed 1 0 "$NODE"
	api POST "/workflows/$WF/claim_next_jobs?limit=4" ''
	expect_json '.jobs | length' 3
	for j in "$wa" "$wb" "$wf_"; do start "$j"; done
	complete "$wa" completed 1 0 "$NODE"
	complete "$wf_" failed 1 1 "$NODE"
	complete "$wb" completed 1 0 "$NODE"
	[ "$(statuses "$WF")" = "setup=completed work_a=completed work_b=completed work_fail=failed finalize=canceled" ]
	api GET "/workflows/$WF/is_complete"
	expect_json .is_complete true
	api GET "/results?workflow_id=$WF"
	expect_json .total_count 4
	expect_json "[.items[] | select(.job_id == $wf_) | .return_code] | @csv" 1

	# reset-status --failed-only --reinitialize: reset, bump run_id, initialize(only_uninitialized).
	api POST "/workflows/$WF/reset_status" ''
	api POST "/workflows/$WF/reset_job_status?failed_only=true" ''
	expect_json .updated_count 2
	api PUT "/workflows/$WF/status" '{"run_id":2,"is_canceled":false}'
	api POST "/workflows/$WF/initialize_jobs?only_uninitialized=true" ''
	[ "$(statuses "$WF")" = "setup=completed work_a=completed work_b=completed work_fail=ready finalize=blocked" ]

	RUN=2
	api POST "/workflows/$WF/claim_next_jobs" ''
	expect_json '[.jobs[].name] | join(",")' work_fail
	start "$wf_"; complete "$wf_" completed 2 0 "$NODE"
	api POST "/workflows/$WF/claim_next_jobs" ''
	expect_json '[.jobs[].name] | join(",")' finalize
	start "$fin"; complete "$fin" completed 2 0 "$NODE"
	[ "$(statuses "$WF")" = "setup=completed work_a=completed work_b=completed work_fail=completed finalize=completed" ]
	api GET "/results?workflow_id=$WF&all_runs=true"
	expect_json "[.items[] | select(.job_id == $wf_) | \"\(.run_id):\(.return_code)\"] | join(\",\")" "1:1,2:0"
	expect_json "[.items[] | select(.job_id == $fin)] | length" 1
}
