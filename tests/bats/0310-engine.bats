#!/usr/bin/env bats
# The job engine through its routes: initialize_jobs (implicit
# dependencies, disabled jobs, only_uninitialized), claim_next_jobs
# (reference §6 items 19-28, 30), start/complete refusals that change
# nothing, cancel, reset_status and reset_job_status (44, 45),
# is_complete / is_uninitialized (46), and the failure cascade rules.

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

mk_ud() {
	api POST /user_data "{\"workflow_id\":$1,\"name\":\"$2\"}"
	expect_code 200 >&2
	jqb .id
}

mk_node() {
	api POST /compute_nodes "{\"workflow_id\":$1,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	expect_code 200 >&2
	jqb .id
}

# mk_jobs WF N -> creates N jobs through /bulk_jobs
mk_jobs() {
	api POST /bulk_jobs "$(jq -cn --argjson wf "$1" --argjson n "$2" \
		'{jobs: [range($n) | {workflow_id: $wf, name: "job_\(.)", command: "echo \(.)"}]}')"
	expect_code 200 >&2
}

init() {
	api POST "/workflows/$1/initialize_jobs${2:+?$2}" ''
	expect_code 200 >&2
}

claim() {
	api POST "/workflows/$1/claim_next_jobs${2:+?limit=$2}" ''
}

# complete JOB STATUS RUN RC NODE
complete() {
	api POST "/jobs/$1/complete_job/$2/$3" "{\"job_id\":$1,\"run_id\":$3,\"compute_node_id\":$5,\"return_code\":$4,\"exec_time_minutes\":0.5,\"completion_time\":\"2024-01-01T00:00:00Z\",\"status\":\"$2\"}"
}

status_of() {
	api GET "/jobs/$1"
	jqb .status
}

@test "initialize: no dependencies -> ready, dependencies -> blocked, disabled stays" {
	wf=$(mk_workflow init-basic)
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	d=$(mk_job "$wf" d)
	api PUT "/jobs/$d" '{"status":"disabled"}'
	e=$(mk_job "$wf" e "\"depends_on_job_ids\":[$d]")
	init "$wf"
	expect_json .message "Initialized job status"
	[ "$(status_of "$a")" = ready ]
	[ "$(status_of "$b")" = blocked ]
	[ "$(status_of "$d")" = disabled ]
	# A disabled dependency is not finished: its dependent waits.
	[ "$(status_of "$e")" = blocked ]
	api POST /workflows/999999/initialize_jobs ''
	expect_code 404
}

@test "initialize materializes implicit dependencies from files and user data" {
	wf=$(mk_workflow init-implicit)
	f=$(mk_file "$wf" f)
	u=$(mk_ud "$wf" u)
	p=$(mk_job "$wf" producer "\"output_file_ids\":[$f]")
	q=$(mk_job "$wf" uproducer "\"output_user_data_ids\":[$u]")
	c=$(mk_job "$wf" consumer "\"input_file_ids\":[$f],\"input_user_data_ids\":[$u]")
	api GET "/jobs/$c"
	expect_json 'has("depends_on_job_ids")' false
	init "$wf"
	api GET "/jobs/$c"
	expect_json .status blocked
	expect_json '.depends_on_job_ids | @csv' "$p,$q"
	api GET "/jobs?workflow_id=$wf&upstream_job_id=$p"
	expect_json '[.items[].id] | @csv' "$c"
	api GET "/workflows/$wf/job_dependencies"
	expect_json '[.items[] | select(.job_id == '"$c"') | .depends_on_job_id] | sort | @csv' "$p,$q"
}

@test "initialize twice changes nothing; completed jobs stay completed" {
	wf=$(mk_workflow init-again)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	init "$wf"
	complete "$a" completed 0 0 "$n"
	[ "$(status_of "$b")" = ready ]
	init "$wf"
	[ "$(status_of "$a")" = completed ]
	[ "$(status_of "$b")" = ready ]
}

