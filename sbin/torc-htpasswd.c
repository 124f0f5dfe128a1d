/*
 * torc-htpasswd: manage the bcrypt htpasswd file torc-server reads.
 *
 * add, verify, remove and list work on a file; hash prints a line to send
 * to an administrator.  Passwords come from a no-echo prompt on /dev/tty
 * (asked twice when setting one), from one line of standard input
 * (--password-stdin), or from --password, which works but shows in
 * process lists.  The file is changed under an exclusive flock(2): read,
 * rewrite into a temporary file in the same folder (mode and owner of the
 * old file, 0600 for a new one), fsync, rename over the old one, fsync
 * the folder.  Comments, blank lines, unknown lines and the order of users
 * are kept; add replaces a user's line in place or appends one.  The
 * parser is the server's (lib/htpasswd.c), so what the tool reads is what
 * the server reads.  Hashes are "$2b$" bcrypt from libxcrypt, which
 * Apache's htpasswd -v accepts, and the tool accepts Apache's "$2y$".
 *
 * Exit codes: 0 ok, 1 refused or failed (wrong password, no such user,
 * no such file, passwords differ), 100 usage, 111 system failure.
 * Every buffer that held a password is wiped before exit.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bcrypt.h"
#include "bounds.h"
#include "htpasswd.h"

#ifndef TORC_VERSION
#define TORC_VERSION	"unknown"
#endif

#define PROG		"torc-htpasswd"
#define EX_REFUSED	1
#define EX_USAGE	100
#define EX_TEMP		111
#define PW_SIZE		(TORC_MAX_PASSWORD + 2)
#define BCRYPT_KEY_MAX	72	/* bcrypt ignores password bytes past this */

static char pw1[PW_SIZE], pw2[PW_SIZE];
static char tmp_path[PATH_MAX];		/* unlinked on a failed rewrite */
static char created_path[PATH_MAX];	/* a new empty file, likewise */

