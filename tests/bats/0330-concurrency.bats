#!/usr/bin/env bats
# The engine under concurrent runners and killed processes:
# - 8 runners claiming at once from 2,000 ready jobs: every job handed out
#   exactly once (reference §6 item 29, at a larger scale);
# - 8 runners driving a layered workflow through claim, start and
#   complete: every job completes once, dependents only after their
#   dependencies;
# - a CGI killed (TORC_FAULT) inside claim, complete, initialize, bulk
#   create or cancel, or just before or after commit: the next request
#   sees all of the change or none of it.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

mk_node() {
	api POST /compute_nodes "{\"workflow_id\":$1,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	expect_code 200 >&2
	jqb .id
}

# bulk WF N [deps-jq]: N jobs; deps-jq maps the index i to a depends_on list.
bulk() {
	jq -cn --argjson wf "$1" --argjson n "$2" '{jobs: [range($n) | {workflow_id: $wf, name: "job_\(.)", command: "true"}]}' \
		>"$BATS_TEST_TMPDIR/bulk.json"
	code=$(curl -s -o "$BATS_TEST_TMPDIR/bulk.out" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "@$BATS_TEST_TMPDIR/bulk.json" "$BASE/bulk_jobs")
	expect_code 200
}

# cgi NAME METHOD PATH_INFO QUERY FAULT [BODY]: run one CGI directly on the
# server's database, as the web server would; sets status and output.
cgi() {
	local in="${6-}"
	run env -i PATH="$PATH" REQUEST_METHOD="$2" SCRIPT_NAME="/torc-service/v1/$1" \
		PATH_INFO="$3" QUERY_STRING="$4" CONTENT_LENGTH="${#in}" \
		TORC_DATABASE="$DBDIR" TORC_FAULT="$5" TORC_LOG_LEVEL=error \
		"$ROOT/build/cgi-bin/torc-service/v1/$1" <<<"$in"
}

count_status() {
	api GET "/jobs?workflow_id=$1&status=$2&limit=0"
	jqb .total_count
}

@test "8 runners claiming at once from 2,000 ready jobs get each job exactly once" {
	wf=$(mk_workflow claim-race)
	bulk "$wf" 2000
	api POST "/workflows/$wf/initialize_jobs" ''
	[ "$(count_status "$wf" ready)" -eq 2000 ]
	local dir="$BATS_TEST_TMPDIR/race" pids=()
	mkdir -p "$dir"
	for r in 1 2 3 4 5 6 7 8; do
		(
			busy=0
			while :; do
				lim=$(( (RANDOM % 10) + 1 ))
				c=$(curl -s -o "$dir/resp.$r" -w '%{http_code}' -X POST -H 'Content-Length: 0' \
					--max-time 30 "$BASE/workflows/$wf/claim_next_jobs?limit=$lim")
				if [ "$c" != 200 ]; then
					busy=$((busy + 1)); echo "$c" >>"$dir/errors.$r"
					[ $busy -lt 200 ] || exit 1
					continue
				fi
				n=$(jq '.jobs | length' "$dir/resp.$r")
				[ "$n" -le "$lim" ] || { echo "got $n > $lim" >>"$dir/errors.$r"; exit 1; }
				[ "$n" -gt 0 ] || exit 0
				jq -r '.jobs[] | "\(.id) \(.status)"' "$dir/resp.$r" >>"$dir/claimed.$r"
			done
		) &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	cat "$dir"/claimed.* >"$dir/all"
	[ "$(wc -l <"$dir/all")" -eq 2000 ]
	[ "$(cut -d' ' -f1 "$dir/all" | sort -u | wc -l)" -eq 2000 ]
	[ "$(cut -d' ' -f2 "$dir/all" | sort -u)" = pending ]
	# Several runners really took part.
	[ "$(ls "$dir"/claimed.* | wc -l)" -ge 4 ]
	[ "$(count_status "$wf" pending)" -eq 2000 ]
	[ "$(count_status "$wf" ready)" -eq 0 ]
}