@test "initialize with only_uninitialized resets what is downstream of an uninitialized job" {
	wf=$(mk_workflow init-only)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	c=$(mk_job "$wf" c "\"depends_on_job_ids\":[$b]")
	x=$(mk_job "$wf" x)
	init "$wf"
	complete "$a" completed 0 0 "$n"
	complete "$b" completed 0 0 "$n"
	complete "$c" completed 0 0 "$n"
	complete "$x" completed 0 0 "$n"
	api PUT "/jobs/$b/manage_status_change/uninitialized/0"
	expect_code 200
	# manage_status_change resets the direct dependents that ran.
	[ "$(status_of "$c")" = uninitialized ]
	init "$wf" only_uninitialized=true
	[ "$(status_of "$a")" = completed ]
	[ "$(status_of "$b")" = ready ]
	[ "$(status_of "$c")" = blocked ]
	[ "$(status_of "$x")" = completed ]
}

@test "only_uninitialized blocks only uninitialized jobs; without it any job with an unfinished dependency is blocked" {
	wf=$(mk_workflow init-only-scope)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	init "$wf"
	[ "$(status_of "$b")" = blocked ]
	# A runner may report a job that never was handed out (Torc allows it).
	complete "$b" completed 0 0 "$n"
	expect_code 200
	init "$wf" only_uninitialized=true
	[ "$(status_of "$a")" = ready ]
	[ "$(status_of "$b")" = completed ]
	init "$wf"
	[ "$(status_of "$a")" = ready ]
	[ "$(status_of "$b")" = blocked ]
}

@test "a dependency cycle is refused: on update, and at initialize when files or user data close it" {
	wf=$(mk_workflow cycles)
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	c=$(mk_job "$wf" c "\"depends_on_job_ids\":[$b]")
	api PUT "/jobs/$a" "{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"true\",\"depends_on_job_ids\":[$c]}"
	expect_code 422
	expect_json .error.message "job $a cannot depend on job $c, which depends on it already (a dependency cycle)"
	api GET "/jobs/$a"
	expect_json 'has("depends_on_job_ids")' false
	api GET "/workflows/$wf/job_dependencies"
	expect_json .total_count 2
	# Not a cycle: a dependency on an unrelated job.
	d=$(mk_job "$wf" d)
	api PUT "/jobs/$a" "{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"true\",\"depends_on_job_ids\":[$d]}"
	expect_code 200
	# Several new dependencies at once: one walk names the one that closes it.
	api PUT "/jobs/$b" "{\"workflow_id\":$wf,\"name\":\"b\",\"command\":\"echo b\",\"depends_on_job_ids\":[$a,$d,$c]}"
	expect_code 422
	expect_json .error.message "job $b cannot depend on job $c, which depends on it already (a dependency cycle)"
	init "$wf"
	[ "$(status_of "$d")" = ready ]
	# Through files and user data: p reads f and writes u, q reads u and writes f.
	w2=$(mk_workflow cycles-implicit)
	f=$(mk_file "$w2" f)
	u=$(mk_ud "$w2" u)
	p=$(mk_job "$w2" p "\"input_file_ids\":[$f],\"output_user_data_ids\":[$u]")
	q=$(mk_job "$w2" q "\"input_user_data_ids\":[$u],\"output_file_ids\":[$f]")
	api POST "/workflows/$w2/initialize_jobs" ''
	expect_code 422
	[[ "$(jqb .error.message)" == "the jobs' dependencies form a cycle, so they would wait for ever: "* ]]
	[[ "$(jqb .error.message)" == *"p -> q -> p"* || "$(jqb .error.message)" == *"q -> p -> q"* ]]
	# Nothing was written: no materialized dependency, statuses as they were.
	for j in "$p" "$q"; do
		api GET "/jobs/$j"
		expect_json 'has("depends_on_job_ids")' false
		expect_json .status uninitialized
	done
}

