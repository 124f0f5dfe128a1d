#!/usr/bin/env bats
# Access control, user isolation: bob owns a workflow with one record of
# every kind; every route that reaches it, by workflow id, by a record id,
# by a job id, through a list filter, a bulk route or an engine route,
# refuses alice (a system admin: admins get no implicit access), carol, an
# anonymous caller and an htpasswd account named "anonymous" with 403, and
# changes nothing.  Then sharing through a group grants exactly that
# workflow, and removing the member revokes it at once.

load helpers

setup_file() {
	export BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR"
	AUTH="$BATS_FILE_TMPDIR/htpasswd"
	for u in alice bob carol dave anonymous; do
		htpasswd -nbB -C 4 "$u" password
	done | grep . >"$AUTH"
	DBDIR="$BATS_FILE_TMPDIR/db" start_server --auth-file "$AUTH" \
		--enforce-access-control --admin-user alice
	fixture >"$BATS_FILE_TMPDIR/ids"
}

teardown_file() { stop_server; }

# as WHO METHOD PATH [BODY]: WHO "-" is anonymous.  POST and PUT always
# send a body ('' when none), since lighttpd wants a Content-Length.
as() {
	local who="$1"; shift
	case "$1" in POST | PUT) [ $# -ge 3 ] || set -- "$@" '' ;; esac
	if [ "$who" = - ]; then
		api "$@"
	else
		api_as "$who:password" "$@"
	fi
}

# ok WHO METHOD PATH [BODY] -> echoes .id of a 200 answer
ok() {
	as "$@"
	expect_code 200 >&2
	jqb .id
}

# bob's workflow with one record of every kind; prints shell assignments.
fixture() {
	local W W2 RR F1 F2 UD J1 J2 CN R EV FH G SS LS SN
	W=$(ok bob POST /workflows '{"name":"bob-private"}')
	W2=$(ok bob POST /workflows '{"name":"bob-second"}')
	RR=$(ok bob POST /resource_requirements "{\"workflow_id\":$W,\"name\":\"big\",\"num_cpus\":2}")
	F1=$(ok bob POST /files "{\"workflow_id\":$W,\"name\":\"in\",\"path\":\"/d/in\"}")
	F2=$(ok bob POST /files "{\"workflow_id\":$W,\"name\":\"out\",\"path\":\"/d/out\"}")
	UD=$(ok bob POST /user_data "{\"workflow_id\":$W,\"name\":\"cfg\",\"data\":{\"secret\":42}}")
	J1=$(ok bob POST /jobs "{\"workflow_id\":$W,\"name\":\"j1\",\"command\":\"echo 1\",\"input_file_ids\":[$F1],\"output_file_ids\":[$F2],\"output_user_data_ids\":[$UD]}")
	J2=$(ok bob POST /jobs "{\"workflow_id\":$W,\"name\":\"j2\",\"command\":\"echo 2\",\"depends_on_job_ids\":[$J1]}")
	CN=$(ok bob POST /compute_nodes "{\"workflow_id\":$W,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}")
	as bob POST "/workflows/$W/initialize_jobs"
	expect_code 200 >&2
	R=$(ok bob POST /results "{\"workflow_id\":$W,\"job_id\":$J1,\"compute_node_id\":$CN,\"run_id\":1,\"return_code\":0,\"exec_time_minutes\":0.5,\"completion_time\":\"2025-01-01T00:00:00Z\",\"status\":\"completed\"}")
	EV=$(ok bob POST /events "{\"workflow_id\":$W,\"timestamp\":1700000000000,\"data\":{\"k\":1}}")
	FH=$(ok bob POST /failure_handlers "{\"workflow_id\":$W,\"name\":\"fh\",\"rules\":\"[]\"}")
	SS=$(ok bob POST /slurm_schedulers "{\"workflow_id\":$W,\"name\":\"s\",\"account\":\"a\",\"nodes\":1,\"walltime\":\"01:00:00\"}")
	LS=$(ok bob POST /local_schedulers "{\"workflow_id\":$W,\"memory\":\"8g\",\"num_cpus\":4}")
	SN=$(ok bob POST /scheduled_compute_nodes "{\"workflow_id\":$W,\"scheduler_id\":1,\"scheduler_config_id\":$SS,\"scheduler_type\":\"slurm\",\"status\":\"pending\"}")
	G=$(ok alice POST /access_groups '{"name":"empty-team"}')
	echo "W=$W W2=$W2 RR=$RR F1=$F1 F2=$F2 UD=$UD J1=$J1 J2=$J2 CN=$CN R=$R EV=$EV FH=$FH G=$G SS=$SS LS=$LS SN=$SN"
}

