#!/usr/bin/env bats
# Bad input, resource by resource: malformed JSON, missing and mistyped
# fields (named in the message), bad ids in the path, duplicate keys, JSON
# nested past TORC_MAX_JSON_DEPTH, bodies over TORC_MAX_BODY (413, never
# read), a missing CONTENT_LENGTH (no body read, no wait for end of input),
# short bodies, unknown routes (404), wrong methods (405 with Allow),
# unknown, repeated and malformed query parameters.  Each answer has the
# right status, Content-Type: application/json and {"error":{"message":...}},
# and changes nothing: a snapshot of every list is the same afterwards.
#
# Body-size and CONTENT_LENGTH cases run the CGI binary directly, as the
# web server would, against the running server's database.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
	api POST /workflows '{"name":"bad-input","user":"u","description":"d"}'
	WF=$(jqb .id)
	api POST /jobs "{\"workflow_id\":$WF,\"name\":\"j\",\"command\":\"true\"}"
	JOB=$(jqb .id)
	api POST /files "{\"workflow_id\":$WF,\"name\":\"f\",\"path\":\"/f\"}"
	FILE=$(jqb .id)
	api POST /user_data "{\"workflow_id\":$WF,\"name\":\"ud\",\"data\":{\"k\":1}}"
	UD=$(jqb .id)
	api POST /events "{\"workflow_id\":$WF,\"timestamp\":1,\"data\":{}}"
	EVT=$(jqb .id)
	api POST /compute_nodes "{\"workflow_id\":$WF,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":1,\"memory_gb\":1,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	CN=$(jqb .id)
	api POST /results "{\"workflow_id\":$WF,\"job_id\":$JOB,\"compute_node_id\":$CN,\"run_id\":0,\"return_code\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\",\"status\":\"completed\"}"
	RES=$(jqb .id)
	api GET "/resource_requirements?workflow_id=$WF"
	RR=$(jqb '.items[0].id')
	[ -n "$WF" ] && [ -n "$JOB" ] && [ -n "$FILE" ] && [ -n "$UD" ] && [ -n "$EVT" ] &&
		[ -n "$CN" ] && [ -n "$RES" ] && [ -n "$RR" ]
	export WF JOB FILE UD EVT CN RES RR
}

teardown_file() { stop_server; }

RESOURCES="workflows jobs files user_data events compute_nodes results resource_requirements"

# snapshot: every list and record this suite could touch, as one text
snapshot() {
	local p
	for p in "/workflows" "/workflows/$WF" "/workflows/$WF/status" "/workflows/$WF/job_ids" \
		"/jobs?workflow_id=$WF" "/files?workflow_id=$WF" "/user_data?workflow_id=$WF" \
		"/events?workflow_id=$WF" "/compute_nodes?workflow_id=$WF" \
		"/results?workflow_id=$WF&all_runs=true" "/resource_requirements?workflow_id=$WF" \
		"/access_groups"; do
		api GET "$p"
		echo "$p $code $body"
	done
}

# expect_error CODE [SUBSTRING]: status, JSON content type, the error shape
expect_error() {
	expect_code "$1" || return 1
	if [[ $'\n'"${headers,,}"$'\n' != *$'\n'"content-type: application/json"$'\n'* ]]; then
		echo "no JSON content type for $1: $headers" >&2
		return 1
	fi
	local msg
	msg=$(jq -er '.error.message | strings' <<<"$body") || {
		echo "not an error body: $body" >&2
		return 1
	}
	[ -n "$msg" ] || { echo "empty message" >&2; return 1; }
	if [ -n "${2:-}" ] && [[ "$msg" != *"$2"* ]]; then
		echo "message '$msg' does not contain '$2'" >&2
		return 1
	fi
}

# bad CODE SUBSTRING METHOD PATH [BODY]
bad() {
	local want=$1 sub=$2
	shift 2
	api "$@"
	expect_error "$want" "$sub" || { echo "  in: $*" >&2; return 1; }
}

