/*
 * test_cli_spec.c: unit tests of the torc CLI's workflow-spec loader:
 * the JSON5 reader, the YAML loader, and spec.c (every example spec in
 * tests/fixtures/specs/, copied from ../shared/examples/, parameter
 * expansion, ${files...} substitution, regexes, validation messages,
 * levels, cycles, warnings and the upload bodies).
 *
 * Run from the repository root (the fixtures are found by relative path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../bin/torc/json5.h"
#include "../../bin/torc/spec.h"
#include "../../bin/torc/yamlload.h"

#define FIXTURES	"tests/fixtures/specs"

static char err[2048];
static char *warnbuf;
static size_t warnlen;

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* Parses text as fmt; warnings land in warnbuf (freed by the next call). */
static struct spec *
load_text(const char *text, enum spec_format fmt)
{
	struct spec *s = NULL;
	FILE *w;

	free(warnbuf);
	warnbuf = NULL;
	w = open_memstream(&warnbuf, &warnlen);
	if (spec_parse(text, strlen(text), fmt, "t", w, &s, err, sizeof(err)) < 0)
		s = NULL;
	fclose(w);
	return s;
}

/* Expects text to fail; returns 1 if err then contains every needle. */
static int
fails_with(const char *text, enum spec_format fmt, const char *n1, const char *n2)
{
	struct spec *s = load_text(text, fmt);

	if (s != NULL) {
		spec_free(s);
		fprintf(stderr, "expected failure (%s) for: %.200s\n", n1, text);
		return 0;
	}
	if (!contains(err, n1) || (n2 != NULL && !contains(err, n2))) {
		fprintf(stderr, "error \"%s\" lacks \"%s\"/\"%s\"\n", err, n1, n2 ? n2 : "");
		return 0;
	}
	return 1;
}

static const cJSON *
find_job(const struct spec *s, const char *name, int *level)
{
	const cJSON *lv, *j;
	int l = 0;

	cJSON_ArrayForEach(lv, s->levels) {
		cJSON_ArrayForEach(j, lv) {
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "name");

			if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0) {
				if (level != NULL)
					*level = l;
				return j;
			}
		}
		l++;
	}
	return NULL;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -12345;
}

/* The names in list key of o, joined with commas (static buffer). */
static const char *
names(const cJSON *o, const char *key)
{
	static char buf[4096];
	const cJSON *e;
	size_t n = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o, key)) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : "",
		    cJSON_IsString(e) ? e->valuestring : "?");
		if (n >= sizeof(buf))
			break;
	}
	return buf;
}

static int
level_size(const struct spec *s, int l)
{
	return cJSON_GetArraySize(cJSON_GetArrayItem(s->levels, l));
}

/* ---------------------------------------------------------------------- */

static void
test_json5(void)
{
	cJSON *v;
	const char *t;
	char *p, deep[200];
	int i;

	t = "{\n  // line comment\n  a: 1, /* block\n comment */ 'b': 'it\\'s',\n"
	    "  $c_1: [0x1F, -0x10, .5, 5., +3, 1e3,],\n  d: \"tab\\there\\x41\\u00e9\\uD83D\\uDE00\",\n"
	    "  e: 'one \\\ntwo',\n  f: null, g: true, h: false,\n}";
	v = json5_parse(t, strlen(t), 0, err, sizeof(err));
	CHECK(v != NULL);
	if (v != NULL) {
		p = cJSON_PrintUnformatted(v);
		CHECK_STR(p, "{\"a\":1,\"b\":\"it's\",\"$c_1\":[31,-16,0.5,5,3,1000],"
		    "\"d\":\"tab\\thereA\xc3\xa9\xf0\x9f\x98\x80\",\"e\":\"one two\",\"f\":null,"
		    "\"g\":true,\"h\":false}");
		free(p);
		cJSON_Delete(v);
	}
	/* Plain JSON in strict mode, and a length that stops before junk. */
	v = json5_parse("{\"a\": [1, 2.5e-1, \"x\"]}JUNK", strlen("{\"a\": [1, 2.5e-1, \"x\"]}"),
	    JSON5_STRICT, err, sizeof(err));
	CHECK(v != NULL);
	cJSON_Delete(v);

#define BAD(text, flags, msg) do { \
	v = json5_parse(text, strlen(text), flags, err, sizeof(err)); \
	CHECK(v == NULL); \
	cJSON_Delete(v); \
	if (!contains(err, msg)) \
		fprintf(stderr, "json5 error \"%s\" lacks \"%s\"\n", err, msg); \
	CHECK(contains(err, msg)); \
} while (0)

	BAD("{\n  \"name\": 1,\n  \"name\": 2\n}", 0, "line 3, column 3: duplicate key 'name'");
	BAD("{a: 1, a: 2}", 0, "duplicate key 'a'");
	BAD("[1,\n 2,\n Infinity]", 0, "line 3, column 2: Infinity and NaN are not supported");
	BAD("[-Infinity]", 0, "Infinity and NaN");
	BAD("[NaN]", 0, "Infinity and NaN");
	BAD("[01]", 0, "leading zeros");
	BAD("['abc\ndef']", 0, "line 1, column 6: line break inside a string");
	BAD("[1] x", 0, "line 1, column 5: unexpected character 'x'");
	BAD("", 0, "line 1, column 1: unexpected end of input");
	BAD("{a: 1 /* open", 0, "unterminated /* comment");
	BAD("{a 1}", 0, "expected ':' after key 'a'");
	BAD("{a: 1 b: 2}", 0, "expected ',' or '}'");
	BAD("[\"a\\u0000\"]", 0, "NUL characters");
	BAD("[\"\xff\"]", 0, "invalid UTF-8");
	BAD("[\"\\uD800x\"]", 0, "surrogate");
	BAD("[\"abc", 0, "unterminated string");
	BAD("[0x]", 0, "no digits after 0x");
	BAD("[1e]", 0, "exponent without digits");
	BAD("[\"\\1\"]", 0, "octal");
	/* Strict JSON refuses the JSON5 extensions with a hint. */
	BAD("{\n  \"a\": 1, // c\n}", JSON5_STRICT, "line 2, column 11: comments are not allowed in JSON");
	BAD("[1,]", JSON5_STRICT, "trailing comma");
	BAD("{a: 1}", JSON5_STRICT, "expected a string key");
	BAD("['x']", JSON5_STRICT, "single-quoted strings are not allowed in JSON");
	BAD("[.5]", JSON5_STRICT, "unexpected character '.'");
	BAD("[+1]", JSON5_STRICT, "leading '+'");
	BAD("[0x10]", JSON5_STRICT, "line 1, column 2: invalid number");
	BAD("[1.]", JSON5_STRICT, "digits on both sides");
	BAD("[\"a\\qb\"]", JSON5_STRICT, "invalid escape");
	BAD("[\"a\tb\"]", JSON5_STRICT, "control character");

	/* Depth: 64 nested arrays are fine, 65 are not. */
	for (i = 0; i < 64; i++)
		deep[i] = '[', deep[64 + i] = ']';
	v = json5_parse(deep, 128, 0, err, sizeof(err));
	CHECK(v != NULL);
	cJSON_Delete(v);
	for (i = 0; i < 65; i++)
		deep[i] = '[', deep[65 + i] = ']';
	v = json5_parse(deep, 130, 0, err, sizeof(err));
	CHECK(v == NULL);
	CHECK(contains(err, "nesting deeper than 64"));
