/*
 * spec.h: workflow spec files (JSON, JSON5, YAML) read, checked, expanded
 * and normalized into the documents the CLI uploads, as the real Torc's
 * `workflows create FILE` and `run FILE` do (reference §4).
 *
 * Loading does, in order: parse (format by extension: .json strict JSON,
 * .json5, .yaml/.yml; any other name tries JSON5, then YAML; .kdl is
 * refused); check every key (unknown keys only warn, naming the key; `user`
 * is ignored: the owner is the authenticated user); expand parameterized
 * jobs and files (`parameters`, `parameter_mode` product|zip,
 * `use_parameters`); substitute ${files.input.X}, ${files.output.X},
 * ${user_data.input.X} and ${user_data.output.X} in command and
 * invocation_script, adding the input/output relations (names found in the
 * command replace the explicit list; those in the script are added);
 * resolve the *_regexes against the expanded names (Rust-regex `is_match`
 * semantics: unanchored search; \d \w \s and their negations are
 * translated to POSIX ERE); check that names are unique and that every
 * referenced name exists; sort the jobs into levels by their explicit
 * dependencies (depends_on and depends_on_regexes); and refuse dependency
 * cycles, explicit or through files and user data.
 *
 * Errors are one line, "SOURCE: line L, column C: message" for syntax
 * errors and "SOURCE: job 'NAME': message" (or file, user_data, ...) for
 * the rest.  Warnings go to the FILE * given (stderr if NULL) as
 * "torc: warning: SOURCE: message" lines.  Allocation failure is fatal:
 * "torc: fatal: out of memory" and exit 111, as for the whole CLI.
 *
 * The normalized document (struct spec) has these pieces, each already
 * shaped as the request body the server takes, minus workflow_id:
 *
 *   workflow               POST /workflows body: name, description?,
 *                          compute_node_* (wait_for_new_jobs defaults to
 *                          90, as the Rust client sends), jobs_sort_method?,
 *                          use_pending_failed?, resource_monitor_config?
 *                          and slurm_defaults? (JSON text).  No "user":
 *                          the uploader adds it.
 *   files                  [{name, path}]
 *   user_data              [{name, is_ephemeral, data?}]
 *   resource_requirements  [{name, num_cpus, num_gpus, num_nodes, memory,
 *                          runtime}], without any rr named "default"
 *   default_rr             the spec's own "default" rr (same shape) or
 *                          NULL; the server creates "default" itself and
 *                          refuses to create another, so the uploader
 *                          PUTs these values onto the existing one
 *   slurm_schedulers       [{name, account, nodes, walltime, partition?,
 *                          mem?, gres?, qos?, tmp?, ntasks_per_node?,
 *                          extra?}]
 *   failure_handlers       [{name, rules: "<JSON text of the rule list>"}]
 *   levels                 [[job, ...], ...]: level 0 has no explicit
 *                          dependencies; a job's explicit dependencies
 *                          are all in earlier levels; spec order within
 *                          a level.  A job is {name, command,
 *                          invocation_script?, cancel_on_blocking_job_failure?,
 *                          supports_termination?, resource_requirements?,
 *                          scheduler?, failure_handler?, depends_on,
 *                          input_files, output_files, input_user_data,
 *                          output_user_data} with names (lists always
 *                          present, deduplicated, regexes resolved).
 *   actions                [{trigger_type, action_type, jobs?: [names],
 *                          commands?, scheduler?, scheduler_type?,
 *                          num_allocations?, start_one_worker_per_node?,
 *                          max_parallel_jobs?, persistent}]
 *
 * The uploader is then a thin loop (any failure: DELETE the workflow):
 *
 *   POST /workflows (s->workflow + "user") -> wf
 *   for f in files: POST /files spec_body(f, wf);  spec_idmap_add_created(ids.files, resp)
 *   the same for user_data, resource_requirements, slurm_schedulers and
 *   failure_handlers (POST /failure_handlers), in that order
 *   if default_rr: find the workflow's "default" rr, PUT spec_body(default_rr, wf)
 *       onto it and spec_idmap_put(ids.resource_requirements, "default", id)
 *   for each level, for off in 0, SPEC_BULK_BATCH, ...:
 *       POST /bulk_jobs spec_bulk_body(level, off, SPEC_BULK_BATCH, wf, &ids, ...)
 *       spec_idmap_add_created(ids.jobs, resp.jobs)
 *   for a in actions: POST /workflows/{wf}/actions spec_action_body(a, wf, &ids, ...)
 */
#ifndef TORC_SPEC_H
#define TORC_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define SPEC_MAX_FILE	(64L * 1024 * 1024)	/* bytes in a spec file */
#define SPEC_MAX_ITEMS	1000000			/* jobs or files after expansion */
#define SPEC_BULK_BATCH	1000			/* jobs per POST /bulk_jobs */

enum spec_format {
	SPEC_AUTO,	/* JSON5, then YAML */
	SPEC_JSON,	/* strict JSON */
	SPEC_JSON5,
	SPEC_YAML
};

