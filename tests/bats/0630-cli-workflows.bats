#!/usr/bin/env bats
# `torc workflows list|get|update|delete|status|initialize|reinitialize|
# cancel|reset-status|is-complete` and the read-only lists (`jobs list|get`,
# `files list`, `results list`, `events list`, `user-data list`,
# `compute-nodes list`) against the real server, in table and JSON form
# (reference §5 and §6 items 32, 34, 40-45).

load helpers
bats_require_minimum_version 1.5.0

T="$ROOT/build/bin/torc"

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

setup() {
	export TORC_API_URL="$BASE" TORC_USERNAME=wfuser
	cd "$BATS_TEST_TMPDIR"
}

# A diamond linked through files (f1 must exist for initialize). -> WF
diamond() {
	mkdir -p d
	echo '{"values":[1,2]}' >d/f1.json
	cat >d.yaml <<'EOF'
name: diamond
files:
  - {name: f1, path: d/f1.json}
  - {name: f2, path: d/f2.json}
  - {name: f3, path: d/f3.json}
  - {name: f4, path: d/f4.json}
jobs:
  - {name: preprocess, command: "cat ${files.input.f1} > ${files.output.f2}; cp d/f2.json ${files.output.f3}"}
  - {name: work1, command: "cp ${files.input.f2} d/w1"}
  - {name: work2, command: "cp ${files.input.f3} d/w2"}
  - {name: postprocess, command: "cat ${files.input.f2} ${files.input.f3} > ${files.output.f4}"}
EOF
	WF=$("$T" -f json workflows create d.yaml | jq .id)
	[ "$WF" -gt 0 ]
}

statuses() {
	api GET "/jobs?workflow_id=$1&limit=10000"
	jqb -r '[.items[] | "\(.name)=\(.status)"] | sort | join(" ")'
}

@test "workflows list: only mine by default, --user, --all-users, JSON is a bare array (item 40)" {
	api POST /workflows '{"name":"same","user":"u1"}'; a=$(jqb .id)
	api POST /workflows '{"name":"same","user":"u2"}'; b=$(jqb .id)
	TORC_USERNAME=u1 run -0 "$T" -f json workflows list
	[ "$(jq -c '[.[] | .id]' <<<"$output")" = "[$a]" ]
	run -0 "$T" -f json workflows list --user u2
	[ "$(jq -c '[.[] | .id]' <<<"$output")" = "[$b]" ]
	TORC_USERNAME=nobody run -0 "$T" -f json workflows list
	[ "$output" = "[]" ]
	run -0 "$T" -f json workflows list --all-users
	[ "$(jq "[.[] | select(.id == $a or .id == $b)] | length" <<<"$output")" = 2 ]
	run -100 "$T" workflows list --all-users --user u1
	for i in 1 2 3 4 5 6; do api POST /workflows "{\"name\":\"w$i\",\"user\":\"wfuser\"}"; done
	run -0 "$T" -f json workflows list --limit 4
	[ "$(jq length <<<"$output")" = 4 ]
	run -0 "$T" -f json workflows list --limit 3 --offset 3
	[ "$(jq -r '[.[].name] | join(",")' <<<"$output")" = "w4,w5,w6" ]
	run -0 "$T" -f json workflows list --sort-by name --reverse-sort --limit 1
	[ "$(jq -r '.[0].name' <<<"$output")" = w6 ]
	run -0 "$T" workflows list
	[ "${#lines[@]}" -ge 8 ]
	[[ "${lines[0]}" == "ID  NAME"*"USER"*"DESCRIPTION"*"CREATED" ]]
}

@test "workflows list leaves archived workflows out unless asked (item 48)" {
	TORC_USERNAME=arch
	api POST /workflows '{"name":"old","user":"arch"}'; old=$(jqb .id)
	api POST /workflows '{"name":"new","user":"arch"}'; new=$(jqb .id)
	api PUT "/workflows/$old/status" '{"run_id":0,"is_canceled":false,"is_archived":true}'
	expect_code 200
	run -0 "$T" -f json workflows list
	[ "$(jq -c '[.[].id]' <<<"$output")" = "[$new]" ]
	run -0 "$T" -f json workflows list --archived-only
	[ "$(jq -c '[.[].id]' <<<"$output")" = "[$old]" ]
	run -0 "$T" -f json workflows list --include-archived
	[ "$(jq -c '[.[].id]' <<<"$output")" = "[$old,$new]" ]
	run -100 "$T" workflows list --archived-only --include-archived
}