#undef BAD
}

static void
test_yaml(void)
{
	cJSON *v;
	char *t;
	const char *text;

	text = "a: 1\nb: ~\nc: \"1\"\nd: 1.5e3\ne: 0x1F\nf: 0o17\ng: yes\nh: True\n"
	    "i: 1:30\nj: !!str 12\nk:\nl: .5\nm: 1_000\nn: +12\no: 'true'\np: null\n"
	    "q: -7\nr: FALSE\ns: |\n  block\n  text\nt: !!float 3\nu: 2.\nv: NULL\nw: 012\n";
	v = yamlload_parse(text, strlen(text), err, sizeof(err));
	CHECK(v != NULL);
	if (v != NULL) {
		t = cJSON_PrintUnformatted(v);
		CHECK_STR(t, "{\"a\":1,\"b\":null,\"c\":\"1\",\"d\":1500,\"e\":31,\"f\":15,"
		    "\"g\":\"yes\",\"h\":true,\"i\":\"1:30\",\"j\":\"12\",\"k\":null,\"l\":0.5,"
		    "\"m\":\"1_000\",\"n\":12,\"o\":\"true\",\"p\":null,\"q\":-7,\"r\":false,"
		    "\"s\":\"block\\ntext\\n\",\"t\":3,\"u\":2,\"v\":null,\"w\":12}");
		free(t);
		cJSON_Delete(v);
	}
	/* Anchors, aliases and merge keys (own keys win). */
	text = "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\ne: *b\nl: &l [1, 2]\nm: [*l, *l]\n"
	    "n:\n  <<: [{p: 1}, {p: 2, q: 3}]\n";
	v = yamlload_parse(text, strlen(text), err, sizeof(err));
	CHECK(v != NULL);
	if (v != NULL) {
		t = cJSON_PrintUnformatted(v);
		CHECK_STR(t, "{\"base\":{\"x\":1,\"y\":2},\"d\":{\"y\":3,\"x\":1},\"e\":{\"x\":1,\"y\":2},"
		    "\"l\":[1,2],\"m\":[[1,2],[1,2]],\"n\":{\"p\":1,\"q\":3}}");
		free(t);
		cJSON_Delete(v);
	}

#define BAD(text, msg) do { \
	v = yamlload_parse(text, strlen(text), err, sizeof(err)); \
	CHECK(v == NULL); \
	cJSON_Delete(v); \
	if (!contains(err, msg)) \
		fprintf(stderr, "yaml error \"%s\" lacks \"%s\"\n", err, msg); \
	CHECK(contains(err, msg)); \
} while (0)

	BAD("a: 1\nb: 2\na: 3\n", "line 3, column 1: duplicate key 'a'");
	BAD("a: [1\n", "line 2");
	BAD("a: b: c\n", "line 1");
	BAD("x: .inf\n", "cannot be represented in JSON");
	BAD("x: .NaN\n", "cannot be represented in JSON");
	BAD("x: !!int 1.5\n", "'1.5' is not a valid !!int");
	BAD("x: !!bool yes\n", "not a valid !!bool");
	BAD("x: !custom 1\n", "unsupported tag '!custom'");
	BAD("a: 1\n---\nb: 2\n", "line 2, column 1: only one YAML document");
	BAD("", "empty document");
	BAD("# only a comment\n", "empty document");
	BAD("a: &a [*a]\n", "alias '*a' refers to no (complete) anchor");
	BAD("a: *nope\n", "alias '*nope'");
	BAD("? [1]\n: 2\n", "mapping keys must be scalars");
	BAD("a:\n  <<: 1\n", "merge key '<<' needs a mapping");
	BAD("x: 1e999\n", "out of range");
	/* Alias bombs hit the node bound instead of eating memory. */
	BAD("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", "document too large");
#undef BAD
}

/* ---------------------------------------------------------------------- */

static void
test_example_diamond(const char *file)
{
	struct spec *s = NULL;
	const cJSON *j;
	char path[256];
	int l;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, file);
	CHECK(spec_load(path, stderr, &s, err, sizeof(err)) == 0);
	if (s == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		return;
	}
	CHECK_STR(str(s->workflow, "name"), "diamond_workflow");
	CHECK(contains(str(s->workflow, "description"), "diamond-shaped"));
	CHECK(cJSON_GetObjectItem(s->workflow, "user") == NULL);
	CHECK_INT(num(s->workflow, "compute_node_wait_for_new_jobs_seconds"), 90);
	CHECK_INT(s->njobs, 4);
	CHECK_INT(s->nwarnings, 0);
	CHECK_INT(cJSON_GetArraySize(s->files), 6);
	/* No depends_on: one level, relations only through the files. */
	CHECK_INT(cJSON_GetArraySize(s->levels), 1);
	j = find_job(s, "preprocess", &l);
	CHECK(j != NULL);
	CHECK_STR(names(j, "input_files"), "f1");
	CHECK_STR(names(j, "output_files"), "f2,f3");
	CHECK_STR(names(j, "depends_on"), "");
	CHECK(contains(str(j, "command"), "-i "));
	CHECK(!contains(str(j, "command"), "${"));
	j = find_job(s, "work1", NULL);
	CHECK_STR(names(j, "input_files"), "f2");
	CHECK_STR(names(j, "output_files"), "f4");
	j = find_job(s, "work2", NULL);
	CHECK_STR(names(j, "input_files"), "f3");
	CHECK_STR(names(j, "output_files"), "f5");
	j = find_job(s, "postprocess", NULL);
	CHECK_STR(names(j, "input_files"), "f4,f5");
	CHECK_STR(names(j, "output_files"), "f6");
	spec_free(s);
}

