/*
 * password.h: where the CLI's password comes from, and how its traces are
 * wiped: a no-echo prompt on /dev/tty, TORC_PASSWORD (taken out of the
 * environment at once, so no job the runner starts can inherit it), or
 * --password (the argv copy is overwritten so later looks at the process
 * list show x's).  Every buffer that held a password is explicit_bzero'd.
 */
#ifndef TORC_CLI_PASSWORD_H
#define TORC_CLI_PASSWORD_H

#include <stddef.h>

#define PW_MAX	1024	/* bytes of a password */

/*
 * Prompts on /dev/tty (echo off) and reads one line.  Returns a new
 * string (free with pw_free()), or NULL with a message in err.
 */
char	*pw_prompt(const char *prompt, char *err, size_t errlen);

/*
 * Returns a copy of TORC_PASSWORD (NULL if unset), after wiping the
 * variable's bytes in the environment block and unsetting it.
 */
char	*pw_take_env(void);

/* Overwrites s in place with 'x' characters. */
void	 pw_scrub(char *s);

/* explicit_bzero and free; NULL is fine. */
void	 pw_free(char *pw);

#endif