load_ids() {
	eval "$(cat "$BATS_FILE_TMPDIR/ids")"
}

# Every route that touches bob's workflow W (or its records), one per
# line: METHOD PATH [BODY].  Bodies are valid, so only access can refuse.
routes() {
	local result="{\"job_id\":$J1,\"run_id\":1,\"compute_node_id\":$CN,\"return_code\":0,\"exec_time_minutes\":0.5,\"completion_time\":\"2025-01-01T00:00:00Z\",\"status\":\"completed\"}"
	cat <<EOF
GET /workflows/$W
PUT /workflows/$W {"name":"stolen"}
PUT /workflows/$W/status {"is_canceled":true,"run_id":9}
GET /workflows/$W/status
GET /workflows/$W/job_ids
POST /workflows/$W/initialize_jobs
POST /workflows/$W/claim_next_jobs?limit=5
POST /workflows/$W/claim_jobs_based_on_resources/5 {"num_cpus":4,"num_gpus":0,"num_nodes":1,"memory_gb":8}
GET /workflows/$W/is_complete
GET /workflows/$W/is_uninitialized
PUT /workflows/$W/cancel
POST /workflows/$W/reset_status?force=true
POST /workflows/$W/reset_job_status
GET /workflows/$W/required_existing_files
GET /workflows/$W/missing_user_data
GET /workflows/$W/ready_job_requirements
POST /workflows/$W/process_changed_job_inputs?dry_run=true
GET /workflows/$W/job_dependencies
GET /workflows/$W/job_file_relationships
GET /workflows/$W/job_user_data_relationships
GET /workflows/$W/failure_handlers
GET /workflows/$W/access_groups
POST /workflows/$W/access_groups/$G
POST /workflows/$W/access_groups {"group_id":$G}
POST /jobs {"workflow_id":$W,"name":"evil","command":"rm -rf /"}
POST /bulk_jobs {"jobs":[{"workflow_id":$W,"name":"evil","command":"x"}]}
GET /jobs?workflow_id=$W
GET /jobs/$J1
PUT /jobs/$J1 {"name":"renamed"}
PUT /jobs/$J1/start_job/1/$CN
POST /jobs/$J1/complete_job/completed/1 $result
PUT /jobs/$J1/manage_status_change/running/1
POST /jobs/$J1/retry/1?max_retries=3
POST /files {"workflow_id":$W,"name":"x","path":"/x"}
GET /files?workflow_id=$W
GET /files/$F1
PUT /files/$F1 {"path":"/evil"}
POST /user_data {"workflow_id":$W,"name":"x","data":1}
GET /user_data?workflow_id=$W
GET /user_data/$UD
PUT /user_data/$UD {"data":{"secret":0}}
POST /resource_requirements {"workflow_id":$W,"name":"x"}
GET /resource_requirements?workflow_id=$W
GET /resource_requirements/$RR
PUT /resource_requirements/$RR {"num_cpus":64}
POST /results {"workflow_id":$W,"job_id":$J2,"compute_node_id":$CN,"run_id":1,"return_code":0,"exec_time_minutes":0.5,"completion_time":"2025-01-01T00:00:00Z","status":"completed"}
GET /results?workflow_id=$W
GET /results/$R
PUT /results/$R {"return_code":3}
POST /events {"workflow_id":$W,"timestamp":1,"data":{}}
GET /events?workflow_id=$W
GET /events/$EV
PUT /events/$EV {"data":{"k":2}}
POST /compute_nodes {"workflow_id":$W,"hostname":"h","pid":1,"start_time":"t","num_cpus":4,"memory_gb":8,"num_gpus":0,"num_nodes":1,"compute_node_type":"local"}
GET /compute_nodes?workflow_id=$W
GET /compute_nodes/$CN
PUT /compute_nodes/$CN {"is_active":false}
POST /failure_handlers {"workflow_id":$W,"name":"x","rules":"[]"}
GET /failure_handlers/$FH
POST /slurm_schedulers {"workflow_id":$W,"name":"x","account":"a","nodes":1,"walltime":"1"}
GET /slurm_schedulers?workflow_id=$W
GET /slurm_schedulers/$SS
PUT /slurm_schedulers/$SS {"account":"stolen"}
POST /local_schedulers {"workflow_id":$W,"memory":"1g","num_cpus":1}
GET /local_schedulers?workflow_id=$W
GET /local_schedulers/$LS
PUT /local_schedulers/$LS {"num_cpus":64}
POST /scheduled_compute_nodes {"workflow_id":$W,"scheduler_id":1,"scheduler_config_id":$SS,"scheduler_type":"slurm","status":"pending"}
GET /scheduled_compute_nodes?workflow_id=$W
GET /scheduled_compute_nodes/$SN
PUT /scheduled_compute_nodes/$SN {"status":"complete"}
DELETE /scheduled_compute_nodes/$SN
DELETE /local_schedulers/$LS
DELETE /slurm_schedulers/$SS
DELETE /failure_handlers/$FH
DELETE /results/$R
DELETE /events/$EV
DELETE /compute_nodes/$CN
DELETE /user_data/$UD
DELETE /files/$F1
DELETE /resource_requirements/$RR
DELETE /jobs/$J2
DELETE /jobs?workflow_id=$W
DELETE /files?workflow_id=$W
DELETE /user_data?workflow_id=$W
DELETE /resource_requirements?workflow_id=$W
DELETE /results?workflow_id=$W
DELETE /events?workflow_id=$W
DELETE /compute_nodes?workflow_id=$W
DELETE /scheduled_compute_nodes?workflow_id=$W
DELETE /local_schedulers?workflow_id=$W
DELETE /slurm_schedulers?workflow_id=$W
DELETE /workflows/$W
EOF
}

