#!/usr/bin/env bats
# The relationship views under /workflows/:id: job_dependencies,
# job_file_relationships and job_user_data_relationships (rows, names,
# pairings, envelope, pagination, 404), and the access checks of the
# handlers of this family that are not generic.

load helpers

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

# The access-control test runs a second server of its own; stop it.
teardown() {
	if [ -n "${ACL_SERVER:-}" ]; then
		stop_server
	fi
}

mk_job() {
	api POST /jobs "{\"workflow_id\":$1,\"name\":\"$2\",\"command\":\"true\"${3:+,$3}}"
	expect_code 200 >&2
	jqb .id
}

mk_file() {
	api POST /files "{\"workflow_id\":$1,\"name\":\"$2\",\"path\":\"/data/$2\"}"
	expect_code 200 >&2
	jqb .id
}

mk_ud() {
	api POST /user_data "{\"workflow_id\":$1,\"name\":\"$2\"}"
	expect_code 200 >&2
	jqb .id
}

# rows FILTER: one line per item, fields joined with '|' (absent = '-').
rows() {
	jq -r ".items[] | [$1] | map(if . == null then \"-\" else tostring end) | join(\"|\")" <<<"$body"
}

@test "job_dependencies: one row per (job, dependency) with names" {
	wf=$(mk_workflow views-deps)
	a=$(mk_job "$wf" prep)
	b=$(mk_job "$wf" work "\"depends_on_job_ids\":[$a]")
	c=$(mk_job "$wf" post "\"depends_on_job_ids\":[$b,$a]")
	mk_job "$wf" alone >/dev/null
	api GET "/workflows/$wf/job_dependencies"
	expect_code 200
	expect_json '[.offset,.max_limit,.count,.total_count,.has_more] | @csv' '0,10000,3,3,false'
	run rows '.job_id,.job_name,.depends_on_job_id,.depends_on_job_name,.workflow_id'
	[ "$output" = "$b|work|$a|prep|$wf
$c|post|$a|prep|$wf
$c|post|$b|work|$wf" ]
	api GET "/workflows/$wf/job_dependencies?offset=1&limit=1"
	expect_json '[.offset,.count,.total_count,.has_more] | @csv' '1,1,3,true'
	expect_json '.items[0] | [.job_name,.depends_on_job_name] | @csv' '"post","prep"'
	expect_json '.items[0] | has("id")' false
	api GET "/workflows/$wf/job_dependencies?sort_by=depends_on_job_name&reverse_sort=true&limit=1"
	expect_json '.items[0] | [.job_name,.depends_on_job_name] | @csv' '"post","work"'
}

@test "job_file_relationships: one row per (file, producer, consumer); lone files too" {
	wf=$(mk_workflow views-files)
	f1=$(mk_file "$wf" f1)
	f2=$(mk_file "$wf" f2)
	f3=$(mk_file "$wf" f3)
	f4=$(mk_file "$wf" f4)
	a=$(mk_job "$wf" a "\"output_file_ids\":[$f1]")
	b=$(mk_job "$wf" b "\"input_file_ids\":[$f1],\"output_file_ids\":[$f2]")
	c=$(mk_job "$wf" c "\"input_file_ids\":[$f1,$f4]")
	api GET "/workflows/$wf/job_file_relationships"
	expect_code 200
	expect_json '[.count,.total_count,.has_more] | @csv' '5,5,false'
	run rows '.file_id,.file_name,.file_path,.producer_job_id,.producer_job_name,.consumer_job_id,.consumer_job_name,.workflow_id'
	[ "$output" = "$f1|f1|/data/f1|$a|a|$b|b|$wf
$f1|f1|/data/f1|$a|a|$c|c|$wf
$f2|f2|/data/f2|$b|b|-|-|$wf
$f3|f3|/data/f3|-|-|-|-|$wf
$f4|f4|/data/f4|-|-|$c|c|$wf" ]
	# The missing side is omitted, not null.
	expect_json '.items[2] | has("consumer_job_id") or has("consumer_job_name")' false
	expect_json '.items[3] | keys | join(",")' 'file_id,file_name,file_path,workflow_id'
	api GET "/workflows/$wf/job_file_relationships?limit=2&offset=2"
	expect_json '[.items[].file_name] | join(",")' 'f2,f3'
	expect_json .has_more true

	# Two producers and two consumers of one file: four pairings.
	wf2=$(mk_workflow views-files-cross)
	g=$(mk_file "$wf2" g)
	mk_job "$wf2" p1 "\"output_file_ids\":[$g]" >/dev/null
	mk_job "$wf2" p2 "\"output_file_ids\":[$g]" >/dev/null
	mk_job "$wf2" c1 "\"input_file_ids\":[$g]" >/dev/null
	mk_job "$wf2" c2 "\"input_file_ids\":[$g]" >/dev/null
	api GET "/workflows/$wf2/job_file_relationships"
	run rows '.producer_job_name,.consumer_job_name'
	[ "$output" = "p1|c1
p1|c2
p2|c1
p2|c2" ]
}

@test "job_user_data_relationships: the same pairings for user data" {
	wf=$(mk_workflow views-ud)
	u1=$(mk_ud "$wf" u1)
	u2=$(mk_ud "$wf" u2)
	a=$(mk_job "$wf" a "\"output_user_data_ids\":[$u1]")
	b=$(mk_job "$wf" b "\"input_user_data_ids\":[$u1]")
	# Linked through POST /user_data?consumer_job_id= as well.
	api POST "/user_data?consumer_job_id=$a" "{\"workflow_id\":$wf,\"name\":\"u3\"}"
	expect_code 200
	u3=$(jqb .id)
	api GET "/workflows/$wf/job_user_data_relationships"
	expect_code 200
	expect_json .total_count 3
	run rows '.user_data_id,.user_data_name,.producer_job_id,.producer_job_name,.consumer_job_id,.consumer_job_name,.workflow_id'
	[ "$output" = "$u1|u1|$a|a|$b|b|$wf
$u2|u2|-|-|-|-|$wf
$u3|u3|-|-|$a|a|$wf" ]
	expect_json '.items[0] | has("file_id") or has("file_path")' false
}

@test "views: empty workflows, 404 for a missing one, 400 for bad parameters" {
	wf=$(mk_workflow views-empty)
	for v in job_dependencies job_file_relationships job_user_data_relationships; do
		api GET "/workflows/$wf/$v"
		expect_code 200
		expect_json '[(.items | length), .offset, .max_limit, .count, .total_count, .has_more] | @csv' \
			'0,0,10000,0,0,false'
		api GET "/workflows/999999/$v"
		expect_code 404
		expect_json .error.message "Workflow not found with ID: 999999"
		api GET "/workflows/$wf/$v?limit=-1"
		expect_code 400
		api GET "/workflows/$wf/$v?colour=red"
		expect_code 400
		api POST "/workflows/$wf/$v" '{}'
		expect_code 405
	done
}

@test "views and custom lists refuse other users under access control" {
	# make builds torc-htpasswd; its absence is a build failure, not a skip.
	[ -x "$ROOT/build/sbin/torc-htpasswd" ]
	local pw="$BATS_TEST_TMPDIR/htpasswd"
	printf 'alicepw\n' | "$ROOT/build/sbin/torc-htpasswd" add --cost 4 --password-stdin "$pw" alice
	printf 'bobpw\n' | "$ROOT/build/sbin/torc-htpasswd" add --cost 4 --password-stdin "$pw" bob
	ACL_SERVER=1
	DBDIR="$BATS_TEST_TMPDIR/db-acl" \
		start_server --auth-file "$pw" --require-auth --enforce-access-control
	api_as alice:alicepw POST /workflows '{"name":"private","user":"alice"}'
	expect_code 200
	wf=$(jqb .id)
	api_as alice:alicepw POST /files "{\"workflow_id\":$wf,\"name\":\"f\",\"path\":\"/f\"}"
	expect_code 200
	for p in "/workflows/$wf/job_dependencies" "/workflows/$wf/job_file_relationships" \
		"/workflows/$wf/job_user_data_relationships" "/workflows/$wf/failure_handlers" \
		"/files?workflow_id=$wf" "/user_data?workflow_id=$wf" "/results?workflow_id=$wf" \
		"/events?workflow_id=$wf" "/compute_nodes?workflow_id=$wf" \
		"/resource_requirements?workflow_id=$wf"; do
		api_as bob:bobpw GET "$p"
		expect_code 403
		api_as alice:alicepw GET "$p"
		expect_code 200
	done
	api_as bob:bobpw POST /user_data "{\"workflow_id\":$wf,\"name\":\"x\"}"
	expect_code 403
	api_as bob:bobpw DELETE "/user_data?workflow_id=$wf"
	expect_code 403
	api_as bob:bobpw GET /files/1
	expect_code 403
	api_as alice:alicepw GET "/user_data?workflow_id=$wf"
	expect_json .total_count 0
}
