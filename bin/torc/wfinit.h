/*
 * wfinit.h: the client-side flows that prepare a workflow to run, as the
 * real Torc client does them (reference §3.15 and §5):
 *
 *   initialize:   check required input files and user data, reset_status,
 *                 reset_job_status, bump run_id (GET + PUT status), record
 *                 the files' modification times (PUT /files), and
 *                 initialize_jobs(only_uninitialized=false).
 *   reinitialize: bump run_id, reset_status; reset (manage_status_change
 *                 -> uninitialized) the finished consumers of every file
 *                 whose modification time changed and the completed jobs
 *                 whose output files are gone; process_changed_job_inputs;
 *                 initialize_jobs(only_uninitialized=true).
 *
 * File paths are taken relative to the current directory.  These print
 * "torc: error: ..." themselves and return an exit code (0: done).
 */
#ifndef TORC_CLI_WFINIT_H
#define TORC_CLI_WFINIT_H

#include <stdint.h>

/* force: go on despite missing inputs and running jobs. */
int	 wf_initialize(int64_t wf, int force);
int	 wf_reinitialize(int64_t wf, int force);

/* GET status, PUT it back with run_id + 1; sets *run_id to the new one. */
int	 wf_bump_run_id(int64_t wf, int64_t *run_id);

/* The workflow's current run_id into *run_id. */
int	 wf_run_id(int64_t wf, int64_t *run_id);

/*
 * The modification time of path as float seconds into *mtime.  Returns 1
 * if the file exists, 0 if not.
 */
int	 wf_file_mtime(const char *path, double *mtime);

#endif