# deny_all WHO [EVERY]: every route (or every EVERY-th one, plus the group
# routes) answers 403 with a JSON error; lists failures.
deny_all() {
	local who="$1" every="${2:-1}" m p b bad=0 n=0 min=85
	[ "$every" -eq 1 ] || min=$((85 / every))
	while read -r m p b; do
		n=$((n + 1))
		if [ -n "$b" ]; then as "$who" "$m" "$p" "$b"; else as "$who" "$m" "$p"; fi
		if [ "$code" != 403 ] || [ "$(jqb .error.error)" != Forbidden ]; then
			echo "$who: $m $p -> $code $body" >&2
			bad=$((bad + 1))
		fi
	done < <(routes | awk -v e="$every" 'NR % e == 1 % e || /access_groups/')
	echo "$who: $n routes, $bad not refused" >&2
	[ "$n" -gt "$min" ] && [ "$bad" -eq 0 ]
}

# bob's data is exactly as the fixture left it.
untouched() {
	as bob GET "/workflows/$W"
	expect_code 200
	expect_json .name bob-private
	as bob GET "/workflows/$W/status"
	expect_json '[.is_canceled, .run_id] | @csv' 'false,0'
	as bob GET "/jobs?workflow_id=$W"
	expect_json '[.items[] | "\(.name):\(.status)"] | join(",")' 'j1:ready,j2:blocked'
	as bob GET "/jobs/$J1"
	expect_json .command 'echo 1'
	for r in files user_data resource_requirements "results?all_runs=true&" events compute_nodes \
		slurm_schedulers local_schedulers scheduled_compute_nodes; do
		[[ "$r" == *"?"* ]] || r="$r?"
		as bob GET "/${r}workflow_id=$W"
		expect_code 200
		[ "$(jqb .total_count)" -ge 1 ] || { echo "$r: $body" >&2; false; }
	done
	as bob GET "/files/$F1"
	expect_json .path /d/in
	as bob GET "/user_data/$UD"
	expect_json .data.secret 42
	as bob GET "/resource_requirements/$RR"
	expect_json .num_cpus 2
	as bob GET "/failure_handlers/$FH"
	expect_code 200
	as bob GET "/slurm_schedulers/$SS"
	expect_json .account a
	as bob GET "/local_schedulers/$LS"
	expect_json .num_cpus 4
	as bob GET "/scheduled_compute_nodes/$SN"
	expect_json .status pending
	as bob GET "/workflows/$W/access_groups"
	expect_json .total_count 0
}

@test "bob reaches every route of his own workflow" {
	load_ids
	local m p b bad=0
	while read -r m p b; do
		case "$m" in POST | PUT | DELETE) continue ;; esac
		as bob "$m" "$p"
		if [ "$code" != 200 ]; then
			echo "bob: $m $p -> $code $body" >&2
			bad=$((bad + 1))
		fi
	done < <(routes)
	[ "$bad" -eq 0 ]
}

