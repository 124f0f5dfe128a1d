/*
 * spec.c: workflow spec loading: parse, check, expand parameters,
 * substitute ${files...} variables, resolve regexes, sort jobs into levels
 * and emit the normalized document described in spec.h.
 *
 * The work happens on plain C structures (struct job, struct file,
 * struct ud) built from the parsed tree; objects that need no expansion
 * (resource requirements, schedulers, failure handlers, actions) go
 * straight into the output document.  Names are looked up through struct
 * spec_idmap, an open-addressing hash table, so specs with many thousands
 * of expanded jobs stay linear.  struct ctx keeps the first error; every
 * checking function returns -1 once it has reported one.  Memory comes
 * from malloc; running out of it ends the program (exit 111).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json5.h"
#include "spec.h"
#include "yamlload.h"

#define MAX_INT_JSON	9007199254740992.0	/* 2^53: integers exact in a double */
#define MAX_FMT_WIDTH	1000			/* {i:0Nd}: N at most */
#define MAX_FMT_PREC	100			/* {x:.Nf}: N at most */
#define CYCLE_SHOWN	8			/* jobs named in a cycle message */

/* The name lists of a job, in the order of the key tables below. */
enum { L_DEPENDS, L_IN_FILES, L_OUT_FILES, L_IN_UD, L_OUT_UD, NLISTS };

static const char *const list_key[NLISTS] = {
	"depends_on", "input_files", "output_files", "input_user_data",
	"output_user_data"
};
static const char *const regex_key[NLISTS] = {
	"depends_on_regexes", "input_file_regexes", "output_file_regexes",
	"input_user_data_regexes", "output_user_data_regexes"
};
static const char *const id_key[NLISTS] = {
	"depends_on_job_ids", "input_file_ids", "output_file_ids",
	"input_user_data_ids", "output_user_data_ids"
};
static const char *const list_noun[NLISTS] = {
	"job", "file", "file", "user_data", "user_data"
};

static const char *const top_keys[] = {
	"name", "user", "description", "parameters", "jobs", "files",
	"user_data", "resource_requirements", "failure_handlers",
	"slurm_schedulers", "slurm_defaults", "resource_monitor", "actions",
	"use_pending_failed", "jobs_sort_method",
	"compute_node_expiration_buffer_seconds",
	"compute_node_wait_for_new_jobs_seconds",
	"compute_node_ignore_workflow_completion",
	"compute_node_wait_for_healthy_database_minutes", NULL
};
static const char *const job_keys[] = {
	"name", "command", "invocation_script", "resource_requirements",
	"failure_handler", "scheduler", "cancel_on_blocking_job_failure",
	"supports_termination", "depends_on", "depends_on_regexes",
	"input_files", "input_file_regexes", "output_files",
	"output_file_regexes", "input_user_data", "input_user_data_regexes",
	"output_user_data", "output_user_data_regexes", "parameters",
	"parameter_mode", "use_parameters", NULL
};
static const char *const file_keys[] = {
	"name", "path", "parameters", "parameter_mode", "use_parameters", NULL
};
static const char *const ud_keys[] = { "name", "data", "is_ephemeral", NULL };
static const char *const rr_keys[] = {
	"name", "num_cpus", "num_gpus", "num_nodes", "memory", "runtime", NULL
};
static const char *const sched_keys[] = {
	"name", "account", "partition", "nodes", "walltime", "mem", "gres",
	"qos", "ntasks_per_node", "tmp", "extra", NULL
};
static const char *const sched_str_keys[] = {
	"partition", "mem", "gres", "qos", "tmp", "extra", NULL
};
static const char *const fh_keys[] = { "name", "rules", NULL };
static const char *const rule_keys[] = {
	"exit_codes", "match_all_exit_codes", "recovery_script", "max_retries", NULL
};
static const char *const action_keys[] = {
	"trigger_type", "action_type", "jobs", "job_name_regexes", "commands",
	"scheduler", "scheduler_type", "num_allocations",
	"start_one_worker_per_node", "max_parallel_jobs", "persistent", NULL
};
static const char *const triggers[] = {
	"on_workflow_start", "on_workflow_complete", "on_worker_start",
	"on_worker_complete", "on_jobs_ready", "on_jobs_complete", NULL
};
static const char *const monitor_keys[] = {
	"enabled", "granularity", "sample_interval_seconds", "generate_plots", NULL
};
static const char *const sort_methods[] = {
	"gpus_runtime_memory", "gpus_memory_runtime", "none", NULL
};

struct ctx {
	const char	*source;	/* names the spec in messages, or NULL */
	FILE		*warn;		/* NULL: stderr */
	size_t		 nwarn;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

struct spec_idmap {
	char	**keys;
	int64_t	 *vals;
	size_t	  cap, n;		/* cap: a power of two */
};

struct strv {
	char	**v;
	size_t	  n, cap;
};

struct sb {				/* string builder */
	char	*p;
	size_t	 len, cap;
};

enum pv_type { PV_INT, PV_FLOAT, PV_STR };

struct pval {
	enum pv_type	 t;
	long long	 i;
	double		 f;
	char		*s;
};

struct param {
	char		*name;
	struct pval	*v;
	size_t		 n, cap;
};

struct params {
	struct param	*p;
	size_t		 n;
};

struct job {
	char		*name, *command, *script, *rr, *sched, *fh;
	int		 cancel, term;		/* -1 absent, else 0/1 */
	struct strv	 list[NLISTS];		/* names */
	struct strv	 rx[NLISTS];		/* regexes */
	int		 level;
};

struct file {
	char	*name, *path;
};

struct ud {
	char	*name;
	cJSON	*data;				/* NULL: none */
	int	 eph;
};

struct build {
	struct ctx		*c;
	struct params		 wparams;	/* top-level parameters */
	struct job		*jobs;
	size_t			 njobs, capjobs;
	struct file		*files;
	size_t			 nfiles, capfiles;
	struct ud		*uds;
	size_t			 nuds, capuds;
	struct spec_idmap	*job_ix, *file_ix, *ud_ix;	/* name -> index */
	struct spec_idmap	*rr_ix, *sched_ix, *fh_ix;	/* name -> 1 */
	cJSON			*doc;
	struct spec		*s;
};

/* ---------------------------------------------------------------------- */
/* memory and small containers */

static void
oom(void)
{
	fputs("torc: fatal: out of memory\n", stderr);
	exit(111);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		oom();
	return p;
}

/* Returns p (of *cap elements of size) grown to hold at least need. */
static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;

	if (need <= *cap)
		return p;
	ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / size)
		oom();
	*cap = ncap;
	return xrealloc(p, ncap * size);
}

static char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		oom();
	return d;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static cJSON *
xj(cJSON *v)
{
	if (v == NULL)
		oom();
	return v;
}

static void
jset(cJSON *obj, const char *key, cJSON *v)
{
	if (!cJSON_AddItemToObject(obj, key, xj(v)))
		oom();
}

static void
jpush(cJSON *arr, cJSON *v)
{
	if (!cJSON_AddItemToArray(arr, xj(v)))
		oom();
}

static char *
jprint(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	if (s == NULL)
		oom();
	return s;
}

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	b->p = grow(b->p, &b->cap, b->len + n + 1, 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void	sb_printf(struct sb *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->p = grow(b->p, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static char *
sb_take(struct sb *b)
{
	if (b->p == NULL)
		sb_add(b, "", 0);
	return b->p;
}

static void
strv_add(struct strv *sv, const char *s)
{
	sv->v = grow(sv->v, &sv->cap, sv->n + 1, sizeof(*sv->v));
	sv->v[sv->n++] = xstrdup(s);
}

static void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* An integral double in the range where doubles hold integers exactly. */
static int
is_integer(double d)
{
	return d >= -MAX_INT_JSON && d <= MAX_INT_JSON && (double)(long long)d == d;
}

/* ---------------------------------------------------------------------- */
/* name -> id map */

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t
slot(const struct spec_idmap *m, const char *name)
{
	size_t i = (size_t)hash(name) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], name) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

struct spec_idmap *
spec_idmap_new(void)
{
	struct spec_idmap *m = xcalloc(1, sizeof(*m));

	m->cap = 16;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	return m;
}

void
spec_idmap_put(struct spec_idmap *m, const char *name, int64_t id)
{
	struct spec_idmap old;
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3) {
		old = *m;
		m->cap *= 2;
		m->keys = xcalloc(m->cap, sizeof(*m->keys));
		m->vals = xcalloc(m->cap, sizeof(*m->vals));
		for (i = 0; i < old.cap; i++)
			if (old.keys[i] != NULL) {
				size_t j = slot(m, old.keys[i]);

				m->keys[j] = old.keys[i];
				m->vals[j] = old.vals[i];
			}
		free(old.keys);
		free(old.vals);
	}
	i = slot(m, name);
	if (m->keys[i] == NULL) {
		m->keys[i] = xstrdup(name);
		m->n++;
	}
	m->vals[i] = id;
}

int
spec_idmap_get(const struct spec_idmap *m, const char *name, int64_t *id)
{
	size_t i;

	if (m == NULL || name == NULL)
		return 0;
	i = slot(m, name);
	if (m->keys[i] == NULL)
		return 0;
	if (id != NULL)
		*id = m->vals[i];
	return 1;
}

size_t
spec_idmap_count(const struct spec_idmap *m)
{
	return m ? m->n : 0;
}

void
spec_idmap_free(struct spec_idmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	free(m);
}

static int
add_created_one(struct spec_idmap *m, const cJSON *o)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");

	if (!cJSON_IsString(name) || !cJSON_IsNumber(id) ||
	    !is_integer(id->valuedouble))
		return -1;
	spec_idmap_put(m, name->valuestring, (int64_t)id->valuedouble);
	return 0;
}

int
spec_idmap_add_created(struct spec_idmap *m, const cJSON *created)
{
	const cJSON *e;
	int n = 0;

	if (cJSON_IsObject(created))
		return add_created_one(m, created) < 0 ? -1 : 1;
	if (!cJSON_IsArray(created))
		return -1;
	cJSON_ArrayForEach(e, created) {
		if (add_created_one(m, e) < 0)
			return -1;
		n++;
	}
	return n;
}

/* Removes repeated names, keeping the first of each. */
static void
strv_dedupe(struct strv *sv)
{
	struct spec_idmap *seen;
	size_t i, k = 0;

	if (sv->n < 2)
		return;
	seen = spec_idmap_new();
	for (i = 0; i < sv->n; i++) {
		if (spec_idmap_get(seen, sv->v[i], NULL)) {
			free(sv->v[i]);
			continue;
		}
		spec_idmap_put(seen, sv->v[i], 1);
		sv->v[k++] = sv->v[i];
	}
	sv->n = k;
	spec_idmap_free(seen);
}

/* ---------------------------------------------------------------------- */
/* messages and typed member access */

