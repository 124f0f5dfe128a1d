#!/usr/bin/env bats
# `torc workflows create SPEC`: every shared example spec
# (tests/fixtures/specs/) loads unchanged and lands on the real server as
# it should; each format (JSON, JSON5, YAML, auto-detected); ${files...}
# and ${user_data...} substitution with the implicit dependencies;
# parameterized jobs and files; explicit dependency levels; batches of
# /bulk_jobs; load errors; and the rollback of a half-made workflow.

load helpers
bats_require_minimum_version 1.5.0

T="$ROOT/build/bin/torc"
SPECS="$ROOT/tests/fixtures/specs"

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" DBDIR="$BATS_FILE_TMPDIR/db" start_server
}

teardown_file() { stop_server; }

setup() {
	export TORC_API_URL="$BASE" TORC_USERNAME=specuser
	STUB_PID=
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	if [ -n "$STUB_PID" ]; then
		kill "$STUB_PID" 2>/dev/null || true
		wait "$STUB_PID" 2>/dev/null || true
	fi
}

# create FILE -> sets WF (the new workflow id)
create() {
	run --separate-stderr "$T" -f json workflows create "$1"
	[ "$status" -eq 0 ] || { echo "create $1: $stderr" >&2; return 1; }
	WF=$(jq -r .id <<<"$output")
	[ "$WF" -gt 0 ]
}

# jobs_json WF -> $body = all jobs with relationships (one page is enough here)
jobs_json() {
	api GET "/jobs?workflow_id=$1&include_relationships=true&limit=10000"
	expect_code 200
}

# id_of RESOURCE WF NAME -> echoes the id
id_of() {
	api GET "/$1?workflow_id=$2&limit=10000"
	jq -r --arg n "$3" '.items[] | select(.name == $n) | .id' <<<"$body"
}

count() {
	api GET "/$1?workflow_id=$2&limit=0"
	expect_code 200 >&2
	jqb .total_count
}