@test "initialize refuses more implied dependencies than TORC_MAX_DEPENDENCIES, before writing any" {
	wf=$(mk_workflow dense)
	f=$(mk_file "$wf" f)
	# 1,500 producers and 1,500 consumers of one file: 2,250,000 dependencies
	jq -cn --argjson wf "$wf" --argjson f "$f" '{jobs: ([range(1500) |
		{workflow_id: $wf, name: "p\(.)", command: "true", output_file_ids: [$f]}] + [range(1500) |
		{workflow_id: $wf, name: "c\(.)", command: "true", input_file_ids: [$f]}])}' \
		>"$BATS_TEST_TMPDIR/dense.json"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "@$BATS_TEST_TMPDIR/dense.json" "$BASE/bulk_jobs")" = 200 ]
	api POST "/workflows/$wf/initialize_jobs" ''
	expect_code 422
	[[ "$(jqb .error.message)" == *"are more than 2000000"* ]]
	api GET "/jobs?workflow_id=$wf&status=uninitialized&limit=0"
	expect_json .total_count 3000
	api GET "/workflows/$wf/job_dependencies?limit=1"
	expect_json .total_count 0
}

@test "claim_next_jobs: default limit, pending status, fields (6.19, 6.25, 6.27)" {
	wf=$(mk_workflow claim-default)
	mk_jobs "$wf" 4
	init "$wf"
	claim "$wf"
	expect_code 200
	expect_json '.jobs | length' 4
	expect_json '[.jobs[].status] | unique | join(",")' pending
	j=$(jqb '.jobs[0].id')
	expect_json '.jobs[0] | [has("id"), has("workflow_id"), (.name|length>0), (.command|length>0),
		has("resource_requirements_id"), has("cancel_on_blocking_job_failure"),
		has("supports_termination")] | all' true
	expect_json '.jobs[0].workflow_id' "$wf"
	[ "$(status_of "$j")" = pending ]
	mk_jobs "$wf" 15
	init "$wf" only_uninitialized=true
	claim "$wf"
	expect_json '.jobs | length' 10
}

@test "claim limits (6.20, 6.21, 6.30)" {
	wf=$(mk_workflow claim-limits)
	mk_jobs "$wf" 100
	init "$wf"
	for l in 1 5 20 50; do
		claim "$wf" "$l"
		expect_code 200
		[ "$(jqb '.jobs | length')" -le "$l" ]
	done
	api POST "/workflows/$wf/reset_job_status" ''
	init "$wf"
	claim "$wf" 25
	expect_json '.jobs | length' 25
	claim "$wf" 0
	expect_code 200
	expect_json 'tojson' '{"jobs":[]}'
	# jobs, limit -> claimed
	for case in 4:50:4 10:5:5 5:10:5 10:10:10; do
		IFS=: read -r njobs lim want <<<"$case"
		w=$(mk_workflow "claim-limits-$njobs-$lim")
		mk_jobs "$w" "$njobs"
		init "$w"
		claim "$w" "$lim"
		expect_json '.jobs | length' "$want"
	done
	claim "$wf" bogus
	expect_code 400
}

@test "claims never repeat a job (6.24)" {
	wf=$(mk_workflow claim-disjoint)
	mk_jobs "$wf" 50
	init "$wf"
	claim "$wf" 20
	one=$(jqb '[.jobs[].id] | sort | @csv')
	claim "$wf" 20
	two=$(jqb '[.jobs[].id] | sort | @csv')
	[ "$(echo "$one,$two" | tr , '\n' | sort -u | wc -l)" -eq 40 ]
	wf2=$(mk_workflow claim-37)
	mk_jobs "$wf2" 37
	init "$wf2"
	all=""
	for _ in 1 2 3 4 5; do
		claim "$wf2" 10
		all="$all $(jqb '.jobs[].id')"
	done
	[ "$(echo $all | tr ' ' '\n' | sort -u | wc -l)" -eq 37 ]
	[ "$(echo $all | tr ' ' '\n' | wc -l)" -eq 37 ]
}

# cache_requests: Berkeley DB's own count of page requests so far
# (db5.3_stat -m: found in the cache plus read into it), once the request
# processes have ended.  The count is the environment's: the suite must be
# the only client.
cache_requests() {
	while [ -n "$(request_pids)" ]; do sleep 0.01; done
	db5.3_stat -h "$DBDIR" -m | awk '/Requested pages (not )?found in the cache/ { n += $1 } END { print n }'
}