# cgi RESOURCE METHOD PATH_INFO [VAR=value...]: run a CGI as lighttpd does;
# stdin is the caller's.  Sets cgi_code, cgi_ctype and cgi_body; returns
# the exit status (124 from timeout: it waited).
cgi() {
	local res=$1 method=$2 pinfo=$3 out="$BATS_TEST_TMPDIR/cgi.out" st=0
	shift 3
	timeout 5 env -i PATH="$PATH" TZ=UTC TORC_DATABASE="$DBDIR" TORC_LOG_LEVEL=warn \
		GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$method" \
		SCRIPT_NAME="/torc-service/v1/$res" PATH_INFO="$pinfo" "$@" \
		"$ROOT/build/cgi-bin/torc-service/v1/$res" >"$out" 2>"$BATS_TEST_TMPDIR/cgi.err" || st=$?
	cgi_code=$(head -1 "$out" | sed -n 's/^Status: \([0-9]*\) .*/\1/p')
	cgi_ctype=$(tr -d '\r' <"$out" | sed -n 's/^Content-Type: //p' | head -1)
	cgi_body=$(tr -d '\r' <"$out" | sed '1,/^$/d')
	return $st
}

# expect_cgi_error CODE [SUBSTRING]
expect_cgi_error() {
	[ "$cgi_code" = "$1" ] || { echo "expected $1, got '$cgi_code': $cgi_body" >&2; return 1; }
	[ "$cgi_ctype" = application/json ] || { echo "content type '$cgi_ctype'" >&2; return 1; }
	local msg
	msg=$(jq -er '.error.message | strings' <<<"$cgi_body") || { echo "not an error: $cgi_body" >&2; return 1; }
	[[ "$msg" == *"${2:-}"* ]] || { echo "message '$msg' lacks '$2'" >&2; return 1; }
}

# A fifo on fd 7 that never reaches end of input (we hold it open for writing).
open_endless_stdin() {
	rm -f "$BATS_TEST_TMPDIR/in"
	mkfifo "$BATS_TEST_TMPDIR/in"
	exec 7<>"$BATS_TEST_TMPDIR/in"
	printf '%s' "$1" >&7
}

close_endless_stdin() {
	exec 7>&-
}

@test "malformed JSON is 400 on every resource" {
	before=$(snapshot)
	for r in $RESOURCES failure_handlers access_groups; do
		bad 400 "invalid JSON body" POST "/$r" '{"name":'
		bad 400 "body is required" POST "/$r" ''
	done
	bad 400 "invalid JSON body" POST /jobs '{"name":"x",}'
	bad 400 "invalid JSON body" POST /files "{'name':'x'}"
	bad 400 "trailing data" POST /events '{"name":"x"} {}'
	bad 400 "" POST /user_data '[]'
	bad 400 "JSON object" POST /workflows '"a string"'
	bad 400 "JSON object" POST /results '[{}]'
	bad 400 "invalid JSON body" PUT "/workflows/$WF" '{"name"'
	bad 400 "invalid JSON body" PUT "/workflows/$WF/status" '[1,'
	bad 400 "invalid JSON body" PUT "/jobs/$JOB" 'nul'
	bad 400 "invalid JSON body" PUT "/files/$FILE" '{"name":01}'
	bad 400 "JSON object" PUT "/files/$FILE" '7'
	bad 400 "JSON object" PUT "/workflows/$WF" 'null'
	[ "$(snapshot)" = "$before" ]
}

