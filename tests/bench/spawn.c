/*
 * spawn.c: what one request costs a process, started two ways (the
 * numbers behind "What was done, what was tried, what is left" in
 * docs/performance.md).
 *
 *   spawn exec N PROGRAM   fork and exec PROGRAM N times, as a web server
 *                          starts a CGI
 *   spawn fork N           fork N times and run the /workflows route table
 *                          in the child, as the FastCGI front (lib/fcgi.c)
 *                          does
 *
 * The request comes from the environment (REQUEST_METHOD, SCRIPT_NAME,
 * PATH_INFO, TORC_DATABASE, ...); stdout goes to /dev/null.  Prints the
 * children's CPU (getrusage) and the wall time per request.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int	bench_workflows_main(int argc, char **argv);	/* cgi-bin/workflows.c, renamed */

int
main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage r;
	int n, fork_only;

	if (argc < 3 || (strcmp(argv[1], "fork") && (strcmp(argv[1], "exec") || argc < 4))) {
		fprintf(stderr, "usage: spawn exec N PROGRAM | spawn fork N\n");
		return 2;
	}
	fork_only = strcmp(argv[1], "fork") == 0;
	n = atoi(argv[2]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			if (fork_only) {
				char *av[] = { "workflows", NULL };
				exit(bench_workflows_main(1, av));
			}
			execv(argv[3], argv + 3);
			_exit(127);
		}
		int st;
		waitpid(p, &st, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_CHILDREN, &r);
	double cpu = (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 +
	    (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
	double wall = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	printf("%-5s %7.3f ms CPU  %7.3f ms wall per request  %s\n", argv[1], cpu / n, wall / n,
	    fork_only ? "(workflows routes in a forked child)" : argv[3]);
	return 0;
}