# bulk_file WF N JQ-FILTER: N jobs through /bulk_jobs from a file (too big
# for an argument); JQ-FILTER maps the index $i to more fields of the job.
bulk_file() {
	jq -cn --argjson wf "$1" --argjson n "$2" '{jobs: [range($n) as $i |
		{workflow_id: $wf, name: "job_\($i)", command: "true"} + ($i | '"$3"')]}' \
		>"$BATS_TEST_TMPDIR/bulk.json"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "@$BATS_TEST_TMPDIR/bulk.json" "$BASE/bulk_jobs")" = 200 ]
}

@test "the ready queue is an index: a claim reads as many pages from 20,000 jobs as from 10" {
	small=$(mk_workflow claim-cost-10)
	mk_jobs "$small" 10
	init "$small"
	# 19,990 blocked jobs before the 10 ready ones, in job order and in
	# (workflow, status, job) order alike: a claim that looked at jobs
	# rather than at ready keys would meet every blocked one first.
	blocked=$(mk_workflow claim-cost-blocked)
	root=$(mk_job "$blocked" root)
	bulk_file "$blocked" 10000 "{depends_on_job_ids: [$root]}"
	bulk_file "$blocked" 10000 "if . < 9990 then {depends_on_job_ids: [$root]} else {} end"
	init "$blocked"
	claim "$blocked" 1
	expect_json '[.jobs[].name] | @csv' '"root"'
	api GET "/jobs?workflow_id=$blocked&status=blocked&limit=0"
	expect_json .total_count 19990
	# 20,000 ready jobs: an unsorted claim stops after its first matches.
	ready=$(mk_workflow claim-cost-ready)
	bulk_file "$ready" 10000 "{}"
	bulk_file "$ready" 10000 "{}"
	init "$ready"
	node='{"num_cpus":64,"memory_gb":64,"num_gpus":0,"num_nodes":1}'
	declare -A cost
	for route in next resources; do
		for wf in "$small" "$blocked" "$ready"; do
			before=$(cache_requests)
			if [ "$route" = next ]; then
				claim "$wf" 2
			else
				api POST "/workflows/$wf/claim_jobs_based_on_resources/2" "$node"
			fi
			expect_code 200
			expect_json '.jobs | length' 2
			cost[$route.$wf]=$(( $(cache_requests) - before ))
		done
		echo "$route: page requests ${cost[$route.$small]} from 10 jobs," \
			"${cost[$route.$blocked]} from 20,000 mostly blocked, ${cost[$route.$ready]} from 20,000 ready" >&2
		# Reading 20,000 job records, or their index keys, would be
		# thousands of page requests; a deeper B-tree costs a few.
		[ "${cost[$route.$small]}" -gt 0 ]
		[ "${cost[$route.$blocked]}" -le $((2 * ${cost[$route.$small]})) ]
		[ "${cost[$route.$ready]}" -le $((2 * ${cost[$route.$small]})) ]
	done
}

@test "claims: never initialized -> [], missing workflow -> 404, canceled -> [] (6.22, 6.23, 6.26)" {
	wf=$(mk_workflow claim-empty)
	mk_jobs "$wf" 3
	claim "$wf"
	expect_code 200
	expect_json 'tojson' '{"jobs":[]}'
	claim 99999
	expect_code 404
	init "$wf"
	api PUT "/workflows/$wf/cancel" ''
	expect_code 200
	expect_json .is_canceled true
	claim "$wf"
	expect_code 200
	expect_json 'tojson' '{"jobs":[]}'
	api POST "/workflows/$wf/claim_jobs_based_on_resources/10" '{"num_cpus":4,"memory_gb":8,"num_gpus":0,"num_nodes":1}'
	expect_code 200
	expect_json .reason "Workflow is canceled"
	expect_json '.jobs | length' 0
}