/*
 * A loaded spec.  doc owns everything; the other cJSON pointers are
 * borrowed views into it (default_rr may be NULL; the arrays are present,
 * possibly empty).  Free with spec_free().
 */
struct spec {
	cJSON	*doc;			/* {workflow, files, ..., levels, actions} */
	cJSON	*workflow;
	cJSON	*files;
	cJSON	*user_data;
	cJSON	*resource_requirements;
	cJSON	*default_rr;
	cJSON	*slurm_schedulers;
	cJSON	*failure_handlers;
	cJSON	*levels;
	cJSON	*actions;
	size_t	 njobs;			/* after expansion, in all levels */
	size_t	 nwarnings;		/* warnings written while loading */
};

/*
 * Loads the spec file at path.  Returns 0 and sets *out (the caller frees
 * it with spec_free()), or -1 with a message in err (caller's buffer of
 * errlen bytes).  Warnings go to warn (stderr if NULL).
 */
int	 spec_load(const char *path, FILE *warn, struct spec **out,
	    char *err, size_t errlen);

/*
 * The same from len bytes of text in the given format; source names the
 * text in messages (may be NULL).
 */
int	 spec_parse(const char *text, size_t len, enum spec_format fmt,
	    const char *source, FILE *warn, struct spec **out,
	    char *err, size_t errlen);

/* The same from an already parsed tree (not modified, not kept). */
int	 spec_from_tree(const cJSON *tree, const char *source, FILE *warn,
	    struct spec **out, char *err, size_t errlen);

/* Frees a spec; NULL is fine. */
void	 spec_free(struct spec *s);

/*
 * Name -> id maps the uploader fills from the server's answers.  new
 * returns an empty map; put copies the name and replaces an existing
 * entry; get returns 1 and sets *id if found, else 0 (a NULL map is
 * empty).  Allocation failure is fatal (see above).
 */
struct spec_idmap;
struct spec_idmap *spec_idmap_new(void);
void	 spec_idmap_put(struct spec_idmap *m, const char *name, int64_t id);
int	 spec_idmap_get(const struct spec_idmap *m, const char *name, int64_t *id);
size_t	 spec_idmap_count(const struct spec_idmap *m);
void	 spec_idmap_free(struct spec_idmap *m);

/*
 * Records the "name" and "id" of a created object, or of each object in an
 * array of them (a POST answer, or the "jobs" array of a bulk answer).
 * Returns the number recorded, or -1 if an element lacks a string name or
 * an integer id.
 */
int	 spec_idmap_add_created(struct spec_idmap *m, const cJSON *created);

/* The maps used to resolve names; any of them (or ids) may be NULL (empty). */
struct spec_ids {
	struct spec_idmap	*jobs;
	struct spec_idmap	*files;
	struct spec_idmap	*user_data;
	struct spec_idmap	*resource_requirements;
	struct spec_idmap	*slurm_schedulers;
	struct spec_idmap	*failure_handlers;
};

/*
 * A request body: a copy of obj (a file, user_data, rr, scheduler or
 * failure handler of a struct spec) plus "workflow_id".  The caller frees
 * it with cJSON_Delete().
 */
cJSON	*spec_body(const cJSON *obj, int64_t workflow_id);

/*
 * The POST /jobs body of one normalized job: name, command and the flags,
 * plus workflow_id and the names resolved to depends_on_job_ids,
 * input_file_ids, output_file_ids, input_user_data_ids,
 * output_user_data_ids (present only when non-empty),
 * resource_requirements_id, scheduler_id and failure_handler_id.  An rr
 * named "default" absent from the map is left out (the server then uses
 * the workflow's default rr).  Returns a new object (cJSON_Delete()), or
 * NULL with "job 'NAME': no id for file 'F'" (etc.) in err.
 */
cJSON	*spec_job_body(const cJSON *job, int64_t workflow_id,
	    const struct spec_ids *ids, char *err, size_t errlen);

/*
 * The POST /bulk_jobs body {"jobs": [...]} for at most n jobs of level
 * starting at index off.  NULL with a message as above; an off past the
 * end gives an empty list.
 */
cJSON	*spec_bulk_body(const cJSON *level, size_t off, size_t n,
	    int64_t workflow_id, const struct spec_ids *ids,
	    char *err, size_t errlen);

/*
 * The POST /workflows/{id}/actions body of one normalized action, as the
 * Rust client builds it: {workflow_id, trigger_type, action_type,
 * action_config, job_ids?, persistent}, where action_config is
 * {commands} for run_commands and {scheduler_type, scheduler_id,
 * num_allocations, start_one_worker_per_node, max_parallel_jobs?} for
 * schedule_nodes (scheduler_id 0 unless the type is slurm).  NULL with a
 * message in err if a job or scheduler has no id.
 */
cJSON	*spec_action_body(const cJSON *action, int64_t workflow_id,
	    const struct spec_ids *ids, char *err, size_t errlen);

#endif