@test "every shared example spec loads unchanged and creates as many jobs as it defines" {
	local n=0 f
	for f in "$SPECS"/*; do
		run -0 --separate-stderr "$T" -f json workflows create --dry-run "$f"
		want=$(jq '[.levels[][]] | length' <<<"$output")
		files=$(jq '.files | length' <<<"$output")
		run --separate-stderr "$T" -f json workflows create "$f"
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; return 1; }
		wf=$(jq -r .id <<<"$output")
		[ "$(jq -r .user <<<"$output")" = specuser ]
		[ "$(count jobs "$wf")" = "$want" ]
		[ "$(count files "$wf")" = "$files" ]
		api GET "/jobs?workflow_id=$wf&limit=10000"
		[ "$(jqb '[.items[] | select(.status != "uninitialized")] | length')" = 0 ]
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
}

@test "diamond (YAML and JSON5): files, implicit dependencies, commands with paths" {
	for f in diamond_workflow.yaml diamond_workflow.json5; do
		create "$SPECS/$f"
		[ "$(count files "$WF")" = 6 ]
		jobs_json "$WF"
		pre=$(jqb '.items[] | select(.name=="preprocess")')
		f1=$(id_of files "$WF" f1); f2=$(id_of files "$WF" f2); f3=$(id_of files "$WF" f3)
		[ "$(jq -c .input_file_ids <<<"$pre")" = "[$f1]" ]
		[ "$(jq -c .output_file_ids <<<"$pre")" = "[$f2,$f3]" ]
		path1=$(api GET "/files/$f1"; jqb .path)
		[[ "$(jq -r .command <<<"$pre")" == "bash tests/scripts/preprocess.sh -i $path1 -o "* ]]
		post=$(jqb '.items[] | select(.name=="postprocess")')
		[ "$(jq '.input_file_ids | length' <<<"$post")" = 2 ]
		# Implicit dependencies appear at initialize.
		api POST "/workflows/$WF/initialize_jobs" ""
		expect_code 200
		jobs_json "$WF"
		[ "$(jqb -r '[.items[] | "\(.name)=\(.status)"] | sort | join(" ")')" = \
			"postprocess=blocked preprocess=ready work1=blocked work2=blocked" ]
	done
}

@test "hundred jobs: all 100 with the 'minimal' resource requirements" {
	create "$SPECS/hundred_jobs_workflow.json5"
	[ "$(count jobs "$WF")" = 100 ]
	rr=$(id_of resource_requirements "$WF" minimal)
	api GET "/resource_requirements/$rr"
	expect_json .memory 1g
	expect_json .num_cpus 1
	jobs_json "$WF"
	[ "$(jqb --arg rr "$rr" '[.items[] | select(.resource_requirements_id == ($rr|tonumber))] | length')" = 100 ]
	[ "$(jqb -r '.items[0].name')" = job_001 ]
	[ "$(jqb -r '.items[99].name')" = job_100 ]
}

@test "sample workflow: user data, schedulers, explicit dependencies, flags" {
	create "$SPECS/sample_workflow.json5"
	[ "$(count jobs "$WF")" = 3 ]
	[ "$(count user_data "$WF")" = 3 ]
	jobs_json "$WF"
	dl=$(jqb '.items[] | select(.name=="data_download") | .id')
	val=$(jqb '.items[] | select(.name=="data_validation")')
	[ "$(jq -c .depends_on_job_ids <<<"$val")" = "[$dl]" ]
	[ "$(jq .supports_termination <<<"$val")" = true ]
	[ "$(jqb '.items[] | select(.name=="data_download") | .cancel_on_blocking_job_failure')" = false ]
	[ "$(jq -r .scheduler_id <<<"$val")" != null ]
	meta=$(id_of user_data "$WF" download_metadata)
	[ "$(jq -c .input_user_data_ids <<<"$val")" = "[$meta]" ]
	api GET "/user_data/$meta"
	expect_json .is_ephemeral true
	expect_json .data.file_size_bytes 1048576
	api GET "/resource_requirements?workflow_id=$WF&name=large_job"
	expect_json '.items[0].num_gpus' 1
	expect_json '.items[0].memory' 16g
}

@test "each format: strict JSON, JSON5, YAML, and a name without a known extension" {
	cat >w.json <<'EOF'
{"name": "fmt_json", "jobs": [{"name": "a", "command": "echo a"}, {"name": "b", "command": "echo b", "depends_on": ["a"]}]}
EOF
	cat >w.json5 <<'EOF'
// comments, unquoted keys, single quotes, trailing commas
{
  name: 'fmt_json5',
  jobs: [
    {name: 'a', command: "echo 'a'",},
    {name: 'b', command: 'echo b', depends_on: ['a',],},
  ],
}
EOF
	cat >w.yaml <<'EOF'
name: fmt_yaml
defaults: &d
  command: echo from an anchor
jobs:
  - name: a
    <<: *d
  - name: b
    command: echo b
    depends_on: [a]
EOF
	sed 's/fmt_yaml/fmt_auto/; /^defaults/,/^jobs/{/^jobs/!d}; s/<<: \*d/command: echo a/' w.yaml >w.spec
	for f in w.json w.json5 w.yaml w.spec; do
		run --separate-stderr "$T" -f json workflows create "$f"
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; return 1; }
		wf=$(jq -r .id <<<"$output")
		jobs_json "$wf"
		a=$(jqb '.items[] | select(.name=="a") | .id')
		[ "$(jqb -c '.items[] | select(.name=="b") | .depends_on_job_ids')" = "[$a]" ]
	done
	run -0 "$T" -f json workflows list --limit 100
	[ "$(jq -r '[.[].name | select(startswith("fmt_"))] | sort | join(" ")' <<<"$output")" = \
		"fmt_auto fmt_json fmt_json5 fmt_yaml" ]
	api GET "/jobs?workflow_id=$(api GET '/workflows?name=fmt_yaml'; jqb '.items[0].id')"
	[ "$(jqb -r '.items[0].command')" = "echo from an anchor" ]
	# Strict JSON refuses JSON5.
	cp w.json5 strict.json
	run -1 --separate-stderr "$T" workflows create strict.json
	[[ "$stderr" == "torc: error: strict.json: line "*", column "* ]]
}

@test "parameterized jobs and files, zip mode, and a fan-in through depends_on_regexes" {
	cat >p.yaml <<'EOF'
name: params
files:
  - name: out_{i}
    path: out/out_{i:02d}.txt
    parameters: {i: "1:3"}
jobs:
  - name: job_{i:03d}
    command: "echo {i} > ${files.output.out_{i}}"
    parameters: {i: "1:3"}
  - name: train_{lr}_{opt}
    command: "train --lr {lr:.2f} --opt {opt}"
    parameters: {lr: "[0.1,0.25]", opt: "['adam','sgd']"}
    parameter_mode: zip
  - name: merge
    command: "cat ${files.input.out_1} ${files.input.out_2} ${files.input.out_3}"
    depends_on_regexes: ["^train_"]
EOF
	create p.yaml
	jobs_json "$WF"
	[ "$(jqb -r '[.items[].name] | sort | join(" ")')" = \
		"job_001 job_002 job_003 merge train_0.1_adam train_0.25_sgd" ]
	[ "$(jqb -r '.items[] | select(.name=="job_002") | .command')" = "echo 2 > out/out_02.txt" ]
	[ "$(jqb -r '.items[] | select(.name=="train_0.25_sgd") | .command')" = "train --lr 0.25 --opt sgd" ]
	[ "$(jqb '.items[] | select(.name=="merge") | .depends_on_job_ids | length')" = 2 ]
	[ "$(jqb '.items[] | select(.name=="merge") | .input_file_ids | length')" = 3 ]
	[ "$(count files "$WF")" = 3 ]
	# merge waits on its files' producers too, once initialized.
	api POST "/workflows/$WF/initialize_jobs" ""
	jobs_json "$WF"
	[ "$(jqb -r '.items[] | select(.name=="merge") | .status')" = blocked ]
	[ "$(jqb -r '.items[] | select(.name=="job_001") | .status')" = ready ]
}

@test "user_data substitution and relations" {
	cat >u.yaml <<'EOF'
name: ud
user_data:
  - {name: cfg, data: {alpha: 1}}
  - {name: result}
jobs:
  - name: produce
    command: "echo '${user_data.input.cfg}' > /dev/null # ${user_data.output.result}"
  - name: consume
    command: "echo ${user_data.input.result}"
EOF
	create u.yaml
	cfg=$(id_of user_data "$WF" cfg); res=$(id_of user_data "$WF" result)
	jobs_json "$WF"
	[ "$(jqb -c '.items[] | select(.name=="produce") | .input_user_data_ids')" = "[$cfg]" ]
	[ "$(jqb -c '.items[] | select(.name=="produce") | .output_user_data_ids')" = "[$res]" ]
	[ "$(jqb -c '.items[] | select(.name=="consume") | .input_user_data_ids')" = "[$res]" ]
	[[ "$(jqb -r '.items[] | select(.name=="produce") | .command')" == *'{"alpha":1}'* ]]
}

@test "jobs go up in dependency levels and in batches of 1000 through /bulk_jobs" {
	cat >big.yaml <<'EOF'
name: big
jobs:
  - name: first
    command: "true"
  - name: w_{i:04d}
    command: "echo {i}"
    parameters: {i: "1:2500"}
    depends_on: [first]
  - name: last
    command: "true"
    depends_on_regexes: ["^w_"]
EOF
	create big.yaml
	[ "$(count jobs "$WF")" = 2502 ]
	api GET "/jobs?workflow_id=$WF&limit=1&sort_by=id&reverse_sort=true&include_relationships=true"
	expect_json '.items[0].name' last
	expect_json '.items[0].depends_on_job_ids | length' 2500
	api GET "/jobs?workflow_id=$WF&limit=1&offset=1500&include_relationships=true"
	first=$(id_of jobs "$WF" first)
	[ "$(jqb -c '.items[0].depends_on_job_ids')" = "[$first]" ]
	# The CLI's own list pages through it all.
	run -0 "$T" -f json jobs list "$WF"
	[ "$(jq '.jobs | length' <<<"$output")" = 2502 ]
}

@test "a spec's own 'default' resource requirements replace the server's default" {
	cat >d.yaml <<'EOF'
name: defrr
resource_requirements:
  - {name: default, num_cpus: 2, memory: 2g, runtime: PT10M}
jobs:
  - {name: a, command: "true"}
  - {name: b, command: "true", resource_requirements: default}
EOF
	create d.yaml
	api GET "/resource_requirements?workflow_id=$WF"
	expect_json '.items | length' 1
	expect_json '.items[0].num_cpus' 2
	expect_json '.items[0].memory' 2g
	rr=$(jqb '.items[0].id')
	jobs_json "$WF"
	[ "$(jqb "[.items[] | select(.resource_requirements_id == $rr)] | length")" = 2 ]
}

@test "unknown keys warn and the spec still loads; the owner is the CLI's user" {
	cat >k.yaml <<'EOF'
name: keys
user: somebody_else
colour: blue
jobs:
  - {name: a, command: "true", flavour: vanilla}
EOF
	run -0 --separate-stderr "$T" workflows create k.yaml
	[[ "$stderr" == *"torc: warning: k.yaml: top level: unknown key 'colour' ignored"* ]]
	[[ "$stderr" == *"flavour"* ]]
	[[ "$output" == "Created workflow "*" (keys): 1 jobs, 0 files, 0 user data" ]]
	wf=$(sed -n 's/^Created workflow \([0-9]*\) .*/\1/p' <<<"$output")
	api GET "/workflows/$wf"
	expect_json .user specuser
}