@test "huge resource requirements are still claimable with claim_next_jobs (6.28)" {
	wf=$(mk_workflow claim-huge)
	api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"huge\",\"num_cpus\":64,\"num_gpus\":0,\"num_nodes\":1,\"memory\":\"512g\",\"runtime\":\"P0DT1H\"}"
	expect_code 200
	rr=$(jqb .id)
	mk_job "$wf" big "\"resource_requirements_id\":$rr" >/dev/null
	init "$wf"
	claim "$wf"
	expect_json '.jobs | length' 1
	expect_json '.jobs[0].resource_requirements_id' "$rr"
}

@test "start_job and complete_job refusals change nothing" {
	wf=$(mk_workflow refusals)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	init "$wf"
	api PUT "/jobs/$a/start_job/0/$n"
	expect_code 422
	[[ "$(jqb .error.message)" == *pending* ]]
	claim "$wf"
	api PUT "/jobs/$a/start_job/3/$n"
	expect_code 422
	api PUT "/jobs/999999/start_job/0/$n"
	expect_code 404
	# A compute node of nowhere, or of another workflow (Torc takes any).
	other=$(mk_workflow refusals-other)
	on=$(mk_node "$other")
	for bad in 999999 "$on"; do
		api PUT "/jobs/$a/start_job/0/$bad"
		expect_code 422
		[[ "$(jqb .error.message)" == "compute node $bad not found in workflow $wf" ]]
		[ "$(status_of "$a")" = pending ]
	done
	api PUT "/jobs/$a/start_job/0/$n"
	expect_code 200
	expect_json .status running

	# Stale run_id: 422, no result, no status change, dependents still blocked.
	complete "$a" completed 5 0 "$n"
	expect_code 422
	[[ "$(jqb .error.message)" == *run_id* ]]
	[ "$(status_of "$a")" = running ]
	[ "$(status_of "$b")" = blocked ]
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 0
	# A status that is not terminal, or not a status at all.
	complete "$a" running 0 0 "$n"
	expect_code 422
	complete "$a" bogus 0 0 "$n"
	expect_code 400
	# A compute node of nowhere; a missing job.
	complete "$a" completed 0 0 999999
	expect_code 422
	complete 999999 completed 0 0 "$n"
	expect_code 404
	# A body that disagrees with the path.
	api POST "/jobs/$a/complete_job/completed/0" "{\"job_id\":$b,\"compute_node_id\":$n,\"return_code\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\"}"
	expect_code 422
	api POST "/jobs/$a/complete_job/completed/0" "{\"compute_node_id\":$n,\"exec_time_minutes\":1,\"completion_time\":\"t\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *return_code* ]]
	[ "$(status_of "$a")" = running ]
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 0

	complete "$a" completed 0 0 "$n"
	expect_code 200
	expect_json .status completed
	[ "$(status_of "$b")" = ready ]
	# Already complete: 422, still one result.
	complete "$a" failed 0 1 "$n"
	expect_code 422
	[[ "$(jqb .error.message)" == *"already complete"* ]]
	[ "$(status_of "$a")" = completed ]
	api GET "/results?workflow_id=$wf&all_runs=true"
	expect_json .total_count 1
	expect_json '.items[0] | [.job_id, .run_id, .return_code, .status, .attempt_id] | @csv' "$a,0,0,\"completed\",1"
}

@test "the failure cascade: flag set -> canceled transitively, flag unset -> ready" {
	wf=$(mk_workflow cascade)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	c=$(mk_job "$wf" c "\"depends_on_job_ids\":[$b]")
	keep=$(mk_job "$wf" keep "\"depends_on_job_ids\":[$a],\"cancel_on_blocking_job_failure\":false")
	after=$(mk_job "$wf" after "\"depends_on_job_ids\":[$keep]")
	init "$wf"
	claim "$wf"
	complete "$a" failed 0 2 "$n"
	expect_code 200
	[ "$(status_of "$b")" = canceled ]
	[ "$(status_of "$c")" = canceled ]
	[ "$(status_of "$keep")" = ready ]
	[ "$(status_of "$after")" = blocked ]
	api GET "/workflows/$wf/is_complete"
	expect_json .is_complete false
}