/* Wipe the password buffers; registered with atexit(). */
static void
wipe(void)
{
	explicit_bzero(pw1, sizeof(pw1));
	explicit_bzero(pw2, sizeof(pw2));
	if (tmp_path[0] != '\0')
		unlink(tmp_path);
	if (created_path[0] != '\0')
		unlink(created_path);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fatal(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: fatal: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void __attribute__((format(printf, 1, 2)))
warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- help --- */

static const char usage_main[] =
    "usage: torc-htpasswd add [--cost N] [--password-stdin] FILE USER\n"
    "       torc-htpasswd verify [--password-stdin] FILE USER\n"
    "       torc-htpasswd remove FILE USER\n"
    "       torc-htpasswd list FILE\n"
    "       torc-htpasswd hash [--cost N] [--password-stdin] [USER]\n"
    "\n"
    "Manage the bcrypt htpasswd file of torc-server (--auth-file).\n"
    "FILE may also be given as --file FILE (-f FILE).  Passwords are read\n"
    "from a prompt on the terminal unless --password-stdin is given;\n"
    "--password PW also works but shows the password in process lists.\n"
    "\n"
    "  add      add USER or replace its password (bcrypt $2b$, cost 12)\n"
    "  verify   check a password; exit 0 only when it matches\n"
    "  remove   remove USER\n"
    "  list     print the users, one per line\n"
    "  hash     print a USER:HASH line without touching any file\n"
    "           (USER defaults to $USER, then $USERNAME)\n"
    "\n"
    "Run 'torc-htpasswd COMMAND --help' for a command's options.\n"
    "Exit: 0 ok, 1 refused or failed, 100 usage, 111 system failure.\n";

static const char usage_add[] =
    "usage: torc-htpasswd add [options] FILE USER\n"
    "       torc-htpasswd add [options] --file FILE USER\n"
    "\n"
    "Add USER to FILE, or replace the password of an existing USER in place.\n"
    "FILE is created (mode 0600) when missing and rewritten atomically,\n"
    "keeping comments, other lines and their order.\n"
    "\n"
    "  -c, --cost N        bcrypt cost, 4..31 (12); torc-server refuses\n"
    "                      hashes above cost 14\n"
    "  --password-stdin    read the password from one line of standard input\n"
    "  -p, --password PW   take the password from the command line (visible\n"
    "                      to other users in process lists: avoid)\n"
    "  -f, --file FILE     the htpasswd file\n"
    "  -h, --help          this text\n";

static const char usage_verify[] =
    "usage: torc-htpasswd verify [options] FILE USER\n"
    "\n"
    "Check USER's password against FILE as torc-server would (the first line\n"
    "for USER counts; only bcrypt lines are accepted).  Exit 0 on a match,\n"
    "1 on a wrong password or an unknown user.\n"
    "\n"
    "  --password-stdin    read the password from one line of standard input\n"
    "  -p, --password PW   take the password from the command line (avoid)\n"
    "  -f, --file FILE     the htpasswd file\n"
    "  -h, --help          this text\n";

static const char usage_remove[] =
    "usage: torc-htpasswd remove FILE USER\n"
    "       torc-htpasswd remove --file FILE USER\n"
    "\n"
    "Remove every line for USER from FILE (rewritten atomically).\n"
    "Exit 1 when USER is not in FILE.\n"
    "\n"
    "  -f, --file FILE     the htpasswd file\n"
    "  -h, --help          this text\n";

static const char usage_list[] =
    "usage: torc-htpasswd list FILE\n"
    "       torc-htpasswd list --file FILE\n"
    "\n"
    "Print the users in FILE, one per line, in file order.  Lines torc-server\n"
    "would refuse are reported on standard error.\n"
    "\n"
    "  -f, --file FILE     the htpasswd file\n"
    "  -h, --help          this text\n";

static const char usage_hash[] =
    "usage: torc-htpasswd hash [options] [USER]\n"
    "\n"
    "Print one USER:HASH line on standard output, for an administrator to\n"
    "add to the server's file.  USER defaults to $USER, then $USERNAME.\n"
    "\n"
    "  -c, --cost N        bcrypt cost, 4..31 (12)\n"
    "  --password-stdin    read the password from one line of standard input\n"
    "  -p, --password PW   take the password from the command line (avoid)\n"
    "  -h, --help          this text\n";

/* --- arguments --- */

enum { OPT_FILE = 1, OPT_COST = 2, OPT_PASSWORD = 4, OPT_STDIN = 8 };

struct args {
	const char	*file;
	int		 cost;
	int		 cost_set;
	char		*password;	/* points into argv; wiped after copy */
	int		 pw_stdin;
	const char	*pos[4];
	int		 npos;
};

static void __attribute__((noreturn, format(printf, 2, 3)))
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: fatal: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s %s--help')\n", PROG, cmd ? cmd : "");
	exit(EX_USAGE);
}

static int
parse_cost(const char *cmd, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < BCRYPT_MIN_COST ||
	    v > BCRYPT_MAX_COST)
		usage_error(cmd, "cost must be between %d and %d", BCRYPT_MIN_COST,
		    BCRYPT_MAX_COST);
	return (int)v;
}

/*
 * Parse argv[2..] for command cmd, allowing the options in mask; options
 * and operands may be mixed, "--" ends options, "--opt=value" works.
 */