@test "alice (a system admin) is refused on every route of bob's workflow, and nothing changes" {
	load_ids
	deny_all alice
	untouched
}

@test "carol is refused on bob's workflow (a sample of the routes, and the group routes)" {
	load_ids
	deny_all carol 4
	untouched
}

@test "anonymous callers in optional mode are refused everywhere and see nothing" {
	load_ids
	deny_all -
	[[ "$(jqb .error.message)" == *"Anonymous access not allowed"* ]]
	untouched
	api GET /workflows
	expect_code 200
	expect_json .total_count 0
	# A missing workflow or job gives no existence oracle either.
	api GET /workflows/999999
	expect_code 403
	api GET /jobs?workflow_id=999999
	expect_code 403
	api POST /workflows '{"name":"planted","user":"bob"}'
	expect_code 403
	api GET /access_groups
	expect_code 403
	api GET "/access_check/$W/bob"
	expect_code 403
}

@test "an htpasswd account named anonymous counts as anonymous" {
	load_ids
	deny_all anonymous 4
	api_as anonymous:password GET /workflows
	expect_code 200
	expect_json .total_count 0
	api_as anonymous:password POST /workflows '{"name":"mine"}'
	expect_code 403
	api_as anonymous:password GET /access_groups
	expect_code 403
}

@test "alice cannot see, list, read jobs of, complete jobs of, or delete bob's workflow" {
	load_ids
	as alice GET /workflows
	expect_code 200
	expect_json "[.items[].id] | index($W)" null
	expect_json "[.items[].user] | index(\"bob\")" null
	as alice GET "/workflows?user=bob"
	expect_json .total_count 0
	as alice GET "/workflows/$W"
	expect_code 403
	expect_json .error.message "User 'alice' does not have access to workflow $W"
	as alice GET "/jobs?workflow_id=$W"
	expect_code 403
	as alice GET "/jobs/$J1"
	expect_code 403
	as alice POST "/jobs/$J1/complete_job/completed/1" "{\"job_id\":$J1,\"run_id\":1,\"compute_node_id\":$CN,\"return_code\":0,\"exec_time_minutes\":0.5,\"completion_time\":\"2025-01-01T00:00:00Z\",\"status\":\"completed\"}"
	expect_code 403
	as alice DELETE "/workflows/$W"
	expect_code 403
	as alice GET "/workflows/999999"
	expect_code 404
	untouched
}

@test "bob lists exactly his own workflows" {
	load_ids
	as bob GET /workflows
	expect_code 200
	expect_json '[.items[].id] | sort | map(tostring) | join(",")' "$W,$W2"
	as carol GET /workflows
	expect_json .total_count 0
}

@test "sharing through a group grants exactly that workflow; removing the member revokes at once" {
	load_ids
	T=$(ok alice POST /access_groups '{"name":"share-team"}')
	ok alice POST "/access_groups/$T/members" '{"user_name":"carol"}' >/dev/null
	as bob POST "/workflows/$W2/access_groups/$T"
	expect_code 200
	expect_json '[.workflow_id,.group_id] | @csv' "$W2,$T"
	# carol sees W2 and its records, not W.
	as carol GET /workflows
	expect_json '[.items[].id] | map(tostring) | join(",")' "$W2"
	as carol GET "/workflows/$W2"
	expect_code 200
	as carol GET "/jobs?workflow_id=$W2"
	expect_code 200
	as carol POST /jobs "{\"workflow_id\":$W2,\"name\":\"carols\",\"command\":\"true\"}"
	expect_code 200
	cj=$(jqb .id)
	as carol GET "/jobs/$cj"
	expect_code 200
	as carol GET "/workflows/$W"
	expect_code 403
	as carol GET "/jobs/$J1"
	expect_code 403
	as carol GET "/access_check/$W2/carol"
	expect_json .has_access true
	as carol GET "/access_check/$W/carol"
	expect_json .has_access false
	# dave, outside the group, still sees nothing.
	as dave GET "/workflows/$W2"
	expect_code 403
	# Removing carol revokes at once.
	as alice DELETE "/access_groups/$T/members/carol"
	expect_code 200
	as carol GET "/workflows/$W2"
	expect_code 403
	as carol GET "/jobs/$cj"
	expect_code 403
	as carol GET /workflows
	expect_json .total_count 0
	# Deleting the group removes its links too.
	ok alice POST "/access_groups/$T/members" '{"user_name":"carol"}' >/dev/null
	as carol GET "/workflows/$W2"
	expect_code 200
	as alice DELETE "/access_groups/$T"
	expect_code 200
	as carol GET "/workflows/$W2"
	expect_code 403
	as bob GET "/workflows/$W2/access_groups"
	expect_json .total_count 0
}

