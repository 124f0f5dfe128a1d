#!/usr/bin/env bats
# /resource_requirements: the default rr of each workflow, defaults, memory
# and runtime parsing (422), the reserved name (409), filters including
# job_id, pagination, delete rules, bad input, removal with the workflow.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# mk_rr WF NAME [extra json members] -> echoes the id
mk_rr() {
	api POST /resource_requirements "{\"workflow_id\":$1,\"name\":\"$2\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

mk_job() {
	api POST /jobs "{\"workflow_id\":$1,\"name\":\"$2\",\"command\":\"true\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

@test "every workflow has a default rr; a new rr gets Torc's defaults" {
	wf=$(mk_workflow rr-defaults)
	api GET "/resource_requirements?workflow_id=$wf"
	expect_code 200
	expect_json .total_count 1
	expect_json '.items[0] | [.name,.num_cpus,.num_gpus,.num_nodes,.memory,.runtime] | @csv' \
		'"default",1,0,1,"1m","P0DT1M"'
	# The derived fields stay inside the server.
	expect_json '.items[0] | has("memory_bytes") or has("runtime_s")' false

	api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"small\"}"
	expect_code 200
	expect_json '[.name,.num_cpus,.num_gpus,.num_nodes,.memory,.runtime] | @csv' \
		'"small",1,0,1,"1m","P0DT1M"'
	expect_json 'has("memory_bytes") or has("runtime_s")' false
}

@test "create, get, update and delete" {
	wf=$(mk_workflow rr-crud)
	api POST /resource_requirements \
		"{\"workflow_id\":$wf,\"name\":\"big\",\"num_cpus\":64,\"num_gpus\":2,\"num_nodes\":2,\"memory\":\"512g\",\"runtime\":\"P1DT2H\"}"
	expect_code 200
	id=$(jqb .id)
	expect_json '[.workflow_id,.name,.num_cpus,.num_gpus,.num_nodes,.memory,.runtime] | @csv' \
		"$wf,\"big\",64,2,2,\"512g\",\"P1DT2H\""
	api GET "/resource_requirements/$id"
	expect_code 200
	expect_json .memory 512g
	expect_json 'has("memory_bytes")' false

	api PUT "/resource_requirements/$id" '{"num_cpus":8,"memory":"16G"}'
	expect_code 200
	expect_json '[.name,.num_cpus,.num_gpus,.memory,.runtime] | @csv' '"big",8,2,"16G","P1DT2H"'
	api GET "/resource_requirements/$id"
	expect_json .num_cpus 8

	api DELETE "/resource_requirements/$id"
	expect_code 200
	expect_json .name big
	expect_json 'has("memory_bytes")' false
	api GET "/resource_requirements/$id"
	expect_code 404
	expect_json .error.message "Resource requirements not found with ID: $id"
	api PUT "/resource_requirements/$id" '{"num_cpus":1}'
	expect_code 404
	api DELETE "/resource_requirements/$id"
	expect_code 404
}

@test "unparsable memory or runtime is 422 on create and on update, and changes nothing" {
	wf=$(mk_workflow rr-units)
	for m in lots 12x -5g "" 1.5g; do
		api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"m\",\"memory\":\"$m\"}"
		expect_code 422
		[[ "$(jqb .error.message)" == *"'memory'"* ]]
	done
	for r in soon 1H PT P1H PTX; do
		api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"r\",\"runtime\":\"$r\"}"
		expect_code 422
		[[ "$(jqb .error.message)" == *"'runtime'"* ]]
	done
	id=$(mk_rr "$wf" ok '"memory":"2g","runtime":"PT30M"')
	api PUT "/resource_requirements/$id" '{"memory":"huge"}'
	expect_code 422
	[[ "$(jqb .error.message)" == *"'memory'"* ]]
	api PUT "/resource_requirements/$id" '{"runtime":"later","num_cpus":3}'
	expect_code 422
	api GET "/resource_requirements/$id"
	expect_json '[.memory,.runtime,.num_cpus] | @csv' '"2g","PT30M",1'
	api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"neg\",\"num_cpus\":-1}"
	expect_code 422
	[[ "$(jqb .error.message)" == *"'num_cpus'"* ]]
	api GET "/resource_requirements?workflow_id=$wf"
	expect_json .total_count 2
}

@test "the name default is reserved (409), on POST and through renames" {
	wf=$(mk_workflow rr-reserved)
	api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"default\"}"
	expect_code 409
	[[ "$(jqb .error.message)" == *reserved* ]]
	def=$(api GET "/resource_requirements?workflow_id=$wf&name=default"; jqb '.items[0].id')
	id=$(mk_rr "$wf" other)
	api PUT "/resource_requirements/$id" '{"name":"default"}'
	expect_code 409
	api PUT "/resource_requirements/$def" '{"name":"renamed"}'
	expect_code 409
	# Changing the default's numbers is fine.
	api PUT "/resource_requirements/$def" '{"num_cpus":2}'
	expect_code 200
	expect_json .name default
	expect_json .num_cpus 2
	api GET "/resource_requirements?workflow_id=$wf&name=default"
	expect_json .total_count 1
}

@test "bad input is 400 naming the field" {
	wf=$(mk_workflow rr-bad)
	api POST /resource_requirements "{\"workflow_id\":$wf}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'name'"* ]]
	api POST /resource_requirements '{"name":"x"}'
	expect_code 400
	[[ "$(jqb .error.message)" == *"'workflow_id'"* ]]
	api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"x\",\"num_cpus\":1.5}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'num_cpus'"* ]]
	api POST /resource_requirements "{\"workflow_id\":$wf,\"name\":\"x\",\"memory\":1024}"
	expect_code 400
	[[ "$(jqb .error.message)" == *"'memory'"* ]]
	api PUT /resource_requirements/1 '{"num_gpus":"two"}'
	expect_code 400
	[[ "$(jqb .error.message)" == *"'num_gpus'"* ]]
	api POST /resource_requirements '{"workflow_id":999999,"name":"x"}'
	expect_code 404
	api GET /resource_requirements
	expect_code 400
	api GET "/resource_requirements?workflow_id=$wf&num_cpus=many"
	expect_code 400
	api GET "/resource_requirements?workflow_id=$wf&memory=lots"
	expect_code 400
	api GET "/resource_requirements?workflow_id=$wf&runtime=later"
	expect_code 400
	api GET "/resource_requirements?workflow_id=$wf&colour=red"
	expect_code 400
}