static void
parse_args(const char *cmd, const char *help, unsigned mask, int argc,
    char **argv, struct args *a)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%s ", cmd);
	memset(a, 0, sizeof(*a));
	a->cost = BCRYPT_DEFAULT_COST;
	for (int i = 2; i < argc; i++) {
		char *arg = argv[i], *val = NULL, *eq;
		char name[64];
		int takes;

		if (strcmp(arg, "--") == 0) {
			for (i++; i < argc; i++) {
				if (a->npos == 4)
					usage_error(prefix, "too many arguments");
				a->pos[a->npos++] = argv[i];
			}
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			if (a->npos == 4)
				usage_error(prefix, "too many arguments");
			a->pos[a->npos++] = arg;
			continue;
		}
		snprintf(name, sizeof(name), "%s", arg);
		if (strncmp(arg, "--", 2) == 0 && (eq = strchr(arg, '=')) != NULL) {
			if ((size_t)(eq - arg) >= sizeof(name))
				usage_error(prefix, "unknown option '%s'", arg);
			name[eq - arg] = '\0';
			val = eq + 1;
		} else if (arg[1] != '-' && arg[2] != '\0' &&
		    strchr("fcp", arg[1]) != NULL) {
			name[2] = '\0';		/* -c4, -fFILE */
			val = arg + 2;
		}
		if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
			fputs(help, stdout);
			exit(0);
		}
		takes = 1;
		if ((mask & OPT_FILE) && (!strcmp(name, "-f") ||
		    !strcmp(name, "--file"))) {
			;
		} else if ((mask & OPT_COST) && (!strcmp(name, "-c") ||
		    !strcmp(name, "--cost"))) {
			;
		} else if ((mask & OPT_PASSWORD) && (!strcmp(name, "-p") ||
		    !strcmp(name, "--password"))) {
			;
		} else if ((mask & OPT_STDIN) && !strcmp(name, "--password-stdin")) {
			takes = 0;
		} else {
			usage_error(prefix, "unknown option '%s'", name);
		}
		if (takes && val == NULL) {
			if (i + 1 >= argc)
				usage_error(prefix, "option '%s' needs a value", name);
			val = argv[++i];
		} else if (!takes && val != NULL) {
			usage_error(prefix, "option '%s' takes no value", name);
		}
		switch (name[1] == '-' ? name[2] : name[1]) {
		case 'f':
			a->file = val;
			break;
		case 'c':
			a->cost = parse_cost(prefix, val);
			a->cost_set = 1;
			break;
		case 'p':
			if (!strcmp(name, "--password-stdin"))
				a->pw_stdin = 1;
			else
				a->password = val;
			break;
		}
	}
	if (a->password != NULL && a->pw_stdin)
		usage_error(prefix, "--password and --password-stdin exclude "
		    "each other");
}

/* Take FILE (unless --file gave it) then USER from the operands. */
static void
operands(const char *cmd, struct args *a, int want_user, const char **file,
    const char **user)
{
	char prefix[32];
	int i = 0, need = (a->file == NULL) + want_user;

	snprintf(prefix, sizeof(prefix), "%s ", cmd);
	if (a->npos < need)
		usage_error(prefix, "missing %s", a->file == NULL && a->npos == 0 ?
		    "FILE" : "USER");
	if (a->npos > need)
		usage_error(prefix, "unexpected argument '%s'", a->pos[need]);
	*file = a->file != NULL ? a->file : a->pos[i++];
	if (want_user)
		*user = a->pos[i];
	if ((*file)[0] == '\0')
		usage_error(prefix, "FILE is empty");
}

/* Refuse names the file format or the server cannot carry. */
static void
check_username(const char *cmd, const char *u)
{
	char prefix[32];
	size_t n = strlen(u);

	snprintf(prefix, sizeof(prefix), "%s ", cmd);
	if (n == 0)
		usage_error(prefix, "user name is empty");
	if (n > TORC_MAX_USERNAME)
		usage_error(prefix, "user name is longer than %d bytes",
		    TORC_MAX_USERNAME);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		if (c < 0x20 || c == 0x7f)
			usage_error(prefix, "user name contains a control "
			    "character");
		if (c == ':')
			usage_error(prefix, "user name contains ':'");
	}
	if (u[0] == '#')
		usage_error(prefix, "user name starts with '#' (it would read "
		    "as a comment)");
	if (u[0] == ' ' || u[n - 1] == ' ')
		usage_error(prefix, "user name starts or ends with a space");
}

/* --- passwords --- */

static volatile sig_atomic_t got_sig;

static void
on_signal(int sig)
{
	got_sig = sig;
}

/*
 * Read one line from fd into buf (PW_SIZE), without its line end.
 * Returns its length, -1 at end of input with nothing read, -2 when the
 * line is longer than TORC_MAX_PASSWORD (rest of the line consumed), -3
 * on a NUL byte, -4 on a read error or a signal (errno).
 */