@test "strict JSON: NUL, \\u0000, raw control characters, invalid UTF-8, huge numbers" {
	before=$(snapshot)
	printf '{"name":"a\0b","user":"u"}' >"$BATS_TEST_TMPDIR/nul.json"
	code=$(curl -s -o "$BATS_TEST_TMPDIR/o" -w '%{http_code}' -X POST --data-binary @"$BATS_TEST_TMPDIR/nul.json" "$BASE/workflows")
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message "$BATS_TEST_TMPDIR/o")" == *"NUL"* ]]
	bad 400 "NUL" POST /workflows '{"name":"a\u0000b","user":"u"}'
	bad 400 "control character" POST /workflows "$(printf '{"name":"a\tb","user":"u"}')"
	bad 400 "UTF-8" POST /workflows "$(printf '{"name":"a\xff","user":"u"}')"
	bad 400 "UTF-8" PUT "/workflows/$WF" "$(printf '{"description":"\xc0\xaf"}')"
	bad 400 "out of range" POST /files "{\"workflow_id\":$WF,\"name\":\"f\",\"path\":\"/p\",\"st_mtime\":1e400}"
	bad 400 "number" POST /files "{\"workflow_id\":0$WF,\"name\":\"f\",\"path\":\"/p\"}"
	[ "$(snapshot)" = "$before" ]
	# and the good forms of the same still work
	api POST /workflows '{"name":"caf\u00e9 \u263a","user":"u"}'
	expect_code 200
	expect_json .name "café ☺"
	api DELETE "/workflows/$(jqb .id)"
	expect_code 200
}

@test "a missing required field is 400 naming the field" {
	before=$(snapshot)
	bad 400 "missing required field 'name'" POST /workflows '{"user":"u"}'
	bad 400 "missing required field 'user'" POST /workflows '{"name":"n"}'
	bad 400 "missing required field 'name'" POST /workflows '{"name":null,"user":"u"}'
	bad 400 "missing required field 'workflow_id'" POST /jobs '{"name":"j","command":"c"}'
	bad 400 "missing required field 'command'" POST /jobs "{\"workflow_id\":$WF,\"name\":\"j\"}"
	bad 400 "missing required field 'name'" POST /jobs "{\"workflow_id\":$WF,\"command\":\"c\"}"
	bad 400 "missing required field 'path'" POST /files "{\"workflow_id\":$WF,\"name\":\"f\"}"
	bad 400 "missing required field 'name'" POST /user_data "{\"workflow_id\":$WF}"
	bad 400 "missing required field 'timestamp'" POST /events "{\"workflow_id\":$WF,\"data\":{}}"
	bad 400 "missing required field 'data'" POST /events "{\"workflow_id\":$WF,\"timestamp\":1}"
	bad 400 "missing required field 'hostname'" POST /compute_nodes "{\"workflow_id\":$WF}"
	bad 400 "missing required field 'return_code'" POST /results \
		"{\"workflow_id\":$WF,\"job_id\":$JOB,\"compute_node_id\":$CN,\"run_id\":0,\"exec_time_minutes\":1,\"completion_time\":\"t\",\"status\":\"completed\"}"
	bad 400 "missing required field 'name'" POST /resource_requirements "{\"workflow_id\":$WF}"
	bad 400 "missing required field 'workflow_id'" POST /resource_requirements '{"name":"r"}'
	bad 400 "missing required field 'run_id'" PUT "/workflows/$WF/status" '{"is_canceled":true}'
	bad 400 "missing required field 'name'" POST /access_groups '{"description":"x"}'
	[ "$(snapshot)" = "$before" ]
}