@test "8 runners drive a layered workflow: each job completes once, after its dependencies" {
	wf=$(mk_workflow lifecycle-race)
	node=$(mk_node "$wf")
	# 4 layers of 40; each job depends on two jobs of the layer before.
	jq -cn --argjson wf "$wf" '{jobs: [range(40) | {workflow_id: $wf, name: "l0_\(.)", command: "true"}]}' \
		>"$BATS_TEST_TMPDIR/l.json"
	code=$(curl -s -o "$BATS_TEST_TMPDIR/l.out" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "@$BATS_TEST_TMPDIR/l.json" "$BASE/bulk_jobs")
	expect_code 200
	prev=$(jq -c '[.jobs[].id]' "$BATS_TEST_TMPDIR/l.out")
	for layer in 1 2 3; do
		jq -cn --argjson wf "$wf" --argjson p "$prev" --arg l "$layer" \
			'{jobs: [range(40) | {workflow_id: $wf, name: "l\($l)_\(.)", command: "true",
			  depends_on_job_ids: [$p[.], $p[(. + 1) % 40]]}]}' >"$BATS_TEST_TMPDIR/l.json"
		code=$(curl -s -o "$BATS_TEST_TMPDIR/l.out" -w '%{http_code}' -H 'Content-Type: application/json' \
			--data-binary "@$BATS_TEST_TMPDIR/l.json" "$BASE/bulk_jobs")
		expect_code 200
		prev=$(jq -c '[.jobs[].id]' "$BATS_TEST_TMPDIR/l.out")
	done
	api POST "/workflows/$wf/initialize_jobs" ''
	[ "$(count_status "$wf" ready)" -eq 40 ]
	[ "$(count_status "$wf" blocked)" -eq 120 ]
	local dir="$BATS_TEST_TMPDIR/life" pids=()
	mkdir -p "$dir"
	for r in 1 2 3 4 5 6 7 8; do
		(
			idle=0
			while [ $idle -lt 400 ]; do
				c=$(curl -s -o "$dir/c.$r" -w '%{http_code}' -X POST -H 'Content-Length: 0' \
					"$BASE/workflows/$wf/claim_next_jobs?limit=3")
				[ "$c" = 200 ] || continue
				ids=$(jq -r '.jobs[].id' "$dir/c.$r")
				if [ -z "$ids" ]; then
					done_=$(curl -s "$BASE/workflows/$wf/is_complete" | jq -r .is_complete)
					[ "$done_" = true ] && exit 0
					idle=$((idle + 1)); sleep 0.02; continue
				fi
				for j in $ids; do
					# Every dependency must be complete when a job is handed out.
					curl -s "$BASE/jobs/$j" | jq -r '.depends_on_job_ids // [] | .[]' >"$dir/deps.$r"
					while read -r d; do
						s=$(curl -s "$BASE/jobs/$d" | jq -r .status)
						[ "$s" = completed ] || echo "job $j handed out while $d is $s" >>"$dir/errors"
					done <"$dir/deps.$r"
					until [ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Length: 0' \
						"$BASE/jobs/$j/start_job/0/$node")" = 200 ]; do sleep 0.01; done
					until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
						--data-binary "{\"compute_node_id\":$node,\"return_code\":0,\"exec_time_minutes\":0,\"completion_time\":\"t\"}" \
						"$BASE/jobs/$j/complete_job/completed/0")" = 200 ]; do sleep 0.01; done
					echo "$j" >>"$dir/done.$r"
				done
			done
			exit 1
		) &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ ! -s "$dir/errors" ] || { cat "$dir/errors" >&2; false; }
	cat "$dir"/done.* >"$dir/all"
	[ "$(wc -l <"$dir/all")" -eq 160 ]
	[ "$(sort -u "$dir/all" | wc -l)" -eq 160 ]
	[ "$(count_status "$wf" completed)" -eq 160 ]
	api GET "/results?workflow_id=$wf&all_runs=true&limit=0"
	expect_json .total_count 160
}