static int	error(struct ctx *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
static void	warn(struct ctx *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
static void	seterr(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

static int
error(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (c->failed)
		return -1;
	c->failed = 1;
	if (c->err == NULL || c->errlen == 0)
		return -1;
	if (c->source != NULL) {
		n = snprintf(c->err, c->errlen, "%s: ", c->source);
		if (n < 0 || (size_t)n >= c->errlen)
			return -1;
	}
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void
warn(struct ctx *c, const char *fmt, ...)
{
	FILE *f = c->warn ? c->warn : stderr;
	va_list ap;

	fputs("torc: warning: ", f);
	if (c->source != NULL)
		fprintf(f, "%s: ", c->source);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	c->nwarn++;
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Warns about each member of obj not in known. */
static void
check_keys(struct ctx *c, const cJSON *obj, const char *const *known,
    const char *what)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, obj)
		if (!in_list(e->string, known))
			warn(c, "%s: unknown key '%s' ignored", what, e->string);
}

/* A member; NULL if absent or JSON null (null means absent, as in Torc). */
static const cJSON *
member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return (v == NULL || cJSON_IsNull(v)) ? NULL : v;
}

/* Rust's f64 Display: the shortest text that reads back, no exponent. */
static void
float_text(double f, char buf[64])
{
	int d;

	if (isnan(f)) {
		snprintf(buf, 64, "NaN");
		return;
	}
	if (isinf(f)) {
		snprintf(buf, 64, f < 0 ? "-inf" : "inf");
		return;
	}
	if (f > -1e16 && f < 1e16)
		for (d = 0; d <= 20; d++) {
			snprintf(buf, 64, "%.*f", d, f);
			if (strtod(buf, NULL) == f)
				return;
		}
	snprintf(buf, 64, "%.17g", f);
}

static void
number_text(double f, char buf[64])
{
	if (is_integer(f))
		snprintf(buf, 64, "%lld", (long long)f);
	else
		float_text(f, buf);
}

/* A string member (a number is taken as its text); *out NULL if absent. */
static int
get_str(struct ctx *c, const cJSON *obj, const char *key, const char *what,
    char **out)
{
	const cJSON *v = member(obj, key);
	char buf[64];

	*out = NULL;
	if (v == NULL)
		return 0;
	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		number_text(v->valuedouble, buf);
		*out = xstrdup(buf);
		return 0;
	}
	return error(c, "%s: %s must be a string", what, key);
}

/* A required non-empty string member. */
static int
req_str(struct ctx *c, const cJSON *obj, const char *key, const char *what,
    char **out)
{
	if (get_str(c, obj, key, what, out) < 0)
		return -1;
	if (*out == NULL || **out == '\0') {
		free(*out);
		*out = NULL;
		error(c, "%s: %s is required", what, key);
		return -1;
	}
	return 0;
}

/* An integer member; *present 0 and *out = def if absent. */
static int
get_int(struct ctx *c, const cJSON *obj, const char *key, const char *what,
    long long def, long long *out, int *present)
{
	const cJSON *v = member(obj, key);

	*out = def;
	if (present != NULL)
		*present = 0;
	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || !is_integer(v->valuedouble))
		return error(c, "%s: %s must be an integer", what, key);
	*out = (long long)v->valuedouble;
	if (present != NULL)
		*present = 1;
	return 0;
}

/* A boolean member: *out -1 if absent, else 0 or 1. */
static int
get_bool(struct ctx *c, const cJSON *obj, const char *key, const char *what,
    int *out)
{
	const cJSON *v = member(obj, key);

	*out = -1;
	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return error(c, "%s: %s must be true or false", what, key);
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return 0;
}

/* A list of strings (a single string is a list of one), appended to out. */
static int
get_names(struct ctx *c, const cJSON *obj, const char *key, const char *what,
    struct strv *out)
{
	const cJSON *v = member(obj, key), *e;

	if (v == NULL)
		return 0;
	if (cJSON_IsString(v)) {
		strv_add(out, v->valuestring);
		return 0;
	}
	if (!cJSON_IsArray(v))
		return error(c, "%s: %s must be a list of strings", what, key);
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e))
			return error(c, "%s: %s must be a list of strings", what, key);
		strv_add(out, e->valuestring);
	}
	return 0;
}

/* An optional array member; *out NULL if absent. */
static int
get_array(struct ctx *c, const cJSON *obj, const char *key, const char *what,
    const cJSON **out)
{
	*out = member(obj, key);
	if (*out != NULL && !cJSON_IsArray(*out)) {
		*out = NULL;
		return error(c, "%s: %s must be a list", what, key);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* parameters: "1:10", "0:100:10", "0.0:1.0:0.25", "[1,5]", "['a','b']" */

static void
pv_push(struct param *pm, enum pv_type t, long long i, double f, const char *s)
{
	struct pval *v;

	pm->v = grow(pm->v, &pm->cap, pm->n + 1, sizeof(*pm->v));
	v = &pm->v[pm->n++];
	v->t = t;
	v->i = i;
	v->f = f;
	v->s = xstrdup(s);
}

static void
param_free(struct param *pm)
{
	size_t i;

	for (i = 0; i < pm->n; i++)
		free(pm->v[i].s);
	free(pm->v);
	free(pm->name);
	memset(pm, 0, sizeof(*pm));
}

static void
params_free(struct params *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		param_free(&ps->p[i]);
	free(ps->p);
	memset(ps, 0, sizeof(*ps));
}

static void
param_copy(struct param *dst, const struct param *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->name = xstrdup(src->name);
	for (i = 0; i < src->n; i++)
		pv_push(dst, src->v[i].t, src->v[i].i, src->v[i].f, src->v[i].s);
}

/* Rust's i64 from_str: [+-]?[0-9]+ */
static int
parse_i64(const char *s, long long *out)
{
	const char *p = (*s == '+' || *s == '-') ? s + 1 : s;
	char *end;

	if (*p == '\0')
		return -1;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == ERANGE ? -1 : 0;
}

/* Rust's f64 from_str, near enough: decimal forms, inf, nan. */
static int
parse_f64(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s) || strpbrk(s, "xX") != NULL)
		return -1;
	*out = strtod(s, &end);
	return *end == '\0' ? 0 : -1;
}

/* Copies s without leading and trailing ASCII white space. */
static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static void
push_scalar_text(struct param *pm, const char *item)
{
	long long i;
	double f;

	if (parse_i64(item, &i) == 0)
		pv_push(pm, PV_INT, i, 0, NULL);
	else if (parse_f64(item, &f) == 0)
		pv_push(pm, PV_FLOAT, 0, f, NULL);
	else
		pv_push(pm, PV_STR, 0, 0, item);
}

/* "[a, b, ...]": split on commas, quotes stripped, as Torc does. */
static int
parse_list(struct param *pm, const char *s, char *msg, size_t msglen)
{
	const char *a = s, *b = s + strlen(s), *comma;
	char *item, *u;
	size_t n;

	while (a < b && *a == '[')
		a++;
	while (b > a && b[-1] == ']')
		b--;
	item = trimmed(a, (size_t)(b - a));
	if (*item == '\0') {
		free(item);
		return 0;
	}
	free(item);
	for (;;) {
		if (pm->n >= SPEC_MAX_ITEMS) {
			seterr(msg, msglen, "more than %d values", SPEC_MAX_ITEMS);
			return -1;
		}
		comma = memchr(a, ',', (size_t)(b - a));
		item = trimmed(a, (size_t)((comma ? comma : b) - a));
		if (parse_i64(item, &(long long){0}) == 0 ||
		    parse_f64(item, &(double){0}) == 0) {
			push_scalar_text(pm, item);
		} else {
			u = item;
			while (*u == '\'')
				u++;
			n = strlen(u);
			while (n > 0 && u[n - 1] == '\'')
				n--;
			while (n > 0 && *u == '"')
				u++, n--;
			while (n > 0 && u[n - 1] == '"')
				n--;
			u = xstrndup(u, n);
			pv_push(pm, PV_STR, 0, 0, u);
			free(u);
		}
		free(item);
		if (comma == NULL)
			break;
		a = comma + 1;
	}
	return 0;
}

static int
parse_range(struct param *pm, const char *s, char *msg, size_t msglen)
{
	const char *c1 = strchr(s, ':'), *c2 = strchr(c1 + 1, ':');
	char *a, *b, *st = NULL;
	long long ia, ib, is = 1, k;
	double fa, fb, fs = 1.0, cur;
	unsigned long long count;
	int rc = -1;

	if (c2 != NULL && strchr(c2 + 1, ':') != NULL) {
		seterr(msg, msglen, "invalid range '%s': expected start:end or start:end:step", s);
		return -1;
	}
	a = trimmed(s, (size_t)(c1 - s));
	b = c2 ? trimmed(c1 + 1, (size_t)(c2 - c1 - 1)) : trimmed(c1 + 1, strlen(c1 + 1));
	if (c2 != NULL)
		st = trimmed(c2 + 1, strlen(c2 + 1));
	if (parse_i64(a, &ia) == 0 && parse_i64(b, &ib) == 0) {
		if (st != NULL && *st != '\0' && parse_i64(st, &is) < 0) {
			seterr(msg, msglen, "invalid integer step in range '%s'", s);
			goto out;
		}
		if (is == 0) {
			seterr(msg, msglen, "invalid range '%s': the step cannot be zero", s);
			goto out;
		}
		if ((is > 0 && ia > ib) || (is < 0 && ia < ib)) {
			rc = 0;
			goto out;
		}
		count = is > 0 ? ((unsigned long long)ib - (unsigned long long)ia) / (unsigned long long)is + 1 :
		    ((unsigned long long)ia - (unsigned long long)ib) / (0ULL - (unsigned long long)is) + 1;
		if (count > SPEC_MAX_ITEMS) {
			seterr(msg, msglen, "range '%s' has more than %d values", s, SPEC_MAX_ITEMS);
			goto out;
		}
		for (k = 0; (unsigned long long)k < count; k++)
			pv_push(pm, PV_INT, (long long)((unsigned long long)ia +
			    (unsigned long long)k * (unsigned long long)is), 0, NULL);
		rc = 0;
	} else if (parse_f64(a, &fa) == 0 && parse_f64(b, &fb) == 0) {
		if (st != NULL && *st != '\0' && parse_f64(st, &fs) < 0) {
			seterr(msg, msglen, "invalid float step in range '%s'", s);
			goto out;
		}
		if (fs == 0 || !isfinite(fs) || !isfinite(fa) || !isfinite(fb)) {
			seterr(msg, msglen, "invalid range '%s': bounds and step must be finite, the step non-zero", s);
			goto out;
		}
		/* Torc accumulates the step, with a 1e-10 tolerance at the end. */
		for (cur = fa; fs > 0 ? cur <= fb + 1e-10 : cur >= fb - 1e-10; cur += fs) {
			if (pm->n >= SPEC_MAX_ITEMS) {
				seterr(msg, msglen, "range '%s' has more than %d values", s, SPEC_MAX_ITEMS);
				goto out;
			}
			pv_push(pm, PV_FLOAT, 0, cur, NULL);
		}
		rc = 0;
	} else {
		seterr(msg, msglen, "invalid range '%s': not an integer or float range", s);
	}
out:
	free(a);
	free(b);
	free(st);
	return rc;
}

/* Parses a parameter's value text into pm (as Torc's parse_parameter_value). */
static int
param_parse_text(struct param *pm, const char *text, char *msg, size_t msglen)
{
	char *s = trimmed(text, strlen(text)), *in;
	size_t n = strlen(s);
	int rc = 0;

	/* "{1:5}" is taken as "1:5", a common slip. */
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}' && strchr(s, ',') == NULL) {
		in = trimmed(s + 1, n - 2);
		free(s);
		s = in;
		n = strlen(s);
	}
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
		rc = parse_list(pm, s, msg, msglen);
	else if (strchr(s, ':') != NULL)
		rc = parse_range(pm, s, msg, msglen);
	else
		push_scalar_text(pm, s);
	free(s);
	return rc;
}

/* A parameter from its JSON value: a string, a number or a list. */
static int
param_from_json(struct param *pm, const cJSON *v, char *msg, size_t msglen)
{
	const cJSON *e;

	if (cJSON_IsString(v))
		return param_parse_text(pm, v->valuestring, msg, msglen);
	if (cJSON_IsNumber(v)) {
		if (is_integer(v->valuedouble))
			pv_push(pm, PV_INT, (long long)v->valuedouble, 0, NULL);
		else
			pv_push(pm, PV_FLOAT, 0, v->valuedouble, NULL);
		return 0;
	}
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v) {
			if (cJSON_IsString(e)) {
				pv_push(pm, PV_STR, 0, 0, e->valuestring);
			} else if (cJSON_IsNumber(e)) {
				if (param_from_json(pm, e, msg, msglen) < 0)
					return -1;
			} else {
				seterr(msg, msglen, "list values must be numbers or strings");
				return -1;
			}
		}
		return 0;
	}
	seterr(msg, msglen, "must be a string such as \"1:10\" or \"[1,5,10]\"");
	return -1;
}