@test "load errors name the line or the job, exit 1, and leave nothing on the server" {
	before=$(api GET '/workflows?limit=0'; jqb .total_count)
	printf '{"name":"x","jobs":[{"name":"a","command":"c",},]}' >bad.json
	run -1 --separate-stderr "$T" workflows create bad.json
	[ "$stderr" = "torc: error: bad.json: line 1, column 47: trailing comma before '}' is not allowed in JSON" ]
	printf 'name: x\njobs:\n  - name: a\n    command: c\n    depends_on: [zz]\n' >dep.yaml
	run -1 --separate-stderr "$T" workflows create dep.yaml
	[ "$stderr" = "torc: error: dep.yaml: job 'a': depends_on names unknown job 'zz'" ]
	printf 'name: x\njobs:\n  - {name: a, command: c, depends_on: [b]}\n  - {name: b, command: c, depends_on: [a]}\n' >cyc.yaml
	run -1 --separate-stderr "$T" workflows create cyc.yaml
	[[ "$stderr" == *"dependency cycle"* ]]
	printf 'name: x\njobs:\n  - name: a\n    command: [unclosed\n' >syn.yaml
	run -1 --separate-stderr "$T" workflows create syn.yaml
	[[ "$stderr" == "torc: error: syn.yaml: line "* ]]
	run -1 --separate-stderr "$T" workflows create /nonexistent/spec.yaml
	[[ "$stderr" == *"/nonexistent/spec.yaml"* ]]
	after=$(api GET '/workflows?limit=0'; jqb .total_count)
	[ "$before" = "$after" ]
}

