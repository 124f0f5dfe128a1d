#!/usr/bin/env bats
# `torc run`: the local job runner against the real server.  The diamond
# (the shared example specs, whose commands call tests/scripts/*.sh: here
# the project's share/examples/scripts) in both claim modes, 100-job specs,
# a failing job and its canceled dependent, the reset-and-rerun flows
# (reference §6 items 31, 35-38), Ctrl-C, cancel, failure handlers, output
# checks, job environments and files, the compute node, progress on a TTY.

load helpers
bats_require_minimum_version 1.5.0

T="$ROOT/build/bin/torc"
SPECS="$ROOT/tests/fixtures/specs"

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

setup() {
	export TORC_API_URL="$BASE" TORC_USERNAME=runner
	RUN_PID=
	W="$BATS_TEST_TMPDIR/work"
	mkdir -p "$W/tests" "$W/output"
	ln -s "$ROOT/share/examples/scripts" "$W/tests/scripts"
	cd "$W"
	echo '{"name": "t", "values": [5, 3, 8, 1, 9, 2]}' >f1.json
	cp f1.json output/f1.json
}

teardown() {
	if [ -n "$RUN_PID" ]; then
		kill -KILL "$RUN_PID" 2>/dev/null || true
		wait "$RUN_PID" 2>/dev/null || true
	fi
}

# statuses WF -> "name=status ..." sorted
statuses() {
	api GET "/jobs?workflow_id=$1&limit=10000"
	jqb -r '[.items[] | "\(.name)=\(.status)"] | sort | join(" ")'
}

# wf_of NAME -> the newest workflow with that name
wf_of() {
	api GET "/workflows?name=$1&limit=10000"
	jqb '.items[-1].id'
}

@test "the YAML diamond runs to completion with --max-parallel-jobs 2 (item 31)" {
	run -0 --separate-stderr "$T" run "$SPECS/diamond_workflow.yaml" --max-parallel-jobs 2 \
		--output-dir output --poll-interval 0.1
	[[ "$stderr" == *"torc: Created workflow "*" (diamond_workflow) with 4 jobs"* ]]
	wf=$(wf_of diamond_workflow)
	[ "$(statuses "$wf")" = "postprocess=completed preprocess=completed work1=completed work2=completed" ]
	api GET "/results?workflow_id=$wf"
	expect_json '.items | length' 4
	expect_json '[.items[] | select(.return_code != 0)] | length' 0
	for f in f2 f3 f4 f5 f6; do [ -s $f.json ]; done
	# The scripts really transformed the data.
	[ "$(jq '.count, .sum, .min, .max' f6.json | tr '\n' ' ')" = "6 28 1 9 " ]
	# The summary table.
	[[ "${lines[0]}" == "ID  NAME"*"STATUS"*"RC"*"MINUTES" ]]
	[ "$(grep -c ' completed  *0 ' <<<"$output")" = 4 ]
	# Output files got their modification times recorded.
	api GET "/files?workflow_id=$wf&name=f6"
	[ "$(jqb '.items[0].st_mtime | type')" = number ]
}

@test "the JSON5 diamond, created first and run by id, claims by resources (--num-cpus 4 --memory-gb 8)" {
	run -0 "$T" -f json workflows create "$SPECS/diamond_workflow.json5"
	wf=$(jq .id <<<"$output")
	[ "$(statuses "$wf")" = "postprocess=uninitialized preprocess=uninitialized work1=uninitialized work2=uninitialized" ]
	run -0 --separate-stderr "$T" run "$wf" --num-cpus 4 --memory-gb 8 -o output -p 0.1
	[ "$(statuses "$wf")" = "postprocess=completed preprocess=completed work1=completed work2=completed" ]
	for f in f2 f3 f4 f5 f6; do [ -s output/$f.json ]; done
	# Job output files and the runner log are where Torc puts them.
	run_id=$(api GET "/workflows/$wf/status"; jqb .run_id)
	[ "$run_id" = 1 ]
	for j in $(api GET "/jobs?workflow_id=$wf"; jqb '.items[].id'); do
		[ -f "output/job_stdio/job_wf${wf}_j${j}_r1_a1.o" ]
		[ -f "output/job_stdio/job_wf${wf}_j${j}_r1_a1.e" ]
	done
	grep -q '^preprocess: wrote part 1 of 2' output/job_stdio/job_wf${wf}_j*_r1_a1.o
	ls output/job_runner_*_wf${wf}_r1.log
	grep -q 'resource mode' output/job_runner_*_wf${wf}_r1.log
	# The compute node: local, inactive at the end, with a duration.
	api GET "/compute_nodes?workflow_id=$wf"
	expect_json '.items | length' 1
	expect_json '.items[0].compute_node_type' local
	expect_json '.items[0].is_active' false
	expect_json '.items[0].num_cpus' 4
	expect_json '.items[0].memory_gb' 8
	[ "$(jqb '.items[0].duration_seconds > 0')" = true ]
	[ "$(jqb '.items[0].pid')" -gt 1 ]
}