@test "a shared member may work in the workflow but may not take it over" {
	load_ids
	S=$(ok bob POST /workflows '{"name":"bob-shared"}')
	T=$(ok alice POST /access_groups '{"name":"takeover-team"}')
	ok alice POST "/access_groups/$T/members" '{"user_name":"carol"}' >/dev/null
	as bob POST "/workflows/$S/access_groups/$T"
	expect_code 200
	as carol PUT "/workflows/$S" '{"user":"carol"}'
	expect_code 403
	as carol PUT "/workflows/$S" '{"description":"edited by carol","user":"bob"}'
	expect_code 200
	expect_json .user bob
	as bob GET "/workflows/$S"
	expect_json .user bob
	expect_json .description "edited by carol"
	# carol, not an admin of the group, cannot unshare or re-share it.
	as carol DELETE "/workflows/$S/access_groups/$T"
	expect_code 403
	as carol DELETE "/workflows/$S"
	expect_code 200
}

@test "system admin detaches bob's workflow from a group but cannot attach it anywhere" {
	load_ids
	T=$(ok alice POST /access_groups '{"name":"detach-team"}')
	as bob POST "/workflows/$W2/access_groups/$T"
	expect_code 200
	as alice POST "/workflows/$W2/access_groups/$G"
	expect_code 403
	as alice DELETE "/workflows/$W2/access_groups/$T"
	expect_code 200
	as alice DELETE "/workflows/$W2/access_groups/$T"
	expect_code 404
	as bob GET "/workflows/$W2/access_groups"
	expect_json .total_count 0
}

@test "carol cannot reach bob's records from her own workflow" {
	load_ids
	C=$(ok carol POST /workflows '{"name":"carol-own"}')
	cj=$(ok carol POST /jobs "{\"workflow_id\":$C,\"name\":\"c\",\"command\":\"true\"}")
	cf=$(ok carol POST /files "{\"workflow_id\":$C,\"name\":\"cf\",\"path\":\"/c\"}")
	cn=$(ok carol POST /compute_nodes "{\"workflow_id\":$C,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}")
	local refs=(
		"POST /jobs {\"workflow_id\":$C,\"name\":\"x\",\"command\":\"x\",\"input_file_ids\":[$F1]}"
		"POST /jobs {\"workflow_id\":$C,\"name\":\"x\",\"command\":\"x\",\"depends_on_job_ids\":[$J1]}"
		"POST /jobs {\"workflow_id\":$C,\"name\":\"x\",\"command\":\"x\",\"input_user_data_ids\":[$UD]}"
		"POST /jobs {\"workflow_id\":$C,\"name\":\"x\",\"command\":\"x\",\"resource_requirements_id\":$RR}"
		"POST /results {\"workflow_id\":$C,\"job_id\":$J1,\"compute_node_id\":$cn,\"run_id\":1,\"return_code\":0,\"exec_time_minutes\":0.5,\"completion_time\":\"t\",\"status\":\"completed\"}"
		"POST /results {\"workflow_id\":$C,\"job_id\":$cj,\"compute_node_id\":$CN,\"run_id\":1,\"return_code\":0,\"exec_time_minutes\":0.5,\"completion_time\":\"t\",\"status\":\"completed\"}"
		"PUT /jobs/$cj {\"depends_on_job_ids\":[$J1]}"
		"PUT /jobs/$cj {\"output_file_ids\":[$F2]}"
		"PUT /jobs/$cj/start_job/0/$CN"
	)
	local r m p b bad=0
	for r in "${refs[@]}"; do
		read -r m p b <<<"$r"
		if [ -n "$b" ]; then as carol "$m" "$p" "$b"; else as carol "$m" "$p"; fi
		case "$code" in 4??) ;; *) echo "carol: $r -> $code $body" >&2; bad=$((bad + 1)) ;; esac
	done
	# Moving her own records into bob's workflow does not happen either.
	for r in "jobs/$cj" "files/$cf" "compute_nodes/$cn"; do
		as carol PUT "/$r" "{\"workflow_id\":$W}"
		as carol GET "/$r"
		[ "$(jqb .workflow_id)" = "$C" ] || { echo "carol: moved /$r: $body" >&2; bad=$((bad + 1)); }
	done
	[ "$bad" -eq 0 ]
	untouched
}