@test "workflows get and update, whole and partial (item 41)" {
	api POST /workflows '{"name":"orig","user":"wfuser","description":"first"}'
	wf=$(jqb .id)
	run -0 "$T" -f json workflows get "$wf"
	[ "$(jq -r .name <<<"$output")" = orig ]
	run -0 "$T" -f json workflows update "$wf" --name renamed --description 'new "desc" ✓' --owner-user new_owner
	[ "$(jq -r '.name, .description, .user' <<<"$output" | tr '\n' '|')" = 'renamed|new "desc" ✓|new_owner|' ]
	run -0 "$T" -f json workflows update "$wf" --name only_name
	[ "$(jq -r '.name, .description, .user' <<<"$output" | tr '\n' '|')" = 'only_name|new "desc" ✓|new_owner|' ]
	run -0 "$T" workflows update "$wf" --description again
	grep -q '^description  *again$' <<<"$output"
	run -1 --separate-stderr "$T" workflows update 999999 --name x
	[[ "$stderr" == *"(HTTP 404)" ]]
}

@test "workflows delete: several at once, all or nothing (item 42)" {
	api POST /workflows '{"name":"d1","user":"wfuser"}'; a=$(jqb .id)
	api POST /workflows '{"name":"d2","user":"wfuser"}'; b=$(jqb .id)
	api POST /workflows '{"name":"d3","user":"wfuser"}'; c=$(jqb .id)
	run -1 --separate-stderr "$T" workflows delete "$a" 999999
	[[ "$stderr" == *"Workflow not found with ID: 999999 (HTTP 404)"* ]]
	api GET "/workflows/$a"
	expect_code 200
	run -0 "$T" workflows delete "$a" "$b" --no-prompts
	[ "${lines[0]}" = "Deleted workflow $a (d1)" ]
	[ "${lines[1]}" = "Deleted workflow $b (d2)" ]
	api GET "/workflows/$a"; expect_code 404
	api GET "/workflows/$b"; expect_code 404
	run -0 "$T" -f json workflows delete "$c"
	[ "$(jq -r '.workflows[0].name' <<<"$output")" = d3 ]
	run -1 "$T" workflows get "$c"
}

@test "workflows initialize: ready and blocked, run 1, file times, status (items 32, 43)" {
	diamond
	run -0 "$T" workflows status "$WF"
	grep -q '^run_id  *0$' <<<"$output"
	run -0 "$T" workflows initialize "$WF"
	[ "$output" = "Initialized workflow $WF (run 1)" ]
	[ "$(statuses "$WF")" = "postprocess=blocked preprocess=ready work1=blocked work2=blocked" ]
	run -0 "$T" -f json workflows status "$WF"
	[ "$(jq .run_id <<<"$output")" = 1 ]
	[ "$(jq .is_canceled <<<"$output")" = false ]
	api GET "/files?workflow_id=$WF&name=f1"
	want=$(stat -c %Y d/f1.json)
	[ "$(jqb '.items[0].st_mtime | floor')" = "$want" ]
	# Again: a fresh run id, same statuses.
	run -0 "$T" -f json workflows initialize "$WF"
	[ "$(jq .run_id <<<"$output")" = 2 ]
	[ "$(statuses "$WF")" = "postprocess=blocked preprocess=ready work1=blocked work2=blocked" ]
}

@test "workflows initialize refuses missing input files unless --force" {
	diamond
	rm d/f1.json
	run -1 --separate-stderr "$T" workflows initialize "$WF"
	[[ "$stderr" == *"1 required input file(s) missing: d/f1.json (--force to go on anyway)"* ]]
	[ "$(statuses "$WF")" = "postprocess=uninitialized preprocess=uninitialized work1=uninitialized work2=uninitialized" ]
	run -0 --separate-stderr "$T" workflows initialize "$WF" --force
	[[ "$stderr" == *"warning: 1 required input file(s) missing"* ]]
	[ "$(statuses "$WF")" = "postprocess=blocked preprocess=ready work1=blocked work2=blocked" ]
}