@test "the 100-job example spec completes (--max-parallel-jobs 4)" {
	run -0 --separate-stderr "$T" run "$SPECS/hundred_jobs_workflow.json5" --max-parallel-jobs 4 -p 0.1
	wf=$(wf_of hundred_jobs_workflow)
	api GET "/jobs?workflow_id=$wf&status=completed&limit=0"
	expect_json .total_count 100
	api GET "/results?workflow_id=$wf&limit=10000"
	expect_json '.items | length' 100
	expect_json '[.items[] | select(.return_code == 0)] | length' 100
	[ "$(grep -c ' completed ' <<<"$output")" = 100 ]
	grep -qx hello output/job_stdio/job_wf${wf}_j*_r1_a1.o
}

@test "a parameterized 100-job YAML completes in resource mode; listed by name (item 35)" {
	cat >many.yaml <<'EOF'
name: many_jobs_test
jobs:
  - name: job_{i:03d}
    command: "echo job {i}"
    resource_requirements: minimal
    parameters:
      i: "1:100"
resource_requirements:
  - {name: minimal, num_cpus: 1, memory: 1m, runtime: PT1M}
EOF
	run -0 --separate-stderr "$T" run many.yaml --num-cpus 3 --memory-gb 1 -p 0.1
	api GET "/workflows?name=many_jobs_test"
	expect_json '.items | length' 1
	wf=$(jqb '.items[0].id')
	api GET "/jobs?workflow_id=$wf&limit=10000"
	expect_json '.items | length' 100
	expect_json '[.items[] | select(.status == "completed")] | length' 100
	expect_json '.items[41].name' job_042
	api GET "/results?workflow_id=$wf&limit=10000"
	expect_json '[.items[] | select(.return_code == 0)] | length' 100
	j42=$(api GET "/jobs?workflow_id=$wf&limit=1&offset=41"; jqb '.items[0].id')
	[ "$(cat output/job_stdio/job_wf${wf}_j${j42}_r1_a1.o)" = "job 42" ]
}

@test "a failing job: torc run exits 1, its dependent is canceled; reset --failed-only --reinitialize and a rerun complete all (items 36, 37)" {
	cat >fail.yaml <<'EOF'
name: fail_test
jobs:
  - {name: setup, command: "echo setup"}
  - {name: work_a, command: "echo a", depends_on: [setup]}
  - {name: work_b, command: "echo b", depends_on: [setup]}
  - {name: work_fail, command: "test -f fixed || exit 1", depends_on: [setup]}
  - {name: finalize, command: "echo done", depends_on: [work_a, work_b, work_fail]}
EOF
	run -1 --separate-stderr "$T" run fail.yaml --max-parallel-jobs 4 -p 0.1
	wf=$(wf_of fail_test)
	[ "$(statuses "$wf")" = "finalize=canceled setup=completed work_a=completed work_b=completed work_fail=failed" ]
	api GET "/results?workflow_id=$wf"
	expect_json '.items | length' 4
	fj=$(api GET "/jobs?workflow_id=$wf&status=failed"; jqb '.items[0].id')
	api GET "/results?workflow_id=$wf&job_id=$fj"
	expect_json '.items[0].return_code' 1
	grep -Eq '^ *[0-9]+  finalize  +canceled' <<<"$output"

	run -0 --separate-stderr "$T" workflows reset-status "$wf" --failed-only --reinitialize --no-prompts
	[ "$(statuses "$wf")" = "finalize=blocked setup=completed work_a=completed work_b=completed work_fail=ready" ]

	touch fixed
	run -0 --separate-stderr "$T" run "$wf" --max-parallel-jobs 4 -p 0.1
	[ "$(statuses "$wf")" = "finalize=completed setup=completed work_a=completed work_b=completed work_fail=completed" ]
	api GET "/results?workflow_id=$wf&job_id=$fj&all_runs=true"
	expect_json '.items | length' 2
	expect_json '[.items[] | select(.run_id == 2 and .return_code == 0)] | length' 1
	fin=$(api GET "/jobs?workflow_id=$wf"; jqb '.items[] | select(.name=="finalize") | .id')
	api GET "/results?workflow_id=$wf&job_id=$fin&all_runs=true"
	expect_json '.items | length' 1
}