static void
test_examples(void)
{
	struct spec *s = NULL;
	const cJSON *j, *e;
	char name[16];
	int l, i, ok;

	if (access(FIXTURES "/diamond_workflow.yaml", R_OK) != 0) {
		fprintf(stderr, "cannot find %s: run from the repository root\n", FIXTURES);
		CHECK(0);
		return;
	}
	test_example_diamond("diamond_workflow.yaml");
	test_example_diamond("diamond_workflow.json5");
	s = NULL;
	CHECK(spec_load(FIXTURES "/diamond_workflow.yaml", stderr, &s, err, sizeof(err)) == 0);
	if (s != NULL) {
		CHECK_STR(str(find_job(s, "preprocess", NULL), "command"),
		    "bash tests/scripts/preprocess.sh -i f1.json -o f2.json -o f3.json");
		spec_free(s);
	}
	s = NULL;
	CHECK(spec_load(FIXTURES "/diamond_workflow.json5", stderr, &s, err, sizeof(err)) == 0);
	if (s != NULL) {
		CHECK_STR(str(find_job(s, "postprocess", NULL), "command"),
		    "bash tests/scripts/postprocess.sh -i output/f4.json -i output/f5.json -o output/f6.json");
		spec_free(s);
	}

	s = NULL;
	CHECK(spec_load(FIXTURES "/hundred_jobs_workflow.json5", stderr, &s, err, sizeof(err)) == 0);
	if (s != NULL) {
		CHECK_STR(str(s->workflow, "name"), "hundred_jobs_workflow");
		CHECK_INT(s->njobs, 100);
		CHECK_INT(cJSON_GetArraySize(s->levels), 1);
		CHECK_INT(level_size(s, 0), 100);
		CHECK_INT(cJSON_GetArraySize(s->resource_requirements), 1);
		e = cJSON_GetArrayItem(s->resource_requirements, 0);
		CHECK_STR(str(e, "name"), "minimal");
		CHECK_STR(str(e, "memory"), "1g");
		CHECK_STR(str(e, "runtime"), "P0DT1M");
		CHECK_INT(num(e, "num_cpus"), 1);
		CHECK(s->default_rr == NULL);
		ok = 1;
		for (i = 1; i <= 100; i++) {
			snprintf(name, sizeof(name), "job_%03d", i);
			j = find_job(s, name, NULL);
			ok &= j != NULL && !strcmp(str(j, "resource_requirements"), "minimal") &&
			    !strcmp(str(j, "command"), "echo hello");
		}
		CHECK(ok);
		/* Spec order is kept within a level. */
		CHECK_STR(str(cJSON_GetArrayItem(cJSON_GetArrayItem(s->levels, 0), 41), "name"), "job_042");
		spec_free(s);
	}

	s = NULL;
	CHECK(spec_load(FIXTURES "/sample_workflow.json5", stderr, &s, err, sizeof(err)) == 0);
	if (s != NULL) {
		CHECK_STR(str(s->workflow, "name"), "sample_data_processing_workflow");
		CHECK_INT(s->njobs, 3);
		CHECK_INT(s->nwarnings, 0);
		CHECK_INT(cJSON_GetArraySize(s->files), 5);
		CHECK_INT(cJSON_GetArraySize(s->user_data), 3);
		CHECK_INT(cJSON_GetArraySize(s->resource_requirements), 2);
		CHECK_INT(cJSON_GetArraySize(s->slurm_schedulers), 2);
		CHECK_INT(cJSON_GetArraySize(s->levels), 3);
		j = find_job(s, "data_download", &l);
		CHECK_INT(l, 0);
		CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "cancel_on_blocking_job_failure")));
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "supports_termination")));
		CHECK(cJSON_GetObjectItem(j, "invocation_script") == NULL);
		CHECK_STR(names(j, "input_files"), "");
		CHECK_STR(names(j, "output_files"), "raw_data");
		CHECK_STR(names(j, "output_user_data"), "download_metadata");
		CHECK_STR(str(j, "scheduler"), "default_scheduler");
		j = find_job(s, "data_validation", &l);
		CHECK_INT(l, 1);
		CHECK_STR(names(j, "depends_on"), "data_download");
		CHECK_STR(names(j, "input_files"), "raw_data,validation_script");
		CHECK(contains(str(j, "invocation_script"), "PYTHONPATH"));
		j = find_job(s, "data_analysis", &l);
		CHECK_INT(l, 2);
		CHECK_STR(str(j, "resource_requirements"), "large_job");
		CHECK_STR(str(j, "scheduler"), "gpu_scheduler");
		e = cJSON_GetArrayItem(s->user_data, 0);
		CHECK_STR(str(e, "name"), "download_metadata");
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(e, "is_ephemeral")));
		CHECK_INT(num(cJSON_GetObjectItem(e, "data"), "file_size_bytes"), 1048576);
		e = cJSON_GetArrayItem(s->slurm_schedulers, 1);
		CHECK_STR(str(e, "gres"), "gpu:1");
		CHECK_STR(str(e, "walltime"), "04:00:00");
		CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(s->slurm_schedulers, 0), "gres") == NULL);
		spec_free(s);
	}
}

/* ---------------------------------------------------------------------- */