static long
read_line(int fd, char *buf)
{
	size_t n = 0;
	int too_long = 0, nul = 0, any = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR && !got_sig)
			continue;
		if (r < 0)
			return -4;
		if (r == 0) {
			if (!any)
				return -1;
			break;
		}
		any = 1;
		if (c == '\n')
			break;
		if (c == '\0')
			nul = 1;
		if (n < TORC_MAX_PASSWORD + 1)
			buf[n++] = c;
		else
			too_long = 1;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > TORC_MAX_PASSWORD)
		too_long = 1;
	buf[n < PW_SIZE ? n : PW_SIZE - 1] = '\0';
	if (too_long)
		return -2;
	if (nul)
		return -3;
	return (long)n;
}

static void
line_error(long r, const char *from)
{
	if (r == -1)
		fatal(EX_REFUSED, "no password on %s", from);
	if (r == -2)
		fatal(EX_REFUSED, "password is longer than %d bytes",
		    TORC_MAX_PASSWORD);
	if (r == -3)
		fatal(EX_REFUSED, "password contains a NUL byte");
	fatal(EX_TEMP, "cannot read the password from %s: %s", from,
	    strerror(errno));
}

/*
 * Prompt on /dev/tty with echo off and read one line into buf.  Signals
 * that would end the process restore the terminal first.
 */
static void
prompt(const char *text, char *buf)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa, old[4], oldtstp;
	struct termios t, saved;
	ssize_t w;
	long r;
	int fd, restore = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		fatal(EX_USAGE, "cannot open /dev/tty: %s (use --password-stdin)",
		    strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;		/* no SA_RESTART: read returns */
	sigemptyset(&sa.sa_mask);
	got_sig = 0;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGTSTP, &sa, &oldtstp);
	if (tcgetattr(fd, &saved) == 0) {
		t = saved;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		t.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &t) == 0)
			restore = 1;
	}
	if (write(fd, text, strlen(text)) < 0)
		r = -4;
	else
		r = read_line(fd, buf);
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &saved);
	w = write(fd, "\n", 1);		/* the newline echo would have shown */
	(void)w;
	close(fd);
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	sigaction(SIGTSTP, &oldtstp, NULL);
	if (got_sig) {
		wipe();
		raise(got_sig);
		exit(EX_REFUSED);
	}
	if (r < 0)
		line_error(r, "the terminal");
}

/*
 * Get the password into pw1 from --password, standard input or the
 * terminal (twice when confirm is set).
 */
static void
get_password(struct args *a, const char *user, int confirm)
{
	char text[TORC_MAX_USERNAME + 64];
	long r;

	if (a->password != NULL) {
		size_t n = strlen(a->password);
		warn("--password shows the password in process lists; "
		    "prefer --password-stdin");
		if (n > TORC_MAX_PASSWORD)
			fatal(EX_REFUSED, "password is longer than %d bytes",
			    TORC_MAX_PASSWORD);
		memcpy(pw1, a->password, n + 1);
		explicit_bzero(a->password, n);	/* hide it from ps, late as it is */
		return;
	}
	if (a->pw_stdin) {
		if ((r = read_line(STDIN_FILENO, pw1)) < 0)
			line_error(r, "standard input");
		return;
	}
	snprintf(text, sizeof(text), "Password for '%s': ", user);
	prompt(text, pw1);
	if (confirm) {
		snprintf(text, sizeof(text), "Retype password for '%s': ", user);
		prompt(text, pw2);
		if (strcmp(pw1, pw2) != 0)
			fatal(EX_REFUSED, "passwords do not match");
		explicit_bzero(pw2, sizeof(pw2));
	}
}

/* Checks on a password that is about to be stored. */
static void
check_new_password(void)
{
	if (pw1[0] == '\0')
		fatal(EX_REFUSED, "empty password refused");
	if (strlen(pw1) > BCRYPT_KEY_MAX)
		warn("bcrypt uses only the first %d bytes of the password",
		    BCRYPT_KEY_MAX);
}

static void
make_hash(int cost, char *out)
{
	if (cost > TORC_BCRYPT_MAX_COST)
		warn("cost %d is above %d: torc-server refuses such hashes",
		    cost, TORC_BCRYPT_MAX_COST);
	fprintf(stderr, "Hashing password (cost=%d)...\n", cost);
	if (bcrypt_hash(pw1, cost, out, BCRYPT_HASH_LEN + 1) < 0)
		fatal(EX_TEMP, "cannot hash the password: %s", strerror(errno));
	explicit_bzero(pw1, sizeof(pw1));
}

