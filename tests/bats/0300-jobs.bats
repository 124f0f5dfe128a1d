#!/usr/bin/env bats
# /jobs and /bulk_jobs: create (forced status, defaults, validated
# relationships), get, list with filters and pagination, Torc's update
# restrictions, delete, delete-all, bulk limits; and the job-level
# behaviours of the reference's §6 (items 1-3, 6-8, 11-18).

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# A test that starts a second server leaves its pid here; stop it even when
# the test fails halfway.
teardown() {
	if [ -n "${EXTRA_PID:-}" ]; then
		kill -INT "$EXTRA_PID" 2>/dev/null || true
		wait "$EXTRA_PID" 2>/dev/null || true
	fi
}

# mk_job WF NAME [extra json members] -> echoes the id
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

mk_node() {
	api POST /compute_nodes "{\"workflow_id\":$1,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	expect_code 200 >&2
	jqb .id
}

# complete JOB STATUS RUN RC NODE
complete() {
	api POST "/jobs/$1/complete_job/$2/$3" "{\"job_id\":$1,\"run_id\":$3,\"compute_node_id\":$5,\"return_code\":$4,\"exec_time_minutes\":0.5,\"completion_time\":\"2024-01-01T00:00:00Z\",\"status\":\"$2\"}"
}

@test "create forces uninitialized, fills defaults and the default resource requirement (6.1)" {
	wf=$(mk_workflow jobs-create)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"test_job\",\"command\":\"echo 'Hello World'\",\"status\":\"ready\",\"id\":77}"
	expect_code 200
	id=$(jqb .id)
	[ "$id" -gt 0 ] && [ "$id" != 77 ]
	expect_json .workflow_id "$wf"
	expect_json .name test_job
	expect_json .command "echo 'Hello World'"
	expect_json .status uninitialized
	expect_json .cancel_on_blocking_job_failure true
	expect_json .supports_termination false
	expect_json .attempt_id 1
	expect_json .scheduler_id null
	expect_json 'has("scheduler_id")' true
	expect_json 'has("depends_on_job_ids")' false
	rr=$(jqb .resource_requirements_id)
	api GET "/resource_requirements/$rr"
	expect_json .name default
	# Hidden fields never leak.
	api GET "/jobs/$id"
	expect_json 'has("input_hash") or has("unfinished_deps") or has("active_compute_node_id")' false
}

@test "relationships are echoed, sorted and deduplicated (6.2, 6.3)" {
	wf=$(mk_workflow jobs-rel)
	b=$(mk_job "$wf" blocker)
	a=$(mk_job "$wf" other)
	in=$(mk_file "$wf" in)
	out=$(mk_file "$wf" out)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"j\",\"command\":\"c\",\"depends_on_job_ids\":[$a,$b,$a],\"input_file_ids\":[$in],\"output_file_ids\":[$out]}"
	expect_code 200
	expect_json '.depends_on_job_ids | @csv' "$b,$a"
	expect_json '.input_file_ids | @csv' "$in"
	expect_json '.output_file_ids | @csv' "$out"
	id=$(jqb .id)
	api GET "/jobs/$id"
	expect_json '.depends_on_job_ids | @csv' "$b,$a"
	# Empty lists are omitted.
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"k\",\"command\":\"c\",\"input_file_ids\":[]}"
	expect_json 'has("input_file_ids")' false
}

@test "bad references are 404 or 422, never 500, and create nothing" {
	wf=$(mk_workflow jobs-badref)
	wf2=$(mk_workflow jobs-badref-2)
	other=$(mk_job "$wf2" elsewhere)
	f2=$(mk_file "$wf2" f)
	for body in "\"depends_on_job_ids\":[999999]" "\"input_file_ids\":[999999]" \
	    "\"output_user_data_ids\":[999999]" "\"resource_requirements_id\":999999" \
	    "\"failure_handler_id\":999999"; do
		api POST /jobs "{\"workflow_id\":$wf,\"name\":\"x\",\"command\":\"c\",$body}"
		expect_code 404
		[[ "$(jqb .error.message)" == *"999999"* ]]
	done
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"x\",\"command\":\"c\",\"depends_on_job_ids\":[$other]}"
	expect_code 422
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"x\",\"command\":\"c\",\"input_file_ids\":[$f2]}"
	expect_code 422
	api GET "/jobs?workflow_id=$wf"
	expect_json .total_count 0
	api POST /jobs '{"workflow_id":999999,"name":"x","command":"c"}'
	expect_code 404
	api POST /jobs "{\"workflow_id\":$wf,\"command\":\"c\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *name* ]]
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"x\",\"command\":\"c\",\"depends_on_job_ids\":[\"a\"]}"
	expect_code 400
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"x\",\"command\":\"c\",\"depends_on_job_ids\":[0]}"
	expect_code 400
}