@test "a changed input file and workflows reinitialize rerun only what depends on it (item 38)" {
	cat >chg.yaml <<'EOF'
name: change_test
files:
  - {name: cfg, path: cfg.txt}
jobs:
  - {name: setup, command: "echo setup"}
  - {name: work_a, command: "echo a", depends_on: [setup]}
  - {name: work_fail, command: "grep -q good ${files.input.cfg}", depends_on: [setup]}
  - {name: finalize, command: "echo done", depends_on: [work_a, work_fail]}
EOF
	echo bad >cfg.txt
	run -1 --separate-stderr "$T" run chg.yaml --max-parallel-jobs 2 -p 0.1
	wf=$(wf_of change_test)
	[ "$(statuses "$wf")" = "finalize=canceled setup=completed work_a=completed work_fail=failed" ]
	sleep 0.05
	echo good >cfg.txt
	run -0 --separate-stderr "$T" workflows reinitialize "$wf"
	[ "$(statuses "$wf")" = "finalize=blocked setup=completed work_a=completed work_fail=ready" ]
	run -0 --separate-stderr "$T" run "$wf" --max-parallel-jobs 2 -p 0.1
	[ "$(statuses "$wf")" = "finalize=completed setup=completed work_a=completed work_fail=completed" ]
}

@test "a completed job whose output file is missing counts as failed with return code 1" {
	cat >miss.yaml <<'EOF'
name: missing_output
files:
  - {name: out, path: never_written.txt}
jobs:
  - {name: liar, command: "echo I promise ${files.output.out}"}
EOF
	run -1 --separate-stderr "$T" run miss.yaml --max-parallel-jobs 1 -p 0.1
	[[ "$stderr" == *"job liar: output file never_written.txt is missing"* ]]
	wf=$(wf_of missing_output)
	[ "$(statuses "$wf")" = "liar=failed" ]
	api GET "/results?workflow_id=$wf"
	expect_json '.items[0].return_code' 1
}

@test "a failure handler's rule retries the job (recovery script first) until it succeeds" {
	cat >retry.yaml <<'EOF'
name: retry_test
failure_handlers:
  - name: again
    rules:
      - {exit_codes: [42], recovery_script: "echo recovering $TORC_RETURN_CODE >> recovery.log", max_retries: 3}
jobs:
  - name: flaky
    command: "n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; [ $n -ge 1 ] || exit 42"
    failure_handler: again
  - name: after
    command: "echo after"
    depends_on: [flaky]
EOF
	run -0 --separate-stderr "$T" run retry.yaml --max-parallel-jobs 1 -p 0.1
	wf=$(wf_of retry_test)
	[ "$(statuses "$wf")" = "after=completed flaky=completed" ]
	api GET "/jobs?workflow_id=$wf"
	expect_json '.items[] | select(.name=="flaky") | .attempt_id' 2
	[ "$(cat recovery.log)" = "recovering 42" ]
	[ "$(cat count)" = 2 ]
	fl=$(jqb '.items[] | select(.name=="flaky") | .id')
	[ -f "output/job_stdio/job_wf${wf}_j${fl}_r1_a2.o" ]
}