@test "a wrong type is 400 naming the field" {
	before=$(snapshot)
	bad 400 "field 'name' must be a string" POST /workflows '{"name":5,"user":"u"}'
	bad 400 "field 'user' must be a string" POST /workflows '{"name":"n","user":["u"]}'
	bad 400 "field 'use_pending_failed' must be true or false" POST /workflows '{"name":"n","user":"u","use_pending_failed":"yes"}'
	bad 400 "field 'compute_node_wait_for_new_jobs_seconds' must be an integer" POST /workflows \
		'{"name":"n","user":"u","compute_node_wait_for_new_jobs_seconds":1.5}'
	bad 400 "field 'workflow_id' must be an integer" POST /jobs '{"workflow_id":"1","name":"j","command":"c"}'
	bad 400 "field 'command' must be a string" POST /jobs "{\"workflow_id\":$WF,\"name\":\"j\",\"command\":[]}"
	bad 400 "field 'depends_on_job_ids'" POST /jobs "{\"workflow_id\":$WF,\"name\":\"j\",\"command\":\"c\",\"depends_on_job_ids\":[\"1\"]}"
	bad 400 "field 'path' must be a string" POST /files "{\"workflow_id\":$WF,\"name\":\"f\",\"path\":1}"
	bad 400 "field 'st_mtime' must be a number" POST /files "{\"workflow_id\":$WF,\"name\":\"f\",\"path\":\"/p\",\"st_mtime\":\"now\"}"
	bad 400 "field 'is_ephemeral' must be true or false" POST /user_data "{\"workflow_id\":$WF,\"name\":\"u\",\"is_ephemeral\":1}"
	bad 400 "field 'timestamp'" POST /events "{\"workflow_id\":$WF,\"timestamp\":\"now\",\"data\":{}}"
	bad 400 "field 'pid' must be an integer" POST /compute_nodes \
		"{\"workflow_id\":$WF,\"hostname\":\"h\",\"pid\":\"x\",\"start_time\":\"t\",\"num_cpus\":1,\"memory_gb\":1,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	bad 400 "field 'return_code' must be an integer" POST /results \
		"{\"workflow_id\":$WF,\"job_id\":$JOB,\"compute_node_id\":$CN,\"run_id\":0,\"return_code\":0.5,\"exec_time_minutes\":1,\"completion_time\":\"t\",\"status\":\"completed\"}"
	bad 400 "field 'num_cpus' must be an integer" POST /resource_requirements "{\"workflow_id\":$WF,\"name\":\"r\",\"num_cpus\":\"4\"}"
	bad 400 "field 'name' must be a string" PUT "/workflows/$WF" '{"name":{}}'
	bad 400 "field 'name' must be a string" PUT "/files/$FILE" '{"name":7}'
	bad 400 "field 'run_id' must be an integer" PUT "/workflows/$WF/status" '{"is_canceled":false,"run_id":"0"}'
	bad 400 "field 'is_canceled' must be true or false" PUT "/workflows/$WF/status" '{"is_canceled":0,"run_id":0}'
	[ "$(snapshot)" = "$before" ]
}

@test "an id in the path that is not a non-negative integer is 400; an absent one 404" {
	before=$(snapshot)
	for id in abc -1 1.5 1e3 0x1 99999999999999999999 9223372036854775808 '%20' 1%2B1; do
		bad 400 "invalid id" GET "/workflows/$id"
	done
	for r in $RESOURCES failure_handlers access_groups; do
		bad 400 "invalid id" GET "/$r/-1"
		bad 400 "invalid id" DELETE "/$r/x"
	done
	for r in $RESOURCES; do
		bad 400 "invalid id" PUT "/$r/99999999999999999999" '{}'
		bad 404 "not found" GET "/$r/987654321"
	done
	bad 404 "not found" DELETE /jobs/987654321
	bad 404 "not found" DELETE /workflows/987654321
	bad 400 "invalid id" GET /workflows/abc/status
	bad 400 "invalid id" PUT /workflows/-2/status '{"is_canceled":false,"run_id":0}'
	bad 400 "invalid id" GET /workflows/1.0/job_ids
	bad 400 "invalid id" PUT "/jobs/$JOB/start_job/x/1"
	bad 400 "invalid id" GET "/access_check/abc/bob"
	[ "$(snapshot)" = "$before" ]
}

@test "duplicate keys are 400, at any depth" {
	before=$(snapshot)
	bad 400 "duplicate key 'name'" POST /workflows '{"name":"a","user":"u","name":"b"}'
	bad 400 "duplicate key 'name'" PUT "/workflows/$WF" '{"name":"a","name":"a"}'
	bad 400 "duplicate key 'k'" POST /user_data "{\"workflow_id\":$WF,\"name\":\"u\",\"data\":{\"k\":1,\"k\":2}}"
	bad 400 "duplicate key 'z'" POST /events "{\"workflow_id\":$WF,\"timestamp\":2,\"data\":{\"a\":[{\"z\":1,\"y\":2,\"z\":3}]}}"
	bad 400 "duplicate key 'run_id'" PUT "/workflows/$WF/status" '{"is_canceled":false,"run_id":0,"run_id":1}'
	bad 400 "duplicate key 'workflow_id'" POST /jobs "{\"workflow_id\":$WF,\"workflow_id\":$WF,\"name\":\"j\",\"command\":\"c\"}"
	[ "$(snapshot)" = "$before" ]
}

@test "JSON nested deeper than TORC_MAX_JSON_DEPTH (64) is 400; 64 levels are fine" {
	depth=$(sed -n 's/^#define TORC_MAX_JSON_DEPTH[[:space:]]*\([0-9]*\).*/\1/p' "$ROOT/lib/bounds.h")
	[ "$depth" = 64 ]
	# The body object is level 1, "data" level 2: 62 more arrays make 64.
	inner=$(printf '%*s' 62 '' | tr ' ' '['; printf 1; printf '%*s' 62 '' | tr ' ' ']')
	api POST /user_data "{\"workflow_id\":$WF,\"name\":\"deep\",\"data\":{\"a\":$inner}}"
	expect_code 200
	deep=$(jqb .id)
	api DELETE "/user_data/$deep"
	expect_code 200

	before=$(snapshot)
	inner="[$inner]"
	bad 400 "nesting deeper than 64 levels" POST /user_data "{\"workflow_id\":$WF,\"name\":\"deep\",\"data\":{\"a\":$inner}}"
	bad 400 "nesting deeper" PUT "/user_data/$UD" "{\"data\":{\"a\":$inner}}"
	huge=$(printf '%*s' 100000 '' | tr ' ' '[')
	bad 400 "nesting deeper" POST /events "{\"workflow_id\":$WF,\"timestamp\":1,\"data\":$huge}"
	[ "$(snapshot)" = "$before" ]
}

@test "a body over TORC_MAX_BODY is 413 before any byte is read" {
	max=$(sed -n 's/^#define TORC_MAX_BODY[[:space:]]*(\([0-9L *]*\)).*/\1/p' "$ROOT/lib/bounds.h" | tr -d 'L ')
	max=$((max))
	[ "$max" -eq $((64 * 1024 * 1024)) ]
	before=$(snapshot)
	for len in 999999999999 $((max + 1)) 99999999999999999999999; do
		open_endless_stdin '{"name":"big","user":"u"}'
		SECONDS=0
		cgi workflows POST "" CONTENT_LENGTH="$len" <&7
		close_endless_stdin
		[ "$SECONDS" -lt 4 ]
		expect_cgi_error 413 "exceeds the limit of $max bytes"
	done
	for r in jobs files events; do
		open_endless_stdin '{}'
		cgi "$r" POST "" CONTENT_LENGTH=999999999999 <&7
		close_endless_stdin
		expect_cgi_error 413
	done
	open_endless_stdin '{}'
	cgi workflows PUT "/$WF" CONTENT_LENGTH=$((max + 1)) <&7
	close_endless_stdin
	expect_cgi_error 413
	# exactly at the cap is allowed: the CGI reads it (and refuses the JSON)
	head -c "$max" /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/max.json"
	cgi workflows POST "" CONTENT_LENGTH="$max" <"$BATS_TEST_TMPDIR/max.json"
	expect_cgi_error 400 "invalid JSON body"
	# through lighttpd the web server refuses it first
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Length: 999999999999' "$BASE/workflows")
	[ "$code" = 413 ]
	[ "$(snapshot)" = "$before" ]
}

@test "no CONTENT_LENGTH: no body is read and nothing waits for end of input" {
	before=$(snapshot)
	for target in "workflows POST" "jobs POST" "files POST" "events POST"; do
		set -- $target
		open_endless_stdin '{"name":"never read","user":"u"}'
		SECONDS=0
		st=0
		cgi "$1" "$2" "" <&7 || st=$?
		close_endless_stdin
		[ "$st" -eq 0 ]			# not 124: it did not wait
		[ "$SECONDS" -lt 4 ]
		expect_cgi_error 400 "body is required"
	done
	open_endless_stdin '{"description":"never read"}'
	cgi workflows PUT "/$WF" <&7
	close_endless_stdin
	expect_cgi_error 400 "body is required"
	# an empty CONTENT_LENGTH is the same as none
	open_endless_stdin '{"name":"x","user":"u"}'
	cgi workflows POST "" CONTENT_LENGTH= <&7
	close_endless_stdin
	expect_cgi_error 400 "body is required"
	# a route without a body answers without touching stdin
	open_endless_stdin 'junk'
	cgi workflows GET "/$WF" <&7
	close_endless_stdin
	[ "$cgi_code" = 200 ]
	[ "$(jq -r .id <<<"$cgi_body")" = "$WF" ]
	[ "$(snapshot)" = "$before" ]
}

@test "a short body and a malformed CONTENT_LENGTH are 400" {
	before=$(snapshot)
	printf '{"name":"short","user":"u"}' >"$BATS_TEST_TMPDIR/short.json"
	cgi workflows POST "" CONTENT_LENGTH=100 <"$BATS_TEST_TMPDIR/short.json"
	expect_cgi_error 400 "shorter than CONTENT_LENGTH"
	cgi jobs POST "" CONTENT_LENGTH=5 </dev/null
	expect_cgi_error 400 "shorter than CONTENT_LENGTH"
	for cl in -1 abc 1.5 " 10" 0x10; do
		cgi workflows POST "" CONTENT_LENGTH="$cl" <"$BATS_TEST_TMPDIR/short.json"
		expect_cgi_error 400 "invalid CONTENT_LENGTH"
	done
	# the exact length works (and is then removed again)
	cgi workflows POST "" CONTENT_LENGTH=$(wc -c <"$BATS_TEST_TMPDIR/short.json") <"$BATS_TEST_TMPDIR/short.json"
	[ "$cgi_code" = 200 ]
	api DELETE "/workflows/$(jq -r .id <<<"$cgi_body")"
	expect_code 200
	[ "$(snapshot)" = "$before" ]
}

@test "unknown routes are 404 JSON, through every CGI and the web server" {
	before=$(snapshot)
	bad 404 "no such route" GET "/workflows/$WF/nonexistent"
	bad 404 "no such route" POST "/workflows/$WF/nonexistent" '{}'
	bad 404 "no such route" GET "/jobs/$JOB/start_job"
	bad 404 "no such route" GET "/files/$FILE/extra/segments"
	bad 404 "no such route" GET /ping/more
	bad 404 "no such route" GET /nonexistent_resource
	bad 404 "no such route" POST /nonexistent_resource '{"a":1}'
	bad 404 "no such route" DELETE /nonexistent_resource/1
	bad 404 "no such route" GET /
	bad 404 "" GET "/workflows/$WF/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q"
	[ "$(snapshot)" = "$before" ]
}

@test "a wrong method is 405 with Allow listing the methods" {
	before=$(snapshot)
	allow() { grep -i '^Allow:' <<<"$headers" | sed 's/^[^:]*: *//'; }
	bad 405 "not allowed" PATCH "/workflows/$WF" '{}'
	[ "$(allow)" = "GET, PUT, DELETE" ]
	bad 405 "not allowed" DELETE /workflows
	[ "$(allow)" = "POST, GET" ]
	bad 405 "not allowed" PUT /workflows '{}'
	[ "$(allow)" = "POST, GET" ]
	bad 405 "not allowed" POST "/workflows/$WF/status" '{}'
	[ "$(allow)" = "GET, PUT" ]
	bad 405 "not allowed" DELETE "/workflows/$WF/job_ids"
	[ "$(allow)" = "GET" ]
	bad 405 "not allowed" POST /ping '{}'
	[ "$(allow)" = "GET" ]
	bad 405 "not allowed" DELETE /version
	[ "$(allow)" = "GET" ]
	bad 405 "not allowed" PUT /events '{}'
	[ "$(allow)" = "POST, GET, DELETE" ]
	bad 405 "not allowed" POST "/jobs/$JOB" '{}'
	[ "$(allow)" = "GET, PUT, DELETE" ]
	bad 405 "not allowed" PUT /bulk_jobs '{}'
	[ "$(allow)" = "POST" ]
	[ "$(snapshot)" = "$before" ]
}

@test "unknown, repeated and malformed query parameters are 400" {
	before=$(snapshot)
	bad 400 "unknown query parameter 'bogus'" GET "/workflows?bogus=1"
	bad 400 "unknown query parameter 'workflow_id'" GET "/workflows/$WF?workflow_id=1"
	bad 400 "unknown query parameter 'nope'" GET "/jobs?workflow_id=$WF&nope=2"
	bad 400 "unknown query parameter" POST "/workflows?x=1" '{"name":"q","user":"u"}'
	bad 400 "unknown query parameter" DELETE "/workflows/$WF?force=true"
	bad 400 "unknown query parameter" PUT "/workflows/$WF/status?x" '{"is_canceled":false,"run_id":0}'

	bad 400 "given more than once" GET "/workflows?limit=1&limit=2"
	bad 400 "given more than once" GET "/workflows?name=a&name=a"
	bad 400 "given more than once" GET "/jobs?workflow_id=$WF&workflow_id=$WF"
	bad 400 "given more than once" GET "/files?workflow_id=$WF&offset=0&offset=0"
	bad 400 "given more than once" GET "/workflows?is_archived=true&is_archived=false"

	bad 400 "'limit' must be an integer" GET "/workflows?limit=abc"
	bad 400 "'limit' must be" GET "/workflows?limit=1e2"
	bad 400 "'limit' must be" GET "/workflows?limit="
	bad 400 "'offset' must be between" GET "/workflows?offset=-1"
	bad 400 "'limit' must be between" GET "/workflows?limit=99999999"
	bad 400 "'offset' must be" GET "/workflows?offset=99999999999999999999"
	bad 400 "'reverse_sort' must be true or false" GET "/workflows?reverse_sort=yes"
	bad 400 "'is_archived' must be true or false" GET "/workflows?is_archived=1"
	bad 400 "workflow_id" GET "/jobs?workflow_id=abc"
	bad 400 "workflow_id" GET "/jobs?workflow_id=-3"
	bad 400 "workflow_id" GET "/files"
	bad 400 "sort_by" GET "/workflows?sort_by=name%20desc"
	# lighttpd passes a stray '%' on as %25 and refuses %00 itself; the CGI
	# refuses both when they reach it
	code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/workflows?name=a%00b")
	[ "$code" = 400 ]
	for q in 'name=%zz' 'name=a%00b' 'name=%4' 'na%zzme=1'; do
		cgi workflows GET "" QUERY_STRING="$q" </dev/null
		expect_cgi_error 400 "malformed path or query string"
	done
	bad 400 "" GET "/events?workflow_id=$WF&after_timestamp=soon"
	[ "$(snapshot)" = "$before" ]
}

@test "unknown body fields: named in one Warning header, safely, briefly, and quickly" {
	before=$(snapshot)
	api POST /workflows '{"name":"warned","user":"u","colour":"red","x\u0001y":1,"\u007f":2}'
	expect_code 200
	[[ "$headers" == *$'\n'"Warning: Ignoring unknown fields in body: [colour, x?y, ?]"* ]]
	api DELETE "/workflows/$(jqb .id)"
	expect_code 200
	# 20,000 unknown fields: answered at once, the header capped (lighttpd
	# refuses response headers past 64 KiB with a 502, after the commit)
	jq -cn '{name:"many",user:"u"} + ([range(20000) | {key:"unknown_field_\(.)", value:1}] | from_entries)' \
		>"$BATS_TEST_TMPDIR/many.json"
	SECONDS=0
	code=$(curl -s -D "$BATS_TEST_TMPDIR/many.hdr" -o "$BATS_TEST_TMPDIR/many.out" -w '%{http_code}' \
		--max-time 30 -X POST --data-binary @"$BATS_TEST_TMPDIR/many.json" "$BASE/workflows")
	[ "$code" = 200 ]
	[ "$SECONDS" -le 5 ]
	warning=$(grep -i '^Warning:' "$BATS_TEST_TMPDIR/many.hdr" | tr -d '\r')
	[[ "$warning" == "Warning: Ignoring unknown fields in body: [unknown_field_0, unknown_field_1, "*", ...]" ]]
	[ "${#warning}" -le 5000 ]
	api DELETE "/workflows/$(jq -r .id "$BATS_TEST_TMPDIR/many.out")"
	expect_code 200
	[ "$(snapshot)" = "$before" ]
}

@test "errors lighttpd answers itself are JSON too, and say they come from the web server" {
	local h="$BATS_TEST_TMPDIR/h" o="$BATS_TEST_TMPDIR/o"
	# a NUL in the URL: refused while parsing the request
	code=$(curl -s -D "$h" -o "$o" -w '%{http_code}' "$BASE/workflows/1%00")
	[ "$code" = 400 ]
	grep -qi '^Content-Type: application/json' "$h"
	[ "$(jq -r .error.message "$o")" = "web server: bad request: the web server could not parse it" ]
	# a body over lighttpd's max-request-size: refused before any CGI runs
	code=$(curl -s -D "$h" -o "$o" -w '%{http_code}' --max-time 10 -X POST \
		-H 'Content-Length: 999999999999' "$BASE/workflows")
	[ "$code" = 413 ]
	grep -qi '^Content-Type: application/json' "$h"
	[ "$(jq -r .error.message "$o")" = "web server: request too large" ]
	# a POST without a body or a Content-Length (curl -X POST URL): lighttpd
	# wants a length; the message says how to give one
	code=$(curl -s -D "$h" -o "$o" -w '%{http_code}' -X POST "$BASE/workflows/1/initialize_jobs")
	[ "$code" = 411 ]
	grep -qi '^Content-Type: application/json' "$h"
	[[ "$(jq -r .error.message "$o")" == "web server: length required: "*"-d ''"* ]]
}

@test "a CGI that dies without answering is a JSON 500 from the web server" {
	local dir="$BATS_TEST_TMPDIR/fault" base=$BASE pid=$SERVER_PID port=$PORT log=$SERVER_LOG
	mkdir -p "$dir"
	# A second server whose CGIs die before committing; fd 3 closed so
	# bats does not wait for it.
	TORC_FAULT=before-commit BATS_TEST_TMPDIR="$dir" DBDIR="$dir/db" start_server 3>&-
	FAULT_PID=$SERVER_PID
	SERVER_PID=$pid PORT=$port SERVER_LOG=$log
	api POST /workflows '{"name":"dies","user":"u"}'
	BASE=$base
	expect_code 500
	expect_json .error.message "web server: the request ended without an answer; it may or may not have taken effect"
	grep -qi '^Content-Type: application/json' <<<"$headers"
}

teardown() {
	if [ -n "${FAULT_PID:-}" ]; then
		kill -INT "$FAULT_PID" 2>/dev/null || true
		wait "$FAULT_PID" 2>/dev/null || true
		FAULT_PID=
	fi
}

@test "an over-long path is 414, and a path quoted in an error is cut short" {
	local long
	long=$(printf 'a%.0s' $(seq 20000))
	api GET "/$long"
	expect_code 414
	expect_json .error.message "request URI too long"
	long=$(printf 'b%.0s' $(seq 600))
	api GET "/workflows/1/$long"
	expect_code 404
	[ "${#body}" -lt 600 ]
	[[ "$(jqb .error.message)" == "no such route: GET /workflows/1/bbbb"*"..." ]]
	api GET "/$long"
	expect_code 404
	[ "${#body}" -lt 600 ]
}

@test "one string over TORC_MAX_STRING (1 MiB) is 400 and stores nothing" {
	local before f="$BATS_TEST_TMPDIR/long.json"
	before=$(snapshot)
	python3 -c 'import sys; sys.stdout.write("{\"name\":\"" + "a" * (1024 * 1024 + 1) + "\",\"user\":\"u\"}")' >"$f"
	code=$(curl -s -o "$BATS_TEST_TMPDIR/o" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "@$f" "$BASE/workflows")
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message "$BATS_TEST_TMPDIR/o")" == *"string longer than 1048576 bytes at byte 8"* ]]
	[ "$(snapshot)" = "$before" ]
}
