/* SPDX-License-Identifier: MIT */
/*
 * previrt-workload: the fixed userspace load the boot tests run.
 *
 * It exercises the kernel paths whose sensitive instructions previrt
 * annotates (syscall entry/exit, context switches, page-table updates and
 * TLB flushes, timer interrupts, exceptions and interrupts that arrive
 * while user code runs: the entry code and noinstr code of every way into
 * the kernel from user space), checks that each phase did what it should,
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
#include <sched.h>
#include <signal.h>
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

/*
 * Exceptions from user space: int3 is #BP taken at CPL 3 (asm_exc_int3 in
 * .entry.text, then exc_int3 and the irqentry code in .noinstr.text); the
 * kernel turns it into SIGTRAP, and the handler's return is sigreturn.
 */
static volatile sig_atomic_t traps;

static void on_trap(int sig)
{
	(void)sig;
	traps++;
}

static void phase_traps(void)
{
	enum { N = 1000 };
	struct sigaction sa;
	uint64_t t = now_ns();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_trap;
	if (sigaction(SIGTRAP, &sa, NULL) != 0) {
		report("traps", 0, 0, "sigaction(SIGTRAP) failed");
		return;
	}
	for (int i = 0; i < N; i++)
		__asm__ volatile("int3" ::: "memory");
	signal(SIGTRAP, SIG_DFL);
	report("traps", now_ns() - t, traps == N, "1000 x int3 from user space (#BP -> SIGTRAP)");
}

/* Local APIC timer interrupts so far, all CPUs ("LOC:" in /proc/interrupts); 0 if unknown. */
static unsigned long long timer_irqs(void)
{
	char line[512];
	unsigned long long sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		char *p = line;

		while (*p == ' ')
			p++;
		if (strncmp(p, "LOC:", 4))
			continue;
		for (p += 4;;) {
			char *end;
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v, p = end;
		}
	}
	fclose(f);
	return sum;
}

/*
 * Interrupts from user space: spin in user mode, with no system call
 * inside the inner loop, for 50 ms of CLOCK_MONOTONIC; the timer
 * interrupts of that time arrive while CPL 3 code runs (the interrupt
 * entry path's CR3 switch under PTI, irqentry_enter/exit), and the count
 * must go up.  Wall time, like the timers phase.
 */
static void phase_user_irqs(void)
{
	unsigned long long before = timer_irqs(), after;
	uint64_t t = now_ns();
	volatile unsigned long spin = 0;

	while (now_ns() - t < 50000000)
		for (int k = 0; k < 200000; k++)
			spin++;
	after = timer_irqs();
	report("user-irqs", now_ns() - t, before && after > before,
	       "spin 50 ms in user mode, local timer interrupts arrive there (/proc/interrupts LOC)");
}

/*
 * Every online CPU runs user code: the process moves itself onto each CPU
 * in turn (sched_setaffinity), checks that it got there (sched_getcpu) and
 * makes system calls there.  On SMP boots this proves the secondary CPUs
 * came up and take work, not just that the kernel counted them.
 */
static void phase_cpus(void)
{
	cpu_set_t all, one;
	char list[256] = "";
	size_t len = 0;
	int online = (int)sysconf(_SC_NPROCESSORS_ONLN), ran = 0, ok = 1;
	uint64_t t = now_ns();

	if (sched_getaffinity(0, sizeof all, &all)) {
		ok = 0;
		CPU_ZERO(&all);
	}
	for (int c = 0; c < CPU_SETSIZE && ok; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof one, &one)) {
			ok = 0;
			break;
		}
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getpid);
		if (sched_getcpu() != c)
			ok = 0;
		ran++;
		if (len < sizeof list - 8)
			len += (size_t)snprintf(list + len, sizeof list - len, " %d", c);
	}
	sched_setaffinity(0, sizeof all, &all);
	ok = ok && ran == online && online >= 1;
	char what[320];
	snprintf(what, sizeof what, "%d online, ran on CPU%s", online, list);
	report("cpus", now_ns() - t, ok, what);
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
	/* after busy-total, so that figure (bench-p3) keeps measuring the same work */
	phase_traps();
	phase_user_irqs();
	phase_cpus();
	if (failures) {
		printf("previrt-workload: FAILED (%d phase(s))\n", failures);
		return 1;
	}
	printf("previrt-workload: done (8 phases ok)\n");
	return 0;
}