@test "a failure with return code 0 does not cancel; terminated with rc != 0 does" {
	wf=$(mk_workflow cascade-rc)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$a]")
	x=$(mk_job "$wf" x)
	y=$(mk_job "$wf" y "\"depends_on_job_ids\":[$x]")
	init "$wf"
	complete "$a" canceled 0 0 "$n"
	[ "$(status_of "$b")" = ready ]
	complete "$x" terminated 0 137 "$n"
	[ "$(status_of "$y")" = canceled ]
}

@test "a job waits for all its dependencies" {
	wf=$(mk_workflow fan-in)
	n=$(mk_node "$wf")
	mk_jobs "$wf" 30
	ids=$(jqb '[.jobs[].id] | @csv')
	sink=$(mk_job "$wf" sink "\"depends_on_job_ids\":[$ids]")
	init "$wf"
	claim "$wf" 30
	for j in $(echo "$ids" | tr , ' '); do
		[ "$(status_of "$sink")" = blocked ]
		complete "$j" completed 0 0 "$n"
		expect_code 200
	done
	[ "$(status_of "$sink")" = ready ]
}

@test "cancel: running and pending become canceled, others keep; an event is written" {
	wf=$(mk_workflow cancel)
	n=$(mk_node "$wf")
	r=$(mk_job "$wf" r)
	p=$(mk_job "$wf" p)
	w=$(mk_job "$wf" w)
	b=$(mk_job "$wf" b "\"depends_on_job_ids\":[$r]")
	init "$wf"
	claim "$wf" 2
	api PUT "/jobs/$r/start_job/0/$n"
	api PUT "/workflows/$wf/cancel" ''
	expect_code 200
	expect_json '[.is_canceled, .run_id] | @csv' 'true,0'
	[ "$(status_of "$r")" = canceled ]
	[ "$(status_of "$p")" = canceled ]
	[ "$(status_of "$w")" = ready ]
	[ "$(status_of "$b")" = blocked ]
	api GET "/workflows/$wf/is_complete"
	expect_json '[.is_complete, .is_canceled] | @csv' 'true,true'
	api GET "/events?workflow_id=$wf"
	expect_json '[.items[].data.category] | index("workflow_canceled") != null' true
	api GET "/workflows/$wf/status"
	expect_json .is_canceled true
	api PUT /workflows/999999/cancel ''
	expect_code 404
}

@test "reset_status refuses running or pending jobs unless forced (6.45)" {
	wf=$(mk_workflow reset-status)
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b)
	init "$wf"
	api PUT "/jobs/$a/manage_status_change/running/0"
	api PUT "/jobs/$b/manage_status_change/pending/0"
	api POST "/workflows/$wf/reset_status" ''
	expect_code 422
	[ "$(status_of "$a")" = running ]
	[ "$(status_of "$b")" = pending ]
	api PUT "/workflows/$wf/cancel" ''
	api POST "/workflows/$wf/reset_status?force=true" ''
	expect_code 200
	expect_json '[.id, .run_id, .is_canceled, .is_archived] | @csv' "$wf,0,false,false"
	api GET "/workflows/$wf/status"
	expect_json .is_canceled false
	api POST /workflows/999999/reset_status ''
	expect_code 404
}

@test "reset_status refuses an archived workflow" {
	wf=$(mk_workflow reset-archived)
	api PUT "/workflows/$wf/status" '{"run_id":0,"is_canceled":false,"is_archived":true}'
	api POST "/workflows/$wf/reset_status" ''
	expect_code 422
	[[ "$(jqb .error.message)" == *"Cannot reset archived"* ]]
	api GET "/workflows/$wf/is_complete"
	expect_code 200
	api GET "/workflows/$wf/is_uninitialized"
	expect_code 200
}

