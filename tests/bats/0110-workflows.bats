#!/usr/bin/env bats
# /workflows: every route.  Create (defaults, the default resource
# requirement, the status record), list (filters, the envelope, offset,
# limit, sort_by, reverse_sort), get, update (COALESCE), delete (cascading
# to everything in the workflow and nothing outside it), status get/put,
# job_ids; ids start at 1, increase, and are never reused.
#
# One server for the file; the first test runs on the fresh database.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# post PATH BODY -> echoes the new id (fails the test on a non-200)
post() {
	api POST "$1" "$2"
	expect_code 200 >&2 || return 1
	jqb .id
}

# mk_all WF -> sets JOB JOB2 FILE UD RR RES EVT CN FH: one of each record in WF
mk_all() {
	local wf=$1
	JOB=$(post /jobs "{\"workflow_id\":$wf,\"name\":\"j1\",\"command\":\"true\"}") || return 1
	FILE=$(post /files "{\"workflow_id\":$wf,\"name\":\"f\",\"path\":\"/tmp/f\"}") || return 1
	UD=$(post /user_data "{\"workflow_id\":$wf,\"name\":\"ud\",\"data\":{\"k\":1}}") || return 1
	RR=$(post /resource_requirements "{\"workflow_id\":$wf,\"name\":\"big\",\"num_cpus\":4,\"memory\":\"2g\",\"runtime\":\"PT2H\"}") || return 1
	JOB2=$(post /jobs "{\"workflow_id\":$wf,\"name\":\"j2\",\"command\":\"true\",\"depends_on_job_ids\":[$JOB],\"input_file_ids\":[$FILE],\"input_user_data_ids\":[$UD],\"resource_requirements_id\":$RR}") || return 1
	CN=$(post /compute_nodes "{\"workflow_id\":$wf,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"2025-01-01T00:00:00Z\",\"num_cpus\":1,\"memory_gb\":1,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}") || return 1
	RES=$(post /results "{\"workflow_id\":$wf,\"job_id\":$JOB,\"compute_node_id\":$CN,\"run_id\":1,\"return_code\":0,\"exec_time_minutes\":0.5,\"completion_time\":\"2025-01-01T00:00:00Z\",\"status\":\"completed\"}") || return 1
	EVT=$(post /events "{\"workflow_id\":$wf,\"timestamp\":1000,\"data\":{\"e\":1}}") || return 1
	FH=$(post /failure_handlers "{\"workflow_id\":$wf,\"name\":\"fh\",\"rules\":\"[]\"}") || return 1
}

# totals WF -> one line: the total_count of each workflow-scoped list
totals() {
	local wf=$1 r out=""
	for r in jobs files user_data resource_requirements results events compute_nodes; do
		api GET "/$r?workflow_id=$wf$([ $r = results ] && echo '&all_runs=true')"
		expect_code 200 >&2 || return 1
		out+="$r=$(jqb .total_count) "
	done
	echo "$out"
}

@test "ids start at 1, increase, and are never reused after a delete" {
	api POST /workflows '{"name":"first","user":"ids"}'
	expect_code 200
	expect_json .id 1
	expect_json .status_id 1
	api GET /resource_requirements/1
	expect_code 200
	expect_json '[.workflow_id,.name] | @csv' '1,"default"'

	w2=$(post /workflows '{"name":"second","user":"ids"}')
	[ "$w2" -eq 2 ]
	api DELETE /workflows/2
	expect_code 200
	w3=$(post /workflows '{"name":"third","user":"ids"}')
	[ "$w3" -eq 3 ]
	# the default rr of workflow 2 was id 2; workflow 3's is 3, not 2 again
	api GET "/resource_requirements?workflow_id=3"
	expect_json '.items[0].id' 3

	# the same for records inside a workflow
	j1=$(post /jobs '{"workflow_id":1,"name":"a","command":"true"}')
	[ "$j1" -eq 1 ]
	api DELETE "/jobs/$j1"
	expect_code 200
	j2=$(post /jobs '{"workflow_id":1,"name":"b","command":"true"}')
	[ "$j2" -eq 2 ]
	f1=$(post /files '{"workflow_id":1,"name":"a","path":"/a"}')
	[ "$f1" -eq 1 ]

	# deleting the newest workflow does not hand its id out again
	api DELETE /workflows/3
	api DELETE /workflows/1
	expect_code 200
	w4=$(post /workflows '{"name":"fourth","user":"ids"}')
	[ "$w4" -eq 4 ]
	# a client-sent id is ignored
	w5=$(post /workflows '{"id":2,"name":"fifth","user":"ids"}')
	[ "$w5" -eq 5 ]
	api GET /workflows/2
	expect_code 404
}

