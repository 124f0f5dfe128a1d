/*
 * fronts.c: torc-server's FastCGI fronts, started and started again
 * (see fronts.h).
 */
#define _GNU_SOURCE		/* close_range */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fronts.h"
#include "log.h"

struct front {
	char		 name[64];
	char		 program[PATH_MAX];
	char		 sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int		 fd;		/* listening, held for torc-server's life */
	pid_t		 pid;		/* 0: not running */
	int64_t		 started_ms;
};

static struct front fronts[FRONTS_MAX];
static int nfronts;

static int64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
fronts_count(void)
{
	return nfronts;
}

const char *
fronts_name(int i)
{
	return fronts[i].name;
}

const char *
fronts_socket(int i)
{
	return fronts[i].sock;
}

static int
bind_socket(struct front *f, char *err, size_t errlen)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, f->sock, strlen(f->sock) + 1);
	unlink(f->sock);		/* one a killed torc-server left */
	if ((f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(f->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(f->fd, FRONT_BACKLOG) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", f->sock, strerror(errno));
		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		return -1;
	}
	return 0;
}

int
fronts_open(const char *cgidir, const char *sockdir, const char *const *names,
    char *err, size_t errlen)
{
	for (int i = 0; names[i] != NULL && nfronts < FRONTS_MAX; i++) {
		struct front *f = &fronts[nfronts];
		int np = snprintf(f->program, sizeof(f->program), "%s/%s", cgidir, names[i]);
		int ns = snprintf(f->sock, sizeof(f->sock), "%s/%s", sockdir, names[i]);
		if (np < 0 || (size_t)np >= sizeof(f->program) || ns < 0 ||
		    (size_t)ns >= sizeof(f->sock)) {
			snprintf(err, errlen, "path too long for the front of %s", names[i]);
			return -1;
		}
		if (access(f->program, X_OK) < 0)
			continue;
		snprintf(f->name, sizeof(f->name), "%s", names[i]);
		f->pid = 0;
		if (bind_socket(f, err, errlen) < 0)
			return -1;
		nfronts++;
	}
	return nfronts;
}

/* What a front inherits of torc-server's environment (fronts.h). */
static char **
front_environment(void)
{
	static const char *const keep[] = { "PATH", "LD_LIBRARY_PATH", "LD_PRELOAD", NULL };
	static char *env[8];
	static char storage[3][PATH_MAX * 4];
	int n = 0;

	for (int i = 0; keep[i] != NULL; i++) {
		const char *v = getenv(keep[i]);
		if (v == NULL)
			continue;
		snprintf(storage[i], sizeof(storage[i]), "%s=%s", keep[i], v);
		env[n++] = storage[i];
	}
	static char follow[] = "TORC_FASTCGI_EXIT_WITH_PARENT=1";
	env[n++] = follow;
	env[n] = NULL;
	return env;
}

static void
spawn(struct front *f)
{
	char **env = front_environment();
	pid_t pid = fork();

	f->started_ms = mono_ms();	/* a failed fork is tried again after FRONT_RESTART_MS too */
	if (pid < 0) {
		log_msg(LOG_WARN, LOG_T_SERVER, "cannot start the %s front: fork: %s",
		    f->name, strerror(errno));
		return;
	}
	if (pid == 0) {
		char *argv[2] = { f->program, NULL };
		setpgid(0, 0);		/* a terminal's ^C is torc-server's to pass on */
		if (dup2(f->fd, STDIN_FILENO) < 0)
			_exit(111);
		close_range(3, ~0U, 0);
		execve(f->program, argv, env);
		fprintf(stderr, "torc-server: cannot run %s: %s\n", f->program, strerror(errno));
		_exit(111);
	}
	f->pid = pid;
}

void
fronts_start(void)
{
	for (int i = 0; i < nfronts; i++)
		if (fronts[i].pid == 0 && fronts[i].fd >= 0)
			spawn(&fronts[i]);
}

int
fronts_reaped(pid_t pid, int status)
{
	for (int i = 0; i < nfronts; i++) {
		struct front *f = &fronts[i];
		if (f->pid != pid)
			continue;
		f->pid = 0;
		if (f->fd >= 0) {
			char how[64];
			if (WIFSIGNALED(status))
				snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(status));
			else
				snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
			log_msg(LOG_WARN, LOG_T_SERVER, "the %s front (pid %ld) %s; starting it again",
			    f->name, (long)pid, how);
			fronts_tick();
		}
		return 1;
	}
	return 0;
}

void
fronts_tick(void)
{
	int64_t now = mono_ms();
	for (int i = 0; i < nfronts; i++) {
		struct front *f = &fronts[i];
		if (f->pid == 0 && f->fd >= 0 && now - f->started_ms >= FRONT_RESTART_MS)
			spawn(f);
	}
}

void
fronts_stop(void)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < nfronts; i++) {
		struct front *f = &fronts[i];
		if (f->pid > 0)
			kill(f->pid, SIGTERM);
		if (f->fd >= 0) {
			close(f->fd);
			f->fd = -1;
			unlink(f->sock);
		}
	}
	/* They end at once (nothing holds SIGTERM off in a front); SIGKILL after 2 s. */
	for (int waited = 0; waited <= 2000; waited += 10) {
		int left = 0;
		for (int i = 0; i < nfronts; i++) {
			struct front *f = &fronts[i];
			if (f->pid > 0 && waitpid(f->pid, NULL, WNOHANG) == 0) {
				if (waited == 2000)
					kill(f->pid, SIGKILL);
				left++;
			} else
				f->pid = 0;
		}
		if (left == 0)
			return;
		nanosleep(&nap, NULL);
	}
}