@test "list: filters by name, memory, cpus, gpus, nodes and runtime; pagination" {
	wf=$(mk_workflow rr-list)
	mk_rr "$wf" a '"num_cpus":4,"memory":"1g","runtime":"PT1H"' >/dev/null
	mk_rr "$wf" b '"num_cpus":4,"num_gpus":1,"memory":"1024m","runtime":"PT2H"' >/dev/null
	mk_rr "$wf" c '"num_cpus":8,"num_nodes":2,"memory":"2g","runtime":"PT60M"' >/dev/null

	api GET "/resource_requirements?workflow_id=$wf"
	expect_json '[.items[].name] | join(",")' 'default,a,b,c'
	expect_json '[.count,.total_count,.has_more] | @csv' '4,4,false'
	api GET "/resource_requirements?workflow_id=$wf&offset=1&limit=2"
	expect_json '[.items[].name] | join(",")' 'a,b'
	expect_json .has_more true
	api GET "/resource_requirements?workflow_id=$wf&sort_by=num_cpus&reverse_sort=true"
	expect_json '[.items[].name] | join(",")' 'c,b,a,default'

	api GET "/resource_requirements?workflow_id=$wf&name=b"
	expect_json '[.items[].name] | join(",")' 'b'
	api GET "/resource_requirements?workflow_id=$wf&num_cpus=4"
	expect_json '[.items[].name] | join(",")' 'a,b'
	api GET "/resource_requirements?workflow_id=$wf&num_gpus=1"
	expect_json '[.items[].name] | join(",")' 'b'
	api GET "/resource_requirements?workflow_id=$wf&num_nodes=2"
	expect_json '[.items[].name] | join(",")' 'c'
	# memory and runtime compare by value, whatever the spelling.
	api GET "/resource_requirements?workflow_id=$wf&memory=1g"
	expect_json '[.items[].name] | join(",")' 'a,b'
	api GET "/resource_requirements?workflow_id=$wf&memory=1m"
	expect_json '[.items[].name] | join(",")' 'default'
	api GET "/resource_requirements?workflow_id=$wf&runtime=PT1H"
	expect_json '[.items[].name] | join(",")' 'a,c'
	api GET "/resource_requirements?workflow_id=$wf&runtime=7200"
	expect_json '[.items[].name] | join(",")' 'b'
	api GET "/resource_requirements?workflow_id=$wf&num_cpus=4&runtime=PT1H"
	expect_json '[.items[].name] | join(",")' 'a'
}

@test "list: job_id finds the rr of that job" {
	wf=$(mk_workflow rr-job)
	big=$(mk_rr "$wf" big '"num_cpus":16')
	j1=$(mk_job "$wf" j1 "\"resource_requirements_id\":$big")
	j2=$(mk_job "$wf" j2)
	api GET "/resource_requirements?workflow_id=$wf&job_id=$j1"
	expect_code 200
	expect_json '[.items[].name] | join(",")' 'big'
	api GET "/resource_requirements?workflow_id=$wf&job_id=$j2"
	expect_json '[.items[].name] | join(",")' 'default'
	api GET "/resource_requirements?workflow_id=$wf&job_id=999999"
	expect_json .total_count 0

	# An rr a job still uses cannot be deleted.
	api DELETE "/resource_requirements/$big"
	expect_code 409
	[[ "$(jqb .error.message)" == *"job $j1"* ]]
	api GET "/resource_requirements/$big"
	expect_code 200
	api DELETE "/resource_requirements?workflow_id=$wf"
	expect_code 409
	api GET "/resource_requirements?workflow_id=$wf"
	expect_json .total_count 2
}

@test "delete-all answers count; deleting the workflow removes its rrs" {
	wf=$(mk_workflow rr-del)
	mk_rr "$wf" a >/dev/null
	mk_rr "$wf" b >/dev/null
	api DELETE "/resource_requirements?workflow_id=$wf"
	expect_code 200
	expect_json 'keys | join(",")' count
	expect_json .count 3
	api GET "/resource_requirements?workflow_id=$wf"
	expect_json .total_count 0

	wf2=$(mk_workflow rr-cascade)
	id=$(mk_rr "$wf2" a)
	api DELETE "/workflows/$wf2"
	expect_code 200
	api GET "/resource_requirements/$id"
	expect_code 404
	api GET "/resource_requirements?workflow_id=$wf2"
	expect_json .total_count 0
}