@test "get and delete of a missing job are 404 (6.10)" {
	api GET /jobs/999999
	expect_code 404
	api PUT /jobs/999999 '{"name":"x","command":"y"}'
	expect_code 404
	api DELETE /jobs/999999
	expect_code 404
	api GET /jobs/abc
	expect_code 400
}

@test "list: pagination, sorting and include_relationships (6.4, 6.5)" {
	wf=$(mk_workflow jobs-list)
	for n in e d c b a; do mk_job "$wf" "$n" >/dev/null; done
	api GET "/jobs?workflow_id=$wf&limit=3"
	expect_code 200
	expect_json '.items | length' 3
	expect_json .total_count 5
	expect_json .has_more true
	expect_json .max_limit 10000
	api GET "/jobs?workflow_id=$wf&limit=2&offset=2"
	expect_json .count 2
	expect_json .offset 2
	expect_json '.items[0].name' c
	api GET "/jobs?workflow_id=$wf&limit=2&offset=4"
	expect_json .count 1
	expect_json .has_more false
	api GET "/jobs?workflow_id=$wf&sort_by=name"
	expect_json '[.items[].name] | join("")' abcde
	api GET "/jobs?workflow_id=$wf&sort_by=name&reverse_sort=true"
	expect_json '[.items[].name] | join("")' edcba
	api GET "/jobs?workflow_id=$wf&reverse_sort=true&limit=1"
	expect_json '.items[0].name' a
	api GET "/jobs?workflow_id=$wf&limit=0"
	expect_json '.items | length' 0
	expect_json .total_count 5
	api GET "/jobs"
	expect_code 400
	api GET "/jobs?workflow_id=999999"
	expect_code 200
	expect_json .total_count 0
	api GET "/jobs?workflow_id=$wf&limit=10001"
	expect_code 400
}

@test "list filters: status, needs_file_id, upstream_job_id, relationships" {
	wf=$(mk_workflow jobs-filter)
	f=$(mk_file "$wf" f)
	up=$(mk_job "$wf" up "\"output_file_ids\":[$f]")
	d1=$(mk_job "$wf" d1 "\"depends_on_job_ids\":[$up],\"input_file_ids\":[$f]")
	d2=$(mk_job "$wf" d2 "\"depends_on_job_ids\":[$up]")
	lone=$(mk_job "$wf" lone)
	api GET "/jobs?workflow_id=$wf&needs_file_id=$f"
	expect_json '[.items[].id] | @csv' "$d1"
	expect_json '.items[0] | has("input_file_ids")' false
	api GET "/jobs?workflow_id=$wf&needs_file_id=$f&include_relationships=true"
	expect_json '.items[0].input_file_ids | @csv' "$f"
	api GET "/jobs?workflow_id=$wf&upstream_job_id=$up"
	expect_json '[.items[].id] | @csv' "$d1,$d2"
	api GET "/jobs?workflow_id=$wf&upstream_job_id=$up&sort_by=name&reverse_sort=true"
	expect_json '[.items[].id] | @csv' "$d2,$d1"
	api POST "/workflows/$wf/initialize_jobs" ''
	api GET "/jobs?workflow_id=$wf&status=ready"
	expect_json '[.items[].id] | @csv' "$up,$lone"
	api GET "/jobs?workflow_id=$wf&status=blocked"
	expect_json '[.items[].id] | @csv' "$d1,$d2"
	api GET "/jobs?workflow_id=$wf&status=blocked&upstream_job_id=$up&sort_by=name"
	expect_json '[.items[].id] | @csv' "$d1,$d2"
	api GET "/jobs?workflow_id=$wf&status=bogus"
	expect_code 400
	api GET "/jobs?workflow_id=$wf&bogus=1"
	expect_code 400
}