@test "workflows reset-status: jobs back to uninitialized; refused while jobs run unless --force (items 44, 45)" {
	diamond
	"$T" workflows initialize "$WF" >/dev/null
	run -0 "$T" -f json workflows reset-status "$WF"
	[ "$(jq -r .status <<<"$output")" = uninitialized ]
	[ "$(jq .updated_count <<<"$output")" = 4 ]
	[ "$(statuses "$WF")" = "postprocess=uninitialized preprocess=uninitialized work1=uninitialized work2=uninitialized" ]
	"$T" workflows initialize "$WF" >/dev/null
	pre=$(api GET "/jobs?workflow_id=$WF&status=ready"; jqb '.items[0].id')
	run_id=$(api GET "/workflows/$WF/status"; jqb .run_id)
	api PUT "/jobs/$pre/manage_status_change/running/$run_id"
	expect_code 200
	run -1 --separate-stderr "$T" workflows reset-status "$WF"
	[[ "$stderr" == *"(HTTP 422)" ]]
	[ "$(statuses "$WF")" = "postprocess=blocked preprocess=running work1=blocked work2=blocked" ]
	run -0 "$T" workflows reset-status "$WF" --force
	[ "$output" = "Reset 4 job(s) of workflow $WF" ]
	run -0 "$T" -f json workflows status "$WF"
	[ "$(jq '.is_canceled, .is_archived' <<<"$output" | tr '\n' ' ')" = "false false " ]
}

@test "workflows cancel and is-complete" {
	diamond
	"$T" workflows initialize "$WF" >/dev/null
	run -0 "$T" -f json workflows is-complete "$WF"
	[ "$(jq '.is_complete, .is_canceled' <<<"$output" | tr '\n' ' ')" = "false false " ]
	run -0 "$T" workflows cancel "$WF"
	grep -q '^is_canceled  *true$' <<<"$output"
	run -0 "$T" -f json workflows is-complete "$WF"
	[ "$(jq '.is_complete, .is_canceled' <<<"$output" | tr '\n' ' ')" = "true true " ]
	run -0 "$T" -f json workflows status "$WF"
	[ "$(jq .is_canceled <<<"$output")" = true ]
	run -1 "$T" workflows cancel 999999
}

@test "jobs list (filters, relationships, paging, sorting) and jobs get" {
	diamond
	"$T" workflows initialize "$WF" >/dev/null
	run -0 "$T" -f json jobs list "$WF"
	[ "$(jq '.jobs | length' <<<"$output")" = 4 ]
	[ "$(jq '.jobs[0] | has("input_file_ids")' <<<"$output")" = false ]
	run -0 "$T" -f json jobs list "$WF" --status blocked
	[ "$(jq -r '[.jobs[].name] | sort | join(",")' <<<"$output")" = "postprocess,work1,work2" ]
	run -0 "$T" -f json jobs list "$WF" --include-relationships
	[ "$(jq '.jobs[] | select(.name=="postprocess") | .input_file_ids | length' <<<"$output")" = 2 ]
	pre=$(jq '.jobs[] | select(.name=="preprocess") | .id' <<<"$output")
	run -0 "$T" -f json jobs list "$WF" --upstream-job-id "$pre"
	[ "$(jq -r '[.jobs[].name] | sort | join(",")' <<<"$output")" = "postprocess,work1,work2" ]
	run -0 "$T" -f json jobs list "$WF" --limit 2 --offset 2
	[ "$(jq -r '[.jobs[].name] | join(",")' <<<"$output")" = "work2,postprocess" ]
	run -0 "$T" -f json jobs list "$WF" --sort-by name --reverse-sort
	[ "$(jq -r '[.jobs[].name] | join(",")' <<<"$output")" = "work2,work1,preprocess,postprocess" ]
	run -0 "$T" jobs list "$WF"
	[[ "${lines[0]}" == "ID  NAME"*"STATUS"*"ATTEMPT"*"COMMAND" ]]
	grep -Eq "^ *$pre  preprocess  +ready  +1  cat d/f1.json" <<<"$output"
	run -0 "$T" -f json jobs get "$pre"
	[ "$(jq -c .output_file_ids <<<"$output" | jq length)" = 2 ]
	run -0 "$T" jobs get "$pre"
	grep -q '^status  *ready$' <<<"$output"
	grep -q '^output_file_ids  *[0-9]*,[0-9]*$' <<<"$output"
	run -1 "$T" jobs get 999999
}

