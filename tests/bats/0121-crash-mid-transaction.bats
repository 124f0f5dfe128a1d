#!/usr/bin/env bats
# CGIs killed inside their transaction.  A CGI is run directly, as the web
# server would, against the running server's database with the test-only
# fault hook (TORC_FAULT=<point>: SIGKILL at that point, see store_fault):
# "write" (the first record written), "before-commit" (everything written,
# nothing committed), "after-commit", and "workflow-delete" (inside the
# delete, before the purge).  Afterwards, through the server, the next
# request succeeds and no partial record is left: no workflow without its
# status or default resource requirement, no orphan requirement, a delete
# killed halfway leaves the workflow whole.
#
# Then a writer stopped while it holds its locks: other requests get 503
# with Retry-After or succeed within the bound (the CGI lifetime plus
# margin), a request killed from outside while it waits on the lock harms
# nobody, and once the holder dies the server serves again.

load helpers

BOUND=30	# seconds: TORC_PROCESS_LIFETIME_S (20) plus margin, as tests/chaos/run

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

teardown() {
	# a holder left stopped by a failed test must not outlive it
	if [ -n "${HOLDER:-}" ]; then
		kill -KILL "$HOLDER" 2>/dev/null
		wait "$HOLDER" 2>/dev/null
	fi
	exec 8>&- 2>/dev/null || true
}