@test "active_compute_node_id filter follows start_job" {
	wf=$(mk_workflow jobs-node)
	j=$(mk_job "$wf" j)
	n=$(mk_node "$wf")
	api POST "/workflows/$wf/initialize_jobs" ''
	api POST "/workflows/$wf/claim_next_jobs" ''
	api PUT "/jobs/$j/start_job/0/$n"
	expect_code 200
	expect_json .status running
	api GET "/jobs?workflow_id=$wf&active_compute_node_id=$n"
	expect_json '[.items[].id] | @csv' "$j"
	complete "$j" completed 0 0 "$n"
	api GET "/jobs?workflow_id=$wf&active_compute_node_id=$n"
	expect_json .total_count 0
}

@test "partial update keeps the other fields (6.6, 6.13)" {
	wf=$(mk_workflow jobs-update)
	id=$(mk_job "$wf" partial_update_job)
	api PUT "/jobs/$id" '{"name":"only_name_updated"}'
	expect_code 200
	expect_json .name only_name_updated
	expect_json .command "echo partial_update_job"
	expect_json .status uninitialized
	api PUT "/jobs/$id" '{"name":"n2","command":"c2","status":"uninitialized"}'
	expect_code 200
	expect_json '[.name,.command,.status] | @csv' '"n2","c2","uninitialized"'
	api GET "/jobs/$id"
	expect_json .name n2
}

@test "an initialized job refuses name, command and list changes with 'uninitialized' (6.11)" {
	wf=$(mk_workflow jobs-restrict)
	id=$(mk_job "$wf" j)
	api POST "/workflows/$wf/initialize_jobs" ''
	api PUT "/jobs/$id" '{"name":"renamed"}'
	expect_code 422
	[[ "$(jqb .error.message)" == *uninitialized* ]]
	api PUT "/jobs/$id" '{"command":"other"}'
	expect_code 422
	api PUT "/jobs/$id" '{"status":"disabled"}'
	expect_code 422
	[[ "$(jqb .error.message)" == *uninitialized* ]]
	api GET "/jobs/$id"
	expect_json '[.name,.status] | @csv' '"j","ready"'
	# The whole object resent unchanged, plus the fields that may change.
	api GET "/jobs/$id"
	full=$(jq -c '.invocation_script="run.sh" | .supports_termination=true | .cancel_on_blocking_job_failure=false' <<<"$body")
	api PUT "/jobs/$id" "$full"
	expect_code 200
	expect_json '[.invocation_script,.supports_termination,.cancel_on_blocking_job_failure,.status] | @csv' \
		'"run.sh",true,false,"ready"'
}

@test "status may only change to disabled, file lists never (6.12)" {
	wf=$(mk_workflow jobs-status-put)
	f=$(mk_file "$wf" f)
	id=$(mk_job "$wf" j)
	api PUT "/jobs/$id" '{"status":"ready"}'
	expect_code 422
	msg=$(jqb .error.message)
	[[ "$msg" == *immutable* || "$msg" == *"Cannot update job status"* ]]
	api GET "/jobs/$id"
	expect_json .status uninitialized
	api PUT "/jobs/$id" "{\"input_file_ids\":[$f]}"
	expect_code 422
	[[ "$(jqb .error.message)" == *immutable* ]]
	api PUT "/jobs/$id" '{"status":"disabled"}'
	expect_code 200
	expect_json .status disabled
	api GET "/jobs?workflow_id=$wf&status=disabled"
	expect_json .total_count 1
	api PUT "/jobs/$id" '{"status":"bogus"}'
	expect_code 400
}

@test "depends_on_job_ids may be replaced while uninitialized" {
	wf=$(mk_workflow jobs-deps-put)
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b)
	c=$(mk_job "$wf" c "\"depends_on_job_ids\":[$a]")
	api PUT "/jobs/$c" "{\"depends_on_job_ids\":[$b]}"
	expect_code 200
	expect_json '.depends_on_job_ids | @csv' "$b"
	api GET "/jobs?workflow_id=$wf&upstream_job_id=$a"
	expect_json .total_count 0
	api GET "/jobs?workflow_id=$wf&upstream_job_id=$b"
	expect_json '[.items[].id] | @csv' "$c"
	api PUT "/jobs/$c" "{\"depends_on_job_ids\":[$c]}"
	expect_code 422
	api PUT "/jobs/$c" '{"depends_on_job_ids":[999999]}'
	expect_code 404
	api POST "/workflows/$wf/initialize_jobs" ''
	api GET "/jobs/$c"
	expect_json .status blocked
}

