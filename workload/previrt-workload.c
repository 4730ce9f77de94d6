/* SPDX-License-Identifier: MIT */
/*
 * previrt-workload: the fixed userspace load the boot tests run.
 *
 * It exercises the kernel paths whose sensitive instructions previrt
 * annotates (syscall entry/exit, context switches, page-table updates and
 * TLB flushes, timer interrupts), checks that each phase did what it should,
 * and prints one line per phase with its cost in CLOCK_MONOTONIC
 * nanoseconds.  Under QEMU `-icount shift=0` one guest nanosecond is one
 * guest instruction, so those numbers are instruction counts (bench-p3).
 *
 * The last line is the marker ci/boot-native waits for:
 *     previrt-workload: done (N phases ok)       on success
 *     previrt-workload: FAILED (...)             otherwise (exit status 1)
 *
 * Built with the host gcc -static (no plugin: it is userspace).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void report(const char *phase, uint64_t ns, int ok, const char *what)
{
	printf("previrt-workload: %-10s %s %12llu ns  %s\n", phase, ok ? "ok  " : "FAIL",
	       (unsigned long long)ns, what);
	if (!ok)
		failures++;
}

/* Raw syscalls: the entry/exit path (swapgs, sysret, maybe stac/clac). */
static void phase_syscalls(void)
{
	enum { N = 20000 };
	pid_t pid = getpid();
	int ok = 1;
	uint64_t t = now_ns();

	for (int i = 0; i < N; i++)
		if (syscall(SYS_getpid) != pid)
			ok = 0;
	report("syscalls", now_ns() - t, ok, "20000 x getpid()");
}

/* fork + exec of ourselves + wait: page-table copies, CR3 switches, TLB. */
static void phase_fork_exec(const char *self)
{
	enum { N = 20 };
	int ok = 1;
	uint64_t t = now_ns();

	for (int i = 0; i < N; i++) {
		pid_t c = fork();
		int st;

		if (c < 0) {
			ok = 0;
			break;
		}
		if (c == 0) {
			execl(self, self, "--exec-child", (char *)NULL);
			_exit(127);
		}
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 42)
			ok = 0;
	}
	report("fork-exec", now_ns() - t, ok, "20 x fork+exec+wait (child exits 42)");
}

/* 4 MiB through a pipe to a child that checksums it: blocking, wake-ups. */
static void phase_pipe(void)
{
	enum { CHUNK = 4096, CHUNKS = 1024 };
	static unsigned char buf[CHUNK];
	int fd[2], st, ok = 1;
	uint64_t t = now_ns(), want = 0;

	if (pipe(fd) != 0) {
		report("pipe", 0, 0, strerror(errno));
		return;
	}
	for (int i = 0; i < CHUNK; i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	for (int i = 0; i < CHUNK; i++)
		want += buf[i];
	want *= CHUNKS;

	pid_t c = fork();
	if (c == 0) {
		uint64_t sum = 0;
		ssize_t n;

		close(fd[1]);
		while ((n = read(fd[0], buf, sizeof buf)) > 0)
			for (ssize_t i = 0; i < n; i++)
				sum += buf[i];
		_exit(sum == want ? 0 : 1);
	}
	close(fd[0]);
	for (int i = 0; i < CHUNKS && c > 0; i++)
		if (write(fd[1], buf, CHUNK) != CHUNK)
			ok = 0;
	close(fd[1]);
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		ok = 0;
	report("pipe", now_ns() - t, ok, "4 MiB parent->child, checksum verified");
}

/* Anonymous mmap, first-touch page faults, mprotect, munmap (TLB flushes). */
static void phase_mmap(void)
{
	enum { PAGES = 2048, ROUNDS = 4 };
	long pg = sysconf(_SC_PAGESIZE);
	int ok = 1;
	uint64_t t = now_ns();

	for (int r = 0; r < ROUNDS; r++) {
		unsigned char *p = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			ok = 0;
			break;
		}
		for (long i = 0; i < PAGES; i++)
			p[i * pg] = (unsigned char)(i + r);
		if (mprotect(p, PAGES * pg, PROT_READ) != 0)
			ok = 0;
		for (long i = 0; i < PAGES; i++)
			if (p[i * pg] != (unsigned char)(i + r))
				ok = 0;
		if (munmap(p, PAGES * pg) != 0)
			ok = 0;
	}
	report("mmap", now_ns() - t, ok, "4 x (mmap 8 MiB, fault every page, mprotect, munmap)");
}

/* Timers: clock_gettime must advance, nanosleep must sleep at least as asked.
 * Idle time is not work, so this phase's ns are wall (virtual) time. */
static void phase_timers(void)
{
	enum { N = 10 };
	struct timespec d = { 0, 2000000 }; /* 2 ms */
	uint64_t t = now_ns(), prev = t;
	int ok = 1;

	for (int i = 0; i < N; i++) {
		uint64_t a = now_ns();

		if (nanosleep(&d, NULL) != 0)
			ok = 0;
		uint64_t b = now_ns();
		if (b < a + 2000000 || a < prev)
			ok = 0;
		prev = b;
	}
	report("timers", now_ns() - t, ok, "10 x nanosleep(2 ms), monotonic, slept >= 2 ms");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exec-child") == 0)
		return 42;

	const char *self = argc > 0 && argv[0][0] == '/' ? argv[0] : "/bin/previrt-workload";
	uint64_t t = now_ns();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("previrt-workload: start (pid %d)\n", (int)getpid());
	phase_syscalls();
	phase_fork_exec(self);
	phase_pipe();
	phase_mmap();
	uint64_t work = now_ns() - t;
	phase_timers();
	printf("previrt-workload: busy-total %llu ns (all phases but timers)\n",
	       (unsigned long long)work);
	if (failures) {
		printf("previrt-workload: FAILED (%d phase(s))\n", failures);
		return 1;
	}
	printf("previrt-workload: done (5 phases ok)\n");
	return 0;
}