static int
params_from_json(struct ctx *c, const cJSON *obj, const char *what,
    struct params *out)
{
	const cJSON *e;
	char msg[512];

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(obj))
		return error(c, "%s: parameters must be a mapping of names to values", what);
	out->p = xcalloc((size_t)cJSON_GetArraySize(obj), sizeof(*out->p));
	cJSON_ArrayForEach(e, obj) {
		struct param *pm = &out->p[out->n++];

		pm->name = xstrdup(e->string);
		if (*pm->name == '\0' || strpbrk(pm->name, "{}:") != NULL)
			return error(c, "%s: invalid parameter name '%s'", what, pm->name);
		if (param_from_json(pm, e, msg, sizeof(msg)) < 0)
			return error(c, "%s: parameter '%s': %s", what, pm->name, msg);
	}
	return 0;
}

/*
 * The parameters of a job or file: its own `parameters`, else the named
 * top-level ones from `use_parameters`.  *zip is set from parameter_mode.
 */
static int
item_params(struct build *b, const cJSON *obj, const char *what,
    struct params *out, int *zip)
{
	const cJSON *lp = member(obj, "parameters");
	struct strv use = { NULL, 0, 0 };
	char *mode = NULL;
	size_t i, k;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*zip = 0;
	if (get_str(b->c, obj, "parameter_mode", what, &mode) < 0)
		return -1;
	if (mode != NULL && strcmp(mode, "zip") == 0)
		*zip = 1;
	else if (mode != NULL && strcmp(mode, "product") != 0) {
		error(b->c, "%s: parameter_mode must be 'product' or 'zip', not '%s'", what, mode);
		goto out;
	}
	if (lp != NULL) {
		rc = params_from_json(b->c, lp, what, out);
		goto out;
	}
	if (get_names(b->c, obj, "use_parameters", what, &use) < 0)
		goto out;
	strv_dedupe(&use);
	out->p = xcalloc(use.n, sizeof(*out->p));
	for (i = 0; i < use.n; i++) {
		for (k = 0; k < b->wparams.n; k++)
			if (strcmp(b->wparams.p[k].name, use.v[i]) == 0)
				break;
		if (k == b->wparams.n) {
			warn(b->c, "%s: use_parameters names '%s', which is not a top-level parameter",
			    what, use.v[i]);
			continue;
		}
		param_copy(&out->p[out->n++], &b->wparams.p[k]);
	}
	rc = 0;
out:
	free(mode);
	strv_free(&use);
	return rc;
}

/* How many items the parameters give (1 without any). */
static int
combinations(struct ctx *c, const struct params *ps, int zip, const char *what,
    size_t *count)
{
	size_t i, n = 1;

	if (ps->n == 0) {
		*count = 1;
		return 0;
	}
	if (zip) {
		for (i = 1; i < ps->n; i++)
			if (ps->p[i].n != ps->p[0].n)
				return error(c, "%s: parameter_mode zip needs parameters of equal length, but '%s' has %zu values and '%s' has %zu",
				    what, ps->p[0].name, ps->p[0].n, ps->p[i].name, ps->p[i].n);
		*count = ps->p[0].n;
		return 0;
	}
	for (i = 0; i < ps->n; i++) {
		if (ps->p[i].n != 0 && n > SPEC_MAX_ITEMS / ps->p[i].n)
			return error(c, "%s: parameters expand to more than %d items", what, SPEC_MAX_ITEMS);
		n *= ps->p[i].n;
	}
	*count = n;
	return 0;
}

/* The value indices of combination k: the last parameter varies fastest. */
static void
combination(const struct params *ps, int zip, size_t k, size_t *idx)
{
	size_t i;

	for (i = ps->n; i > 0; i--) {
		if (zip) {
			idx[i - 1] = k;
		} else {
			idx[i - 1] = k % ps->p[i - 1].n;
			k /= ps->p[i - 1].n;
		}
	}
}

static void
plain_value(struct sb *out, const struct pval *v)
{
	char buf[64];

	if (v->t == PV_INT)
		sb_printf(out, "%lld", v->i);
	else if (v->t == PV_FLOAT) {
		float_text(v->f, buf);
		sb_puts(out, buf);
	} else
		sb_puts(out, v->s);
}

/*
 * Formats v by a Python-style spec: [<>][+ -][0][width][.prec][type] with
 * type one of d x X o f F e E g G s.  A spec that does not parse, or does
 * not fit the value (a float with d, as in Torc), gives the plain value.
 */
static void
format_value(struct sb *out, const struct pval *v, const char *spec, size_t n)
{
	char fmt[32], plain[64], type = 0, sign = 0;
	int left = 0, right = 0, zero = 0, width = 0, prec = -1;
	size_t i = 0, k = 0;
	struct sb tmp = { NULL, 0, 0 };

	if (i < n && (spec[i] == '<' || spec[i] == '>'))
		left = spec[i] == '<', right = spec[i] == '>', i++;
	if (i < n && (spec[i] == '+' || spec[i] == ' ' || spec[i] == '-'))
		sign = spec[i++];
	if (i < n && spec[i] == '0')
		zero = 1, i++;
	while (i < n && spec[i] >= '0' && spec[i] <= '9' && width <= MAX_FMT_WIDTH)
		width = width * 10 + (spec[i++] - '0');
	if (i < n && spec[i] == '.') {
		prec = 0;
		if (++i >= n || spec[i] < '0' || spec[i] > '9')
			goto plain;
		while (i < n && spec[i] >= '0' && spec[i] <= '9' && prec <= MAX_FMT_PREC)
			prec = prec * 10 + (spec[i++] - '0');
	}
	if (i < n && strchr("dxXofFeEgGs", spec[i]) != NULL)
		type = spec[i++];
	if (i != n || width > MAX_FMT_WIDTH || prec > MAX_FMT_PREC)
		goto plain;

	fmt[k++] = '%';
	if (left)
		fmt[k++] = '-';
	if (sign == '+' || sign == ' ')
		fmt[k++] = sign;
	if (zero && !left)
		fmt[k++] = '0';
	fmt[k++] = '*';
	if (v->t != PV_STR && (type == 'f' || type == 'F' || type == 'e' ||
	    type == 'E' || type == 'g' || type == 'G' || (type == 0 && prec >= 0))) {
		snprintf(fmt + k, sizeof(fmt) - k, ".*%c", type ? type : 'g');
		sb_printf(out, fmt, width, prec < 0 ? 6 : prec,
		    v->t == PV_INT ? (double)v->i : v->f);
		return;
	}
	if (v->t == PV_INT && (type == 0 || type == 'd' || type == 'x' ||
	    type == 'X' || type == 'o')) {
		snprintf(fmt + k, sizeof(fmt) - k, "ll%c", type ? type : 'd');
		sb_printf(out, fmt, width, v->i);
		return;
	}
	if (v->t == PV_STR && type != 0 && type != 's')
		goto plain;
	if (v->t == PV_FLOAT && type != 0 && type != 's')
		goto plain;
	/* Strings (and numbers shown as strings) pad right unless '>'. */
	plain_value(&tmp, v);
	if (v->t == PV_STR || type == 's') {
		if (prec >= 0)
			sb_printf(out, right ? "%*.*s" : "%-*.*s", width, prec, sb_take(&tmp));
		else
			sb_printf(out, right ? "%*s" : "%-*s", width, sb_take(&tmp));
	} else {
		sb_printf(out, left ? "%-*s" : "%*s", width, sb_take(&tmp));
	}
	free(tmp.p);
	return;
plain:
	if (v->t == PV_FLOAT) {
		float_text(v->f, plain);
		sb_puts(out, plain);
	} else {
		plain_value(out, v);
	}
}

/*
 * Replaces {name} and {name:spec} for every parameter in t.  Braces that
 * name no parameter (such as ${files.input.x} or bash's ${VAR}) stay.
 * Returns a new string (NULL for NULL).
 */
static char *
subst(const char *t, const struct params *ps, const size_t *idx)
{
	struct sb out = { NULL, 0, 0 };
	const char *p = t, *e, *close;
	size_t i, nlen;

	if (t == NULL)
		return NULL;
	if (ps == NULL || ps->n == 0)
		return xstrdup(t);
	while (*p) {
		if (*p != '{') {
			e = strchr(p, '{');
			if (e == NULL)
				e = p + strlen(p);
			sb_add(&out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		e = p + 1;
		while (*e && *e != '}' && *e != ':' && *e != '{')
			e++;
		if (*e == '}' || *e == ':') {
			nlen = (size_t)(e - p - 1);
			for (i = 0; i < ps->n; i++)
				if (strlen(ps->p[i].name) == nlen &&
				    memcmp(ps->p[i].name, p + 1, nlen) == 0)
					break;
			if (i < ps->n && *e == '}') {
				format_value(&out, &ps->p[i].v[idx[i]], "", 0);
				p = e + 1;
				continue;
			}
			if (i < ps->n && (close = strchr(e, '}')) != NULL) {
				format_value(&out, &ps->p[i].v[idx[i]], e + 1, (size_t)(close - e - 1));
				p = close + 1;
				continue;
			}
		}
		sb_add(&out, "{", 1);
		p++;
	}
	return sb_take(&out);
}

/* ---------------------------------------------------------------------- */
/* files, user data, resource requirements, schedulers, failure handlers */

static int
read_files(struct build *b, const cJSON *arr)
{
	const cJSON *o;
	struct params ps;
	size_t i = 0, k, count, *idx = NULL;
	char what[320], *name = NULL, *path = NULL, *n1;
	int zip, rc = -1;

	memset(&ps, 0, sizeof(ps));
	cJSON_ArrayForEach(o, arr) {
		i++;
		if (!cJSON_IsObject(o))
			return error(b->c, "file #%zu must be a mapping", i);
		snprintf(what, sizeof(what), "file #%zu", i);
		if (req_str(b->c, o, "name", what, &name) < 0)
			goto out;
		snprintf(what, sizeof(what), "file '%.256s'", name);
		check_keys(b->c, o, file_keys, what);
		if (req_str(b->c, o, "path", what, &path) < 0 ||
		    item_params(b, o, what, &ps, &zip) < 0 ||
		    combinations(b->c, &ps, zip, what, &count) < 0)
			goto out;
		if (b->nfiles + count > SPEC_MAX_ITEMS) {
			error(b->c, "more than %d files after expansion", SPEC_MAX_ITEMS);
			goto out;
		}
		b->files = grow(b->files, &b->capfiles, b->nfiles + count, sizeof(*b->files));
		idx = xcalloc(ps.n, sizeof(*idx));
		for (k = 0; k < count; k++) {
			combination(&ps, zip, k, idx);
			b->files[b->nfiles].name = n1 = subst(name, &ps, idx);
			b->files[b->nfiles++].path = subst(path, &ps, idx);
			if (count > 1 && strcmp(n1, name) == 0) {
				error(b->c, "%s: parameterized, but the name has no {parameter} placeholder", what);
				goto out;
			}
		}
		free(idx);
		idx = NULL;
		params_free(&ps);
		free(name);
		free(path);
		name = path = NULL;
	}
	rc = 0;
out:
	free(idx);
	params_free(&ps);
	free(name);
	free(path);
	return rc;
}

static int
read_user_data(struct build *b, const cJSON *arr)
{
	const cJSON *o, *data;
	struct ud *u;
	size_t i = 0;
	char what[320], *name;
	int eph;

	cJSON_ArrayForEach(o, arr) {
		i++;
		if (!cJSON_IsObject(o))
			return error(b->c, "user_data #%zu must be a mapping", i);
		snprintf(what, sizeof(what), "user_data #%zu", i);
		if (get_str(b->c, o, "name", what, &name) < 0)
			return -1;
		if (name == NULL) {
			warn(b->c, "%s has no name and is skipped", what);
			continue;
		}
		snprintf(what, sizeof(what), "user_data '%.256s'", name);
		check_keys(b->c, o, ud_keys, what);
		if (get_bool(b->c, o, "is_ephemeral", what, &eph) < 0) {
			free(name);
			return -1;
		}
		b->uds = grow(b->uds, &b->capuds, b->nuds + 1, sizeof(*b->uds));
		u = &b->uds[b->nuds++];
		u->name = name;
		u->eph = eph == 1;
		data = member(o, "data");
		u->data = data ? xj(cJSON_Duplicate(data, 1)) : NULL;
	}
	return 0;
}

/* Memory as the server parses it: digits and an optional k/m/g/t suffix. */
static int
valid_memory(const char *s)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s)
		return 0;
	if (*p != '\0' && strchr("kKmMgGtT", *p) != NULL)
		p++;
	return *p == '\0';
}

