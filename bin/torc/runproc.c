/*
 * runproc.c: starting, reaping, signalling and waiting for the job
 * runner's processes (see runproc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runproc.h"

#define FD_SWEEP_MAX	4096	/* fds closed by hand without close_range */

volatile sig_atomic_t proc_stop_requests;

static int wake[2] = { -1, -1 };
static struct sigaction old_int, old_term, old_chld;

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGINT || sig == SIGTERM)
		proc_stop_requests++;
	if (wake[1] >= 0 && write(wake[1], "x", 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

static int
nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int
proc_setup(char *err, size_t errlen)
{
	struct sigaction sa;

	if (pipe(wake) != 0 || nonblock_cloexec(wake[0]) != 0 ||
	    nonblock_cloexec(wake[1]) != 0) {
		snprintf(err, errlen, "cannot make a pipe: %s",
		    strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, &old_chld);
	return 0;
}

void
proc_teardown(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	if (wake[0] >= 0)
		close(wake[0]);
	if (wake[1] >= 0)
		close(wake[1]);
	wake[0] = wake[1] = -1;
}

/* In the child: everything but 0, 1 and 2 closed. */
static void
close_other_fds(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	for (int fd = 3; fd < FD_SWEEP_MAX; fd++)
		close(fd);
}

/* In the child: default signal handling, nothing blocked. */
static void
reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * In the parent: the environment of a job, the runner's without
 * TORC_PASSWORD and without the names env_add sets, then env_add.
 * Free the array (not the strings) with free().
 */
static char **
job_env(char *const *env_add)
{
	extern char **environ;
	size_t n = 0, k = 0, i;
	char **env;

	for (i = 0; environ[i] != NULL; i++)
		n++;
	for (i = 0; env_add != NULL && env_add[i] != NULL; i++)
		n++;
	if ((env = calloc(n + 1, sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; environ[i] != NULL; i++) {
		const char *e = environ[i];
		size_t len = strcspn(e, "=");
		int skip = len == 13 && strncmp(e, "TORC_PASSWORD", 13) == 0;

		for (size_t j = 0; !skip && env_add != NULL &&
		    env_add[j] != NULL; j++)
			if (strncmp(env_add[j], e, len) == 0 &&
			    env_add[j][len] == '=')
				skip = 1;
		if (!skip)
			env[k++] = environ[i];
	}
	for (i = 0; env_add != NULL && env_add[i] != NULL; i++)
		env[k++] = env_add[i];
	env[k] = NULL;
	return env;
}

/* In the parent: the path of bash along PATH; caller frees. */
static char *
find_bash(void)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[4096];

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (end > p && (size_t)snprintf(buf, sizeof(buf), "%.*s/bash",
		    (int)(end - p), p) < sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return strdup(buf);
		if (*end == '\0')
			break;
	}
	return strdup("/bin/bash");
}

/* Child side: only async-signal-safe calls; never returns. */
static void
child(const char *bash, const char *cmd, int in, int out, int errfd,
    char *const *env)
{
	static const char msg[] = "torc: cannot run bash\n";
	char *const argv[] = { (char *)"bash", (char *)"-c", (char *)cmd,
	    NULL };

	setpgid(0, 0);
	reset_signals();
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	close_other_fds();
	execve(bash, argv, env);
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

pid_t
proc_spawn(const char *cmd, const char *out_path, const char *err_path,
    char *const *env_add, char *err, size_t errlen)
{
	int in = -1, out = -1, efd = -1;
	char **env = job_env(env_add), *bash = find_bash();
	pid_t pid = -1;

	if (env == NULL || bash == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out >= 0)
		efd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
	if (in < 0 || out < 0 || efd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", in < 0 ?
		    "/dev/null" : out < 0 ? out_path : err_path,
		    strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(bash, cmd, in, out, efd, env);
	/* Both sides set the group, so a kill right away finds it. */
	setpgid(pid, pid);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (efd >= 0)
		close(efd);
	free(env);
	free(bash);
	return pid;
}

static int
status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

pid_t
proc_reap(int *rc)
{
	int st;
	pid_t pid;

	do
		pid = waitpid(-1, &st, WNOHANG);
	while (pid < 0 && errno == EINTR);
	if (pid > 0)
		*rc = status_code(st);
	return pid;
}

void
proc_kill(pid_t pid, int sig)
{
	if (pid > 0 && kill(-pid, sig) != 0)
		kill(pid, sig);
}

void
proc_wait(double secs)
{
	struct pollfd p;
	char buf[64];
	int ms = secs <= 0 ? 0 : secs > 3600 ? 3600000 : (int)(secs * 1000);

	p.fd = wake[0];
	p.events = POLLIN;
	if (proc_stop_requests == 0 && poll(&p, 1, ms) > 0) {
		/* Drain: one pass over the loop handles them all. */
	}
	while (wake[0] >= 0 && read(wake[0], buf, sizeof(buf)) > 0)
		;
}

int
proc_run_sync(const char *cmd, const char *log_path, char *const *env_add)
{
	char **env = job_env(env_add), *bash = find_bash();
	int in, out, st;
	pid_t pid = -1, w;

	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (in >= 0 && out >= 0 && env != NULL && bash != NULL &&
	    (pid = fork()) == 0)
		child(bash, cmd, in, out, out, env);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(env);
	free(bash);
	if (pid < 0)
		return -1;
	do
		w = waitpid(pid, &st, 0);
	while (w < 0 && errno == EINTR);
	return w == pid ? status_code(st) : -1;
}