static void
test_parameters(void)
{
	struct spec *s;
	const cJSON *j;
	char nm[32];
	int i, ok;

	/* The Torc test: job_{i:03d} with i "1:30" gives job_001..job_030. */
	s = load_text("name: many_jobs_test\n"
	    "jobs:\n"
	    "  - name: job_{i:03d}\n"
	    "    command: echo {i} of {i:3d}\n"
	    "    resource_requirements: minimal\n"
	    "    parameters:\n"
	    "      i: \"1:30\"\n"
	    "resource_requirements:\n"
	    "  - {name: minimal, num_cpus: 1, memory: 1m, runtime: PT1M}\n", SPEC_YAML);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_INT(s->njobs, 30);
		CHECK_INT(cJSON_GetArraySize(s->levels), 1);
		ok = 1;
		for (i = 1; i <= 30; i++) {
			snprintf(nm, sizeof(nm), "job_%03d", i);
			ok &= find_job(s, nm, NULL) != NULL;
		}
		CHECK(ok);
		CHECK(find_job(s, "job_031", NULL) == NULL);
		CHECK(find_job(s, "job_000", NULL) == NULL);
		CHECK_STR(str(find_job(s, "job_007", NULL), "command"), "echo 7 of   7");
		CHECK_STR(str(find_job(s, "job_030", NULL), "resource_requirements"), "minimal");
		spec_free(s);
	}

	/* Steps, negative steps, floats with formats, lists. */
	s = load_text("{name: 'p', jobs: [\n"
	    " {name: 'a_{x}', command: 'a', parameters: {x: '0:100:10'}},\n"
	    " {name: 'b_{x}', command: 'b', parameters: {x: '5:1:-2'}},\n"
	    " {name: 'lr_{lr:.4f}', command: 'train --lr={lr}', parameters: {lr: '0.0:1.0:0.25'}},\n"
	    " {name: 'n_{n}', command: 'n', parameters: {n: '[1,5,10]'}},\n"
	    " {name: 'o_{opt}', command: 'o', parameters: {opt: \"['adam','sgd']\"}},\n"
	    " {name: 'f_{v}', command: '{v:.2f}', parameters: {v: '[0.1,0.5]'}},\n"
	    " {name: 'c_{k}', command: 'c', parameters: {k: '{1:2}'}},\n"
	    " {name: 'y_{k}', command: 'y', parameters: {k: [3, 'x']}},\n"
	    " {name: 's_{k:>4}|{k:<3}|', command: 's', parameters: {k: '[ab]'}},\n"
	    "]}", SPEC_JSON5);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_INT(s->njobs, 11 + 3 + 5 + 3 + 2 + 2 + 2 + 2 + 1);
		CHECK(find_job(s, "a_0", NULL) && find_job(s, "a_50", NULL) && find_job(s, "a_100", NULL));
		CHECK(find_job(s, "b_5", NULL) && find_job(s, "b_3", NULL) && find_job(s, "b_1", NULL));
		CHECK(find_job(s, "lr_0.0000", NULL) && find_job(s, "lr_0.2500", NULL) &&
		    find_job(s, "lr_1.0000", NULL));
		/* Plain floats print as Torc (Rust) does: shortest, 1.0 as "1". */
		CHECK_STR(str(find_job(s, "lr_0.2500", NULL), "command"), "train --lr=0.25");
		CHECK_STR(str(find_job(s, "lr_1.0000", NULL), "command"), "train --lr=1");
		CHECK_STR(str(find_job(s, "lr_0.0000", NULL), "command"), "train --lr=0");
		CHECK(find_job(s, "n_1", NULL) && find_job(s, "n_5", NULL) && find_job(s, "n_10", NULL));
		CHECK(find_job(s, "o_adam", NULL) && find_job(s, "o_sgd", NULL));
		CHECK_STR(str(find_job(s, "f_0.1", NULL), "command"), "0.10");
		CHECK(find_job(s, "c_1", NULL) && find_job(s, "c_2", NULL));
		CHECK(find_job(s, "y_3", NULL) && find_job(s, "y_x", NULL));
		CHECK(find_job(s, "s_  ab|ab |", NULL) != NULL);
		spec_free(s);
	}

	/* product (default) vs zip; use_parameters; parameterized files. */
	s = load_text("{name: 'p', parameters: {i: '1:3', m: \"['x','y','z']\", unused: '1:2'},\n"
	    " files: [{name: 'in_{i}', path: '/d/in_{i}.txt', use_parameters: ['i']}],\n"
	    " jobs: [\n"
	    "  {name: 'prod_{i}_{m}', command: 'p', use_parameters: ['i', 'm']},\n"
	    "  {name: 'zip_{i}_{m}', command: 'cat ${files.input.in_{i}}', use_parameters: ['i', 'm'],\n"
	    "   parameter_mode: 'zip'},\n"
	    "  {name: 'own_{i}', command: 'o', parameters: {i: '7:8'}, use_parameters: ['m']},\n"
	    "]}", SPEC_JSON5);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_INT(s->njobs, 9 + 3 + 2);
		CHECK(find_job(s, "prod_1_x", NULL) && find_job(s, "prod_3_z", NULL) &&
		    find_job(s, "prod_2_y", NULL) && find_job(s, "prod_1_z", NULL));
		CHECK(find_job(s, "zip_1_x", NULL) && find_job(s, "zip_2_y", NULL) &&
		    find_job(s, "zip_3_z", NULL));
		CHECK(find_job(s, "zip_1_y", NULL) == NULL);
		CHECK(find_job(s, "own_7", NULL) && find_job(s, "own_8", NULL));
		CHECK_INT(cJSON_GetArraySize(s->files), 3);
		CHECK_STR(str(cJSON_GetArrayItem(s->files, 1), "path"), "/d/in_2.txt");
		j = find_job(s, "zip_2_y", NULL);
		CHECK_STR(str(j, "command"), "cat /d/in_2.txt");
		CHECK_STR(names(j, "input_files"), "in_2");
		spec_free(s);
	}

	/* Placeholders in rr, scheduler and name lists; fan-in by regex. */
	s = load_text("name: fan\n"
	    "resource_requirements:\n"
	    "  - {name: rr_1, num_cpus: 1, memory: 1g}\n"
	    "  - {name: rr_2, num_cpus: 2, memory: 2g}\n"
	    "files:\n"
	    "  - {name: 'out_{i}', path: 'o{i}.json', parameters: {i: '1:2'}}\n"
	    "jobs:\n"
	    "  - {name: setup, command: 'true'}\n"
	    "  - name: process_{i}\n"
	    "    command: run {i} > ${files.output.out_{i}}\n"
	    "    depends_on: [setup]\n"
	    "    resource_requirements: rr_{i}\n"
	    "    parameters: {i: '1:2'}\n"
	    "  - name: aggregate\n"
	    "    command: cat\n"
	    "    depends_on_regexes: ['process_\\d+']\n"
	    "    input_file_regexes: ['^out_']\n", SPEC_YAML);
	CHECK(s != NULL);
	if (s != NULL) {
		int l1, l2;

		CHECK_INT(cJSON_GetArraySize(s->levels), 3);
		CHECK_STR(str(find_job(s, "process_2", &l1), "resource_requirements"), "rr_2");
		CHECK_INT(l1, 1);
		j = find_job(s, "aggregate", &l2);
		CHECK_INT(l2, 2);
		CHECK_STR(names(j, "depends_on"), "process_1,process_2");
		CHECK_STR(names(j, "input_files"), "out_1,out_2");
		CHECK_STR(names(find_job(s, "process_1", NULL), "output_files"), "out_1");
		CHECK_STR(str(find_job(s, "process_1", NULL), "command"), "run 1 > o1.json");
		spec_free(s);
	}

	CHECK(fails_with("{name: 'p', jobs: [{name: 'z_{a}_{b}', command: 'x', parameter_mode: 'zip',"
	    " parameters: {a: '1:3', b: '1:2'}}]}", SPEC_JSON5,
	    "job 'z_{a}_{b}': parameter_mode zip needs parameters of equal length", "'b' has 2"));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'j', command: 'x', parameters: {i: '1:3'}}]}",
	    SPEC_JSON5, "job 'j': parameterized, but the name has no {parameter} placeholder", NULL));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'j{i}', command: 'x', parameters: {i: '1:x'}}]}",
	    SPEC_JSON5, "job 'j{i}': parameter 'i': invalid range '1:x'", NULL));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'j{i}', command: 'x', parameters: {i: '1:5:0'}}]}",
	    SPEC_JSON5, "step cannot be zero", NULL));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'j{i}', command: 'x', parameters: {i: '1:2:3:4'}}]}",
	    SPEC_JSON5, "expected start:end or start:end:step", NULL));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'j{i}', command: 'x', parameters: {i: '1:2000000'}}]}",
	    SPEC_JSON5, "more than 1000000 values", NULL));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'j{i}{k}', command: 'x',"
	    " parameters: {i: '1:2000', k: '1:2000'}}]}",
	    SPEC_JSON5, "parameters expand to more than", NULL));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'j{i}', command: 'x', parameter_mode: 'cross',"
	    " parameters: {i: '1:2'}}]}", SPEC_JSON5, "parameter_mode must be 'product' or 'zip'", NULL));
	CHECK(fails_with("{name: 'p', jobs: [{name: 'a', command: 'x'}, {name: 'j_{i}', command: 'x',"
	    " parameters: {i: '[a,b,a]'}}]}", SPEC_JSON5, "duplicate job name 'j_a'", NULL));

	/* use_parameters naming nothing warns; an empty list expands to nothing. */
	s = load_text("{name: 'p', parameters: {i: '1:2'}, jobs: [{name: 'j{i}', command: 'x',"
	    " use_parameters: ['i', 'nope']}, {name: 'e{k}', command: 'x', parameters: {k: '[]'}}]}",
	    SPEC_JSON5);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_INT(s->njobs, 2);
		CHECK_INT(s->nwarnings, 2);
		CHECK(contains(warnbuf, "use_parameters names 'nope'"));
		CHECK(contains(warnbuf, "expands to no jobs"));
		spec_free(s);
	}
}