/* An ISO-8601 duration: P[nY][nM][nW][nD][T[nH][nM][nS]], at least one part. */
static int
valid_duration(const char *s)
{
	const char *units = "YMWD";
	int parts = 0, digits;

	if (*s++ != 'P')
		return 0;
	while (*s) {
		if (*s == 'T') {
			if (units[0] == 'H' || s[1] == '\0')
				return 0;
			units = "HMS";
			s++;
			continue;
		}
		for (digits = 0; *s >= '0' && *s <= '9'; s++)
			digits++;
		if ((*s == '.' || *s == ',') && digits > 0)
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
		if (digits == 0 || *s == '\0' || strchr(units, *s) == NULL)
			return 0;
		s++;
		parts++;
	}
	return parts > 0;
}

static int
read_rrs(struct build *b, const cJSON *arr)
{
	const cJSON *o;
	cJSON *rr = NULL;
	long long cpus, gpus, nodes;
	size_t i = 0;
	char what[320], *name = NULL, *mem = NULL, *rt = NULL;
	int rc = -1, has_cpus;

	cJSON_ArrayForEach(o, arr) {
		i++;
		if (!cJSON_IsObject(o))
			return error(b->c, "resource_requirements #%zu must be a mapping", i);
		snprintf(what, sizeof(what), "resource_requirements #%zu", i);
		if (req_str(b->c, o, "name", what, &name) < 0)
			goto out;
		snprintf(what, sizeof(what), "resource_requirements '%.256s'", name);
		check_keys(b->c, o, rr_keys, what);
		if (spec_idmap_get(b->rr_ix, name, NULL)) {
			error(b->c, "duplicate resource_requirements name '%s'", name);
			goto out;
		}
		if (get_int(b->c, o, "num_cpus", what, 1, &cpus, &has_cpus) < 0 ||
		    get_int(b->c, o, "num_gpus", what, 0, &gpus, NULL) < 0 ||
		    get_int(b->c, o, "num_nodes", what, 1, &nodes, NULL) < 0 ||
		    req_str(b->c, o, "memory", what, &mem) < 0 ||
		    get_str(b->c, o, "runtime", what, &rt) < 0)
			goto out;
		if (!has_cpus) {
			error(b->c, "%s: num_cpus is required", what);
			goto out;
		}
		if (cpus < 0 || gpus < 0 || nodes < 0) {
			error(b->c, "%s: num_cpus, num_gpus and num_nodes cannot be negative", what);
			goto out;
		}
		if (!valid_memory(mem)) {
			error(b->c, "%s: invalid memory '%s' (an integer with an optional k, m, g or t suffix, such as \"2g\")",
			    what, mem);
			goto out;
		}
		if (rt == NULL)
			rt = xstrdup("PT1H");
		if (!valid_duration(rt)) {
			error(b->c, "%s: invalid runtime '%s' (an ISO-8601 duration such as \"PT30M\" or \"P0DT1H\")",
			    what, rt);
			goto out;
		}
		rr = xj(cJSON_CreateObject());
		jset(rr, "name", cJSON_CreateString(name));
		jset(rr, "num_cpus", cJSON_CreateNumber((double)cpus));
		jset(rr, "num_gpus", cJSON_CreateNumber((double)gpus));
		jset(rr, "num_nodes", cJSON_CreateNumber((double)nodes));
		jset(rr, "memory", cJSON_CreateString(mem));
		jset(rr, "runtime", cJSON_CreateString(rt));
		if (strcmp(name, "default") == 0) {
			jset(b->doc, "default_resource_requirements", rr);
			b->s->default_rr = rr;
		} else {
			jpush(b->s->resource_requirements, rr);
		}
		rr = NULL;
		spec_idmap_put(b->rr_ix, name, 1);
		free(name);
		free(mem);
		free(rt);
		name = mem = rt = NULL;
	}
	rc = 0;
out:
	free(name);
	free(mem);
	free(rt);
	return rc;
}

static int
read_schedulers(struct build *b, const cJSON *arr)
{
	const cJSON *o;
	cJSON *sc;
	long long nodes, ntasks;
	size_t i = 0, k;
	char what[320], *name = NULL, *str = NULL;
	int rc = -1, has_ntasks;

	cJSON_ArrayForEach(o, arr) {
		i++;
		if (!cJSON_IsObject(o))
			return error(b->c, "slurm_scheduler #%zu must be a mapping", i);
		snprintf(what, sizeof(what), "slurm_scheduler #%zu", i);
		if (get_str(b->c, o, "name", what, &name) < 0)
			goto out;
		if (name == NULL) {
			warn(b->c, "%s has no name and is skipped", what);
			continue;
		}
		snprintf(what, sizeof(what), "slurm_scheduler '%.256s'", name);
		check_keys(b->c, o, sched_keys, what);
		if (spec_idmap_get(b->sched_ix, name, NULL)) {
			error(b->c, "duplicate slurm_scheduler name '%s'", name);
			goto out;
		}
		sc = xj(cJSON_CreateObject());
		jpush(b->s->slurm_schedulers, sc);
		jset(sc, "name", cJSON_CreateString(name));
		if (req_str(b->c, o, "account", what, &str) < 0)
			goto out;
		jset(sc, "account", cJSON_CreateString(str));
		free(str);
		str = NULL;
		if (get_int(b->c, o, "nodes", what, 1, &nodes, NULL) < 0 ||
		    get_int(b->c, o, "ntasks_per_node", what, 0, &ntasks, &has_ntasks) < 0 ||
		    get_str(b->c, o, "walltime", what, &str) < 0)
			goto out;
		jset(sc, "nodes", cJSON_CreateNumber((double)nodes));
		jset(sc, "walltime", cJSON_CreateString(str ? str : "01:00:00"));
		free(str);
		str = NULL;
		if (has_ntasks)
			jset(sc, "ntasks_per_node", cJSON_CreateNumber((double)ntasks));
		for (k = 0; sched_str_keys[k] != NULL; k++) {
			if (get_str(b->c, o, sched_str_keys[k], what, &str) < 0)
				goto out;
			if (str != NULL)
				jset(sc, sched_str_keys[k], cJSON_CreateString(str));
			free(str);
			str = NULL;
		}
		spec_idmap_put(b->sched_ix, name, 1);
		free(name);
		name = NULL;
	}
	rc = 0;
out:
	free(name);
	free(str);
	return rc;
}

static int
read_failure_handlers(struct build *b, const cJSON *arr)
{
	const cJSON *o, *rules, *r, *e;
	cJSON *fh, *nrules = NULL, *nr, *codes;
	long long retries;
	size_t i = 0, k;
	char what[320], rwhat[360], *name = NULL, *script = NULL, *text;
	int rc = -1, all;

	cJSON_ArrayForEach(o, arr) {
		i++;
		if (!cJSON_IsObject(o))
			return error(b->c, "failure_handler #%zu must be a mapping", i);
		snprintf(what, sizeof(what), "failure_handler #%zu", i);
		if (req_str(b->c, o, "name", what, &name) < 0)
			goto out;
		snprintf(what, sizeof(what), "failure_handler '%.256s'", name);
		check_keys(b->c, o, fh_keys, what);
		if (spec_idmap_get(b->fh_ix, name, NULL)) {
			error(b->c, "duplicate failure_handler name '%s'", name);
			goto out;
		}
		if (get_array(b->c, o, "rules", what, &rules) < 0)
			goto out;
		nrules = xj(cJSON_CreateArray());
		k = 0;
		cJSON_ArrayForEach(r, rules) {
			snprintf(rwhat, sizeof(rwhat), "%s rule #%zu", what, ++k);
			if (!cJSON_IsObject(r)) {
				error(b->c, "%s must be a mapping", rwhat);
				goto out;
			}
			check_keys(b->c, r, rule_keys, rwhat);
			nr = xj(cJSON_CreateObject());
			jpush(nrules, nr);
			codes = xj(cJSON_CreateArray());
			jset(nr, "exit_codes", codes);
			if (get_array(b->c, r, "exit_codes", rwhat, &e) < 0)
				goto out;
			for (e = e ? e->child : NULL; e != NULL; e = e->next) {
				if (!cJSON_IsNumber(e) || !is_integer(e->valuedouble)) {
					error(b->c, "%s: exit_codes must be a list of integers", rwhat);
					goto out;
				}
				jpush(codes, cJSON_CreateNumber(e->valuedouble));
			}
			if (get_bool(b->c, r, "match_all_exit_codes", rwhat, &all) < 0 ||
			    get_str(b->c, r, "recovery_script", rwhat, &script) < 0 ||
			    get_int(b->c, r, "max_retries", rwhat, 3, &retries, NULL) < 0)
				goto out;
			jset(nr, "match_all_exit_codes", cJSON_CreateBool(all == 1));
			if (script != NULL)
				jset(nr, "recovery_script", cJSON_CreateString(script));
			free(script);
			script = NULL;
			jset(nr, "max_retries", cJSON_CreateNumber((double)retries));
		}
		fh = xj(cJSON_CreateObject());
		jpush(b->s->failure_handlers, fh);
		jset(fh, "name", cJSON_CreateString(name));
		text = jprint(nrules);
		jset(fh, "rules", cJSON_CreateString(text));
		free(text);
		cJSON_Delete(nrules);
		nrules = NULL;
		spec_idmap_put(b->fh_ix, name, 1);
		free(name);
		name = NULL;
	}
	rc = 0;
out:
	cJSON_Delete(nrules);
	free(name);
	free(script);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* jobs */

static void
job_free(struct job *j)
{
	int l;

	free(j->name);
	free(j->command);
	free(j->script);
	free(j->rr);
	free(j->sched);
	free(j->fh);
	for (l = 0; l < NLISTS; l++) {
		strv_free(&j->list[l]);
		strv_free(&j->rx[l]);
	}
	memset(j, 0, sizeof(*j));
}

/* Reads the template of job #i (before expansion) into t. */
static int
read_job_template(struct build *b, const cJSON *o, size_t i, struct job *t,
    char *what, size_t whatlen)
{
	int l;

	memset(t, 0, sizeof(*t));
	t->cancel = t->term = -1;
	if (!cJSON_IsObject(o))
		return error(b->c, "job #%zu must be a mapping", i);
	snprintf(what, whatlen, "job #%zu", i);
	if (req_str(b->c, o, "name", what, &t->name) < 0)
		return -1;
	snprintf(what, whatlen, "job '%.256s'", t->name);
	check_keys(b->c, o, job_keys, what);
	if (req_str(b->c, o, "command", what, &t->command) < 0 ||
	    get_str(b->c, o, "invocation_script", what, &t->script) < 0 ||
	    get_str(b->c, o, "resource_requirements", what, &t->rr) < 0 ||
	    get_str(b->c, o, "scheduler", what, &t->sched) < 0 ||
	    get_str(b->c, o, "failure_handler", what, &t->fh) < 0 ||
	    get_bool(b->c, o, "cancel_on_blocking_job_failure", what, &t->cancel) < 0 ||
	    get_bool(b->c, o, "supports_termination", what, &t->term) < 0)
		return -1;
	for (l = 0; l < NLISTS; l++)
		if (get_names(b->c, o, list_key[l], what, &t->list[l]) < 0 ||
		    get_names(b->c, o, regex_key[l], what, &t->rx[l]) < 0)
			return -1;
	return 0;
}

static void
subst_strv(struct strv *dst, const struct strv *src, const struct params *ps,
    const size_t *idx)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++) {
		dst->v = grow(dst->v, &dst->cap, dst->n + 1, sizeof(*dst->v));
		dst->v[dst->n++] = subst(src->v[i], ps, idx);
	}
}