# direct RESOURCE METHOD PATH_INFO BODY [VAR=value...]: run one CGI on the
# server's database; sets d_status (exit status), d_code, d_body.
direct() {
	local res=$1 method=$2 pinfo=$3 data=$4 out="$BATS_TEST_TMPDIR/direct.out"
	shift 4
	printf '%s' "$data" >"$BATS_TEST_TMPDIR/direct.in"
	d_status=0
	timeout $BOUND env -i PATH="$PATH" TZ=UTC TORC_DATABASE="$DBDIR" TORC_LOG_LEVEL=warn \
		GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$method" SCRIPT_NAME="/torc-service/v1/$res" \
		PATH_INFO="$pinfo" CONTENT_LENGTH="${#data}" "$@" \
		"$ROOT/build/cgi-bin/torc-service/v1/$res" <"$BATS_TEST_TMPDIR/direct.in" \
		>"$out" 2>"$BATS_TEST_TMPDIR/direct.err" || d_status=$?
	d_code=$(head -1 "$out" | sed -n 's/^Status: \([0-9]*\) .*/\1/p')
	d_body=$(tr -d '\r' <"$out" | sed '1,/^$/d')
}

# killed_by_fault POINT: the direct run died of SIGKILL at POINT, replying nothing
killed_by_fault() {
	[ "$d_status" -eq 137 ] || { echo "exit $d_status, reply: $d_code $d_body" >&2; return 1; }
	[ -z "$d_code" ] || { echo "replied $d_code before dying" >&2; return 1; }
	grep -q "FAULT: killing pid [0-9]* at $1" "$BATS_TEST_TMPDIR/direct.err" || {
		echo "no fault at $1: $(cat "$BATS_TEST_TMPDIR/direct.err")" >&2
		return 1
	}
}

# timed METHOD PATH [BODY]: api under a clock; fails past the bound
timed() {
	SECONDS=0
	api "$@"
	[ "$SECONDS" -le $BOUND ] || { echo "$1 $2 took $SECONDS s" >&2; return 1; }
}

# whole: every workflow has its status and exactly one default requirement,
# and every requirement belongs to a workflow that exists
whole() {
	local ids id
	timed GET "/workflows"
	expect_code 200 || return 1
	ids=$(jqb '.items[].id')
	for id in $ids; do
		api GET "/workflows/$id/status"
		[ "$code" = 200 ] && [ "$(jqb .id)" = "$id" ] || { echo "workflow $id: status $code $body" >&2; return 1; }
		api GET "/resource_requirements?workflow_id=$id&name=default"
		[ "$(jqb .total_count)" = 1 ] || { echo "workflow $id: default rr: $body" >&2; return 1; }
	done
}

# wf_snapshot WF: the workflow and everything in it, as text
wf_snapshot() {
	local wf=$1 p
	for p in "/workflows/$wf" "/workflows/$wf/status" "/workflows/$wf/job_ids" \
		"/jobs?workflow_id=$wf" "/files?workflow_id=$wf" "/user_data?workflow_id=$wf" \
		"/events?workflow_id=$wf" "/compute_nodes?workflow_id=$wf" \
		"/results?workflow_id=$wf&all_runs=true" "/resource_requirements?workflow_id=$wf" \
		"/workflows/$wf/job_dependencies" "/workflows/$wf/job_file_relationships" \
		"/workflows/$wf/job_user_data_relationships"; do
		api GET "$p"
		echo "$p $code $body"
	done
}

last_id() {
	api GET "/workflows?sort_by=id&reverse_sort=true&limit=1"
	jqb '.items[0].id // 0'
}

@test "a workflow create killed at its first write or before commit leaves nothing; after commit, all of it" {
	api POST /workflows '{"name":"base","user":"u"}'
	expect_code 200
	for fault in write before-commit; do
		last=$(last_id)
		api GET /workflows
		total=$(jqb .total_count)
		direct workflows POST "" "{\"name\":\"killed-$fault\",\"user\":\"u\"}" TORC_FAULT=$fault
		killed_by_fault "$fault"

		# the very next request through the server succeeds
		timed GET /workflows
		expect_code 200
		expect_json .total_count "$total"
		[ "$(jqb "[.items[].name | select(startswith(\"killed\"))] | length")" = 0 ]
		next=$((last + 1))
		api GET "/workflows/$next"
		expect_code 404
		api GET "/workflows/$next/status"
		expect_code 404
		api GET "/resource_requirements?workflow_id=$next"
		expect_json .total_count 0
		whole
		# and the server writes again
		timed POST /workflows "{\"name\":\"after-$fault\",\"user\":\"u\"}"
		expect_code 200
		new=$(jqb .id)
		[ "$new" -gt "$last" ]
		api GET "/resource_requirements?workflow_id=$new"
		expect_json '[.total_count, .items[0].name] | @csv' '1,"default"'
	done

	# killed after the commit: the client got no answer, but the write is whole
	last=$(last_id)
	direct workflows POST "" '{"name":"committed","user":"u"}' TORC_FAULT=after-commit
	killed_by_fault after-commit
	timed GET "/workflows?name=committed"
	expect_code 200
	expect_json '.items[0].id' "$((last + 1))"
	whole
}

@test "a workflow delete killed halfway leaves the workflow whole" {
	api POST /workflows '{"name":"to-delete","user":"u"}'
	wf=$(jqb .id)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"true\"}"
	a=$(jqb .id)
	api POST /files "{\"workflow_id\":$wf,\"name\":\"f\",\"path\":\"/f\"}"
	f=$(jqb .id)
	api POST /user_data "{\"workflow_id\":$wf,\"name\":\"u\",\"data\":{}}"
	u=$(jqb .id)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"b\",\"command\":\"true\",\"depends_on_job_ids\":[$a],\"input_file_ids\":[$f],\"output_user_data_ids\":[$u]}"
	expect_code 200
	api POST /events "{\"workflow_id\":$wf,\"timestamp\":1,\"data\":{\"x\":1}}"
	api POST /compute_nodes "{\"workflow_id\":$wf,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":1,\"memory_gb\":1,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	cn=$(jqb .id)
	api POST /results "{\"workflow_id\":$wf,\"job_id\":$a,\"compute_node_id\":$cn,\"run_id\":0,\"return_code\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\",\"status\":\"completed\"}"
	expect_code 200
	before=$(wf_snapshot "$wf")
	[[ "$before" == *"/workflows/$wf/job_dependencies 200 "*'"total_count":1'* ]]

	for fault in workflow-delete before-commit; do
		direct workflows DELETE "/$wf" "" TORC_FAULT=$fault
		killed_by_fault "$fault"
		timed GET "/workflows/$wf"
		expect_code 200
		[ "$(wf_snapshot "$wf")" = "$before" ]
	done
	whole

	# the same delete, unhindered, removes it all
	timed DELETE "/workflows/$wf"
	expect_code 200
	api GET "/workflows/$wf"
	expect_code 404
	api GET "/jobs?workflow_id=$wf"
	expect_json .total_count 0
	api GET "/jobs/$a"
	expect_code 404
}

@test "a job create with relationships killed mid-write leaves no half-linked job" {
	api POST /workflows '{"name":"jobs","user":"u"}'
	wf=$(jqb .id)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"up\",\"command\":\"true\"}"
	up=$(jqb .id)
	api POST /files "{\"workflow_id\":$wf,\"name\":\"f\",\"path\":\"/f\"}"
	f=$(jqb .id)
	before=$(wf_snapshot "$wf")
	for fault in write before-commit; do
		direct jobs POST "" "{\"workflow_id\":$wf,\"name\":\"down\",\"command\":\"true\",\"depends_on_job_ids\":[$up],\"input_file_ids\":[$f]}" TORC_FAULT=$fault
		killed_by_fault "$fault"
		timed GET "/workflows/$wf/job_dependencies"
		expect_code 200
		expect_json .total_count 0
		[ "$(wf_snapshot "$wf")" = "$before" ]
	done
	direct bulk_jobs POST "" "{\"jobs\":[{\"workflow_id\":$wf,\"name\":\"b1\",\"command\":\"true\"},{\"workflow_id\":$wf,\"name\":\"b2\",\"command\":\"true\",\"depends_on_job_ids\":[$up]}]}" TORC_FAULT=before-commit
	killed_by_fault before-commit
	timed GET "/jobs?workflow_id=$wf"
	expect_code 200
	[ "$(wf_snapshot "$wf")" = "$before" ]
	timed POST /jobs "{\"workflow_id\":$wf,\"name\":\"down\",\"command\":\"true\",\"depends_on_job_ids\":[$up],\"input_file_ids\":[$f]}"
	expect_code 200
	api GET "/workflows/$wf/job_dependencies"
	expect_json .total_count 1
}

@test "a writer stopped holding its locks: others get 503 with Retry-After or succeed within the bound" {
	api POST /workflows '{"name":"held-base","user":"u"}'
	api GET /workflows
	total=$(jqb .total_count)

	# The holder: a workflow create that stops at before-commit, all its
	# records written and locked.  Its fault message goes to a full pipe,
	# so it blocks there; then it is stopped outright.
	rm -f "$BATS_TEST_TMPDIR/err"
	mkfifo "$BATS_TEST_TMPDIR/err"
	exec 8<>"$BATS_TEST_TMPDIR/err"
	timeout 1 cat /dev/zero >&8 || true
	body='{"name":"held","user":"u"}'
	printf '%s' "$body" >"$BATS_TEST_TMPDIR/held.json"
	env -i PATH="$PATH" TZ=UTC TORC_DATABASE="$DBDIR" TORC_LOG_LEVEL=warn TORC_FAULT=before-commit \
		REQUEST_METHOD=POST SCRIPT_NAME=/torc-service/v1/workflows CONTENT_LENGTH=${#body} \
		"$ROOT/build/cgi-bin/torc-service/v1/workflows" <"$BATS_TEST_TMPDIR/held.json" \
		>"$BATS_TEST_TMPDIR/held.out" 2>&8 &
	HOLDER=$!
	for _ in $(seq 1 100); do
		[[ "$(cat /proc/$HOLDER/wchan 2>/dev/null)" == *pipe_write ]] && break
		sleep 0.05
	done
	[[ "$(cat /proc/$HOLDER/wchan)" == *pipe_write ]]
	kill -STOP "$HOLDER"

	# A request that needs no lock is served at once.
	timed GET /ping
	expect_code 200
	[ "$SECONDS" -le 2 ]

	# A reader and a writer wait on the holder's locks.
	reader() {
		curl -s -D "$BATS_TEST_TMPDIR/r.hdr" -o "$BATS_TEST_TMPDIR/r.body" -w '%{http_code} %{time_total}' \
			--max-time $((BOUND + 10)) "$BASE/workflows?limit=1" >"$BATS_TEST_TMPDIR/r.res"
	}
	reader &
	rpid=$!
	curl -s -o "$BATS_TEST_TMPDIR/w.body" -w '%{http_code} %{time_total}' --max-time $((BOUND + 10)) \
		-X POST -d '{"name":"waiter","user":"u"}' "$BASE/workflows" >"$BATS_TEST_TMPDIR/w.res" &
	wpid=$!
	# A third waits too and is killed from outside while it waits.
	curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time $((BOUND + 10)) \
		-X POST -d "{\"workflow_id\":1,\"timestamp\":1,\"data\":{}}" "$BASE/events" >"$BATS_TEST_TMPDIR/k.res" &
	kpid=$!
	victim=
	for _ in $(seq 1 100); do
		victim=$(request_pids events | head -1)
		[ -n "$victim" ] && break
		sleep 0.05
	done
	[ -n "$victim" ]
	sleep 1
	kill -KILL "$victim"

	wait "$rpid" "$wpid" "$kpid"
	read -r rcode rtime <"$BATS_TEST_TMPDIR/r.res" || true
	read -r wcode wtime <"$BATS_TEST_TMPDIR/w.res" || true
	read -r kcode ktime <"$BATS_TEST_TMPDIR/k.res" || true
	echo "reader $rcode ${rtime}s, writer $wcode ${wtime}s, killed waiter $kcode ${ktime}s" >&3
	for t in "$rtime" "$wtime" "$ktime"; do
		awk -v t="$t" -v b=$BOUND 'BEGIN { exit !(t <= b) }'
	done
	# the reader: 503 with Retry-After and a JSON error (or, had the lock
	# come free, 200)
	case "$rcode" in
	503)
		grep -qi '^Retry-After: [0-9]' "$BATS_TEST_TMPDIR/r.hdr"
		jq -e '.error.message | strings' "$BATS_TEST_TMPDIR/r.body" >/dev/null ;;
	200) ;;
	*) echo "reader got $rcode" >&2; false ;;
	esac
	[[ "$wcode" == 503 || "$wcode" == 200 ]]
	[[ "$kcode" != 000 ]]		# the web server answered, it did not hang

	# The holder dies inside its transaction; the server serves again.
	kill -KILL "$HOLDER"
	wait "$HOLDER" 2>/dev/null || true
	HOLDER=
	exec 8>&-
	ok=
	for try in 1 2 3; do
		timed GET /workflows
		echo "after the holder died, request $try: $code in ${SECONDS}s" >&3
		if [ "$code" = 200 ]; then ok=1; break; fi
		[ "$code" = 503 ] && grep -qi '^Retry-After:' <<<"$headers"
		sleep 1
	done
	[ -n "$ok" ]
	[ "$(jqb '[.items[].name | select(. == "held")] | length')" = 0 ]
	# the waiting writer either committed whole or not at all
	expected=$total
	[ "$wcode" = 200 ] && expected=$((total + 1))
	expect_json .total_count "$expected"
	whole
	timed POST /workflows '{"name":"after-held","user":"u"}'
	expect_code 200
}

@test "SIGTERM, SIGINT, SIGHUP and SIGQUIT wait for the CGI to finish (a client that leaves kills nobody inside the library)" {
	# A create whose body has not all arrived: the CGI waits in read(),
	# as it would for a slow client, with the termination signals held.
	rm -f "$BATS_TEST_TMPDIR/in"
	mkfifo "$BATS_TEST_TMPDIR/in"
	exec 8<>"$BATS_TEST_TMPDIR/in"
	body='{"name":"survives-sigterm","user":"u"}'
	env -i PATH="$PATH" TZ=UTC TORC_DATABASE="$DBDIR" TORC_LOG_LEVEL=warn \
		REQUEST_METHOD=POST SCRIPT_NAME=/torc-service/v1/workflows CONTENT_LENGTH=${#body} \
		"$ROOT/build/cgi-bin/torc-service/v1/workflows" <&8 >"$BATS_TEST_TMPDIR/term.out" &
	HOLDER=$!
	for _ in $(seq 1 100); do
		[[ "$(cat /proc/$HOLDER/wchan 2>/dev/null)" == *pipe_read* ]] && break
		sleep 0.05
	done
	# SigBlk has bits HUP (1), INT (2), QUIT (3) and TERM (15): 0x4007
	blk=$(awk '/^SigBlk:/ { print $2 }' /proc/$HOLDER/status)
	[ $(( 0x$blk & 0x4007 )) = $(( 0x4007 )) ]
	kill -TERM "$HOLDER"; kill -INT "$HOLDER"; kill -HUP "$HOLDER"; kill -QUIT "$HOLDER"
	sleep 0.2
	kill -0 "$HOLDER"		# still there
	printf '%s' "$body" >&8
	rc=0
	wait "$HOLDER" || rc=$?
	HOLDER=
	exec 8>&-
	[ "$rc" = 0 ]
	grep -q '^Status: 200' "$BATS_TEST_TMPDIR/term.out"
	api GET "/workflows?name=survives-sigterm"
	expect_json .total_count 1
}

# healed WF: through the server, GET /workflows/WF answers 200 within
# HEAL_BOUND seconds (a request that stalls behind a dead process's mutex
# is ended after TORC_ATTACH_STALL_S, 3, and the next one recovers).
HEAL_BOUND=10
healed() {
	local start=$SECONDS
	while :; do
		api GET "/workflows/$1"
		[ "$code" = 200 ] && return 0
		[ "$code" = 503 ] || { echo "GET /workflows/$1: $code $body" >&2; return 1; }
		[ $((SECONDS - start)) -lt $HEAL_BOUND ] || { echo "not healed in $HEAL_BOUND s: $code $body" >&2; return 1; }
		sleep 0.2
	done
}

# die_at_mutexes METHOD PATH_INFO BODY STRIDE: a CGI killed right after it
# acquires its 1st, (1+STRIDE)th, ... region mutex, through every mutex the
# request takes (tests/fixtures/die_at_mutex.c); the server heals each time.
die_at_mutexes() {
	local n m died=0 stalled=0 so="$ROOT/build/tests/die_at_mutex.so"
	direct workflows "$1" "$2" "$3" LD_PRELOAD="$so" MUTEX_COUNT_FILE="$BATS_TEST_TMPDIR/count"
	[ "$d_code" = 200 ]
	m=$(cat "$BATS_TEST_TMPDIR/count")
	[ "$m" -gt 20 ]
	for n in $(seq 1 "$4" "$m"); do
		direct workflows "$1" "$2" "$3" LD_PRELOAD="$so" DIE_AT_MUTEX="$n"
		[ "$d_status" -eq 137 ] && died=$((died + 1))
		SECONDS=0
		healed "$wf" || { echo "after dying at mutex $n of $m" >&2; return 1; }
		[ "$SECONDS" -ge 2 ] && stalled=$((stalled + 1))
	done
	echo "$1: $m region mutexes; killed at $died points; $stalled stalled, then recovered" >&2
	[ "$died" -gt 0 ]
}

@test "a process killed holding a Berkeley DB mutex, at any point of a read or a write, never wedges the server" {
	wf=$(mk_workflow mutex-victim)
	before=$(wf_snapshot "$wf")
	die_at_mutexes GET "/$wf" "" 4
	die_at_mutexes POST "" '{"name":"mutex-writer","user":"u"}' 25
	[ "$(wf_snapshot "$wf")" = "$before" ]
	whole
	timed POST /workflows '{"name":"after-mutexes","user":"u"}'
	expect_code 200
	run "$ROOT/build/sbin/torc-admin" db verify --database "$DBDIR"
	[ "$status" = 0 ] || { echo "$output" >&2; return 1; }
}

@test "an open of the environment killed halfway, or stalled, is recovered by the next request" {
	wf=$(mk_workflow attach-victim)
	direct workflows GET "/$wf" "" TORC_FAULT=attach
	killed_by_fault attach
	SECONDS=0
	healed "$wf"
	[ "$SECONDS" -lt 2 ]
	grep -q 'a process died opening the environment' "$SERVER_LOG"
	# Stalled: the open takes longer than TORC_ATTACH_STALL_S (3 s).
	SECONDS=0
	direct workflows GET "/$wf" "" TORC_FAULT=attach TORC_FAULT_SLEEP_MS=60000
	[ "$d_code" = 503 ]
	[ "$SECONDS" -ge 3 ] && [ "$SECONDS" -lt 10 ]
	SECONDS=0
	healed "$wf"
	[ "$SECONDS" -lt 2 ]
}

@test "region files removed under a running server: the next request makes new ones from the log" {
	wf=$(mk_workflow regions-gone)
	before=$(wf_snapshot "$wf")
	rm -f "$DBDIR"/__db.0*
	healed "$wf"
	[ "$(wf_snapshot "$wf")" = "$before" ]
	ls "$DBDIR"/__db.001
	grep -q "database $DBDIR recovered after a failed process" "$SERVER_LOG"
}
