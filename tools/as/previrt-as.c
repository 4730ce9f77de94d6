/* SPDX-License-Identifier: MIT */
/*
 * previrt-as: the assembler path for builds whose compiler has no plugin
 * hook for hand-written assembly (Clang).  Installed as `as` in a directory
 * of its own and found through the driver's -B option:
 *
 *     clang -fno-integrated-as -B/usr/lib/previrt/as/ -c entry.S
 *
 * The driver preprocesses the .S into a temporary .s and runs `as` on it.
 * This program rewrites every .s input (or standard input) with the same
 * rewriter and rules as the compiler plugins (pv_rewrite_file: pads and
 * records, producer "gas"), then runs the real GNU as on the result with the
 * same arguments.  32-bit assembly (--32) is passed through untouched.
 *
 * The real assembler: $PREVIRT_REAL_AS, else the first `as` on $PATH that
 * is not this program.  Every failure is one "previrt-as: ..." line and a
 * non-zero exit; no temporary file is left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asm_rewrite.h"
#include "previrt/format.h"

#define MAX_TEMPS 16

static char *temps[MAX_TEMPS];
static int ntemps;

static void cleanup(void)
{
	int i;

	for (i = 0; i < ntemps; i++) {
		unlink(temps[i]);
		free(temps[i]);
	}
	ntemps = 0;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "previrt-as: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static char *slurp(FILE *f, const char *name)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);

	if (!buf)
		die("out of memory reading %s", name);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory reading %s", name);
		}
	}
	if (ferror(f))
		die("cannot read %s", name);
	if (memchr(buf, 0, n))
		die("%s: not assembly text (NUL byte)", name);
	buf[n] = 0;
	return buf;
}

/* The rewritten text of one input in a new temporary .s file; its name. */
static char *rewrite_to_temp(const char *in)
{
	FILE *f = strcmp(in, "-") == 0 ? stdin : fopen(in, "r");
	struct pv_rewrite_opts o = { .pad = PV_PAD_NOPS };
	struct pv_rewrite_stats st;
	const char *dir = getenv("TMPDIR");
	char *text, *out, *name;
	int fd;
	FILE *w;

	if (!f)
		die("cannot open %s", in);
	text = slurp(f, in);
	if (f != stdin)
		fclose(f);
	out = pv_rewrite_file(text, &o, PREVIRT_PRODUCER_GAS, &st);
	if (ntemps == MAX_TEMPS)
		die("more than 16 inputs%s", "");
	if (asprintf(&name, "%s/previrt-as-XXXXXX.s", dir && *dir ? dir : "/tmp") < 0)
		die("out of memory%s", "");
	fd = mkstemps(name, 2);
	if (fd < 0)
		die("cannot create a temporary file in %s", dir && *dir ? dir : "/tmp");
	temps[ntemps++] = name;
	w = fdopen(fd, "w");
	if (!w || fputs(out ? out : text, w) < 0 || fclose(w) != 0)
		die("cannot write %s", name);
	free(out);
	free(text);
	return name;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* $PREVIRT_REAL_AS, or the first executable `as` on $PATH that is not us. */
static char *real_as(void)
{
	const char *env = getenv("PREVIRT_REAL_AS"), *path = getenv("PATH");
	char self[PATH_MAX], *copy, *dir, *save = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (env && *env)
		return strdup(env);
	self[n > 0 ? n : 0] = 0;
	copy = strdup(path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *cand;

		if (asprintf(&cand, "%s/as", *dir ? dir : ".") < 0)
			break;
		if (access(cand, X_OK) == 0 && !same_file(cand, self)) {
			free(copy);
			return cand;
		}
		free(cand);
	}
	free(copy);
	return NULL;
}

/* Does argv[i] name an input file?  (Not an option, not an option's value.) */
static int is_input(char **argv, int i)
{
	static const char *const with_value[] = { "-o", "-I", "--defsym", "-MD", "--MD" };
	const char *a = argv[i];
	unsigned k;

	if (i > 1)
		for (k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
			if (strcmp(argv[i - 1], with_value[k]) == 0)
				return 0;
	return strcmp(a, "-") == 0 || a[0] != '-';
}

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int i, inputs = 0, bits32 = 0, status;
	char *as = real_as();
	pid_t pid;

	if (!args)
		die("out of memory%s", "");
	if (!as)
		die("no real assembler: no other `as` on PATH (set PREVIRT_REAL_AS)%s", "");
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--32") == 0 || strcmp(argv[i], "--x32") == 0)
			bits32 = 1;
	args[0] = as;
	for (i = 1; i < argc; i++) {
		args[i] = argv[i];
		if (!bits32 && is_input(argv, i)) {
			args[i] = rewrite_to_temp(argv[i]);
			inputs++;
		}
	}
	if (!bits32 && !inputs)
		args[argc++] = rewrite_to_temp("-");   /* as reads standard input */
	args[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("cannot fork%s", "");
	if (pid == 0) {
		execv(as, args);
		fprintf(stderr, "previrt-as: cannot run %s: %s\n", as, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid failed%s", "");
	cleanup();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