/* ---------------------------------------------------------------------- */

static void
test_substitution(void)
{
	struct spec *s;
	const cJSON *j;

	s = load_text("{name: 'v',\n"
	    " files: [{name: 'a', path: '/p/a'}, {name: 'b', path: '/p/b'}, {name: 'c', path: '/p/c'},\n"
	    "         {name: 'x', path: '/p/x'}],\n"
	    " user_data: [{name: 'cfg', data: {k: [1, 'two']}}, {name: 'res'}],\n"
	    " jobs: [\n"
	    "  {name: 'j1', command: 'run ${files.input.a} ${files.input.a} > ${files.output.b} ${HOME} $${x}',\n"
	    "   input_files: ['x'], output_files: ['x'],\n"
	    "   invocation_script: 'source ${files.input.c};',\n"
	    "   input_user_data: ['res']},\n"
	    "  {name: 'j2', command: \"echo '${user_data.input.cfg}' > ${user_data.output.res}\"},\n"
	    "  {name: 'j3', command: 'no vars', input_files: ['x', 'x'], depends_on: ['j1', 'j1']},\n"
	    "]}", SPEC_JSON5);
	CHECK(s != NULL);
	if (s != NULL) {
		j = find_job(s, "j1", NULL);
		CHECK_STR(str(j, "command"), "run /p/a /p/a > /p/b ${HOME} $${x}");
		CHECK_STR(str(j, "invocation_script"), "source /p/c;");
		/* Names from the command replace the explicit list; the script's are added. */
		CHECK_STR(names(j, "input_files"), "a,c");
		CHECK_STR(names(j, "output_files"), "b");
		CHECK_STR(names(j, "input_user_data"), "res");
		j = find_job(s, "j2", NULL);
		CHECK_STR(str(j, "command"), "echo '{\"k\":[1,\"two\"]}' > null");
		CHECK_STR(names(j, "input_user_data"), "cfg");
		CHECK_STR(names(j, "output_user_data"), "res");
		j = find_job(s, "j3", NULL);
		CHECK_STR(names(j, "input_files"), "x");
		CHECK_STR(names(j, "depends_on"), "j1");
		spec_free(s);
	}
	CHECK(fails_with("{name: 'v', files: [{name: 'f1', path: 'f'}],\n jobs: [{name: 'w', command: 'cat ${files.input.f9}'}]}",
	    SPEC_JSON5, "t: job 'w': ${files.input.f9} in command names no file 'f9'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'w', command: 'x', invocation_script: 'y ${user_data.output.u}'}]}",
	    SPEC_JSON5, "job 'w': ${user_data.output.u} in invocation_script names no user_data 'u'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'w', command: 'cat ${files.input.f1'}]}",
	    SPEC_JSON5, "job 'w': unterminated ${files.input.", NULL));
}

/* ---------------------------------------------------------------------- */