static int
read_jobs(struct build *b, const cJSON *arr)
{
	const cJSON *o;
	struct params ps;
	struct job t, *j;
	size_t i = 0, k, count, *idx = NULL;
	char what[320];
	int zip, l, rc = -1;

	memset(&ps, 0, sizeof(ps));
	memset(&t, 0, sizeof(t));
	cJSON_ArrayForEach(o, arr) {
		if (read_job_template(b, o, ++i, &t, what, sizeof(what)) < 0 ||
		    item_params(b, o, what, &ps, &zip) < 0 ||
		    combinations(b->c, &ps, zip, what, &count) < 0)
			goto out;
		if (count == 0)
			warn(b->c, "%s: its parameters have no values, so it expands to no jobs", what);
		if (b->njobs + count > SPEC_MAX_ITEMS) {
			error(b->c, "more than %d jobs after expansion", SPEC_MAX_ITEMS);
			goto out;
		}
		b->jobs = grow(b->jobs, &b->capjobs, b->njobs + count, sizeof(*b->jobs));
		idx = xcalloc(ps.n, sizeof(*idx));
		for (k = 0; k < count; k++) {
			combination(&ps, zip, k, idx);
			j = &b->jobs[b->njobs++];
			memset(j, 0, sizeof(*j));
			j->name = subst(t.name, &ps, idx);
			j->command = subst(t.command, &ps, idx);
			j->script = subst(t.script, &ps, idx);
			j->rr = subst(t.rr, &ps, idx);
			j->sched = subst(t.sched, &ps, idx);
			j->fh = subst(t.fh, &ps, idx);
			j->cancel = t.cancel;
			j->term = t.term;
			for (l = 0; l < NLISTS; l++) {
				subst_strv(&j->list[l], &t.list[l], &ps, idx);
				subst_strv(&j->rx[l], &t.rx[l], &ps, idx);
				strv_dedupe(&j->list[l]);
			}
			if (count > 1 && strcmp(j->name, t.name) == 0) {
				error(b->c, "%s: parameterized, but the name has no {parameter} placeholder", what);
				goto out;
			}
		}
		free(idx);
		idx = NULL;
		params_free(&ps);
		job_free(&t);
	}
	rc = 0;
out:
	free(idx);
	params_free(&ps);
	job_free(&t);
	return rc;
}

/* Builds a name -> index map; a repeated name is an error. */
static int
index_names(struct build *b, struct spec_idmap *m, const char *noun,
    size_t n, const char *(*name)(const struct build *, size_t))
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (spec_idmap_get(m, name(b, i), NULL))
			return error(b->c, "duplicate %s name '%s'", noun, name(b, i));
		spec_idmap_put(m, name(b, i), (int64_t)i);
	}
	return 0;
}

static const char *
job_name(const struct build *b, size_t i)
{
	return b->jobs[i].name;
}

static const char *
file_name(const struct build *b, size_t i)
{
	return b->files[i].name;
}

static const char *
ud_name(const struct build *b, size_t i)
{
	return b->uds[i].name;
}

/* The prefixes of substitution variables and the list each feeds. */
static const struct {
	const char	*prefix;
	int		 list;
} vars[] = {
	{ "files.input.", L_IN_FILES },
	{ "files.output.", L_OUT_FILES },
	{ "user_data.input.", L_IN_UD },
	{ "user_data.output.", L_OUT_UD },
};

/*
 * Replaces the ${files.*} and ${user_data.*} variables in *s (field names
 * the text in messages) and adds the names to found[].
 */
static int
subst_vars(struct build *b, const struct job *j, const char *field, char **s,
    struct strv found[NLISTS])
{
	struct sb out = { NULL, 0, 0 };
	const char *p = *s, *q, *name, *end;
	char *nm = NULL, *text;
	int64_t ix;
	size_t k, plen;

	while ((q = strstr(p, "${")) != NULL) {
		sb_add(&out, p, (size_t)(q - p));
		for (k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
			if (strncmp(q + 2, vars[k].prefix, strlen(vars[k].prefix)) == 0)
				break;
		if (k == sizeof(vars) / sizeof(vars[0])) {
			sb_add(&out, "${", 2);
			p = q + 2;
			continue;
		}
		plen = strlen(vars[k].prefix);
		name = q + 2 + plen;
		if ((end = strchr(name, '}')) == NULL) {
			error(b->c, "job '%s': unterminated ${%s... in %s", j->name,
			    vars[k].prefix, field);
			goto bad;
		}
		nm = xstrndup(name, (size_t)(end - name));
		if (vars[k].list == L_IN_FILES || vars[k].list == L_OUT_FILES) {
			if (!spec_idmap_get(b->file_ix, nm, &ix)) {
				error(b->c, "job '%s': ${%s%s} in %s names no file '%s'",
				    j->name, vars[k].prefix, nm, field, nm);
				goto bad;
			}
			sb_puts(&out, b->files[ix].path);
		} else {
			if (!spec_idmap_get(b->ud_ix, nm, &ix)) {
				error(b->c, "job '%s': ${%s%s} in %s names no user_data '%s'",
				    j->name, vars[k].prefix, nm, field, nm);
				goto bad;
			}
			text = b->uds[ix].data ? jprint(b->uds[ix].data) : xstrdup("null");
			sb_puts(&out, text);
			free(text);
		}
		strv_add(&found[vars[k].list], nm);
		free(nm);
		nm = NULL;
		p = end + 1;
	}
	sb_puts(&out, p);
	free(*s);
	*s = sb_take(&out);
	return 0;
bad:
	free(nm);
	free(out.p);
	return -1;
}

/*
 * Variable substitution for every job: names found in the command replace
 * the explicit list of that kind; names found in the script are added.
 */
static int
substitute_all(struct build *b)
{
	struct strv cmd[NLISTS], scr[NLISTS];
	struct job *j;
	size_t i, k;
	int l, rc = -1;

	memset(cmd, 0, sizeof(cmd));
	memset(scr, 0, sizeof(scr));
	for (i = 0; i < b->njobs; i++) {
		j = &b->jobs[i];
		if (subst_vars(b, j, "command", &j->command, cmd) < 0 ||
		    (j->script != NULL &&
		    subst_vars(b, j, "invocation_script", &j->script, scr) < 0))
			goto out;
		for (l = 0; l < NLISTS; l++) {
			if (cmd[l].n > 0) {
				strv_free(&j->list[l]);
				j->list[l] = cmd[l];
				memset(&cmd[l], 0, sizeof(cmd[l]));
			}
			for (k = 0; k < scr[l].n; k++)
				strv_add(&j->list[l], scr[l].v[k]);
			strv_free(&scr[l]);
			strv_dedupe(&j->list[l]);
		}
	}
	rc = 0;
out:
	for (l = 0; l < NLISTS; l++) {
		strv_free(&cmd[l]);
		strv_free(&scr[l]);
	}
	return rc;
}

/*
 * Translates a Rust regex to a POSIX extended one for the common escapes:
 * \d \D \w \W \s \S (also inside brackets, where POSIX has no escapes),
 * \n and \t.  Other escapes pass through.
 */
static char *
regex_posix(const char *re)
{
	struct sb out = { NULL, 0, 0 };
	const char *p = re;
	int br = 0;		/* inside a bracket expression */

	while (*p) {
		if (br) {
			if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
				const char *e = strstr(p + 2, (char[]){ p[1], ']', '\0' });

				if (e != NULL) {
					sb_add(&out, p, (size_t)(e + 2 - p));
					p = e + 2;
					continue;
				}
			}
			if (*p == ']') {
				br = 0;
				sb_add(&out, p++, 1);
				continue;
			}
			if (*p == '\\' && p[1] != '\0') {
				switch (p[1]) {
				case 'd': sb_puts(&out, "0-9"); break;
				case 'w': sb_puts(&out, "_[:alnum:]"); break;
				case 's': sb_puts(&out, "[:space:]"); break;
				case 'n': sb_puts(&out, "\n"); break;
				case 't': sb_puts(&out, "\t"); break;
				case '\\': sb_puts(&out, "\\"); break;
				default: sb_add(&out, p + 1, 1); break;
				}
				p += 2;
				continue;
			}
			sb_add(&out, p++, 1);
			continue;
		}
		if (*p == '[') {
			br = 1;
			sb_add(&out, p++, 1);
			if (*p == '^')
				sb_add(&out, p++, 1);
			if (*p == ']')
				sb_add(&out, p++, 1);
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			switch (p[1]) {
			case 'd': sb_puts(&out, "[0-9]"); break;
			case 'D': sb_puts(&out, "[^0-9]"); break;
			case 'w': sb_puts(&out, "[_[:alnum:]]"); break;
			case 'W': sb_puts(&out, "[^_[:alnum:]]"); break;
			case 's': sb_puts(&out, "[[:space:]]"); break;
			case 'S': sb_puts(&out, "[^[:space:]]"); break;
			case 'n': sb_puts(&out, "\n"); break;
			case 't': sb_puts(&out, "\t"); break;
			default: sb_add(&out, p, 2); break;
			}
			p += 2;
			continue;
		}
		sb_add(&out, p++, 1);
	}
	return sb_take(&out);
}

static int
compile_regex(struct ctx *c, regex_t *rx, const char *re, const char *what,
    const char *key)
{
	char *posix = regex_posix(re), msg[256];
	int rc;

	rc = regcomp(rx, posix, REG_EXTENDED | REG_NOSUB);
	free(posix);
	if (rc != 0) {
		regerror(rc, rx, msg, sizeof(msg));
		return error(c, "%s: invalid %s '%s': %s", what, key, re, msg);
	}
	return 0;
}

/*
 * Adds to out every name (of n, through name()) that re matches, skipping
 * index self and names already in out.  Returns the number of matches
 * (including names already present), or -1.
 */
static long
match_names(struct build *b, const char *re, const char *what, const char *key,
    size_t n, const char *(*name)(const struct build *, size_t), size_t self,
    struct strv *out)
{
	struct spec_idmap *seen;
	regex_t rx;
	size_t i;
	long matched = 0;

	if (compile_regex(b->c, &rx, re, what, key) < 0)
		return -1;
	seen = spec_idmap_new();
	for (i = 0; i < out->n; i++)
		spec_idmap_put(seen, out->v[i], 1);
	for (i = 0; i < n; i++) {
		if (i == self || regexec(&rx, name(b, i), 0, NULL, 0) != 0)
			continue;
		matched++;
		if (!spec_idmap_get(seen, name(b, i), NULL)) {
			spec_idmap_put(seen, name(b, i), 1);
			strv_add(out, name(b, i));
		}
	}
	spec_idmap_free(seen);
	regfree(&rx);
	return matched;
}

static int
resolve_regexes(struct build *b)
{
	const char *(*namef)(const struct build *, size_t);
	struct job *j;
	char what[320];
	size_t i, k, n;
	int l;

	for (i = 0; i < b->njobs; i++) {
		j = &b->jobs[i];
		snprintf(what, sizeof(what), "job '%.256s'", j->name);
		for (l = 0; l < NLISTS; l++) {
			if (l == L_DEPENDS)
				namef = job_name, n = b->njobs;
			else if (l == L_IN_FILES || l == L_OUT_FILES)
				namef = file_name, n = b->nfiles;
			else
				namef = ud_name, n = b->nuds;
			for (k = 0; k < j->rx[l].n; k++) {
				long m = match_names(b, j->rx[l].v[k], what, regex_key[l],
				    n, namef, l == L_DEPENDS ? i : (size_t)-1, &j->list[l]);

				if (m < 0)
					return -1;
				if (m == 0)
					return error(b->c, "%s: %s '%s' matches no %s", what,
					    regex_key[l], j->rx[l].v[k], list_noun[l]);
			}
		}
	}
	return 0;
}