@test "--dry-run checks a spec without a server" {
	run -0 "$T" --url http://127.0.0.1:1/torc-service/v1 workflows create --dry-run "$SPECS/sample_workflow.json5"
	[ "$output" = "Workflow 'sample_data_processing_workflow': 3 jobs in 3 levels, 5 files, 3 user data, 2 resource requirements, 2 schedulers, 0 failure handlers, 0 actions" ]
	run -0 "$T" --url http://127.0.0.1:1/torc-service/v1 -f json workflows create --dry-run "$SPECS/diamond_workflow.yaml"
	[ "$(jq -r .workflow.name <<<"$output")" = diamond_workflow ]
}

@test "a failure half-way deletes the half-made workflow" {
	# A stub server that accepts the workflow and files but refuses the jobs.
	cat >stub.py <<'EOF'
import http.server, json, sys
portfile, logfile = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def answer(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log(self):
        with open(logfile, "a") as f:
            f.write("%s %s\n" % (self.command, self.path))
    def do_GET(self):
        self.log()
        self.answer(200, "0.10.0 (stub)")
    def do_POST(self):
        self.log()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        if self.path.endswith("/bulk_jobs"):
            return self.answer(500, {"error": {"message": "disk full"}})
        body["id"] = 42 if self.path.endswith("/workflows") else 7
        self.answer(200, body)
    def do_DELETE(self):
        self.log()
        self.answer(200, {"id": 42})
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(portfile, "w").write(str(s.server_address[1]))
s.serve_forever()
EOF
	: >stub.log
	python3 stub.py stub.port stub.log &
	STUB_PID=$!
	for _ in $(seq 1 100); do [ -s stub.port ] && break; sleep 0.05; done
	run -1 --separate-stderr "$T" --url "http://127.0.0.1:$(cat stub.port)/torc-service/v1" \
		workflows create "$SPECS/diamond_workflow.yaml"
	[[ "$stderr" == *"torc: error: cannot create the jobs: disk full (HTTP 500)"* ]]
	[[ "$stderr" == *"deleted the incomplete workflow 42"* ]]
	grep -q '^POST /torc-service/v1/workflows$' stub.log
	[ "$(grep -c '^POST /torc-service/v1/files$' stub.log)" = 6 ]
	grep -q '^DELETE /torc-service/v1/workflows/42$' stub.log
}