static void
test_validation(void)
{
	struct spec *s;

	CHECK(fails_with("{name: 'v', jobs: [{name: 'a', command: 'x'}, {name: 'b', command: 'y',"
	    " depends_on: ['a', 'ghost']}]}", SPEC_JSON5,
	    "job 'b': depends_on names unknown job 'ghost'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'b', command: 'y', input_files: ['nofile']}]}",
	    SPEC_JSON5, "job 'b': input_files names unknown file 'nofile'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'b', command: 'y', output_user_data: ['u']}]}",
	    SPEC_JSON5, "job 'b': output_user_data names unknown user_data 'u'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'b', command: 'y', resource_requirements: 'big'}]}",
	    SPEC_JSON5, "job 'b': resource_requirements names unknown resource_requirements 'big'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'b', command: 'y', scheduler: 's'}]}",
	    SPEC_JSON5, "job 'b': scheduler names unknown slurm_scheduler 's'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'b', command: 'y', failure_handler: 'h'}]}",
	    SPEC_JSON5, "job 'b': failure_handler names unknown failure_handler 'h'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'a', command: 'x'}, {name: 'a', command: 'y'}]}",
	    SPEC_JSON5, "duplicate job name 'a'", NULL));
	CHECK(fails_with("{name: 'v', files: [{name: 'f', path: 'p'}, {name: 'f', path: 'q'}], jobs: []}",
	    SPEC_JSON5, "duplicate file name 'f'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'a', command: 'x', depends_on: ['a']}]}",
	    SPEC_JSON5, "job 'a' depends on itself", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'a', command: 'x', depends_on_regexes: ['^zz']}]}",
	    SPEC_JSON5, "job 'a': depends_on_regexes '^zz' matches no job", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'a', command: 'x', depends_on_regexes: ['(']}]}",
	    SPEC_JSON5, "job 'a': invalid depends_on_regexes '('", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{command: 'x'}]}", SPEC_JSON5, "job #1: name is required", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'a'}]}", SPEC_JSON5, "job 'a': command is required", NULL));
	CHECK(fails_with("{name: 'v', jobs: [{name: 'a', command: 'x', depends_on: 'b', "
	    "cancel_on_blocking_job_failure: 'yes'}, {name: 'b', command: 'x'}]}", SPEC_JSON5,
	    "job 'a': cancel_on_blocking_job_failure must be true or false", NULL));
	CHECK(fails_with("{jobs: []}", SPEC_JSON5, "name is required", NULL));
	CHECK(fails_with("{name: 'v'}", SPEC_JSON5, "the workflow has no jobs list", NULL));
	CHECK(fails_with("[1, 2]", SPEC_JSON5, "must be a mapping", NULL));
	CHECK(fails_with("{name: 'v', jobs: [], resource_requirements: [{name: 'r', num_cpus: 1, memory: '2 GB'}]}",
	    SPEC_JSON5, "resource_requirements 'r': invalid memory '2 GB'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [], resource_requirements: [{name: 'r', num_cpus: 1, memory: '2g', runtime: '1h'}]}",
	    SPEC_JSON5, "resource_requirements 'r': invalid runtime '1h'", NULL));
	CHECK(fails_with("{name: 'v', jobs: [], resource_requirements: [{name: 'r', memory: '2g'}]}",
	    SPEC_JSON5, "resource_requirements 'r': num_cpus is required", NULL));
	CHECK(fails_with("{name: 'v', jobs: [], resource_requirements: [{name: 'r', num_cpus: 1.5, memory: '2g'}]}",
	    SPEC_JSON5, "num_cpus must be an integer", NULL));
	CHECK(fails_with("{name: 'v', jobs: [], jobs_sort_method: 'fastest'}",
	    SPEC_JSON5, "jobs_sort_method must be", NULL));
	CHECK(fails_with("{name: 'v', jobs: [], slurm_schedulers: [{name: 's'}]}",
	    SPEC_JSON5, "slurm_scheduler 's': account is required", NULL));

	/* Syntax errors carry the source and the line. */
	CHECK(fails_with("{\n  name: 'v',\n  jobs: [\n    {name: 'a' command: 'x'},\n  ]\n}",
	    SPEC_JSON5, "t: line 4, column 16: unexpected character 'c'", NULL));
	CHECK(fails_with("name: v\njobs:\n  - name: a\n    command: x\n  - name: a2\n   command: y\n",
	    SPEC_YAML, "t: line 6", NULL));
	CHECK(fails_with("{\"name\": \"v\", \"jobs\": [],}", SPEC_JSON, "trailing comma", NULL));
	CHECK(fails_with("name: [unclosed\n", SPEC_AUTO, "not JSON5 (line 1, column 1", "nor YAML (line 2"));

	/* Values typed by YAML that fit: numbers where strings are expected. */
	s = load_text("name: 2024\njobs:\n  - name: 1\n    command: 7\n"
	    "resource_requirements:\n  - {name: r, num_cpus: 2, memory: 1024}\n", SPEC_YAML);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_STR(str(s->workflow, "name"), "2024");
		CHECK_STR(str(find_job(s, "1", NULL), "command"), "7");
		CHECK_STR(str(cJSON_GetArrayItem(s->resource_requirements, 0), "memory"), "1024");
		spec_free(s);
	}
}

static void
test_cycles(void)
{
	struct spec *s;

	CHECK(fails_with("{name: 'c', jobs: [\n"
	    " {name: 'a', command: 'x', depends_on: ['c']},\n"
	    " {name: 'b', command: 'x', depends_on: ['a']},\n"
	    " {name: 'c', command: 'x', depends_on: ['b']},\n"
	    " {name: 'd', command: 'x', depends_on: ['c']}]}", SPEC_JSON5,
	    "dependency cycle involving job '", "'a' -> 'c' -> 'b' -> 'a'"));
	CHECK(fails_with("{name: 'c', files: [{name: 'f', path: 'f'}, {name: 'g', path: 'g'}], jobs: [\n"
	    " {name: 'a', command: 'x ${files.input.f} ${files.output.g}'},\n"
	    " {name: 'b', command: 'x ${files.input.g} ${files.output.f}'}]}", SPEC_JSON5,
	    "dependency cycle through files or user_data involving job '", NULL));
	/* A job that reads and writes the same file is not a cycle. */
	s = load_text("{name: 'c', files: [{name: 'f', path: 'f'}], jobs: [\n"
	    " {name: 'a', command: 'x ${files.input.f} ${files.output.f}'}]}", SPEC_JSON5);
	CHECK(s != NULL);
	spec_free(s);
	/* A chain gets one level per job, whatever the spec order. */
	s = load_text("name: chain\njobs:\n"
	    "  - {name: j4, command: x, depends_on: [j3]}\n"
	    "  - {name: j3, command: x, depends_on: [j2]}\n"
	    "  - {name: j2, command: x, depends_on: [j1]}\n"
	    "  - {name: j1, command: x}\n", SPEC_YAML);
	CHECK(s != NULL);
	if (s != NULL) {
		int l;

		CHECK_INT(cJSON_GetArraySize(s->levels), 4);
		find_job(s, "j1", &l);
		CHECK_INT(l, 0);
		find_job(s, "j4", &l);
		CHECK_INT(l, 3);
		spec_free(s);
	}
}

/* Rust-regex classes (\\d, \\w, \\D) work inside and outside brackets. */
static void
test_regexes(void)
{
	struct spec *s;

	s = load_text("{name: 'r', jobs: [{name: 'w_1', command: 'x'}, {name: 'w_22', command: 'x'},\n"
	    " {name: 'w_a', command: 'x'},\n"
	    " {name: 'all', command: 'x', depends_on_regexes: ['^w_[\\\\d]+$']},\n"
	    " {name: 'words', command: 'x', depends_on_regexes: ['^\\\\w_\\\\D$', 'w_2']},\n"
	    " {name: 'sub', command: 'x', depends_on_regexes: ['_2']}]}", SPEC_JSON5);
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_STR(names(find_job(s, "all", NULL), "depends_on"), "w_1,w_22");
	CHECK_STR(names(find_job(s, "words", NULL), "depends_on"), "w_a,w_22");
	/* Unanchored, as Rust's is_match. */
	CHECK_STR(names(find_job(s, "sub", NULL), "depends_on"), "w_22");
	spec_free(s);
}