@test "delete returns the job; dependents lose it; delete-all counts (6.7, 6.14, 6.15)" {
	wf=$(mk_workflow jobs-delete)
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	api DELETE "/jobs/$a"
	expect_code 200
	expect_json .id "$a"
	expect_json .name a
	api GET "/jobs/$a"
	expect_code 404
	api GET "/jobs/$b"
	expect_json 'has("depends_on_job_ids")' false
	# Three deleted one by one; a missing one is 404 and leaves the others.
	j1=$(mk_job "$wf" j1); j2=$(mk_job "$wf" j2); j3=$(mk_job "$wf" j3)
	for j in "$j1" "$j2" "$j3"; do
		api DELETE "/jobs/$j"
		expect_code 200
		api GET "/jobs/$j"
		expect_code 404
	done
	api DELETE /jobs/999999
	expect_code 404
	api GET "/jobs/$b"
	expect_code 200
	for n in 1 2 3 4; do mk_job "$wf" "x$n" >/dev/null; done
	api DELETE "/jobs?workflow_id=$wf"
	expect_code 200
	expect_json 'tojson' '{"count":5}'
	api GET "/jobs?workflow_id=$wf"
	expect_json .total_count 0
	api DELETE "/jobs?workflow_id=$wf"
	expect_json .count 0
	api DELETE "/jobs"
	expect_code 400
}

@test "bulk_jobs: one workflow, same order, one transaction, limits" {
	wf=$(mk_workflow bulk)
	wf2=$(mk_workflow bulk-2)
	api POST /bulk_jobs '{"jobs":[]}'
	expect_code 200
	expect_json 'tojson' '{"jobs":[]}'
	api POST /bulk_jobs "{\"jobs\":[{\"workflow_id\":$wf,\"name\":\"z\",\"command\":\"c\"},{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"c\",\"status\":\"done\"}]}"
	expect_code 200
	expect_json '[.jobs[].name] | join(",")' z,a
	expect_json '[.jobs[].status] | unique | join(",")' uninitialized
	first=$(jqb '.jobs[0].id')
	[ "$(jqb '.jobs[1].id')" -eq $((first + 1)) ]
	# A job may depend on one created earlier in the same request.
	api POST /bulk_jobs "{\"jobs\":[{\"workflow_id\":$wf,\"name\":\"p\",\"command\":\"c\"},{\"workflow_id\":$wf,\"name\":\"q\",\"command\":\"c\",\"depends_on_job_ids\":[$((first + 2))]}]}"
	expect_code 200
	expect_json '.jobs[1].depends_on_job_ids[0]' $((first + 2))
	api POST /bulk_jobs "{\"jobs\":[{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"c\"},{\"workflow_id\":$wf2,\"name\":\"b\",\"command\":\"c\"}]}"
	expect_code 422
	# A bad reference late in the batch: nothing is created.
	api POST /bulk_jobs "{\"jobs\":[{\"workflow_id\":$wf,\"name\":\"ok\",\"command\":\"c\"},{\"workflow_id\":$wf,\"name\":\"bad\",\"command\":\"c\",\"input_file_ids\":[999999]}]}"
	expect_code 404
	[[ "$(jqb .error.message)" == *"jobs[1]"* ]]
	api GET "/jobs?workflow_id=$wf"
	expect_json .total_count 4
	api POST /bulk_jobs '{"jobs":[{"workflow_id":999999,"name":"a","command":"c"}]}'
	expect_code 404
	api POST /bulk_jobs '{"jobs":{}}'
	expect_code 400
	jq -cn --argjson wf "$wf" '{jobs: [range(10001) | {workflow_id: $wf, name: "j", command: "c"}]}' \
		>"$BATS_TEST_TMPDIR/big.json"
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "@$BATS_TEST_TMPDIR/big.json" "$BASE/bulk_jobs")
	expect_code 413
	api GET "/jobs?workflow_id=$wf"
	expect_json .total_count 4
}

@test "complete_job on a fresh uninitialized job, every terminal status (6.8, 6.9)" {
	wf=$(mk_workflow jobs-complete-fresh)
	n=$(mk_node "$wf")
	mk_job "$wf" first >/dev/null
	api POST "/workflows/$wf/initialize_jobs" ''
	api GET "/workflows/$wf/status"
	st=$(jq -c '.run_id = 1' <<<"$body")
	api PUT "/workflows/$wf/status" "$st"
	expect_code 200
	for s in completed canceled terminated; do
		j=$(mk_job "$wf" "late_$s")
		complete "$j" "$s" 1 0 "$n"
		expect_code 200
		expect_json .status "$s"
	done
	for rc in 1 42 127; do
		j=$(mk_job "$wf" "rc_$rc")
		complete "$j" terminated 1 "$rc" "$n"
		expect_code 200
		expect_json .status terminated
	done
	api GET "/results?workflow_id=$wf"
	expect_json .total_count 6
}

