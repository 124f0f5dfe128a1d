#!/usr/bin/env bats
# Responses against the schemas of Torc's OpenAPI description: one of each
# resource is created through the server and every answer (create, get,
# list, update, delete, and the routes around them) is validated by
# tests/schema/validate.py against the schema the OpenAPI file gives for
# that path, method and status.  Known differences between Torc's code and
# its OpenAPI file are in tests/schema/overrides.yaml.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

VALIDATE="$BATS_TEST_DIRNAME/../schema/validate.py"

# Responses are queued and validated in one run of the validator per test
# (check_all), which keeps the suite fast.
setup() {
	QUEUE="$BATS_TEST_TMPDIR/queue"
	: >"$QUEUE"
}

# queue TARGET: the last body, to be checked against TARGET
queue() {
	printf '%s\t%s\n' "$1" "${body//$'\n'/ }" >>"$QUEUE"
}

# valid METHOD PATH [BODY]: the request answers 200; its body is queued for
# the OpenAPI schema of PATH (the template is found from the concrete path).
valid() {
	api "$@"
	expect_code 200 || { echo "  in: $1 $2" >&2; return 1; }
	queue "${2%%\?*} $1 200"
}

# valid_as SCHEMA: the last body is also queued for a named component schema
valid_as() {
	queue "$1"
}

# check_all: every queued body is valid (and there were some)
check_all() {
	local n
	n=$(wc -l <"$QUEUE")
	[ "$n" -gt 0 ]
	run /usr/bin/python3 "$VALIDATE" --batch <"$QUEUE"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "${lines[${#lines[@]}-1]}" = "$n responses validated, 0 invalid" ]
}

# the last list has at least one item (so the item schema was exercised)
nonempty() {
	[ "$(jqb '.items | length')" -ge 1 ] || { echo "empty list: $body" >&2; return 1; }
}

@test "the validator finds the OpenAPI file, and refuses what does not match" {
	# default: ../shared beside the repository, else the committed copy
	run /usr/bin/python3 "$VALIDATE" --list
	[ "$status" -eq 0 ]
	[[ "$output" == *workflow_model* ]]
	run env TORC_OPENAPI="$BATS_TEST_DIRNAME/../schema/torc-openapi.yaml" /usr/bin/python3 "$VALIDATE" --list
	[ "$status" -eq 0 ]
	[[ "$output" == *list_workflows_response* ]]
	run env TORC_OPENAPI=/nonexistent/openapi.yaml /usr/bin/python3 "$VALIDATE" workflow_model <<<'{}'
	[ "$status" -eq 102 ]
	# without ../shared beside the repository, the committed copy serves
	mkdir -p "$BATS_TEST_TMPDIR/repo/tests"
	cp -r "$BATS_TEST_DIRNAME/../schema" "$BATS_TEST_TMPDIR/repo/tests/"
	[ ! -e "$BATS_TEST_TMPDIR/shared" ]
	run /usr/bin/python3 "$BATS_TEST_TMPDIR/repo/tests/schema/validate.py" workflow_model <<<'{"name":"n","user":"u"}'
	[ "$status" -eq 0 ]
	rm "$BATS_TEST_TMPDIR/repo/tests/schema/torc-openapi.yaml"
	run /usr/bin/python3 "$BATS_TEST_TMPDIR/repo/tests/schema/validate.py" workflow_model <<<'{"name":"n","user":"u"}'
	[ "$status" -eq 102 ]

	run /usr/bin/python3 "$VALIDATE" workflow_model <<<'{"name":"n","user":"u"}'
	[ "$status" -eq 0 ]
	run /usr/bin/python3 "$VALIDATE" workflow_model <<<'{"name":"n"}'
	[ "$status" -eq 1 ]
	[[ "$output" == *"'user' is a required property"* ]]
	run /usr/bin/python3 "$VALIDATE" workflow_model <<<'{"name":"n","user":"u","jobs_sort_method":"x"}'
	[ "$status" -eq 1 ]		# through the $ref to jobs_sort_method
	run /usr/bin/python3 "$VALIDATE" /workflows get 200 <<<'{"items":[{"name":1,"user":"u"}],"offset":0,"max_limit":1,"count":1,"total_count":1,"has_more":false}'
	[ "$status" -eq 1 ]		# an item inside the envelope
	[[ "$output" == *"items/0/name"* ]]
	run /usr/bin/python3 "$VALIDATE" /jobs/7 get 200 <<<'{"name":"j","command":"c","workflow_id":1,"status":"bogus"}'
	[ "$status" -eq 1 ]		# status wraps its $ref in "schema"
	run /usr/bin/python3 "$VALIDATE" job_dependency_model <<<'{"job_id":1,"job_name":"a","depends_on_job_id":2,"depends_on_job_name":"b","workflow_id":1}'
	[ "$status" -eq 0 ]
	run /usr/bin/python3 "$VALIDATE" /nowhere get 200 <<<'{}'
	[ "$status" -eq 102 ]
	run /usr/bin/python3 "$VALIDATE" /workflows patch 200 <<<'{}'
	[ "$status" -eq 102 ]
	run /usr/bin/python3 "$VALIDATE" /workflows get 200 <<<'not json'
	[ "$status" -eq 1 ]
	# the overrides: version is a string, scheduler_id may be null
	run /usr/bin/python3 "$VALIDATE" /version get 200 <<<'"0.10.0 (x)"'
	[ "$status" -eq 0 ]
	run /usr/bin/python3 "$VALIDATE" --raw /version get 200 <<<'"0.10.0 (x)"'
	[ "$status" -eq 1 ]
	run /usr/bin/python3 "$VALIDATE" /version get 200 <<<'"1.0.0"'
	[ "$status" -eq 1 ]
}