@test "reset-status then reset_job_status makes ready jobs uninitialized (6.44)" {
	wf=$(mk_workflow reset-jobs)
	a=$(mk_job "$wf" a)
	b=$(mk_job "$wf" b)
	init "$wf"
	api POST "/workflows/$wf/reset_status" ''
	expect_code 200
	expect_json 'type' object
	api POST "/workflows/$wf/reset_job_status" ''
	expect_code 200
	expect_json '[.workflow_id, .updated_count, .status] | @csv' "$wf,2,\"uninitialized\""
	expect_json 'has("reset_type")' false
	[ "$(status_of "$a")" = uninitialized ]
	[ "$(status_of "$b")" = uninitialized ]
	api GET "/events?workflow_id=$wf"
	expect_json '[.items[].data | select(.category == "user_action") | .action] | join(",")' \
		reset_workflow_status,reset_job_status
	api POST /workflows/999999/reset_job_status ''
	expect_code 404
}

@test "reset_job_status failed_only resets everything downstream of a failed job, whatever its status" {
	wf=$(mk_workflow reset-failed-downstream)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	k=$(mk_job "$wf" k "\"depends_on_job_ids\":[$a],\"cancel_on_blocking_job_failure\":false")
	other=$(mk_job "$wf" other)
	init "$wf"
	complete "$a" failed 0 1 "$n"
	[ "$(status_of "$k")" = ready ]
	complete "$k" completed 0 0 "$n"
	complete "$other" completed 0 0 "$n"
	api POST "/workflows/$wf/reset_job_status?failed_only=true" ''
	expect_code 200
	expect_json '[.updated_count, .reset_type] | @csv' '2,"failed_only"'
	[ "$(status_of "$a")" = uninitialized ]
	[ "$(status_of "$k")" = uninitialized ]
	[ "$(status_of "$other")" = completed ]
	init "$wf" only_uninitialized=true
	[ "$(status_of "$a")" = ready ]
	[ "$(status_of "$k")" = blocked ]
	[ "$(status_of "$other")" = completed ]
}

@test "is_uninitialized (6.46) and is_complete" {
	wf=$(mk_workflow is-unin)
	api GET "/workflows/$wf/is_uninitialized"
	expect_json .is_uninitialized true
	api GET "/workflows/$wf/is_complete"
	expect_json .is_complete true
	mk_jobs "$wf" 3
	api GET "/workflows/$wf/is_uninitialized"
	expect_json .is_uninitialized true
	init "$wf"
	api GET "/workflows/$wf/is_uninitialized"
	expect_json .is_uninitialized false
	api GET "/workflows/$wf/is_complete"
	expect_json '[.is_complete, .is_canceled, .needs_to_run_completion_script] | @csv' 'false,false,false'

	wf2=$(mk_workflow is-unin-2)
	mk_job "$wf2" one >/dev/null
	d=$(mk_job "$wf2" two)
	api PUT "/jobs/$d" '{"status":"disabled"}'
	api GET "/workflows/$wf2/is_uninitialized"
	expect_json .is_uninitialized true
	init "$wf2"
	api GET "/workflows/$wf2/is_uninitialized"
	expect_json .is_uninitialized false
	api GET /workflows/999999/is_complete
	expect_code 404
	api GET /workflows/999999/is_uninitialized
	expect_code 404
}

@test "is_complete: disabled counts as done, pending_failed does not" {
	wf=$(mk_workflow is-complete)
	n=$(mk_node "$wf")
	a=$(mk_job "$wf" a)
	d=$(mk_job "$wf" d)
	api PUT "/jobs/$d" '{"status":"disabled"}'
	init "$wf"
	complete "$a" pending_failed 0 1 "$n"
	expect_code 200
	expect_json .status pending_failed
	api GET "/workflows/$wf/is_complete"
	expect_json .is_complete false
	api POST "/workflows/$wf/reset_job_status?failed_only=true" ''
	expect_json '[.updated_count, .reset_type] | @csv' '1,"failed_only"'
	init "$wf" only_uninitialized=true
	complete "$a" completed 0 0 "$n"
	expect_code 409
	api PUT "/workflows/$wf/status" '{"run_id":1,"is_canceled":false}'
	complete "$a" completed 1 0 "$n"
	expect_code 200
	api GET "/workflows/$wf/is_complete"
	expect_json .is_complete true
}
