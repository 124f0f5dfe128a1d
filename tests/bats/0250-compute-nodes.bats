#!/usr/bin/env bats
# /compute_nodes: CRUD, required fields and types, compute_node_type,
# filters (hostname, is_active, scheduled_compute_node_id), pagination,
# delete-all, removal with the workflow.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# node_json WF HOST [extra json members]
node_json() {
	printf '{"workflow_id":%s,"hostname":"%s","pid":4242,"start_time":"2025-01-01T00:00:00Z","num_cpus":8,"memory_gb":31.5,"num_gpus":0,"num_nodes":1,"compute_node_type":"local"%s}' \
		"$1" "$2" "${3:+,$3}"
}

mk_node() {
	api POST /compute_nodes "$(node_json "$@")"
	expect_code 200 >&2
	jqb .id
}

@test "create, get, update and delete a compute node" {
	wf=$(mk_workflow cn-crud)
	api POST /compute_nodes "$(node_json "$wf" node1 '"is_active":true,"duration_seconds":1.5,"time_limit":"01:00:00","scheduler_config_id":3,"scheduler":{"scheduler_id":9,"kind":"slurm"}')"
	expect_code 200
	id=$(jqb .id)
	expect_json '[.workflow_id,.hostname,.pid,.num_cpus,.memory_gb,.num_gpus,.num_nodes,.compute_node_type] | @csv' \
		"$wf,\"node1\",4242,8,31.5,0,1,\"local\""
	expect_json '[.is_active,.duration_seconds,.time_limit,.scheduler_config_id,.scheduler.scheduler_id] | @csv' \
		'true,1.5,"01:00:00",3,9'
	api GET "/compute_nodes/$id"
	expect_code 200
	expect_json .start_time 2025-01-01T00:00:00Z
	api PUT "/compute_nodes/$id" '{"is_active":false,"duration_seconds":60}'
	expect_code 200
	expect_json '[.is_active,.duration_seconds,.hostname] | @csv' 'false,60,"node1"'
	api DELETE "/compute_nodes/$id"
	expect_code 200
	expect_json .id "$id"
	api GET "/compute_nodes/$id"
	expect_code 404
	expect_json .error.message "Compute node not found with ID: $id"
	api PUT "/compute_nodes/$id" '{"pid":1}'
	expect_code 404
	api DELETE "/compute_nodes/$id"
	expect_code 404
	api POST /compute_nodes "$(node_json 999999 h)"
	expect_code 404
}

@test "required fields and types are 400 naming the field" {
	wf=$(mk_workflow cn-bad)
	for f in hostname pid start_time num_cpus memory_gb num_gpus num_nodes compute_node_type; do
		api POST /compute_nodes "$(node_json "$wf" h | jq -c "del(.$f)")"
		expect_code 400
		[[ "$(jqb .error.message)" == *"'$f'"* ]]
	done
	api POST /compute_nodes "$(node_json "$wf" h | jq -c '.pid = "x"')"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'pid'"* ]]
	api POST /compute_nodes "$(node_json "$wf" h | jq -c '.memory_gb = "lots"')"
	expect_code 400
	api POST /compute_nodes "$(node_json "$wf" h | jq -c '.scheduler = "slurm"')"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'scheduler'"* ]]
	api POST /compute_nodes "$(node_json "$wf" h | jq -c '.compute_node_type = "cloud"')"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'compute_node_type'"* ]]
	api POST /compute_nodes "$(node_json "$wf" h | jq -c '.compute_node_type = "slurm"')"
	expect_code 200
	id=$(jqb .id)
	api PUT "/compute_nodes/$id" '{"compute_node_type":"cloud"}'
	expect_code 400
	api GET "/compute_nodes/$id"
	expect_json .compute_node_type slurm
	api GET "/compute_nodes?workflow_id=$wf"
	expect_json .total_count 1
	api GET /compute_nodes
	expect_code 400
	api GET "/compute_nodes?workflow_id=$wf&is_active=yes"
	expect_code 400
	api GET "/compute_nodes?workflow_id=$wf&scheduled_compute_node_id=x"
	expect_code 400
	api GET "/compute_nodes?workflow_id=$wf&colour=red"
	expect_code 400
}

@test "list: hostname, is_active, scheduled_compute_node_id, pagination" {
	wf=$(mk_workflow cn-list)
	mk_node "$wf" a '"is_active":true,"scheduler":{"scheduler_id":5}' >/dev/null
	mk_node "$wf" b '"is_active":false,"scheduler":{"scheduler_id":6}' >/dev/null
	mk_node "$wf" a '"is_active":false' >/dev/null
	mk_node "$wf" c '"is_active":true,"scheduler":{"scheduler_id":5}' >/dev/null

	api GET "/compute_nodes?workflow_id=$wf"
	expect_json '[.items[].hostname] | join(",")' 'a,b,a,c'
	expect_json '[.offset,.max_limit,.count,.total_count,.has_more] | @csv' '0,10000,4,4,false'
	api GET "/compute_nodes?workflow_id=$wf&limit=3&offset=1"
	expect_json '[.items[].hostname] | join(",")' 'b,a,c'
	api GET "/compute_nodes?workflow_id=$wf&sort_by=hostname&reverse_sort=true"
	expect_json '[.items[].hostname] | join(",")' 'c,b,a,a'
	api GET "/compute_nodes?workflow_id=$wf&hostname=a"
	expect_json .total_count 2
	api GET "/compute_nodes?workflow_id=$wf&is_active=true"
	expect_json '[.items[].hostname] | join(",")' 'a,c'
	api GET "/compute_nodes?workflow_id=$wf&is_active=false"
	expect_json '[.items[].hostname] | join(",")' 'b,a'
	api GET "/compute_nodes?workflow_id=$wf&scheduled_compute_node_id=5"
	expect_json '[.items[].hostname] | join(",")' 'a,c'
	api GET "/compute_nodes?workflow_id=$wf&scheduled_compute_node_id=5&hostname=c"
	expect_json '[.items[].hostname] | join(",")' 'c'
	api GET "/compute_nodes?workflow_id=$wf&scheduled_compute_node_id=7"
	expect_json .total_count 0
}

@test "delete-all answers count; deleting the workflow removes its nodes" {
	wf=$(mk_workflow cn-del)
	other=$(mk_workflow cn-del-other)
	mk_node "$wf" a >/dev/null
	mk_node "$wf" b >/dev/null
	keep=$(mk_node "$other" k)
	api DELETE "/compute_nodes?workflow_id=$wf"
	expect_code 200
	expect_json 'keys | join(",")' count
	expect_json .count 2
	api GET "/compute_nodes?workflow_id=$wf"
	expect_json .total_count 0
	api GET "/compute_nodes/$keep"
	expect_code 200
	api DELETE "/workflows/$other"
	api GET "/compute_nodes/$keep"
	expect_code 404
	api GET "/compute_nodes?workflow_id=$other"
	expect_json .total_count 0
}