@test "Ctrl-C terminates the running jobs, reports them terminated and exits non-zero" {
	cat >slow.yaml <<'EOF'
name: slow_test
jobs:
  - {name: s1, command: "sleep 60"}
  - {name: s2, command: "trap 'echo got TERM; exit 3' TERM; sleep 60 & wait"}
  - {name: later, command: "echo later", depends_on: [s1, s2]}
EOF
	"$T" run slow.yaml --max-parallel-jobs 2 -p 0.1 >run.out 2>run.err &
	RUN_PID=$!
	wf=
	for _ in $(seq 1 100); do
		wf=$(wf_of slow_test)
		[ "$wf" != null ] && [ "$(statuses "$wf")" = "later=blocked s1=running s2=running" ] && break
		sleep 0.1
	done
	[ "$(statuses "$wf")" = "later=blocked s1=running s2=running" ]
	sleep 0.3
	kill -INT "$RUN_PID"
	st=0
	wait "$RUN_PID" || st=$?
	RUN_PID=
	[ "$st" -eq 1 ]
	grep -q 'stopping: terminating 2 running job(s)' run.err
	[[ "$(statuses "$wf")" == "later=canceled s1=terminated s2=terminated" ]]
	api GET "/results?workflow_id=$wf"
	expect_json '[.items[] | .status] | unique | join(",")' terminated
	s2=$(api GET "/jobs?workflow_id=$wf"; jqb '.items[] | select(.name=="s2") | .id')
	api GET "/results?workflow_id=$wf&job_id=$s2"
	expect_json '.items[0].return_code' 3
	grep -q 'got TERM' output/job_stdio/job_wf${wf}_j${s2}_r1_a1.o
	# No job process is left behind.
	! pgrep -f 'sleep 60' -u "$(id -u)" >/dev/null || { pgrep -af 'sleep 60'; false; }
	api GET "/compute_nodes?workflow_id=$wf"
	expect_json '.items[0].is_active' false
}

@test "canceling the workflow stops the runner and its jobs" {
	cat >cancel.yaml <<'EOF'
name: cancel_test
jobs:
  - {name: long, command: "sleep 60"}
  - {name: next, command: "echo next", depends_on: [long]}
EOF
	"$T" run cancel.yaml --max-parallel-jobs 1 -p 0.1 >run.out 2>run.err &
	RUN_PID=$!
	for _ in $(seq 1 100); do
		wf=$(wf_of cancel_test)
		[ "$wf" != null ] && [ "$(statuses "$wf")" = "long=running next=blocked" ] && break
		sleep 0.1
	done
	run -0 "$T" workflows cancel "$wf"
	st=0
	wait "$RUN_PID" || st=$?
	RUN_PID=
	[ "$st" -eq 1 ]
	grep -q 'the workflow was canceled' run.err
	[ "$(statuses "$wf")" = "long=canceled next=blocked" ]
	! pgrep -f 'sleep 60' -u "$(id -u)" >/dev/null
}

@test "jobs get the TORC_* environment and run with bash -c in the runner's folder" {
	cat >env.yaml <<'EOF'
name: env_test
jobs:
  - name: show
    command: "env | grep ^TORC_ | sort; echo pwd=$PWD; echo shell=${BASH_VERSION%%.*}; echo oops >&2"
EOF
	run -0 --separate-stderr "$T" run env.yaml --max-parallel-jobs 1 -o outdir -p 0.1
	wf=$(wf_of env_test)
	j=$(api GET "/jobs?workflow_id=$wf"; jqb '.items[0].id')
	o="outdir/job_stdio/job_wf${wf}_j${j}_r1_a1.o"
	grep -qx "TORC_WORKFLOW_ID=$wf" "$o"
	grep -qx "TORC_JOB_ID=$j" "$o"
	grep -qx "TORC_JOB_NAME=show" "$o"
	grep -qx "TORC_OUTPUT_DIR=outdir" "$o"
	grep -qx "TORC_ATTEMPT_ID=1" "$o"
	grep -qx "TORC_API_URL=$BASE" "$o"
	grep -qx "pwd=$W" "$o"
	grep -q "^shell=[0-9]" "$o"
	[ "$(cat "outdir/job_stdio/job_wf${wf}_j${j}_r1_a1.e")" = oops ]
}

@test "an invocation script runs before the command" {
	cat >inv.yaml <<'EOF'
name: inv_test
jobs:
  - name: wrapped
    invocation_script: "export GREETING=hi;"
    command: "echo $GREETING > greeting.txt"
EOF
	run -0 --separate-stderr "$T" run inv.yaml --max-parallel-jobs 1 -p 0.1
	[ "$(cat greeting.txt)" = hi ]
}