@test "killed in the middle of a claim, or just before commit: nothing claimed" {
	wf=$(mk_workflow kill-claim)
	bulk "$wf" 20
	api POST "/workflows/$wf/initialize_jobs" ''
	for fault in claim-mid before-commit; do
		cgi workflows POST "/$wf/claim_next_jobs" limit=10 "$fault"
		[ "$status" -eq 137 ]
		[ "$(count_status "$wf" pending)" -eq 0 ]
		[ "$(count_status "$wf" ready)" -eq 20 ]
	done
	# The same CGI without a fault works on the same database.
	cgi workflows POST "/$wf/claim_next_jobs" limit=10 ""
	[ "$status" -eq 0 ]
	[[ "$output" == *"Status: 200"* ]]
	[ "$(count_status "$wf" pending)" -eq 10 ]
	# Killed right after commit: the whole claim is there.
	cgi workflows POST "/$wf/claim_next_jobs" limit=4 after-commit
	[ "$status" -eq 137 ]
	[ "$(count_status "$wf" pending)" -eq 14 ]
	api POST "/workflows/$wf/claim_next_jobs?limit=100" ''
	expect_json '.jobs | length' 6
}

@test "killed in the middle of complete_job: no result, no status change, nothing unblocked" {
	wf=$(mk_workflow kill-complete)
	node=$(mk_node "$wf")
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"c\"}"
	a=$(jqb .id)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"b\",\"command\":\"c\",\"depends_on_job_ids\":[$a]}"
	b=$(jqb .id)
	api POST "/workflows/$wf/initialize_jobs" ''
	api POST "/workflows/$wf/claim_next_jobs" ''
	api PUT "/jobs/$a/start_job/0/$node" ''
	local res="{\"compute_node_id\":$node,\"return_code\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\"}"
	for fault in complete-mid before-commit; do
		cgi jobs POST "/$a/complete_job/completed/0" "" "$fault" "$res"
		[ "$status" -eq 137 ]
		api GET "/jobs/$a"
		expect_json .status running
		api GET "/jobs/$b"
		expect_json .status blocked
		api GET "/results?workflow_id=$wf&all_runs=true"
		expect_json .total_count 0
	done
	cgi jobs POST "/$a/complete_job/completed/0" "" after-commit "$res"
	[ "$status" -eq 137 ]
	api GET "/jobs/$a"
	expect_json .status completed
	api GET "/jobs/$b"
	expect_json .status ready
	api GET "/results?workflow_id=$wf"
	expect_json .total_count 1
}

@test "killed inside initialize, bulk create or cancel: all or nothing" {
	wf=$(mk_workflow kill-misc)
	node=$(mk_node "$wf")
	# Not "body": api() sets that.
	local jobs_json
	jobs_json=$(jq -cn --argjson wf "$wf" '{jobs: [range(50) | {workflow_id: $wf, name: "j\(.)", command: "c"}]}')
	cgi bulk_jobs POST "" "" bulk-mid "$jobs_json"
	[ "$status" -eq 137 ]
	api GET "/jobs?workflow_id=$wf&limit=0"
	expect_json .total_count 0
	cgi bulk_jobs POST "" "" "" "$jobs_json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Status: 200"* ]] || { echo "$output" | head -c 600 >&2; false; }
	[ "$(count_status "$wf" uninitialized)" -eq 50 ]

	cgi workflows POST "/$wf/initialize_jobs" "" init-mid
	[ "$status" -eq 137 ]
	[ "$(count_status "$wf" uninitialized)" -eq 50 ]
	api GET "/workflows/$wf/is_uninitialized"
	expect_json .is_uninitialized true
	api POST "/workflows/$wf/initialize_jobs" ''
	[ "$(count_status "$wf" ready)" -eq 50 ]

	api POST "/workflows/$wf/claim_next_jobs?limit=5" ''
	cgi workflows PUT "/$wf/cancel" "" cancel-mid
	[ "$status" -eq 137 ]
	[ "$(count_status "$wf" pending)" -eq 5 ]
	api GET "/workflows/$wf/status"
	expect_json .is_canceled false
	api GET "/events?workflow_id=$wf"
	expect_json .total_count 0
	api PUT "/workflows/$wf/cancel" ''
	[ "$(count_status "$wf" canceled)" -eq 5 ]
	api GET "/events?workflow_id=$wf"
	expect_json .total_count 1
}