@test "ping and version" {
	valid GET /ping
	valid GET /version
	check_all
}

@test "workflows, workflow status and job_ids" {
	valid POST /workflows '{"name":"schema","user":"u","description":"d"}'
	wf=$(jqb .id)
	valid_as workflow_model
	valid GET "/workflows/$wf"
	valid GET /workflows
	nonempty
	valid GET "/workflows?name=schema&limit=1"
	nonempty
	valid PUT "/workflows/$wf" '{"description":"e"}'
	valid GET "/workflows/$wf/status"
	valid_as workflow_status_model
	valid PUT "/workflows/$wf/status" '{"is_canceled":false,"run_id":0}'
	valid GET "/workflows/$wf/job_ids"
	valid DELETE "/workflows/$wf"
	check_all
}

@test "jobs, bulk jobs, files, user_data and the relationship views" {
	wf=$(mk_workflow views)
	valid POST /files "{\"workflow_id\":$wf,\"name\":\"in\",\"path\":\"/in\",\"st_mtime\":1.5}"
	f=$(jqb .id)
	valid_as file_model
	valid GET "/files/$f"
	valid GET "/files?workflow_id=$wf"
	nonempty
	valid PUT "/files/$f" '{"path":"/in2"}'
	valid POST /user_data "{\"workflow_id\":$wf,\"name\":\"ud\",\"data\":{\"k\":[1,2]}}"
	u=$(jqb .id)
	valid_as user_data_model
	valid GET "/user_data/$u"
	valid GET "/user_data?workflow_id=$wf"
	nonempty
	valid PUT "/user_data/$u" '{"is_ephemeral":true}'

	valid POST /jobs "{\"workflow_id\":$wf,\"name\":\"up\",\"command\":\"true\",\"output_file_ids\":[$f]}"
	up=$(jqb .id)
	valid_as job_model
	valid POST /jobs "{\"workflow_id\":$wf,\"name\":\"down\",\"command\":\"true\",\"depends_on_job_ids\":[$up],\"input_file_ids\":[$f],\"input_user_data_ids\":[$u],\"invocation_script\":\"bash\"}"
	down=$(jqb .id)
	valid GET "/jobs/$down"
	valid GET "/jobs?workflow_id=$wf"
	nonempty
	valid PUT "/jobs/$down" '{"name":"down2"}'
	valid POST /bulk_jobs "{\"jobs\":[{\"workflow_id\":$wf,\"name\":\"b1\",\"command\":\"true\"},{\"workflow_id\":$wf,\"name\":\"b2\",\"command\":\"true\",\"depends_on_job_ids\":[$up]}]}"
	[ "$(jqb '.jobs | length')" = 2 ]

	valid GET "/workflows/$wf/job_dependencies"
	nonempty
	valid GET "/workflows/$wf/job_file_relationships"
	nonempty
	valid GET "/workflows/$wf/job_user_data_relationships"
	nonempty
	valid GET "/workflows/$wf/job_ids"
	[ "$(jqb .count)" = 4 ]

	valid DELETE "/jobs/$down"
	valid DELETE "/files/$f"
	valid DELETE "/user_data/$u"
	check_all
}