/* --- the file --- */

/*
 * Open path (creating it 0600 when create is set) and take an exclusive
 * lock on the file that is at path once the lock is held.  *real gets
 * the path to rewrite (symlinks resolved).  Returns the fd, or -1 with
 * errno ENOENT when the file is missing and create is not set.
 */
static int
open_locked(const char *path, int create, int *created, char *real)
{
	struct stat a, b;

	*created = 0;
	for (int tries = 0; tries < 100; tries++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 && errno == ENOENT && create) {
			fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0600);
			if (fd >= 0)
				*created = 1;
			else if (errno == EEXIST)
				continue;
		}
		if (fd < 0) {
			if (errno == ENOENT)
				return -1;
			fatal(EX_TEMP, "cannot open %s: %s", path,
			    strerror(errno));
		}
		if (fstat(fd, &a) < 0)
			fatal(EX_TEMP, "cannot stat %s: %s", path, strerror(errno));
		if (!S_ISREG(a.st_mode))
			fatal(EX_REFUSED, "%s is not a regular file", path);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				fatal(EX_TEMP, "cannot lock %s: %s", path,
				    strerror(errno));
		/* Still the file at path, or did a rewrite replace it? */
		if (stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			if (realpath(path, real) == NULL)
				fatal(EX_TEMP, "cannot resolve %s: %s", path,
				    strerror(errno));
			return fd;
		}
		close(fd);
		*created = 0;
		created_path[0] = '\0';
	}
	fatal(EX_TEMP, "cannot lock %s: it keeps being replaced", path);
}

static int
put(FILE *f, const char *s, const char *eol)
{
	return fputs(s, f) < 0 || fputs(eol, f) < 0 ? -1 : 0;
}

/*
 * Rewrite real from hf: every user line for user is dropped, except the
 * first, which becomes newline (when newline is not NULL; else it goes
 * too); newline is appended when user had no line.  st is the old file's
 * status (its mode and owner are kept), or NULL for a new file (0600).
 */
static void
rewrite(const char *real, const struct htpasswd_file *hf, const char *user,
    const char *newline, const struct stat *st)
{
	char dirbuf[PATH_MAX], basebuf[PATH_MAX], *dir, *base;
	const char *eol = hf->crlf ? "\r\n" : "\n";
	int fd, dfd, done = 0;
	FILE *f;

	snprintf(dirbuf, sizeof(dirbuf), "%s", real);
	snprintf(basebuf, sizeof(basebuf), "%s", real);
	dir = dirname(dirbuf);
	base = basename(basebuf);
	if ((size_t)snprintf(tmp_path, sizeof(tmp_path), "%s/.%s.XXXXXX", dir,
	    base) >= sizeof(tmp_path))
		fatal(EX_TEMP, "path too long: %s", real);
	if ((fd = mkstemp(tmp_path)) < 0) {
		int e = errno;
		tmp_path[0] = '\0';
		fatal(EX_TEMP, "cannot create a file in %s: %s", dir, strerror(e));
	}
	if (st != NULL) {
		if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
		    fchown(fd, st->st_uid, st->st_gid) < 0)
			warn("cannot keep the owner of %s: %s", real,
			    strerror(errno));
		if (fchmod(fd, st->st_mode & 07777) < 0)
			fatal(EX_TEMP, "cannot set the mode of %s: %s", tmp_path,
			    strerror(errno));
	} else if (fchmod(fd, 0600) < 0) {
		fatal(EX_TEMP, "cannot set the mode of %s: %s", tmp_path,
		    strerror(errno));
	}
	if ((f = fdopen(fd, "w")) == NULL)
		fatal(EX_TEMP, "cannot write %s: %s", tmp_path, strerror(errno));
	if (hf->bom && fputs("\xef\xbb\xbf", f) < 0)
		goto fail;
	for (size_t i = 0; i < hf->nlines; i++) {
		const struct htpasswd_line *ln = &hf->lines[i];
		if (ln->user != NULL && strcmp(ln->user, user) == 0) {
			if (!done && newline != NULL && put(f, newline, eol) < 0)
				goto fail;
			done = 1;
			continue;
		}
		if (put(f, ln->text, eol) < 0)
			goto fail;
	}
	if (!done && newline != NULL && put(f, newline, eol) < 0)
		goto fail;
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	if (rename(tmp_path, real) < 0)
		fatal(EX_TEMP, "cannot replace %s: %s", real, strerror(errno));
	tmp_path[0] = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(dfd) < 0)
			warn("cannot sync %s: %s", dir, strerror(errno));
		close(dfd);
	}
	return;
