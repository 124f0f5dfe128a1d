/*
 * runner.h: the local job runner behind `torc run` (reference §5, the
 * `torc run` algorithm), shared by run.c (the command: set-up, compute
 * node, summary) and runloop.c (the loop: reap, report, claim, start).
 */
#ifndef TORC_CLI_RUNNER_H
#define TORC_CLI_RUNNER_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#define RUN_TERM_GRACE		10.0	/* seconds from SIGTERM to SIGKILL */
#define RUN_RETRY_SECS		120.0	/* network retry budget per request */
#define RUN_DEFAULT_WAIT	90.0	/* idle seconds before giving up */

/* A job this runner started and has not reported yet. */
struct rjob {
	int64_t	 id;
	char	*name;
	int64_t	 attempt;
	pid_t	 pid;		/* 0 once reaped */
	int	 rc;		/* exit status once reaped */
	double	 start;		/* monotonic seconds */
	double	 cpus;		/* resources it holds (resource mode) */
	double	 mem_gb;
	double	 gpus;
	int64_t	 failure_handler_id;
	cJSON	*output_file_ids;	/* owned copy, or NULL */
};

struct runner {
	int64_t	 wf;
	int64_t	 run_id;
	int64_t	 node_id;
	cJSON	*workflow;		/* GET /workflows/{id} */
	cJSON	*node;			/* the compute node as created */
	char	*outdir;
	int64_t	 max_parallel;		/* > 0: parallelism mode */
	double	 cpus, mem_gb, gpus;	/* offered (resource mode) */
	double	 poll;			/* seconds */
	double	 wait_new;		/* idle seconds before stopping */
	int	 tty;			/* progress line on stderr */
	FILE	*log;			/* DIR/job_runner_...log */
	double	 started;		/* monotonic */

	struct rjob *jobs;		/* running (or reaped, unreported) */
	size_t	 njobs, cap;

	cJSON	*files;			/* id -> file, from GET /files */
	cJSON	*rrs;			/* id (as string) -> rr */
	cJSON	*handlers;		/* id (as string) -> failure handler */

	int64_t	 total;			/* jobs in the workflow */
	int64_t	 done;			/* finished (any way) */
	int64_t	 failed;		/* failed, canceled, terminated */
	int	 interrupted;		/* stopped by a signal */
	int	 canceled;		/* the workflow was canceled */
	int	 gave_up;		/* stopped idle */
};

/* The loop: returns 0 when the workflow is complete, else an exit code. */
int	 runner_loop(struct runner *r);

/* A line in the runner's log file (and on stderr when verbose). */
void	 runner_log(struct runner *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