@test "required input files must exist before a run; the workflow is left uninitialized" {
	rm -f f1.json
	run -1 --separate-stderr "$T" run "$SPECS/diamond_workflow.yaml" --max-parallel-jobs 1 -p 0.1
	[[ "$stderr" == *"1 required input file(s) missing: f1.json"* ]]
	wf=$(wf_of diamond_workflow)
	[ "$(statuses "$wf")" = "postprocess=uninitialized preprocess=uninitialized work1=uninitialized work2=uninitialized" ]
	run -1 "$T" run 999999 -p 0.1
	run -100 "$T" run no/such/spec.yaml
}

@test "-f json prints the run's summary as JSON" {
	run -0 --separate-stderr "$T" -f json run "$SPECS/diamond_workflow.yaml" --max-parallel-jobs 2 -p 0.1
	[ "$(jq .all_completed <<<"$output")" = true ]
	[ "$(jq '.jobs | length' <<<"$output")" = 4 ]
	[ "$(jq -r '[.jobs[].status] | unique | join(",")' <<<"$output")" = completed ]
	[ "$(jq .run_id <<<"$output")" = 1 ]
}

@test "on a terminal a progress line shows done/running/failed/total" {
	command -v script >/dev/null
	script -qec "'$T' run '$SPECS/diamond_workflow.yaml' --max-parallel-jobs 2 -p 0.1" typescript >/dev/null
	grep -aq 'workflow [0-9]*: 4/4 done, 0 running, 0 failed' typescript
}

@test "running a complete workflow again does nothing and exits 0" {
	run -0 --separate-stderr "$T" -f json workflows create "$SPECS/diamond_workflow.yaml"
	wf=$(jq .id <<<"$output")
	run -0 --separate-stderr "$T" run "$wf" --max-parallel-jobs 2 -p 0.1
	n=$(api GET "/results?workflow_id=$wf&all_runs=true"; jqb '.items | length')
	run -0 --separate-stderr "$T" run "$wf" --max-parallel-jobs 2 -p 0.1
	[ "$(api GET "/results?workflow_id=$wf&all_runs=true"; jqb '.items | length')" = "$n" ]
}

@test "two runners on one workflow share the work: every job runs exactly once" {
	run -0 "$T" -f json workflows create "$SPECS/hundred_jobs_workflow.json5"
	wf=$(jq .id <<<"$output")
	run -0 "$T" workflows initialize "$wf"
	"$T" run "$wf" --max-parallel-jobs 2 -o out1 -p 0.1 >r1.out 2>r1.err &
	p1=$!
	"$T" run "$wf" --max-parallel-jobs 2 -o out2 -p 0.1 >r2.out 2>r2.err &
	p2=$!
	s1=0; s2=0
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	[ "$s1" -eq 0 ] && [ "$s2" -eq 0 ] || { cat r1.err r2.err; false; }
	api GET "/results?workflow_id=$wf&all_runs=true&limit=10000"
	expect_json '.items | length' 100
	expect_json '[.items[].job_id] | unique | length' 100
	n1=$(ls out1/job_stdio/*.o | wc -l)
	n2=$(ls out2/job_stdio/*.o | wc -l)
	[ $((n1 + n2)) -eq 100 ]
	api GET "/compute_nodes?workflow_id=$wf"
	expect_json '.items | length' 2
}

@test "a job that never fits the offered resources: the runner gives up after the workflow's wait time" {
	cat >big.yaml <<'EOF2'
name: too_big
compute_node_wait_for_new_jobs_seconds: 1
resource_requirements:
  - {name: huge, num_cpus: 64, memory: 512g, runtime: PT1H}
jobs:
  - {name: small, command: "true"}
  - {name: huge_job, command: "true", resource_requirements: huge}
EOF2
	run -1 --separate-stderr "$T" run big.yaml --num-cpus 2 --memory-gb 4 -p 0.1
	[[ "$stderr" == *"torc: warning: no job became ready for 1 s; stopping"* ]]
	wf=$(wf_of too_big)
	[ "$(statuses "$wf")" = "huge_job=ready small=completed" ]
	grep -Eq '^ *[0-9]+  huge_job  +ready *$' <<<"$output"
	api GET "/compute_nodes?workflow_id=$wf"
	expect_json '.items[0].is_active' false
	# claim_next_jobs ignores resources (item 28): the parallel mode runs it.
	run -0 --separate-stderr "$T" run "$wf" --max-parallel-jobs 1 -p 0.1
	[ "$(statuses "$wf")" = "huge_job=completed small=completed" ]
}