static void
test_warnings(void)
{
	struct spec *s;

	s = load_text("{name: 'w', user: 'someone', colour: 'blue', jobs: [{name: 'a', command: 'x',"
	    " flavour: 1}], files: [{name: 'f', path: 'p', size: 3}]}", SPEC_JSON5);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_INT(s->nwarnings, 3);
		CHECK(contains(warnbuf, "torc: warning: t: top level: unknown key 'colour' ignored"));
		CHECK(contains(warnbuf, "job 'a': unknown key 'flavour' ignored"));
		CHECK(contains(warnbuf, "file 'f': unknown key 'size' ignored"));
		CHECK(!contains(warnbuf, "'user'"));
		CHECK(cJSON_GetObjectItem(s->workflow, "user") == NULL);
		spec_free(s);
	}
	/* Nameless user_data and schedulers are skipped, as Torc does. */
	s = load_text("{name: 'w', jobs: [], user_data: [{data: 1}], slurm_schedulers: [{account: 'a'}]}",
	    SPEC_JSON5);
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK_INT(s->nwarnings, 2);
		CHECK_INT(cJSON_GetArraySize(s->user_data), 0);
		CHECK_INT(cJSON_GetArraySize(s->slurm_schedulers), 0);
		spec_free(s);
	}
}

/* ---------------------------------------------------------------------- */

static void
test_workflow_options(void)
{
	struct spec *s;
	const cJSON *fh;

	s = load_text("name: opts\ndescription: d\n"
	    "compute_node_expiration_buffer_seconds: 30\n"
	    "compute_node_wait_for_new_jobs_seconds: 5\n"
	    "compute_node_ignore_workflow_completion: true\n"
	    "compute_node_wait_for_healthy_database_minutes: 2\n"
	    "jobs_sort_method: none\nuse_pending_failed: true\n"
	    "resource_monitor: {enabled: true, granularity: TimeSeries}\n"
	    "slurm_defaults: {account: acct}\n"
	    "resource_requirements:\n  - {name: default, num_cpus: 2, memory: 2g}\n"
	    "failure_handlers:\n  - name: retry\n    rules:\n      - {exit_codes: [1, 2], recovery_script: fix.sh}\n"
	    "slurm_schedulers:\n  - {name: s1, account: a}\n"
	    "jobs:\n  - {name: a, command: x, resource_requirements: default, failure_handler: retry}\n"
	    "  - {name: b, command: x, depends_on: [a]}\n"
	    "actions:\n"
	    "  - {trigger_type: on_workflow_start, action_type: run_commands, commands: [echo hi]}\n"
	    "  - {trigger_type: on_jobs_ready, action_type: schedule_nodes, scheduler: s1,\n"
	    "     scheduler_type: slurm, job_name_regexes: ['^b$'], num_allocations: 2}\n", SPEC_YAML);
	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(num(s->workflow, "compute_node_expiration_buffer_seconds"), 30);
	CHECK_INT(num(s->workflow, "compute_node_wait_for_new_jobs_seconds"), 5);
	CHECK_INT(num(s->workflow, "compute_node_wait_for_healthy_database_minutes"), 2);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(s->workflow, "compute_node_ignore_workflow_completion")));
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(s->workflow, "use_pending_failed")));
	CHECK_STR(str(s->workflow, "jobs_sort_method"), "none");
	CHECK_STR(str(s->workflow, "resource_monitor_config"),
	    "{\"enabled\":true,\"granularity\":\"time_series\",\"sample_interval_seconds\":5,\"generate_plots\":false}");
	CHECK_STR(str(s->workflow, "slurm_defaults"), "{\"account\":\"acct\"}");
	/* The spec's "default" rr is set apart: the server already has one. */
	CHECK_INT(cJSON_GetArraySize(s->resource_requirements), 0);
	CHECK(s->default_rr != NULL);
	CHECK_INT(num(s->default_rr, "num_cpus"), 2);
	CHECK_STR(str(s->default_rr, "runtime"), "PT1H");
	fh = cJSON_GetArrayItem(s->failure_handlers, 0);
	CHECK_STR(str(fh, "rules"),
	    "[{\"exit_codes\":[1,2],\"match_all_exit_codes\":false,\"recovery_script\":\"fix.sh\",\"max_retries\":3}]");
	CHECK_INT(cJSON_GetArraySize(s->actions), 2);
	CHECK_STR(names(cJSON_GetArrayItem(s->actions, 1), "jobs"), "b");
	spec_free(s);

	CHECK(fails_with("{name: 'a', jobs: [], actions: [{trigger_type: 'on_jobs_ready', action_type: 'run_commands',"
	    " commands: ['x'], jobs: ['nope']}]}", SPEC_JSON5, "action #1: jobs names unknown job 'nope'", NULL));
	CHECK(fails_with("{name: 'a', jobs: [], actions: [{trigger_type: 'sometimes', action_type: 'run_commands'}]}",
	    SPEC_JSON5, "action #1: unknown trigger_type 'sometimes'", NULL));
	CHECK(fails_with("{name: 'a', jobs: [], actions: [{trigger_type: 'on_workflow_start', action_type: 'run_commands'}]}",
	    SPEC_JSON5, "run_commands needs a non-empty commands list", NULL));
	CHECK(fails_with("{name: 'a', jobs: [], actions: [{trigger_type: 'on_workflow_start', action_type: 'schedule_nodes',"
	    " scheduler_type: 'slurm', scheduler: 'x'}]}", SPEC_JSON5, "unknown slurm_scheduler 'x'", NULL));
}

