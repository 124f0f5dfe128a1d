#!/usr/bin/env bats
# slurm_schedulers, local_schedulers, scheduled_compute_nodes: CRUD, filters,
# required fields, delete-all, and removal with their workflow.

load helpers

setup_file() {
	start_server
	echo "$BASE" >"$BATS_FILE_TMPDIR/base"
	echo "$SERVER_PID" >"$BATS_FILE_TMPDIR/pid"
}

teardown_file() {
	kill -INT "$(cat "$BATS_FILE_TMPDIR/pid")" 2>/dev/null || true
}

setup() {
	BASE=$(cat "$BATS_FILE_TMPDIR/base")
}

@test "slurm_schedulers: create, get, filter, update, delete" {
	wf=$(mk_workflow slurm)
	api POST /slurm_schedulers "{\"workflow_id\":$wf,\"name\":\"gpu\",\"account\":\"proj\",\"nodes\":2,\"walltime\":\"04:00:00\",\"gres\":\"gpu:1\",\"partition\":\"gpu\"}"
	expect_code 200
	id=$(jqb .id)
	expect_json .account proj
	api POST /slurm_schedulers "{\"workflow_id\":$wf,\"name\":\"cpu\",\"account\":\"proj\",\"nodes\":1,\"walltime\":\"01:00:00\"}"
	expect_code 200
	api GET "/slurm_schedulers?workflow_id=$wf&partition=gpu"
	expect_code 200
	expect_json '.total_count' 1
	expect_json '.items[0].name' gpu
	api GET "/slurm_schedulers?workflow_id=$wf&nodes=1"
	expect_json '.items[0].name' cpu
	api PUT "/slurm_schedulers/$id" '{"qos":"high"}'
	expect_code 200
	expect_json .qos high
	expect_json .account proj
	api DELETE "/slurm_schedulers/$id"
	expect_code 200
	api GET "/slurm_schedulers/$id"
	expect_code 404
}

@test "slurm_schedulers: a missing required field is named" {
	wf=$(mk_workflow slurm2)
	api POST /slurm_schedulers "{\"workflow_id\":$wf,\"nodes\":1,\"walltime\":\"01:00:00\"}"
	expect_code 400
	[[ "$(jqb .error.message)" == *account* ]]
	api POST /slurm_schedulers '{"workflow_id":999999,"account":"a","nodes":1,"walltime":"1"}'
	expect_code 404
}

@test "local_schedulers and scheduled_compute_nodes; delete-all and cascade" {
	wf=$(mk_workflow local)
	api POST /local_schedulers "{\"workflow_id\":$wf,\"memory\":\"8g\",\"num_cpus\":4}"
	expect_code 200
	api POST /local_schedulers "{\"workflow_id\":$wf,\"num_cpus\":4}"
	expect_code 400
	api POST /scheduled_compute_nodes "{\"workflow_id\":$wf,\"scheduler_id\":1,\"scheduler_config_id\":1,\"scheduler_type\":\"slurm\",\"status\":\"pending\"}"
	expect_code 200
	sid=$(jqb .id)
	api GET "/scheduled_compute_nodes?workflow_id=$wf&status=pending"
	expect_json .total_count 1
	api GET "/scheduled_compute_nodes?workflow_id=$wf&status=active"
	expect_json .total_count 0
	api DELETE "/local_schedulers?workflow_id=$wf"
	expect_code 200
	expect_json .count 1
	api DELETE "/workflows/$wf"
	expect_code 200
	api GET "/scheduled_compute_nodes/$sid"
	expect_code 404
}