@test "files, results, user-data and compute-nodes lists after a run" {
	diamond
	cat >ud.yaml <<'EOF'
name: with_ud
user_data:
  - {name: params, data: {alpha: 0.5}}
  - {name: scratch, is_ephemeral: true}
jobs:
  - {name: a, command: "echo ${user_data.input.params}"}
EOF
	ud=$("$T" -f json workflows create ud.yaml | jq .id)
	run -0 "$T" -f json user-data list "$ud"
	[ "$(jq -r '[.user_data[].name] | join(",")' <<<"$output")" = "params,scratch" ]
	[ "$(jq '.user_data[0].data.alpha' <<<"$output")" = 0.5 ]
	run -0 "$T" user-data list "$ud"
	grep -Eq '^ *[0-9]+  params  +false  +\{"alpha":0.5\}$' <<<"$output"

	"$T" run "$WF" --max-parallel-jobs 2 -p 0.1 >/dev/null 2>&1
	run -0 "$T" -f json files list "$WF"
	[ "$(jq '.files | length' <<<"$output")" = 4 ]
	[ "$(jq '[.files[] | select(.st_mtime != null)] | length' <<<"$output")" = 4 ]
	run -0 "$T" -f json files list "$WF" --output-only
	[ "$(jq -r '[.files[].name] | join(",")' <<<"$output")" = "f2,f3,f4" ]
	run -0 "$T" files list "$WF"
	grep -Eq '^ *[0-9]+  f1  +d/f1.json  +[0-9.e+]+$' <<<"$output"

	run -0 "$T" -f json results list "$WF"
	[ "$(jq '.results | length' <<<"$output")" = 4 ]
	[ "$(jq '[.results[].return_code] | add' <<<"$output")" = 0 ]
	pre=$(api GET "/jobs?workflow_id=$WF"; jqb '.items[] | select(.name=="preprocess") | .id')
	run -0 "$T" -f json results list "$WF" --job-id "$pre"
	[ "$(jq '.results | length' <<<"$output")" = 1 ]
	run -0 "$T" -f json results list "$WF" --run-id 7
	[ "$(jq '.results | length' <<<"$output")" = 0 ]
	"$T" workflows reset-status "$WF" >/dev/null
	"$T" run "$WF" --max-parallel-jobs 2 -p 0.1 >/dev/null 2>&1
	run -0 "$T" -f json results list "$WF" --all-runs
	[ "$(jq '.results | length' <<<"$output")" = 8 ]
	run -0 "$T" results list "$WF"
	[[ "${lines[0]}" == "ID  JOB  RUN  ATTEMPT  STATUS"*"RC"*"MINUTES"*"COMPLETED" ]]
	[ "$(grep -c '  completed   *0 ' <<<"$output")" = 4 ]

	run -0 "$T" -f json compute-nodes list "$WF"
	[ "$(jq '.compute_nodes | length' <<<"$output")" = 2 ]
	[ "$(jq -r '[.compute_nodes[].is_active] | unique | join(",")' <<<"$output")" = false ]
}

@test "events list: in order, data as JSON, --after-timestamp (item 34)" {
	api POST /workflows '{"name":"ev","user":"wfuser"}'; wf=$(jqb .id)
	api POST /events "{\"workflow_id\":$wf,\"timestamp\":1000,\"data\":{\"key1\":1,\"key2\":2}}"
	api POST /events "{\"workflow_id\":$wf,\"timestamp\":2000,\"data\":{\"key3\":3,\"key4\":4}}"
	run -0 "$T" -f json events list "$wf"
	[ "$(jq '.events | length' <<<"$output")" = 2 ]
	[ "$(jq -c '.events[1].data' <<<"$output")" = '{"key3":3,"key4":4}' ]
	run -0 "$T" -f json events list "$wf" --after-timestamp 1000
	[ "$(jq '.events | length' <<<"$output")" = 1 ]
	run -0 "$T" events list "$wf"
	grep -Eq '^ *[0-9]+ +2000  \{"key3":3,"key4":4\}$' <<<"$output"
}
