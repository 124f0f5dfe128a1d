/*
 * upload.h: turning a loaded spec (spec.h) into a workflow on the server,
 * in the order the real Torc client uses (reference §4 "Creation order"):
 * the workflow, then files, user data, resource requirements, schedulers
 * and failure handlers (each building a name -> id map), the jobs level by
 * level in batches through /bulk_jobs, then the actions.  Any failure
 * deletes the half-made workflow.
 */
#ifndef TORC_CLI_UPLOAD_H
#define TORC_CLI_UPLOAD_H

#include <stdint.h>

struct spec;

/*
 * Creates the workflow of s owned by user (may be NULL: the server then
 * uses the authenticated user).  Returns 0 and sets *wf, or an exit code
 * after printing "torc: error: ..." (the workflow is deleted again).
 */
int	 upload_spec(const struct spec *s, const char *user, int64_t *wf);

/* Prints "Created workflow N ..." (table) or the workflow (JSON). */
int	 upload_report(int64_t wf, const struct spec *s);

/* Prints what s would create (counts, or the normalized JSON). */
void	 upload_describe(const struct spec *s);

#endif
