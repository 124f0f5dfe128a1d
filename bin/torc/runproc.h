/*
 * runproc.h: the processes of the local job runner.  Each job runs as
 * `bash -c COMMAND` in a process group of its own (so the terminal's
 * Ctrl-C reaches only the runner, which then terminates jobs itself),
 * stdin from /dev/null, stdout and stderr to files, no file descriptor of
 * the runner inherited, signal handling reset, and an environment of the
 * runner's (which never holds TORC_PASSWORD) plus the variables given.
 *
 * The runner waits with proc_wait(), which wakes on a child's exit, on
 * SIGINT/SIGTERM, or after a timeout (a self-pipe, so no wake-up is lost).
 */
#ifndef TORC_CLI_RUNPROC_H
#define TORC_CLI_RUNPROC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Set by SIGINT/SIGTERM: how many were received. */
extern volatile sig_atomic_t proc_stop_requests;

/*
 * Installs the SIGCHLD, SIGINT and SIGTERM handlers and the self-pipe.
 * Returns 0, or -1 with a message in err.
 */
int	 proc_setup(char *err, size_t errlen);

/* Restores the default handlers and closes the pipe. */
void	 proc_teardown(void);

/*
 * Starts `bash -c cmd` as described above, with env_add ("NAME=VALUE"
 * strings, NULL-terminated) added to the environment.  out_path and
 * err_path are created (truncated) 0644.  Returns the pid (also the
 * process group id), or -1 with a message in err.
 */
pid_t	 proc_spawn(const char *cmd, const char *out_path, const char *err_path,
	    char *const *env_add, char *err, size_t errlen);

/*
 * Reaps one finished child without waiting.  Returns its pid and sets
 * *rc to its exit status, or 128 + the signal that ended it; returns 0 if
 * none has finished, -1 if there are no children.
 */
pid_t	 proc_reap(int *rc);

/* Sends sig to the process group of pid (a job and its children). */
void	 proc_kill(pid_t pid, int sig);

/* Waits up to secs seconds for a child to exit or a stop signal. */
void	 proc_wait(double secs);

/*
 * Runs `bash -c cmd` to its end (stdout and stderr appended to log_path)
 * and returns its exit status (128 + signal, or -1 if it could not start).
 */
int	 proc_run_sync(const char *cmd, const char *log_path,
	    char *const *env_add);

#endif
