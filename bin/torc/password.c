/*
 * password.c: reading the password and wiping its traces (see password.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "password.h"
#include "util.h"

void
pw_free(char *pw)
{
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
}

void
pw_scrub(char *s)
{
	if (s != NULL)
		memset(s, 'x', strlen(s));
}

char *
pw_take_env(void)
{
	char *v = getenv("TORC_PASSWORD"), *copy;

	if (v == NULL)
		return NULL;
	copy = xstrdup(v);
	explicit_bzero(v, strlen(v));
	unsetenv("TORC_PASSWORD");
	return copy;
}

char *
pw_prompt(const char *prompt, char *err, size_t errlen)
{
	struct termios old, quiet;
	char buf[PW_MAX + 2];
	size_t n = 0;
	int fd, echo_off = 0;
	char *pw = NULL;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open /dev/tty for the password "
		    "prompt: %s", strerror(errno));
		return NULL;
	}
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
			echo_off = 1;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		/* The prompt is a courtesy; reading still works. */
	}
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || ch == '\n' || ch == '\r')
			break;
		if (n < PW_MAX)
			buf[n++] = ch;
	}
	buf[n] = '\0';
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* as above */
	}
	close(fd);
	if (n == PW_MAX)
		snprintf(err, errlen, "the password is longer than %d bytes",
		    PW_MAX - 1);
	else
		pw = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return pw;
}