@test "create fills Torc's defaults, a status record and the default resource requirement" {
	api POST /workflows '{"name":"defaults","user":"alice"}'
	expect_code 200
	wf=$(jqb .id)
	[[ "$headers" == *"Content-Type: application/json"* ]]
	expect_json .status_id "$wf"
	[[ "$(jqb .timestamp)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]]

	api GET "/workflows/$wf"
	expect_code 200
	expect_json .name defaults
	expect_json .user alice
	expect_json .compute_node_expiration_buffer_seconds 60
	expect_json .compute_node_wait_for_new_jobs_seconds 90
	expect_json .compute_node_ignore_workflow_completion false
	expect_json .compute_node_wait_for_healthy_database_minutes 20
	expect_json .compute_node_min_time_for_new_jobs_seconds 300
	expect_json .jobs_sort_method gpus_runtime_memory
	expect_json .use_pending_failed false
	expect_json .status_id "$wf"
	expect_json 'has("description")' false

	api GET "/workflows/$wf/status"
	expect_code 200
	expect_json '[.id,.run_id,.is_canceled,.is_archived,.has_detected_need_to_run_completion_script] | @csv' \
		"$wf,0,false,false,false"

	api GET "/resource_requirements?workflow_id=$wf"
	expect_code 200
	expect_json .total_count 1
	expect_json '.items[0] | [.workflow_id,.name,.num_cpus,.num_gpus,.num_nodes,.memory,.runtime] | @csv' \
		"$wf,\"default\",1,0,1,\"1m\",\"P0DT1M\""

	# every field given is kept
	api POST /workflows '{"name":"full","user":"bob","description":"all set",
		"compute_node_expiration_buffer_seconds":1,"compute_node_wait_for_new_jobs_seconds":2,
		"compute_node_ignore_workflow_completion":true,"compute_node_wait_for_healthy_database_minutes":3,
		"compute_node_min_time_for_new_jobs_seconds":4,"jobs_sort_method":"none",
		"resource_monitor_config":"{\"enabled\":true}","slurm_defaults":"{}","use_pending_failed":true}'
	expect_code 200
	full=$(jqb .id)
	api GET "/workflows/$full"
	expect_json '[.description,.compute_node_expiration_buffer_seconds,.compute_node_wait_for_new_jobs_seconds,
		.compute_node_ignore_workflow_completion,.compute_node_wait_for_healthy_database_minutes,
		.compute_node_min_time_for_new_jobs_seconds,.jobs_sort_method,.resource_monitor_config,
		.slurm_defaults,.use_pending_failed] | @csv' \
		'"all set",1,2,true,3,4,"none","{""enabled"":true}","{}",true'

	# without authentication the body names the owner, and must
	api POST /workflows '{"name":"nobody"}'
	expect_code 400
	expect_json .error.message "missing required field 'user'"
	api POST /workflows '{"user":"x"}'
	expect_code 400
	expect_json .error.message "missing required field 'name'"
	api POST /workflows '{"name":"s","user":"u","jobs_sort_method":"fastest"}'
	expect_code 400
}

@test "list filters: name, user, description substring, is_archived" {
	a=$(post /workflows '{"name":"alpha","user":"filt-1","description":"the first one"}')
	b=$(post /workflows '{"name":"beta","user":"filt-1","description":"second ONE"}')
	c=$(post /workflows '{"name":"alpha","user":"filt-2"}')
	d=$(post /workflows '{"name":"delta","user":"filt-2","description":"one more"}')

	api GET "/workflows?user=filt-1"
	expect_code 200
	expect_json '[.items[].id] | @csv' "$a,$b"
	expect_json .total_count 2
	api GET "/workflows?name=alpha"
	expect_json '[.items[].id] | @csv' "$a,$c"
	api GET "/workflows?name=alpha&user=filt-2"
	expect_json '[.items[].id] | @csv' "$c"
	api GET "/workflows?name=alph"
	expect_json .total_count 0		# name is exact
	api GET "/workflows?description=one"
	expect_json '[.items[].id] | @csv' "$a,$d"	# substring, case-sensitive
	api GET "/workflows?description=ONE&user=filt-1"
	expect_json '[.items[].id] | @csv' "$b"
	api GET "/workflows?description=the%20first"
	expect_json '[.items[].id] | @csv' "$a"
	api GET "/workflows?user=filt-1&description=nothing"
	expect_code 200
	expect_json '[.items, .count, .total_count, .has_more] | @json' '[[],0,0,false]'

	api PUT "/workflows/$b/status" '{"is_canceled":false,"run_id":0,"is_archived":true}'
	expect_code 200
	api GET "/workflows?user=filt-1&is_archived=true"
	expect_json '[.items[].id] | @csv' "$b"
	api GET "/workflows?user=filt-1&is_archived=false"
	expect_json '[.items[].id] | @csv' "$a"
	api GET "/workflows?user=filt-1"
	expect_json '[.items[].id] | @csv' "$a,$b"	# no filter: both
	api GET "/workflows?user=filt-1&is_archived=maybe"
	expect_code 400
}