static int
check_references(struct build *b)
{
	struct spec_idmap *m;
	struct job *j;
	size_t i, k;
	int l;

	for (i = 0; i < b->njobs; i++) {
		j = &b->jobs[i];
		for (l = 0; l < NLISTS; l++) {
			m = l == L_DEPENDS ? b->job_ix :
			    (l == L_IN_FILES || l == L_OUT_FILES) ? b->file_ix : b->ud_ix;
			for (k = 0; k < j->list[l].n; k++) {
				if (!spec_idmap_get(m, j->list[l].v[k], NULL))
					return error(b->c, "job '%s': %s names unknown %s '%s'",
					    j->name, list_key[l], list_noun[l], j->list[l].v[k]);
				if (l == L_DEPENDS && strcmp(j->list[l].v[k], j->name) == 0)
					return error(b->c, "job '%s' depends on itself", j->name);
			}
		}
		if (j->rr != NULL && strcmp(j->rr, "default") != 0 &&
		    !spec_idmap_get(b->rr_ix, j->rr, NULL))
			return error(b->c, "job '%s': resource_requirements names unknown resource_requirements '%s'",
			    j->name, j->rr);
		if (j->sched != NULL && !spec_idmap_get(b->sched_ix, j->sched, NULL))
			return error(b->c, "job '%s': scheduler names unknown slurm_scheduler '%s'",
			    j->name, j->sched);
		if (j->fh != NULL && !spec_idmap_get(b->fh_ix, j->fh, NULL))
			return error(b->c, "job '%s': failure_handler names unknown failure_handler '%s'",
			    j->name, j->fh);
	}
	return 0;
}

/* A dependency graph in compressed rows: deps of j are adj[off[j]..off[j+1]). */
struct graph {
	size_t	 n;
	size_t	*off;
	size_t	*adj;
};

static void
graph_free(struct graph *g)
{
	free(g->off);
	free(g->adj);
	memset(g, 0, sizeof(*g));
}

/* The explicit graph: depends_on (regexes already merged in). */
static void
explicit_graph(struct build *b, struct graph *g)
{
	size_t i, k, e = 0;
	int64_t ix = 0;

	g->n = b->njobs;
	g->off = xcalloc(b->njobs + 1, sizeof(*g->off));
	for (i = 0; i < b->njobs; i++)
		e += b->jobs[i].list[L_DEPENDS].n;
	g->adj = xcalloc(e, sizeof(*g->adj));
	for (i = 0, e = 0; i < b->njobs; i++) {
		g->off[i] = e;
		for (k = 0; k < b->jobs[i].list[L_DEPENDS].n; k++) {
			spec_idmap_get(b->job_ix, b->jobs[i].list[L_DEPENDS].v[k], &ix);
			g->adj[e++] = (size_t)ix;
		}
	}
	g->off[b->njobs] = e;
}

/*
 * The full graph: explicit dependencies plus, for each input file or user
 * data, every other job that outputs it (the server's implicit edges).
 */
static void
full_graph(struct build *b, struct graph *g)
{
	size_t *poff[2], *prod[2], *fill, nitems[2], i, k, e, t;
	int inl[2] = { L_IN_FILES, L_IN_UD }, outl[2] = { L_OUT_FILES, L_OUT_UD };
	struct spec_idmap *ix[2] = { b->file_ix, b->ud_ix };
	int64_t x = 0;
	int w;

	nitems[0] = b->nfiles;
	nitems[1] = b->nuds;
	for (w = 0; w < 2; w++) {
		/* producers of each file (user data) in compressed rows */
		poff[w] = xcalloc(nitems[w] + 1, sizeof(size_t));
		for (i = 0; i < b->njobs; i++)
			for (k = 0; k < b->jobs[i].list[outl[w]].n; k++) {
				spec_idmap_get(ix[w], b->jobs[i].list[outl[w]].v[k], &x);
				poff[w][x + 1]++;
			}
		for (i = 0; i < nitems[w]; i++)
			poff[w][i + 1] += poff[w][i];
		prod[w] = xcalloc(poff[w][nitems[w]], sizeof(size_t));
		fill = xcalloc(nitems[w] + 1, sizeof(size_t));
		for (i = 0; i < b->njobs; i++)
			for (k = 0; k < b->jobs[i].list[outl[w]].n; k++) {
				spec_idmap_get(ix[w], b->jobs[i].list[outl[w]].v[k], &x);
				prod[w][poff[w][x] + fill[x]++] = i;
			}
		free(fill);
	}
	g->n = b->njobs;
	g->off = xcalloc(b->njobs + 1, sizeof(*g->off));
	g->adj = NULL;
	for (t = 0, e = 0; t < 2; t++) {
		/* pass 0 counts the edges, pass 1 fills them */
		for (i = 0, e = 0; i < b->njobs; i++) {
			if (t == 1)
				g->off[i] = e;
			for (k = 0; k < b->jobs[i].list[L_DEPENDS].n; k++) {
				if (t == 1) {
					spec_idmap_get(b->job_ix, b->jobs[i].list[L_DEPENDS].v[k], &x);
					g->adj[e] = (size_t)x;
				}
				e++;
			}
			for (w = 0; w < 2; w++)
				for (k = 0; k < b->jobs[i].list[inl[w]].n; k++) {
					size_t p;

					spec_idmap_get(ix[w], b->jobs[i].list[inl[w]].v[k], &x);
					for (p = poff[w][x]; p < poff[w][x + 1]; p++) {
						if (prod[w][p] == i)
							continue;
						if (t == 1)
							g->adj[e] = prod[w][p];
						e++;
					}
				}
		}
		if (t == 0)
			g->adj = xcalloc(e, sizeof(*g->adj));
	}
	g->off[b->njobs] = e;
	for (w = 0; w < 2; w++) {
		free(poff[w]);
		free(prod[w]);
	}
}

/*
 * Kahn's algorithm: sets level[] (0 for jobs without dependencies) and
 * returns 0, or reports a cycle, naming its jobs, and returns -1.
 */
static int
topo_levels(struct build *b, const struct graph *g, int *level, const char *how)
{
	size_t *indeg, *roff, *radj, *fill, *queue, *pos, *path, qh = 0, qt = 0;
	size_t i, k, u, v, done = 0, cur, plen, start;
	struct sb msg = { NULL, 0, 0 };
	int rc = 0;

	indeg = xcalloc(g->n, sizeof(*indeg));
	roff = xcalloc(g->n + 1, sizeof(*roff));
	radj = xcalloc(g->off[g->n], sizeof(*radj));
	fill = xcalloc(g->n, sizeof(*fill));
	queue = xcalloc(g->n, sizeof(*queue));
	for (i = 0; i < g->n; i++) {
		indeg[i] = g->off[i + 1] - g->off[i];
		for (k = g->off[i]; k < g->off[i + 1]; k++)
			roff[g->adj[k] + 1]++;
	}
	for (i = 0; i < g->n; i++)
		roff[i + 1] += roff[i];
	for (i = 0; i < g->n; i++)
		for (k = g->off[i]; k < g->off[i + 1]; k++)
			radj[roff[g->adj[k]] + fill[g->adj[k]]++] = i;
	for (i = 0; i < g->n; i++) {
		level[i] = 0;
		if (indeg[i] == 0)
			queue[qt++] = i;
	}
	while (qh < qt) {
		u = queue[qh++];
		done++;
		for (k = roff[u]; k < roff[u + 1]; k++) {
			v = radj[k];
			if (level[v] < level[u] + 1)
				level[v] = level[u] + 1;
			if (--indeg[v] == 0)
				queue[qt++] = v;
		}
	}
	if (done < g->n) {
		/* Walk remaining dependencies from a remaining job until one repeats. */
		pos = xcalloc(g->n, sizeof(*pos));
		path = xcalloc(g->n + 1, sizeof(*path));
		for (cur = 0; indeg[cur] == 0; cur++)
			;
		for (plen = 0; pos[cur] == 0; ) {
			path[plen++] = cur;
			pos[cur] = plen;
			for (k = g->off[cur]; indeg[g->adj[k]] == 0; k++)
				;
			cur = g->adj[k];
		}
		start = pos[cur] - 1;
		for (i = start; i < plen && i - start < CYCLE_SHOWN; i++)
			sb_printf(&msg, "'%s' -> ", b->jobs[path[i]].name);
		if (plen - start > CYCLE_SHOWN)
			sb_puts(&msg, "... -> ");
		sb_printf(&msg, "'%s'", b->jobs[cur].name);
		error(b->c, "dependency cycle%s involving job '%s': %s (each depends on the next)",
		    how, b->jobs[cur].name, msg.p);
		free(msg.p);
		free(pos);
		free(path);
		rc = -1;
	}
	free(indeg);
	free(roff);
	free(radj);
	free(fill);
	free(queue);
	return rc;
}