@test "retry: running and failed jobs go back to ready with the next attempt (6.16-6.18)" {
	wf=$(mk_workflow jobs-retry)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b)
	c=$(mk_job "$wf" c)
	api POST "/workflows/$wf/initialize_jobs" ''
	api PUT "/jobs/$a/manage_status_change/running/0"
	expect_code 200
	expect_json .status running
	api POST "/jobs/$a/retry/0?max_retries=3" ''
	expect_code 200
	expect_json '[.status,.attempt_id] | @csv' '"ready",2'
	expect_json 'has("depends_on_job_ids")' false
	complete "$b" failed 0 1 "$n"
	expect_code 200
	api POST "/jobs/$b/retry/0?max_retries=3" ''
	expect_code 200
	expect_json '[.status,.attempt_id] | @csv' '"ready",2'
	# A ready job cannot be retried; a wrong run, a spent budget neither.
	api POST "/jobs/$c/retry/0?max_retries=3" ''
	expect_code 422
	api PUT "/jobs/$c/manage_status_change/running/0"
	api POST "/jobs/$c/retry/5?max_retries=3" ''
	expect_code 422
	api POST "/jobs/$c/retry/0?max_retries=1" ''
	expect_code 422
	api POST "/jobs/$c/retry/0" ''
	expect_code 400
	api POST "/jobs/999999/retry/0?max_retries=3" ''
	expect_code 404
	api GET "/events?workflow_id=$wf"
	expect_json '[.items[].data.event_type] | map(select(. == "job_retried")) | length' 2
}

@test "manage_status_change: complete statuses refused, run_id checked, same status a no-op" {
	wf=$(mk_workflow jobs-manage)
	a=$(mk_job "$wf" a)
	api PUT "/jobs/$a/manage_status_change/completed/0"
	expect_code 422
	api PUT "/jobs/$a/manage_status_change/bogus/0"
	expect_code 400
	api PUT "/jobs/999999/manage_status_change/ready/0"
	expect_code 404
	api PUT "/jobs/$a/manage_status_change/uninitialized/7"
	expect_code 200
	api PUT "/jobs/$a/manage_status_change/ready/7"
	expect_code 422
	api PUT "/jobs/$a/manage_status_change/pending/0"
	expect_code 200
	expect_json .status pending
	api GET "/jobs?workflow_id=$wf&status=pending"
	expect_json .total_count 1
}

@test "access control: job routes check the job's workflow" {
	# A second server of its own; the file's shared server keeps running.
	local saved_base=$BASE saved_pid=$SERVER_PID saved_port=$PORT saved_log=$SERVER_LOG
	local htp="$BATS_FILE_TMPDIR/htpasswd"
	htpasswd -nbB -C 4 alice apw >"$htp"
	htpasswd -nbB -C 4 bob bpw >>"$htp"
	DBDIR="$BATS_FILE_TMPDIR/db-acl" start_server --auth-file "$htp" --require-auth --enforce-access-control
	EXTRA_PID=$SERVER_PID
	api_as alice:apw POST /workflows '{"name":"mine","user":"alice"}'
	wf=$(jqb .id)
	api_as alice:apw POST /jobs "{\"workflow_id\":$wf,\"name\":\"j\",\"command\":\"c\"}"
	expect_code 200
	j=$(jqb .id)
	api_as bob:bpw GET "/jobs/$j"
	expect_code 403
	api_as bob:bpw PUT "/jobs/$j/manage_status_change/ready/0"
	expect_code 403
	api_as bob:bpw POST "/workflows/$wf/initialize_jobs" ''
	expect_code 403
	api_as bob:bpw POST "/workflows/$wf/claim_next_jobs" ''
	expect_code 403
	api_as bob:bpw GET "/jobs?workflow_id=$wf"
	expect_code 403
	api_as bob:bpw POST /jobs "{\"workflow_id\":$wf,\"name\":\"x\",\"command\":\"c\"}"
	expect_code 403
	api_as alice:apw GET "/jobs/$j"
	expect_code 200
	expect_json .status uninitialized
	stop_server
	BASE=$saved_base SERVER_PID=$saved_pid PORT=$saved_port SERVER_LOG=$saved_log
}