@test "resource_requirements, compute_nodes, results, events and failure handlers" {
	wf=$(mk_workflow more)
	valid POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"big\",\"num_cpus\":8,\"num_gpus\":1,\"num_nodes\":1,\"memory\":\"16g\",\"runtime\":\"PT4H\"}"
	rr=$(jqb .id)
	valid_as resource_requirements_model
	valid GET "/resource_requirements/$rr"
	valid GET "/resource_requirements?workflow_id=$wf"
	nonempty
	valid PUT "/resource_requirements/$rr" '{"memory":"8g"}'

	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"j\",\"command\":\"true\"}"
	job=$(jqb .id)
	valid POST /compute_nodes "{\"workflow_id\":$wf,\"hostname\":\"h\",\"pid\":7,\"start_time\":\"2025-01-01T00:00:00Z\",\"num_cpus\":8,\"memory_gb\":31.5,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\",\"is_active\":true,\"scheduler\":{\"scheduler_id\":1}}"
	cn=$(jqb .id)
	valid_as compute_node_model
	valid GET "/compute_nodes/$cn"
	valid GET "/compute_nodes?workflow_id=$wf"
	nonempty
	valid PUT "/compute_nodes/$cn" '{"is_active":false,"duration_seconds":12.5}'

	valid POST /results "{\"workflow_id\":$wf,\"job_id\":$job,\"compute_node_id\":$cn,\"run_id\":0,\"return_code\":0,\"exec_time_minutes\":0.5,\"completion_time\":\"2025-01-01T00:00:00Z\",\"status\":\"completed\",\"peak_memory_bytes\":1024}"
	res=$(jqb .id)
	valid_as result_model
	valid GET "/results/$res"
	valid GET "/results?workflow_id=$wf&all_runs=true"
	nonempty
	valid PUT "/results/$res" '{"return_code":1}'

	valid POST /events "{\"workflow_id\":$wf,\"timestamp\":1700000000000,\"data\":{\"category\":\"x\"}}"
	ev=$(jqb .id)
	valid_as event_model
	valid GET "/events/$ev"
	valid GET "/events?workflow_id=$wf"
	nonempty
	valid PUT "/events/$ev" '{"data":{"category":"y"}}'

	valid POST /failure_handlers "{\"workflow_id\":$wf,\"name\":\"retry\",\"rules\":\"[{\\\"match_all_exit_codes\\\":true,\\\"max_retries\\\":2}]\"}"
	fh=$(jqb .id)
	valid_as failure_handler_model
	valid GET "/failure_handlers/$fh"
	valid GET "/workflows/$wf/failure_handlers"
	nonempty

	valid DELETE "/failure_handlers/$fh"
	valid DELETE "/events/$ev"
	valid DELETE "/results/$res"
	valid DELETE "/compute_nodes/$cn"
	valid DELETE "/resource_requirements/$rr"
	check_all
}

@test "access groups, members, sharing and access_check" {
	wf=$(mk_workflow shared owner)
	valid POST /access_groups '{"name":"team","description":"the team"}'
	g=$(jqb .id)
	valid_as access_group_model
	valid GET "/access_groups/$g"
	valid GET /access_groups
	nonempty
	valid POST "/access_groups/$g/members" '{"user_name":"alice"}'
	valid_as user_group_membership_model
	valid GET "/access_groups/$g/members"
	nonempty
	valid GET /users/alice/groups
	nonempty
	valid POST "/workflows/$wf/access_groups" "{\"workflow_id\":$wf,\"group_id\":$g}"
	valid_as workflow_access_group_model
	valid GET "/workflows/$wf/access_groups"
	nonempty
	valid GET "/access_check/$wf/alice"
	expect_json .has_access true
	valid DELETE "/workflows/$wf/access_groups/$g"
	valid DELETE "/access_groups/$g/members/alice"
	valid DELETE "/access_groups/$g"
	check_all
}

@test "the job engine's answers" {
	wf=$(mk_workflow engine)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"a\",\"command\":\"true\"}"
	a=$(jqb .id)
	api POST /jobs "{\"workflow_id\":$wf,\"name\":\"b\",\"command\":\"true\",\"depends_on_job_ids\":[$a]}"
	valid GET "/workflows/$wf/is_uninitialized"
	valid POST "/workflows/$wf/initialize_jobs" ''
	valid GET "/workflows/$wf/is_complete"
	valid GET "/workflows/$wf/ready_job_requirements"
	valid GET "/workflows/$wf/required_existing_files"
	valid GET "/workflows/$wf/missing_user_data"
	valid POST "/workflows/$wf/claim_jobs_based_on_resources/1" '{"num_cpus":4,"memory_gb":8,"num_gpus":0,"num_nodes":1}'
	[ "$(jqb '.jobs | length')" = 1 ]
	api POST /compute_nodes "{\"workflow_id\":$wf,\"hostname\":\"h\",\"pid\":1,\"start_time\":\"t\",\"num_cpus\":4,\"memory_gb\":8,\"num_gpus\":0,\"num_nodes\":1,\"compute_node_type\":\"local\"}"
	cn=$(jqb .id)
	valid PUT "/jobs/$a/start_job/0/$cn" ''
	valid POST "/jobs/$a/complete_job/completed/0" "{\"workflow_id\":$wf,\"job_id\":$a,\"compute_node_id\":$cn,\"run_id\":0,\"return_code\":0,\"exec_time_minutes\":0.1,\"completion_time\":\"2025-01-01T00:00:00Z\",\"status\":\"completed\"}"
	valid POST "/workflows/$wf/claim_next_jobs?limit=5" ''
	valid POST "/workflows/$wf/process_changed_job_inputs?dry_run=true" ''
	valid PUT "/workflows/$wf/cancel" ''
	valid POST "/workflows/$wf/reset_job_status" ''
	valid POST "/workflows/$wf/reset_status" ''
	check_all
}