static int
sort_jobs(struct build *b)
{
	struct graph g;
	int *level, *scratch, rc;
	size_t i;

	level = xcalloc(b->njobs, sizeof(*level));
	scratch = xcalloc(b->njobs, sizeof(*scratch));
	explicit_graph(b, &g);
	rc = topo_levels(b, &g, level, "");
	graph_free(&g);
	if (rc == 0) {
		full_graph(b, &g);
		rc = topo_levels(b, &g, scratch, " through files or user_data");
		graph_free(&g);
	}
	for (i = 0; rc == 0 && i < b->njobs; i++)
		b->jobs[i].level = level[i];
	free(level);
	free(scratch);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* actions and the workflow body */

static int
read_actions(struct build *b, const cJSON *arr)
{
	const cJSON *o;
	cJSON *a, *jl;
	struct strv jobs = { NULL, 0, 0 }, rx = { NULL, 0, 0 }, cmds = { NULL, 0, 0 };
	char what[64], *trig = NULL, *type = NULL, *sched = NULL, *stype = NULL;
	long long v;
	size_t i = 0, k;
	long m;
	int rc = -1, has, bv, has_jobs;

	cJSON_ArrayForEach(o, arr) {
		snprintf(what, sizeof(what), "action #%zu", ++i);
		if (!cJSON_IsObject(o))
			return error(b->c, "%s must be a mapping", what);
		check_keys(b->c, o, action_keys, what);
		if (req_str(b->c, o, "trigger_type", what, &trig) < 0 ||
		    req_str(b->c, o, "action_type", what, &type) < 0 ||
		    get_str(b->c, o, "scheduler", what, &sched) < 0 ||
		    get_str(b->c, o, "scheduler_type", what, &stype) < 0 ||
		    get_names(b->c, o, "jobs", what, &jobs) < 0 ||
		    get_names(b->c, o, "job_name_regexes", what, &rx) < 0 ||
		    get_names(b->c, o, "commands", what, &cmds) < 0)
			goto out;
		if (!in_list(trig, triggers)) {
			error(b->c, "%s: unknown trigger_type '%s'", what, trig);
			goto out;
		}
		has_jobs = member(o, "jobs") != NULL || member(o, "job_name_regexes") != NULL;
		for (k = 0; k < jobs.n; k++)
			if (!spec_idmap_get(b->job_ix, jobs.v[k], NULL)) {
				error(b->c, "%s: jobs names unknown job '%s'", what, jobs.v[k]);
				goto out;
			}
		for (k = 0; k < rx.n; k++)
			if ((m = match_names(b, rx.v[k], what, "job_name_regexes",
			    b->njobs, job_name, (size_t)-1, &jobs)) < 0)
				goto out;
		strv_dedupe(&jobs);
		if (has_jobs && jobs.n == 0) {
			error(b->c, "%s matches no jobs", what);
			goto out;
		}
		if (strcmp(type, "run_commands") == 0) {
			if (cmds.n == 0) {
				error(b->c, "%s: run_commands needs a non-empty commands list", what);
				goto out;
			}
		} else if (strcmp(type, "schedule_nodes") == 0) {
			if (stype == NULL || sched == NULL) {
				error(b->c, "%s: schedule_nodes needs scheduler_type and scheduler", what);
				goto out;
			}
			if (strcmp(stype, "slurm") == 0 && !spec_idmap_get(b->sched_ix, sched, NULL)) {
				error(b->c, "%s: scheduler names unknown slurm_scheduler '%s'", what, sched);
				goto out;
			}
		} else {
			error(b->c, "%s: unknown action_type '%s' (run_commands or schedule_nodes)", what, type);
			goto out;
		}
		a = xj(cJSON_CreateObject());
		jpush(b->s->actions, a);
		jset(a, "trigger_type", cJSON_CreateString(trig));
		jset(a, "action_type", cJSON_CreateString(type));
		if (has_jobs) {
			jl = xj(cJSON_CreateArray());
			jset(a, "jobs", jl);
			for (k = 0; k < jobs.n; k++)
				jpush(jl, cJSON_CreateString(jobs.v[k]));
		}
		if (cmds.n > 0) {
			jl = xj(cJSON_CreateArray());
			jset(a, "commands", jl);
			for (k = 0; k < cmds.n; k++)
				jpush(jl, cJSON_CreateString(cmds.v[k]));
		}
		if (sched != NULL)
			jset(a, "scheduler", cJSON_CreateString(sched));
		if (stype != NULL)
			jset(a, "scheduler_type", cJSON_CreateString(stype));
		if (get_int(b->c, o, "num_allocations", what, 0, &v, &has) < 0)
			goto out;
		if (has)
			jset(a, "num_allocations", cJSON_CreateNumber((double)v));
		if (get_bool(b->c, o, "start_one_worker_per_node", what, &bv) < 0)
			goto out;
		if (bv >= 0)
			jset(a, "start_one_worker_per_node", cJSON_CreateBool(bv));
		if (get_int(b->c, o, "max_parallel_jobs", what, 0, &v, &has) < 0)
			goto out;
		if (has)
			jset(a, "max_parallel_jobs", cJSON_CreateNumber((double)v));
		if (get_bool(b->c, o, "persistent", what, &bv) < 0)
			goto out;
		jset(a, "persistent", cJSON_CreateBool(bv == 1));
		free(trig);
		free(type);
		free(sched);
		free(stype);
		trig = type = sched = stype = NULL;
		strv_free(&jobs);
		strv_free(&rx);
		strv_free(&cmds);
	}
	rc = 0;
out:
	free(trig);
	free(type);
	free(sched);
	free(stype);
	strv_free(&jobs);
	strv_free(&rx);
	strv_free(&cmds);
	return rc;
}

static int
read_monitor(struct build *b, const cJSON *o, cJSON *wf)
{
	const char *what = "resource_monitor";
	cJSON *cfg;
	char *gran = NULL, *text;
	long long interval;
	int enabled, plots, rc = -1;

	if (!cJSON_IsObject(o))
		return error(b->c, "resource_monitor must be a mapping");
	check_keys(b->c, o, monitor_keys, what);
	if (get_bool(b->c, o, "enabled", what, &enabled) < 0 ||
	    get_bool(b->c, o, "generate_plots", what, &plots) < 0 ||
	    get_int(b->c, o, "sample_interval_seconds", what, 5, &interval, NULL) < 0 ||
	    get_str(b->c, o, "granularity", what, &gran) < 0)
		goto out;
	if (gran == NULL || !strcasecmp(gran, "summary")) {
		free(gran);
		gran = xstrdup("summary");
	} else if (!strcasecmp(gran, "time_series") || !strcasecmp(gran, "timeseries")) {
		free(gran);
		gran = xstrdup("time_series");
	} else {
		error(b->c, "resource_monitor: granularity must be summary or time_series, not '%s'", gran);
		goto out;
	}
	if (interval <= 0) {
		error(b->c, "resource_monitor: sample_interval_seconds must be positive");
		goto out;
	}
	cfg = xj(cJSON_CreateObject());
	jset(cfg, "enabled", cJSON_CreateBool(enabled == 1));
	jset(cfg, "granularity", cJSON_CreateString(gran));
	jset(cfg, "sample_interval_seconds", cJSON_CreateNumber((double)interval));
	jset(cfg, "generate_plots", cJSON_CreateBool(plots == 1));
	text = jprint(cfg);
	cJSON_Delete(cfg);
	jset(wf, "resource_monitor_config", cJSON_CreateString(text));
	free(text);
	rc = 0;
out:
	free(gran);
	return rc;
}

static int
read_workflow(struct build *b, const cJSON *root)
{
	static const char *const ints[] = {
		"compute_node_expiration_buffer_seconds",
		"compute_node_wait_for_new_jobs_seconds",
		"compute_node_wait_for_healthy_database_minutes", NULL
	};
	static const char *const bools[] = {
		"compute_node_ignore_workflow_completion", "use_pending_failed", NULL
	};
	cJSON *wf = b->s->workflow;
	const cJSON *v;
	char *s = NULL, *text;
	long long n;
	size_t k;
	int has, bv;

	if (req_str(b->c, root, "name", "the workflow", &s) < 0)
		return -1;
	jset(wf, "name", cJSON_CreateString(s));
	free(s);
	if (get_str(b->c, root, "description", "the workflow", &s) < 0)
		return -1;
	if (s != NULL)
		jset(wf, "description", cJSON_CreateString(s));
	free(s);
	for (k = 0; ints[k] != NULL; k++) {
		if (get_int(b->c, root, ints[k], "the workflow", 0, &n, &has) < 0)
			return -1;
		if (n < 0)
			return error(b->c, "%s cannot be negative", ints[k]);
		if (!has && strcmp(ints[k], "compute_node_wait_for_new_jobs_seconds") == 0)
			n = 90, has = 1;	/* what the Rust client sends */
		if (has)
			jset(wf, ints[k], cJSON_CreateNumber((double)n));
	}
	for (k = 0; bools[k] != NULL; k++) {
		if (get_bool(b->c, root, bools[k], "the workflow", &bv) < 0)
			return -1;
		if (bv >= 0)
			jset(wf, bools[k], cJSON_CreateBool(bv));
	}
	if (get_str(b->c, root, "jobs_sort_method", "the workflow", &s) < 0)
		return -1;
	if (s != NULL && !in_list(s, sort_methods)) {
		error(b->c, "jobs_sort_method must be gpus_runtime_memory, gpus_memory_runtime or none, not '%s'", s);
		free(s);
		return -1;
	}
	if (s != NULL)
		jset(wf, "jobs_sort_method", cJSON_CreateString(s));
	free(s);
	if ((v = member(root, "resource_monitor")) != NULL && read_monitor(b, v, wf) < 0)
		return -1;
	if ((v = member(root, "slurm_defaults")) != NULL) {
		if (!cJSON_IsObject(v))
			return error(b->c, "slurm_defaults must be a mapping");
		text = jprint(v);
		jset(wf, "slurm_defaults", cJSON_CreateString(text));
		free(text);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* output */

static cJSON *
names_json(const struct strv *sv)
{
	cJSON *a = xj(cJSON_CreateArray());
	size_t i;

	for (i = 0; i < sv->n; i++)
		jpush(a, cJSON_CreateString(sv->v[i]));
	return a;
}

static void
emit(struct build *b)
{
	struct spec *s = b->s;
	cJSON *o, **lv;
	size_t i;
	int l, nlevels = 0;

	for (i = 0; i < b->nfiles; i++) {
		o = xj(cJSON_CreateObject());
		jpush(s->files, o);
		jset(o, "name", cJSON_CreateString(b->files[i].name));
		jset(o, "path", cJSON_CreateString(b->files[i].path));
	}
	for (i = 0; i < b->nuds; i++) {
		o = xj(cJSON_CreateObject());
		jpush(s->user_data, o);
		jset(o, "name", cJSON_CreateString(b->uds[i].name));
		jset(o, "is_ephemeral", cJSON_CreateBool(b->uds[i].eph));
		if (b->uds[i].data != NULL)
			jset(o, "data", cJSON_Duplicate(b->uds[i].data, 1));
	}
	for (i = 0; i < b->njobs; i++)
		if (b->jobs[i].level + 1 > nlevels)
			nlevels = b->jobs[i].level + 1;
	lv = xcalloc((size_t)nlevels, sizeof(*lv));
	for (l = 0; l < nlevels; l++)
		jpush(s->levels, lv[l] = cJSON_CreateArray());
	for (i = 0; i < b->njobs; i++) {
		struct job *j = &b->jobs[i];

		o = xj(cJSON_CreateObject());
		jpush(lv[j->level], o);
		jset(o, "name", cJSON_CreateString(j->name));
		jset(o, "command", cJSON_CreateString(j->command));
		if (j->script != NULL)
			jset(o, "invocation_script", cJSON_CreateString(j->script));
		if (j->cancel >= 0)
			jset(o, "cancel_on_blocking_job_failure", cJSON_CreateBool(j->cancel));
		if (j->term >= 0)
			jset(o, "supports_termination", cJSON_CreateBool(j->term));
		if (j->rr != NULL)
			jset(o, "resource_requirements", cJSON_CreateString(j->rr));
		if (j->sched != NULL)
			jset(o, "scheduler", cJSON_CreateString(j->sched));
		if (j->fh != NULL)
			jset(o, "failure_handler", cJSON_CreateString(j->fh));
		for (l = 0; l < NLISTS; l++)
			jset(o, list_key[l], names_json(&j->list[l]));
	}
	free(lv);
	s->njobs = b->njobs;
}

/* Creates the output document with its (empty) pieces. */
static struct spec *
spec_new(void)
{
	struct spec *s = xcalloc(1, sizeof(*s));

	s->doc = xj(cJSON_CreateObject());
	jset(s->doc, "workflow", s->workflow = cJSON_CreateObject());
	jset(s->doc, "files", s->files = cJSON_CreateArray());
	jset(s->doc, "user_data", s->user_data = cJSON_CreateArray());
	jset(s->doc, "resource_requirements", s->resource_requirements = cJSON_CreateArray());
	jset(s->doc, "slurm_schedulers", s->slurm_schedulers = cJSON_CreateArray());
	jset(s->doc, "failure_handlers", s->failure_handlers = cJSON_CreateArray());
	jset(s->doc, "levels", s->levels = cJSON_CreateArray());
	jset(s->doc, "actions", s->actions = cJSON_CreateArray());
	return s;
}

void
spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	cJSON_Delete(s->doc);
	free(s);
}

static void
build_free(struct build *b)
{
	size_t i;

	params_free(&b->wparams);
	for (i = 0; i < b->njobs; i++)
		job_free(&b->jobs[i]);
	free(b->jobs);
	for (i = 0; i < b->nfiles; i++) {
		free(b->files[i].name);
		free(b->files[i].path);
	}
	free(b->files);
	for (i = 0; i < b->nuds; i++) {
		free(b->uds[i].name);
		cJSON_Delete(b->uds[i].data);
	}
	free(b->uds);
	spec_idmap_free(b->job_ix);
	spec_idmap_free(b->file_ix);
	spec_idmap_free(b->ud_ix);
	spec_idmap_free(b->rr_ix);
	spec_idmap_free(b->sched_ix);
	spec_idmap_free(b->fh_ix);
}

int
spec_from_tree(const cJSON *tree, const char *source, FILE *warnf,
    struct spec **out, char *err, size_t errlen)
{
	struct ctx c;
	struct build b;
	const cJSON *arr, *v;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.source = source;
	c.warn = warnf;
	c.err = err;
	c.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&b, 0, sizeof(b));
	b.c = &c;
	b.s = spec_new();
	b.doc = b.s->doc;
	b.job_ix = spec_idmap_new();
	b.file_ix = spec_idmap_new();
	b.ud_ix = spec_idmap_new();
	b.rr_ix = spec_idmap_new();
	b.sched_ix = spec_idmap_new();
	b.fh_ix = spec_idmap_new();
	*out = NULL;

	if (!cJSON_IsObject(tree)) {
		error(&c, "a workflow spec must be a mapping (an object) at the top level");
		goto out;
	}
	check_keys(&c, tree, top_keys, "top level");
	if (read_workflow(&b, tree) < 0)
		goto out;
	if ((v = member(tree, "parameters")) != NULL &&
	    params_from_json(&c, v, "top-level parameters", &b.wparams) < 0)
		goto out;
	if (get_array(&c, tree, "files", "the workflow", &arr) < 0 ||
	    (arr && read_files(&b, arr) < 0) ||
	    get_array(&c, tree, "user_data", "the workflow", &arr) < 0 ||
	    (arr && read_user_data(&b, arr) < 0) ||
	    get_array(&c, tree, "resource_requirements", "the workflow", &arr) < 0 ||
	    (arr && read_rrs(&b, arr) < 0) ||
	    get_array(&c, tree, "slurm_schedulers", "the workflow", &arr) < 0 ||
	    (arr && read_schedulers(&b, arr) < 0) ||
	    get_array(&c, tree, "failure_handlers", "the workflow", &arr) < 0 ||
	    (arr && read_failure_handlers(&b, arr) < 0) ||
	    get_array(&c, tree, "jobs", "the workflow", &arr) < 0)
		goto out;
	if (arr == NULL) {
		error(&c, "the workflow has no jobs list");
		goto out;
	}
	if (read_jobs(&b, arr) < 0 ||
	    index_names(&b, b.job_ix, "job", b.njobs, job_name) < 0 ||
	    index_names(&b, b.file_ix, "file", b.nfiles, file_name) < 0 ||
	    index_names(&b, b.ud_ix, "user_data", b.nuds, ud_name) < 0 ||
	    substitute_all(&b) < 0 ||
	    resolve_regexes(&b) < 0 ||
	    check_references(&b) < 0 ||
	    sort_jobs(&b) < 0 ||
	    get_array(&c, tree, "actions", "the workflow", &arr) < 0 ||
	    (arr && read_actions(&b, arr) < 0))
		goto out;
	emit(&b);
	b.s->nwarnings = c.nwarn;
	*out = b.s;
	b.s = NULL;
	rc = 0;
out:
	spec_free(b.s);
	build_free(&b);
	return rc;
}

int
spec_parse(const char *text, size_t len, enum spec_format fmt,
    const char *source, FILE *warnf, struct spec **out, char *err, size_t errlen)
{
	char e1[512], e2[512];
	const char *pfx = source ? source : "", *sep = source ? ": " : "";
	cJSON *tree = NULL;
	int rc;

	*out = NULL;
	switch (fmt) {
	case SPEC_JSON:
		tree = json5_parse(text, len, JSON5_STRICT, e1, sizeof(e1));
		break;
	case SPEC_JSON5:
		tree = json5_parse(text, len, 0, e1, sizeof(e1));
		break;
	case SPEC_YAML:
		tree = yamlload_parse(text, len, e1, sizeof(e1));
		break;
	case SPEC_AUTO:
		if ((tree = json5_parse(text, len, 0, e1, sizeof(e1))) == NULL &&
		    (tree = yamlload_parse(text, len, e2, sizeof(e2))) == NULL) {
			seterr(err, errlen, "%s%snot JSON5 (%s) nor YAML (%s)", pfx, sep, e1, e2);
			return -1;
		}
		break;
	}
	if (tree == NULL) {
		seterr(err, errlen, "%s%s%s", pfx, sep, e1);
		return -1;
	}
	rc = spec_from_tree(tree, source, warnf, out, err, errlen);
	cJSON_Delete(tree);
	return rc;
}

/* Reads a whole file (or stdin for "-") into a malloc'd buffer. */
static int
read_all(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 0, n;
	char *p = NULL;
	int rc = -1;

	*buf = NULL;
	*len = 0;
	if (f == NULL) {
		seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (*len == cap) {
			if (cap >= (size_t)SPEC_MAX_FILE) {
				seterr(err, errlen, "%s: larger than %ld bytes", path, SPEC_MAX_FILE);
				goto out;
			}
			cap = cap ? 2 * cap : 65536;
			p = xrealloc(p, cap + 1);
		}
		n = fread(p + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0) {
			if (ferror(f)) {
				seterr(err, errlen, "cannot read %s: %s", path, strerror(errno));
				goto out;
			}
			break;
		}
	}
	p[*len] = '\0';
	*buf = p;
	p = NULL;
	rc = 0;
out:
	free(p);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
spec_load(const char *path, FILE *warnf, struct spec **out, char *err,
    size_t errlen)
{
	enum spec_format fmt = SPEC_AUTO;
	const char *base = strrchr(path, '/'), *ext;
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	base = base ? base + 1 : path;
	if ((ext = strrchr(base, '.')) != NULL) {
		if (strcasecmp(ext, ".json") == 0)
			fmt = SPEC_JSON;
		else if (strcasecmp(ext, ".json5") == 0)
			fmt = SPEC_JSON5;
		else if (strcasecmp(ext, ".yaml") == 0 || strcasecmp(ext, ".yml") == 0)
			fmt = SPEC_YAML;
		else if (strcasecmp(ext, ".kdl") == 0) {
			seterr(err, errlen, "%s: KDL spec files are not supported; use JSON, JSON5 or YAML", path);
			return -1;
		}
	}
	if (read_all(path, &buf, &len, err, errlen) < 0)
		return -1;
	rc = spec_parse(buf, len, fmt, path, warnf, out, err, errlen);
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* request bodies */

cJSON *
spec_body(const cJSON *obj, int64_t workflow_id)
{
	cJSON *b = xj(cJSON_Duplicate(obj, 1));

	cJSON_DeleteItemFromObjectCaseSensitive(b, "workflow_id");
	jset(b, "workflow_id", cJSON_CreateNumber((double)workflow_id));
	return b;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Sets key to the id of the name at nkey (if any) in map m. */
static int
set_ref(cJSON *body, const cJSON *job, const char *nkey, const char *key,
    const struct spec_idmap *m, const char *noun, char *err, size_t errlen)
{
	const char *name = jstr(job, nkey);
	int64_t id;

	if (name == NULL)
		return 0;
	if (!spec_idmap_get(m, name, &id)) {
		if (strcmp(nkey, "resource_requirements") == 0 && strcmp(name, "default") == 0)
			return 0;	/* the server's default rr */
		seterr(err, errlen, "job '%s': no id for %s '%s'", jstr(job, "name"), noun, name);
		return -1;
	}
	jset(body, key, cJSON_CreateNumber((double)id));
	return 0;
}

cJSON *
spec_job_body(const cJSON *job, int64_t workflow_id, const struct spec_ids *ids,
    char *err, size_t errlen)
{
	static const char *const copied[] = {
		"name", "command", "invocation_script",
		"cancel_on_blocking_job_failure", "supports_termination", NULL
	};
	static const struct spec_ids none;
	const struct spec_idmap *maps[NLISTS];
	const cJSON *v, *e;
	cJSON *body = xj(cJSON_CreateObject()), *arr;
	int64_t id;
	size_t k;
	int l;

	if (ids == NULL)
		ids = &none;
	maps[L_DEPENDS] = ids->jobs;
	maps[L_IN_FILES] = maps[L_OUT_FILES] = ids->files;
	maps[L_IN_UD] = maps[L_OUT_UD] = ids->user_data;

	jset(body, "workflow_id", cJSON_CreateNumber((double)workflow_id));
	for (k = 0; copied[k] != NULL; k++)
		if ((v = cJSON_GetObjectItemCaseSensitive(job, copied[k])) != NULL)
			jset(body, copied[k], cJSON_Duplicate(v, 1));
	for (l = 0; l < NLISTS; l++) {
		v = cJSON_GetObjectItemCaseSensitive(job, list_key[l]);
		if (cJSON_GetArraySize(v) == 0)
			continue;
		arr = xj(cJSON_CreateArray());
		jset(body, id_key[l], arr);
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e) || !spec_idmap_get(maps[l], e->valuestring, &id)) {
				seterr(err, errlen, "job '%s': no id for %s '%s'", jstr(job, "name"),
				    list_noun[l], cJSON_IsString(e) ? e->valuestring : "?");
				goto bad;
			}
			jpush(arr, cJSON_CreateNumber((double)id));
		}
	}
	if (set_ref(body, job, "resource_requirements", "resource_requirements_id",
	    ids->resource_requirements, "resource_requirements", err, errlen) < 0 ||
	    set_ref(body, job, "scheduler", "scheduler_id", ids->slurm_schedulers,
	    "slurm_scheduler", err, errlen) < 0 ||
	    set_ref(body, job, "failure_handler", "failure_handler_id",
	    ids->failure_handlers, "failure_handler", err, errlen) < 0)
		goto bad;
	return body;
bad:
	cJSON_Delete(body);
	return NULL;
}

cJSON *
spec_bulk_body(const cJSON *level, size_t off, size_t n, int64_t workflow_id,
    const struct spec_ids *ids, char *err, size_t errlen)
{
	cJSON *body = xj(cJSON_CreateObject()), *arr = xj(cJSON_CreateArray()), *j;
	const cJSON *e;
	size_t i = 0;

	jset(body, "jobs", arr);
	cJSON_ArrayForEach(e, level) {
		if (i >= off + n)
			break;
		if (i++ < off)
			continue;
		if ((j = spec_job_body(e, workflow_id, ids, err, errlen)) == NULL) {
			cJSON_Delete(body);
			return NULL;
		}
		jpush(arr, j);
	}
	return body;
}

cJSON *
spec_action_body(const cJSON *action, int64_t workflow_id,
    const struct spec_ids *ids, char *err, size_t errlen)
{
	static const struct spec_ids none;
	const char *type = jstr(action, "action_type"), *stype, *sched;
	const cJSON *v, *e;
	cJSON *body = xj(cJSON_CreateObject()), *cfg = xj(cJSON_CreateObject()), *arr;
	int64_t id;

	if (ids == NULL)
		ids = &none;
	jset(body, "workflow_id", cJSON_CreateNumber((double)workflow_id));
	jset(body, "trigger_type", cJSON_CreateString(jstr(action, "trigger_type")));
	jset(body, "action_type", cJSON_CreateString(type));
	jset(body, "action_config", cfg);
	if (type != NULL && strcmp(type, "run_commands") == 0) {
		v = cJSON_GetObjectItemCaseSensitive(action, "commands");
		jset(cfg, "commands", cJSON_Duplicate(v, 1));
	} else {
		stype = jstr(action, "scheduler_type");
		sched = jstr(action, "scheduler");
		id = 0;
		if (stype != NULL && strcmp(stype, "slurm") == 0 &&
		    !spec_idmap_get(ids->slurm_schedulers, sched, &id)) {
			seterr(err, errlen, "action: no id for slurm_scheduler '%s'", sched ? sched : "?");
			goto bad;
		}
		jset(cfg, "scheduler_type", cJSON_CreateString(stype ? stype : ""));
		jset(cfg, "scheduler_id", cJSON_CreateNumber((double)id));
		v = cJSON_GetObjectItemCaseSensitive(action, "num_allocations");
		jset(cfg, "num_allocations", cJSON_CreateNumber(v ? v->valuedouble : 1));
		v = cJSON_GetObjectItemCaseSensitive(action, "start_one_worker_per_node");
		jset(cfg, "start_one_worker_per_node", cJSON_CreateBool(cJSON_IsTrue(v)));
		if ((v = cJSON_GetObjectItemCaseSensitive(action, "max_parallel_jobs")) != NULL)
			jset(cfg, "max_parallel_jobs", cJSON_CreateNumber(v->valuedouble));
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(action, "jobs")) != NULL) {
		arr = xj(cJSON_CreateArray());
		jset(body, "job_ids", arr);
		cJSON_ArrayForEach(e, v) {
			if (!spec_idmap_get(ids->jobs, e->valuestring, &id)) {
				seterr(err, errlen, "action: no id for job '%s'", e->valuestring);
				goto bad;
			}
			jpush(arr, cJSON_CreateNumber((double)id));
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(action, "persistent");
	jset(body, "persistent", cJSON_CreateBool(cJSON_IsTrue(v)));
	return body;
bad:
	cJSON_Delete(body);
	return NULL;
}