@test "list envelope: offset, limit, has_more, sort_by, reverse_sort" {
	for n in c e a d b; do
		ids+=("$(post /workflows "{\"name\":\"$n\",\"user\":\"pager\"}")")
	done
	api GET "/workflows?user=pager"
	expect_code 200
	expect_json 'keys | @csv' '"count","has_more","items","max_limit","offset","total_count"'
	expect_json '[.offset,.max_limit,.count,.total_count,.has_more] | @csv' '0,10000,5,5,false'
	expect_json '[.items[].id] | @csv' "$(IFS=,; echo "${ids[*]}")"	# id order

	api GET "/workflows?user=pager&limit=2"
	expect_json '[.offset,.count,.total_count,.has_more] | @csv' '0,2,5,true'
	expect_json '[.items[].name] | @csv' '"c","e"'
	api GET "/workflows?user=pager&limit=2&offset=2"
	expect_json '[.offset,.count,.total_count,.has_more] | @csv' '2,2,5,true'
	expect_json '[.items[].name] | @csv' '"a","d"'
	api GET "/workflows?user=pager&limit=2&offset=4"
	expect_json '[.offset,.count,.total_count,.has_more] | @csv' '4,1,5,false'
	api GET "/workflows?user=pager&offset=9"
	expect_json '[.offset,.count,.total_count,.has_more,(.items|length)] | @csv' '9,0,5,false,0'
	api GET "/workflows?user=pager&limit=0"
	expect_json '[.count,.total_count,(.items|length)] | @csv' '0,5,0'

	api GET "/workflows?user=pager&sort_by=name"
	expect_json '[.items[].name] | @csv' '"a","b","c","d","e"'
	api GET "/workflows?user=pager&sort_by=name&reverse_sort=true"
	expect_json '[.items[].name] | @csv' '"e","d","c","b","a"'
	api GET "/workflows?user=pager&sort_by=name&reverse_sort=true&offset=1&limit=2"
	expect_json '[.items[].name] | @csv' '"d","c"'
	api GET "/workflows?user=pager&reverse_sort=true"
	expect_json '.items[0].id' "${ids[4]}"
	api GET "/workflows?user=pager&reverse_sort=false&sort_by=id"
	expect_json '.items[0].id' "${ids[0]}"

	api GET "/workflows?user=pager&limit=10001"
	expect_code 400
	api GET "/workflows?user=pager&offset=-1"
	expect_code 400
	api GET "/workflows?user=pager&sort_by=name;drop"
	expect_code 400
}

@test "get, and update with COALESCE: absent or null fields keep their value" {
	wf=$(post /workflows '{"name":"upd","user":"carol","description":"before"}')
	api GET "/workflows/$wf"
	ts=$(jqb .timestamp)

	api PUT "/workflows/$wf" '{"description":"after"}'
	expect_code 200
	expect_json '[.id,.name,.user,.description,.status_id] | @csv' "$wf,\"upd\",\"carol\",\"after\",$wf"
	api PUT "/workflows/$wf" '{"name":"renamed","description":null,"compute_node_wait_for_new_jobs_seconds":5}'
	expect_code 200
	api GET "/workflows/$wf"
	expect_json '[.name,.description,.compute_node_wait_for_new_jobs_seconds,.compute_node_expiration_buffer_seconds] | @csv' \
		'"renamed","after",5,60'
	# id, status_id and timestamp are the server's
	api PUT "/workflows/$wf" '{"id":999,"status_id":999,"timestamp":"1999-01-01T00:00:00Z"}'
	expect_code 200
	api GET "/workflows/$wf"
	expect_json '[.id,.status_id,.timestamp] | @csv' "$wf,$wf,\"$ts\""
	api GET /workflows/999
	expect_code 404

	api PUT "/workflows/$wf" '{"jobs_sort_method":"sideways"}'
	expect_code 400
	api PUT "/workflows/$wf" '{"name":5}'
	expect_code 400
	api GET "/workflows/$wf"
	expect_json '[.name,.jobs_sort_method] | @csv' '"renamed","gpus_runtime_memory"'

	api PUT /workflows/987654 '{"name":"ghost"}'
	expect_code 404
	expect_json .error.message "Workflow not found with ID: 987654"
	api GET /workflows/987654
	expect_code 404
	expect_json .error.message "Workflow not found with ID: 987654"
}

@test "status get and put" {
	wf=$(post /workflows '{"name":"st","user":"u"}')
	api PUT "/workflows/$wf/status" '{"is_canceled":true,"run_id":3,"is_archived":true,"has_detected_need_to_run_completion_script":true}'
	expect_code 200
	expect_json '[.id,.run_id,.is_canceled,.is_archived,.has_detected_need_to_run_completion_script] | @csv' \
		"$wf,3,true,true,true"
	api GET "/workflows/$wf/status"
	expect_json '[.id,.run_id,.is_canceled,.is_archived,.has_detected_need_to_run_completion_script] | @csv' \
		"$wf,3,true,true,true"
	# optional flags fall back to false
	api PUT "/workflows/$wf/status" '{"is_canceled":false,"run_id":4}'
	expect_code 200
	api GET "/workflows/$wf/status"
	expect_json '[.run_id,.is_canceled,.is_archived] | @csv' '4,false,false'

	api PUT "/workflows/$wf/status" '{"is_canceled":false}'
	expect_code 400
	expect_json .error.message "missing required field 'run_id'"
	api PUT "/workflows/$wf/status" '{"run_id":1}'
	expect_code 400
	expect_json .error.message "missing required field 'is_canceled'"
	api PUT "/workflows/$wf/status" '{"run_id":"1","is_canceled":false}'
	expect_code 400
	api GET "/workflows/$wf/status"
	expect_json .run_id 4

	api GET /workflows/987654/status
	expect_code 404
	api PUT /workflows/987654/status '{"is_canceled":false,"run_id":0}'
	expect_code 404
}

@test "job_ids lists the workflow's jobs and only those" {
	wf=$(post /workflows '{"name":"jids","user":"u"}')
	other=$(post /workflows '{"name":"jids-other","user":"u"}')
	api GET "/workflows/$wf/job_ids"
	expect_code 200
	expect_json '[(.job_ids|@json), .count] | @csv' '"[]",0'
	a=$(post /jobs "{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"true\"}")
	post /jobs "{\"workflow_id\":$other,\"name\":\"x\",\"command\":\"true\"}" >/dev/null
	b=$(post /jobs "{\"workflow_id\":$wf,\"name\":\"b\",\"command\":\"true\"}")
	api GET "/workflows/$wf/job_ids"
	expect_json '.job_ids | @csv' "$a,$b"
	expect_json .count 2
	api GET /workflows/987654/job_ids
	expect_code 404
}

@test "delete removes the workflow and everything in it, and nothing else" {
	keep=$(post /workflows '{"name":"keep","user":"del"}')
	mk_all "$keep"
	keep_ids="$JOB $JOB2 $FILE $UD $RR $RES $EVT $CN $FH"
	keep_totals=$(totals "$keep")

	wf=$(post /workflows '{"name":"doomed","user":"del"}')
	api GET "/resource_requirements?workflow_id=$wf"
	default_rr=$(jqb '.items[0].id')
	mk_all "$wf"
	[ "$(totals "$wf")" = "jobs=2 files=1 user_data=1 resource_requirements=2 results=1 events=1 compute_nodes=1 " ]
	api GET "/workflows/$wf/job_dependencies"
	expect_json .total_count 1

	api DELETE "/workflows/$wf"
	expect_code 200
	expect_json '[.id,.name] | @csv' "$wf,\"doomed\""

	for p in "workflows/$wf" "workflows/$wf/status" "workflows/$wf/job_ids" \
		"jobs/$JOB" "jobs/$JOB2" "files/$FILE" "user_data/$UD" "resource_requirements/$RR" \
		"resource_requirements/$default_rr" "results/$RES" "events/$EVT" "compute_nodes/$CN" \
		"failure_handlers/$FH"; do
		api GET "/$p"
		[ "$code" = 404 ] || { echo "GET /$p -> $code $body"; false; }
		[ "$(jqb '.error.message | type')" = string ]
	done
	[ "$(totals "$wf")" = "jobs=0 files=0 user_data=0 resource_requirements=0 results=0 events=0 compute_nodes=0 " ]
	api GET "/workflows?user=del"
	expect_json '[.items[].id] | @csv' "$keep"
	api DELETE "/workflows/$wf"
	expect_code 404

	# the other workflow is whole
	[ "$(totals "$keep")" = "$keep_totals" ]
	set -- $keep_ids
	for p in "jobs/$1" "jobs/$2" "files/$3" "user_data/$4" "resource_requirements/$5" "results/$6" \
		"events/$7" "compute_nodes/$8" "failure_handlers/$9"; do
		api GET "/$p"
		[ "$code" = 200 ] || { echo "GET /$p -> $code $body"; false; }
		expect_json .workflow_id "$keep"
	done
	api GET "/workflows/$keep/job_dependencies"
	expect_json '.items[0] | [.job_id,.depends_on_job_id] | @csv' "$2,$1"
	api GET "/workflows/$keep/job_ids"
	expect_json .count 2
}