fail:
	fatal(EX_TEMP, "cannot write %s: %s", tmp_path, strerror(errno));
}

static void
read_fd_or_die(int fd, const char *path, struct htpasswd_file *hf)
{
	if (htpasswd_read_fd(fd, hf) < 0)
		fatal(EX_TEMP, "cannot read %s: %s", path, strerror(errno));
}

/* --- commands --- */

static int
cmd_add(int argc, char **argv)
{
	char hash[BCRYPT_HASH_LEN + 1], real[PATH_MAX], *line;
	const char *file, *user;
	struct htpasswd_file hf;
	struct stat st;
	struct args a;
	int fd, created, existed;

	parse_args("add", usage_add, OPT_FILE | OPT_COST | OPT_PASSWORD |
	    OPT_STDIN, argc, argv, &a);
	operands("add", &a, 1, &file, &user);
	check_username("add", user);
	get_password(&a, user, 1);
	check_new_password();
	make_hash(a.cost, hash);

	fd = open_locked(file, 1, &created, real);
	if (fstat(fd, &st) < 0)
		fatal(EX_TEMP, "cannot stat %s: %s", file, strerror(errno));
	read_fd_or_die(fd, file, &hf);
	existed = htpasswd_find(&hf, user) != NULL;
	if ((line = malloc(strlen(user) + BCRYPT_HASH_LEN + 2)) == NULL)
		fatal(EX_TEMP, "out of memory");
	snprintf(line, strlen(user) + BCRYPT_HASH_LEN + 2, "%s:%s", user, hash);
	rewrite(real, &hf, user, line, created ? NULL : &st);
	created_path[0] = '\0';
	if (existed)
		printf("Updated user '%s' in \"%s\"\n", user, file);
	else
		printf("Added user '%s' to \"%s\"\n", user, file);
	htpasswd_free(&hf);
	free(line);
	close(fd);
	return 0;
}

static int
cmd_remove(int argc, char **argv)
{
	char real[PATH_MAX];
	const char *file, *user;
	struct htpasswd_file hf;
	struct stat st;
	struct args a;
	int fd, created;

	parse_args("remove", usage_remove, OPT_FILE, argc, argv, &a);
	operands("remove", &a, 1, &file, &user);
	if (user[0] == '\0')
		usage_error("remove ", "user name is empty");
	if ((fd = open_locked(file, 0, &created, real)) < 0)
		fatal(EX_REFUSED, "cannot open %s: %s", file, strerror(errno));
	if (fstat(fd, &st) < 0)
		fatal(EX_TEMP, "cannot stat %s: %s", file, strerror(errno));
	read_fd_or_die(fd, file, &hf);
	if (htpasswd_find(&hf, user) == NULL)
		fatal(EX_REFUSED, "user '%s' not found in %s", user, file);
	rewrite(real, &hf, user, NULL, &st);
	printf("Removed user '%s' from \"%s\"\n", user, file);
	htpasswd_free(&hf);
	close(fd);
	return 0;
}

/* Read a whole file for list and verify (no lock: rewrites are atomic). */
static void
read_or_die(const char *file, struct htpasswd_file *hf)
{
	if (htpasswd_read(file, hf) < 0)
		fatal(errno == ENOENT ? EX_REFUSED : EX_TEMP, "cannot read %s: %s",
		    file, strerror(errno));
}