static void
test_bodies(void)
{
	struct spec *s;
	struct spec_ids ids;
	const cJSON *lv0, *lv1;
	cJSON *b, *resp;
	char *t;

	s = load_text("{name: 'up', files: [{name: 'f1', path: 'p1'}, {name: 'f2', path: 'p2'}],\n"
	    " user_data: [{name: 'u', data: 1}],\n"
	    " resource_requirements: [{name: 'small', num_cpus: 1, memory: '1g'}],\n"
	    " actions: [{trigger_type: 'on_jobs_complete', action_type: 'run_commands', commands: ['c'], jobs: ['b']},\n"
	    "   {trigger_type: 'on_workflow_start', action_type: 'schedule_nodes', scheduler_type: 'local', scheduler: 'l'}],\n"
	    " jobs: [{name: 'a', command: 'w ${files.output.f1}', resource_requirements: 'default',\n"
	    "         cancel_on_blocking_job_failure: false, output_user_data: ['u']},\n"
	    "        {name: 'b', command: 'r ${files.input.f1} ${files.input.f2}', depends_on: ['a'],\n"
	    "         resource_requirements: 'small', input_user_data: ['u']}]}", SPEC_JSON5);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	memset(&ids, 0, sizeof(ids));
	ids.jobs = spec_idmap_new();
	ids.files = spec_idmap_new();
	ids.user_data = spec_idmap_new();
	ids.resource_requirements = spec_idmap_new();

	b = spec_body(cJSON_GetArrayItem(s->files, 0), 7);
	t = cJSON_PrintUnformatted(b);
	CHECK_STR(t, "{\"name\":\"f1\",\"path\":\"p1\",\"workflow_id\":7}");
	free(t);
	cJSON_Delete(b);

	/* What the server answers: the body plus an id. */
	resp = cJSON_Parse("[{\"name\":\"f1\",\"id\":11},{\"name\":\"f2\",\"id\":12}]");
	CHECK_INT(spec_idmap_add_created(ids.files, resp), 2);
	cJSON_Delete(resp);
	resp = cJSON_Parse("{\"name\":\"u\",\"id\":21,\"workflow_id\":7}");
	CHECK_INT(spec_idmap_add_created(ids.user_data, resp), 1);
	cJSON_Delete(resp);
	resp = cJSON_Parse("{\"name\":\"small\"}");
	CHECK_INT(spec_idmap_add_created(ids.resource_requirements, resp), -1);
	cJSON_Delete(resp);
	spec_idmap_put(ids.resource_requirements, "small", 31);

	lv0 = cJSON_GetArrayItem(s->levels, 0);
	lv1 = cJSON_GetArrayItem(s->levels, 1);
	b = spec_bulk_body(lv0, 0, SPEC_BULK_BATCH, 7, &ids, err, sizeof(err));
	CHECK(b != NULL);
	t = cJSON_PrintUnformatted(b);
	/* rr "default" is left to the server; empty id lists are left out. */
	CHECK_STR(t, "{\"jobs\":[{\"workflow_id\":7,\"name\":\"a\",\"command\":\"w p1\","
	    "\"cancel_on_blocking_job_failure\":false,\"output_file_ids\":[11],\"output_user_data_ids\":[21]}]}");
	free(t);
	cJSON_Delete(b);

	/* Level 1 before level 0's ids are known: a clear error. */
	b = spec_bulk_body(lv1, 0, SPEC_BULK_BATCH, 7, &ids, err, sizeof(err));
	CHECK(b == NULL);
	CHECK_STR(err, "job 'b': no id for job 'a'");
	resp = cJSON_Parse("{\"jobs\":[{\"name\":\"a\",\"id\":41}]}");
	CHECK_INT(spec_idmap_add_created(ids.jobs, cJSON_GetObjectItem(resp, "jobs")), 1);
	cJSON_Delete(resp);
	b = spec_bulk_body(lv1, 0, SPEC_BULK_BATCH, 7, &ids, err, sizeof(err));
	CHECK(b != NULL);
	t = cJSON_PrintUnformatted(b);
	CHECK_STR(t, "{\"jobs\":[{\"workflow_id\":7,\"name\":\"b\",\"command\":\"r p1 p2\","
	    "\"depends_on_job_ids\":[41],\"input_file_ids\":[11,12],\"input_user_data_ids\":[21],"
	    "\"resource_requirements_id\":31}]}");
	free(t);
	cJSON_Delete(b);
	/* Batching: an offset past the end gives an empty list. */
	b = spec_bulk_body(lv1, 1, SPEC_BULK_BATCH, 7, &ids, err, sizeof(err));
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(b, "jobs")), 0);
	cJSON_Delete(b);

	spec_idmap_put(ids.jobs, "b", 42);
	CHECK_INT(spec_idmap_count(ids.jobs), 2);
	b = spec_action_body(cJSON_GetArrayItem(s->actions, 0), 7, &ids, err, sizeof(err));
	t = cJSON_PrintUnformatted(b);
	CHECK_STR(t, "{\"workflow_id\":7,\"trigger_type\":\"on_jobs_complete\",\"action_type\":\"run_commands\","
	    "\"action_config\":{\"commands\":[\"c\"]},\"job_ids\":[42],\"persistent\":false}");
	free(t);
	cJSON_Delete(b);
	b = spec_action_body(cJSON_GetArrayItem(s->actions, 1), 7, NULL, err, sizeof(err));
	t = cJSON_PrintUnformatted(b);
	CHECK_STR(t, "{\"workflow_id\":7,\"trigger_type\":\"on_workflow_start\",\"action_type\":\"schedule_nodes\","
	    "\"action_config\":{\"scheduler_type\":\"local\",\"scheduler_id\":0,\"num_allocations\":1,"
	    "\"start_one_worker_per_node\":false},\"persistent\":false}");
	free(t);
	cJSON_Delete(b);

	spec_idmap_free(ids.jobs);
	spec_idmap_free(ids.files);
	spec_idmap_free(ids.user_data);
	spec_idmap_free(ids.resource_requirements);
	spec_free(s);
}

/* Format by extension; unknown extensions try JSON5 then YAML. */
static void
test_load_paths(void)
{
	char dir[] = "/tmp/torc-spec-XXXXXX", path[256];
	struct spec *s;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
#define WRITE(name, text) do { \
	snprintf(path, sizeof(path), "%s/%s", dir, name); \
	f = fopen(path, "w"); \
	fputs(text, f); \
	fclose(f); \
} while (0)
	WRITE("a.txt", "name: y\njobs: [{name: j, command: c}]\n");
	s = NULL;
	CHECK(spec_load(path, stderr, &s, err, sizeof(err)) == 0);
	CHECK(s != NULL && s->njobs == 1);
	spec_free(s);
	unlink(path);
	WRITE("b.json", "{\"name\": \"j\", \"jobs\": [\n  // no\n]}");
	CHECK(spec_load(path, stderr, &s, err, sizeof(err)) < 0);
	CHECK(contains(err, "b.json: line 2, column 3: comments are not allowed in JSON (use a .json5 file)"));
	unlink(path);
	WRITE("c.JSON5", "{name: 'j', jobs: [],}");
	CHECK(spec_load(path, stderr, &s, err, sizeof(err)) == 0);
	spec_free(s);
	unlink(path);
	WRITE("d.yml", "name: j\njobs: []\nname: k\n");
	CHECK(spec_load(path, stderr, &s, err, sizeof(err)) < 0);
	CHECK(contains(err, "d.yml: line 3, column 1: duplicate key 'name'"));
	unlink(path);
	WRITE("e.kdl", "name \"x\"\n");
	CHECK(spec_load(path, stderr, &s, err, sizeof(err)) < 0);
	CHECK(contains(err, "KDL spec files are not supported"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	CHECK(spec_load(path, stderr, &s, err, sizeof(err)) < 0);
	CHECK(contains(err, "cannot open ") && contains(err, "No such file"));
	rmdir(dir);
#undef WRITE
}

int
main(void)
{
	test_json5();
	test_yaml();
	test_examples();
	test_parameters();
	test_substitution();
	test_validation();
	test_cycles();
	test_regexes();
	test_warnings();
	test_workflow_options();
	test_bodies();
	test_load_paths();
	free(warnbuf);
	return check_done();
}