static int
cmd_list(int argc, char **argv)
{
	const char *file, *unused = NULL;
	struct htpasswd_file hf;
	struct args a;

	parse_args("list", usage_list, OPT_FILE, argc, argv, &a);
	operands("list", &a, 0, &file, &unused);
	read_or_die(file, &hf);
	for (size_t i = 0; i < hf.nlines; i++) {
		const struct htpasswd_line *ln = &hf.lines[i];
		if (ln->kind == HTPASSWD_MALFORMED)
			warn("%s line %d: %s; torc-server ignores it", file,
			    ln->lineno, ln->why);
		if (ln->user == NULL)
			continue;
		if (ln->dup_of != 0) {
			warn("%s line %d: user '%s' again; line %d wins", file,
			    ln->lineno, ln->user, ln->dup_of);
			continue;
		}
		if (ln->kind == HTPASSWD_REJECTED)
			warn("%s line %d: user '%s' has a %s hash, which "
			    "torc-server refuses", file, ln->lineno, ln->user,
			    ln->why);
		else if (bcrypt_cost(ln->hash) > TORC_BCRYPT_MAX_COST)
			warn("%s line %d: user '%s' has cost %d, above %d, which "
			    "torc-server refuses", file, ln->lineno, ln->user,
			    bcrypt_cost(ln->hash), TORC_BCRYPT_MAX_COST);
		printf("%s\n", ln->user);
	}
	htpasswd_free(&hf);
	if (fflush(stdout) != 0)
		fatal(EX_TEMP, "cannot write the list: %s", strerror(errno));
	return 0;
}

static int
cmd_verify(int argc, char **argv)
{
	const char *file, *user;
	const struct htpasswd_line *ln;
	struct htpasswd_file hf;
	struct args a;
	int r;

	parse_args("verify", usage_verify, OPT_FILE | OPT_PASSWORD | OPT_STDIN,
	    argc, argv, &a);
	operands("verify", &a, 1, &file, &user);
	read_or_die(file, &hf);
	if ((ln = htpasswd_find(&hf, user)) == NULL)
		fatal(EX_REFUSED, "user '%s' not found in %s", user, file);
	if (ln->kind != HTPASSWD_BCRYPT)
		fatal(EX_REFUSED, "user '%s' (%s line %d) has a %s hash, which "
		    "torc-server refuses", user, file, ln->lineno, ln->why);
	if (bcrypt_cost(ln->hash) > TORC_BCRYPT_MAX_COST)
		warn("user '%s' has cost %d, above %d: torc-server refuses it",
		    user, bcrypt_cost(ln->hash), TORC_BCRYPT_MAX_COST);
	get_password(&a, user, 0);
	r = bcrypt_verify(pw1, ln->hash, BCRYPT_MAX_COST, user);
	explicit_bzero(pw1, sizeof(pw1));
	htpasswd_free(&hf);
	if (r < 0)
		fatal(EX_TEMP, "cannot verify the password: %s", strerror(errno));
	if (r == 0)
		fatal(EX_REFUSED, "password is incorrect for user '%s'", user);
	printf("Password is correct for user '%s'\n", user);
	return 0;
}

static int
cmd_hash(int argc, char **argv)
{
	char hash[BCRYPT_HASH_LEN + 1];
	const char *user;
	struct args a;

	parse_args("hash", usage_hash, OPT_COST | OPT_PASSWORD | OPT_STDIN,
	    argc, argv, &a);
	if (a.npos > 1)
		usage_error("hash ", "unexpected argument '%s'", a.pos[1]);
	user = a.npos == 1 ? a.pos[0] : getenv("USER");
	if (user == NULL || (a.npos == 0 && user[0] == '\0'))
		user = getenv("USERNAME");
	if (user == NULL || (a.npos == 0 && user[0] == '\0'))
		usage_error("hash ", "no USER given and could not read one from "
		    "$USER or $USERNAME");
	check_username("hash", user);
	get_password(&a, user, 1);
	check_new_password();
	make_hash(a.cost, hash);
	printf("%s:%s\n", user, hash);
	if (fflush(stdout) != 0)
		fatal(EX_TEMP, "cannot write the line: %s", strerror(errno));
	fprintf(stderr, "Send the line above to your server administrator.\n");
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "add", cmd_add },
		{ "verify", cmd_verify },
		{ "remove", cmd_remove },
		{ "list", cmd_list },
		{ "hash", cmd_hash },
	};

	atexit(wipe);
	umask(077);
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s\n", PROG, TORC_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc, argv);
	usage_error(NULL, "unknown command '%s'", argv[1]);
}
