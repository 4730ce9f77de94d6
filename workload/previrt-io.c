/*
 * previrt-io: the I/O test of the workload initramfs.  It moves data
 * through Linux's own device drivers (AHCI disk, e1000 NIC) and says how
 * much, how long (guest CLOCK_MONOTONIC) and whether it was right, one
 * parsable line per device.  /init runs it only when the kernel command
 * line asks for it (ci/io-devices sets these, docs in workload/README.md):
 *
 *   previrt.io.disk=BYTES:FNV      read /dev/sda (BYTES long, a multiple
 *                                  of 512) and compare its digest (64-bit
 *                                  FNV-1a over 64-bit words) with FNV (hex)
 *   previrt.io.net=BYTES@IP:PORT   connect to IP:PORT over eth0 (which
 *                                  /init configured), send the line
 *                                  "previrt-io-send BYTES\n", then BYTES
 *                                  bytes; the sink answers
 *                                  "previrt-io-sink COUNT\n" once it has
 *                                  counted them
 *
 * Lines (ci/io-devices' verdict reads them; the host checks the sink's
 * own count against the guest's "bytes=" separately):
 *
 *   previrt-io: disk ok dev=DEV bytes=N ns=T digest=HEX irqs=I irq=CHIP kbusy=K
 *   previrt-io: net ok bytes=N ns=T sink=COUNT irqs=I irq=CHIP kbusy=K
 *   previrt-io: disk FAILED (...) / previrt-io: net FAILED (...)
 *   previrt-io: done (K checks ok)
 *
 * They go to /dev/kmsg, so the kernel prints each one whole on its console:
 * on Xen, user-space output leaves the polled COM1 model a few bytes at a
 * time and a kernel message may cut into it (docs/xen.md); a kernel line
 * is never cut.  Without /dev/kmsg they go to stdout.
 *
 * irqs is how many interrupts the device raised during the test (its
 * /proc/interrupts line, summed over CPUs), irq how: the line's chip and
 * trigger, blanks as '_' ("PCI-MSI_..._edge", "IO-APIC_..._fasteoi").
 *
 * kbusy is the kernel-side vCPU time of both CPUs over the test
 * (kbusy_ns below), in ns; bench-drivers turns it into ns per MiB.
 *
 * ns is guest time (CLOCK_MONOTONIC); under QEMU -icount shift=0 a guest
 * nanosecond is one guest instruction.  The disk's ns counts only the
 * read() calls, not the digest; the net's ns runs from connect() to the
 * sink's answer, so the bytes are known to have arrived.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static char buf[CHUNK];
static int failures, passes, kmsg = -1;

/* One result line, "previrt-io: " + the text, as a kernel message (level
 * 5, notice) when /dev/kmsg is open, else on stdout. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof line, "%sprevirt-io: ", kmsg >= 0 ? "<5>" : "");
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	if (kmsg < 0 || write(kmsg, line, (size_t)n) != n) {
		fwrite(line, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Kernel-side vCPU time so far, all CPUs: the system, irq and softirq
 * fields of /proc/stat's "cpu" line (USER_HZ ticks) in ns.  The drivers'
 * and the I/O stack's cost, which is what differs between a native, a
 * pre-virtualized and a para-virtualized kernel; user time (the disk
 * test's digest) is the same program everywhere and is left out.  Under
 * Xen it includes Xen's own work for this kernel's exits, which runs in
 * the kernel's vCPU time.  Tick-sampled: a test should last many ticks.
 */
static uint64_t kbusy_ns(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
			   &irq, &softirq) : 0;

	if (f)
		fclose(f);
	if (n != 7 || hz <= 0)
		return 0;
	return (sys + irq + softirq) * (1000000000ull / (unsigned long long)hz);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The value of "KEY=" on the kernel command line, or NULL. */
static char cmdline[4096];
static const char *param(const char *key)
{
	size_t n = strlen(key);

	for (char *p = cmdline; (p = strstr(p, key)) != NULL; p += n)
		if ((p == cmdline || p[-1] == ' ') && p[n] == '=')
			return p + n + 1;
	return NULL;
}

static void fail(const char *dev, const char *what, const char *detail)
{
	say("%s FAILED (%s%s)", dev, what, detail);
	failures++;
}

/*
 * Interrupts of the device whose /proc/interrupts line names NAME ("ahci",
 * "eth0"): the sum over CPUs, and in CHIP the line's chip and trigger
 * ("PCI-MSI ... edge", "IO-APIC ... fasteoi"), so the line says how the
 * device interrupted: through MSI or through its INTx pin and the (v)IOAPIC.
 */
static unsigned long long irq_count(const char *name, char *chip, size_t chipsz)
{
	static char tab[16384];
	unsigned long long sum = 0;
	int fd = open("/proc/interrupts", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, tab, sizeof tab - 1) : -1;

	if (fd >= 0)
		close(fd);
	snprintf(chip, chipsz, "none");
	if (n <= 0)
		return 0;
	tab[n] = 0;
	for (char *l = tab, *e; *l; l = e) {
		e = l + strcspn(l, "\n");
		if (*e)
			*e++ = 0;
		if (!strstr(l, name) || !strchr(l, ':'))
			continue;
		char *p = strchr(l, ':') + 1, *q;

		for (;;) {
			unsigned long long v = strtoull(p, &q, 10);

			if (q == p)
				break;
			sum += v;
			p = q;
		}
		p += strspn(p, " ");
		q = strstr(p, name);
		while (q > p && q[-1] == ' ')
			q--;
		/* the text between the counts and the name, each run of blanks one '_' */
		size_t k = 0;

		for (; p < q && k + 1 < chipsz; p++)
			if (*p != ' ')
				chip[k++] = *p;
			else if (k && chip[k - 1] != '_')
				chip[k++] = '_';
		chip[k] = 0;
		break;
	}
	return sum;
}

/* FNV-1a, 64 bits, over 64-bit little-endian words (one multiply per 8
 * bytes): ci/io-sink computes the same over the image it writes. */
static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h ^= w;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The disks a kernel may name the one disk it was given, with the name of
 * the interrupt handler its driver registers: an AHCI disk (QEMU, the
 * drivers kernel), virtio-blk (the runtime's model in a Xen domU, the domu
 * kernel), Xen's blkfront (Linux's own Xen domU). */
static const struct {
	const char *dev, *irq;
} disks[] = { { "/dev/sda", "ahci" }, { "/dev/vda", "virtio" }, { "/dev/xvda", "blkif" } };

/* The disk the machine has: wait for its device node (the SCSI scan may
 * finish after /init starts), read it whole, compare size and digest. */
static void test_disk(const char *spec)
{
	unsigned long long want_bytes;
	uint64_t want, h = 0xcbf29ce484222325ull, ns = 0, got = 0, kbusy;
	unsigned long long irqs;
	char hex[17], chip[64];
	int fd = -1;
	unsigned d = 0;

	if (sscanf(spec, "%llu:%16[0-9a-fA-F]", &want_bytes, hex) != 2) {
		fail("disk", "want previrt.io.disk=BYTES:FNV, not ", spec);
		return;
	}
	want = strtoull(hex, NULL, 16);
	for (int i = 0; i < 100 && fd < 0; i++) {
		for (d = 0; d < sizeof disks / sizeof disks[0] && (fd = open(disks[d].dev, O_RDONLY)) < 0; d++)
			;
		if (fd < 0)
			sleep_ms(100);
	}
	if (fd < 0) {
		fail("disk", "no /dev/sda, /dev/vda or /dev/xvda: ", strerror(errno));
		return;
	}
	irqs = irq_count(disks[d].irq, chip, sizeof chip);
	kbusy = kbusy_ns();
	for (;;) {
		uint64_t t = now_ns();
		ssize_t r = read(fd, buf, sizeof buf);

		ns += now_ns() - t;
		if (r < 0) {
			fail("disk", "read error: ", strerror(errno));
			close(fd);
			return;
		}
		if (r == 0)
			break;
		h = fnv1a(h, (unsigned char *)buf, (size_t)r);
		got += (uint64_t)r;
	}
	close(fd);
	kbusy = kbusy_ns() - kbusy;
	irqs = irq_count(disks[d].irq, chip, sizeof chip) - irqs;
	if (got != want_bytes || h != want) {
		char what[160];

		snprintf(what, sizeof what, "bytes=%" PRIu64 " digest=%016" PRIx64
			 ", want bytes=%llu digest=%016" PRIx64, got, h, want_bytes, want);
		fail("disk", "pattern mismatch: ", what);
		return;
	}
	say("disk ok dev=%s bytes=%" PRIu64 " ns=%" PRIu64 " digest=%016" PRIx64 " irqs=%llu irq=%s kbusy=%" PRIu64
	    " (%.1f MiB/s guest time)", disks[d].dev, got, ns, h, irqs, chip, kbusy, ns ? got / 1048576.0 / (ns / 1e9) : 0.0);
	passes++;
}

/* The name eth0's interrupt has in /proc/interrupts: "eth0" (e1000), or
 * the name of the device eth0 sits on: virtio-net's handler is its virtio
 * device's ("virtio1"); Xen's netfront names its event channel after the
 * vif ("vif0-q0" for the device "vif-0"). */
static const char *nic_irq_name(void)
{
	static char name[256];
	char link[256], probe[8];
	ssize_t n = readlink("/sys/class/net/eth0/device", link, sizeof link - 1);
	char *w;

	irq_count("eth0", probe, sizeof probe);
	if (strcmp(probe, "none") || n <= 0)          /* a line named eth0 exists */
		return "eth0";
	link[n] = 0;
	snprintf(name, sizeof name, "%s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	irq_count(name, probe, sizeof probe);
	if (strcmp(probe, "none"))
		return name;
	for (w = name; (w = strchr(w, '-'));)         /* "vif-0" -> "vif0" */
		memmove(w, w + 1, strlen(w));
	return name;
}

/* eth0's carrier: e1000 reports link a moment after `ifconfig up`. */
static int carrier(void)
{
	char c = '0';
	int fd = open("/sys/class/net/eth0/carrier", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '0';
		close(fd);
	}
	return c == '1';
}

#define NET_STALL_S 30

/* A send or the answer failed (a stall: after NET_STALL_S seconds): how
 * far it got and how many interrupts eth0 raised meanwhile. */
static void net_stalled(const char *what, const char *why, uint64_t sent,
			unsigned long long irqs0)
{
	char chip[64], detail[200];
	unsigned long long irqs = irq_count(nic_irq_name(), chip, sizeof chip) - irqs0;

	snprintf(detail, sizeof detail, "%s after %" PRIu64 " bytes sent, eth0 %llu interrupts (%s)",
		 why, sent, irqs, chip);
	say("net FAILED (%s: %s)", what, detail);
	failures++;
}

static void test_net(const char *spec)
{
	unsigned long long bytes;
	char ip[64], line[128];
	unsigned port;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint64_t t0, sent = 0, kbusy;
	unsigned long long acked = 0, irqs;
	size_t got = 0;
	char chip[64];
	int s, i;

	if (sscanf(spec, "%llu@%63[0-9.]:%u", &bytes, ip, &port) != 3 ||
	    inet_pton(AF_INET, ip, &sa.sin_addr) != 1 || port == 0 || port > 65535) {
		fail("net", "want previrt.io.net=BYTES@IP:PORT, not ", spec);
		return;
	}
	sa.sin_port = htons((uint16_t)port);
	for (i = 0; i < 100 && !carrier(); i++)
		sleep_ms(100);
	if (!carrier()) {
		fail("net", "eth0 has no carrier after 10 s", "");
		return;
	}
	for (i = 0; i < (int)sizeof buf; i++)
		buf[i] = (char)(i * 7 + 1);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		fail("net", "socket: ", strerror(errno));
		return;
	}
	irqs = irq_count(nic_irq_name(), chip, sizeof chip);
	kbusy = kbusy_ns();
	t0 = now_ns();
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fail("net", "connect: ", strerror(errno));
		close(s);
		return;
	}
	/* a transfer that stops fails with what it got so far, not a timeout
	 * of the whole boot (under -icount ...,sleep=off an idle guest's
	 * clock runs ahead, so these seconds pass quickly) */
	struct timeval tv = { .tv_sec = NET_STALL_S };

	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	i = snprintf(line, sizeof line, "previrt-io-send %llu\n", bytes);
	if (write(s, line, (size_t)i) != i) {
		fail("net", "send header: ", strerror(errno));
		close(s);
		return;
	}
	while (sent < bytes) {
		size_t n = bytes - sent < sizeof buf ? (size_t)(bytes - sent) : sizeof buf;
		ssize_t w = write(s, buf, n);

		if (w <= 0) {
			net_stalled("send", w < 0 ? strerror(errno) : "wrote 0", sent, irqs);
			close(s);
			return;
		}
		sent += (uint64_t)w;
	}
	/* the sink's answer: one line, after it has counted every byte */
	while (got < sizeof line - 1 && !memchr(line, '\n', got)) {
		ssize_t r = read(s, line + got, sizeof line - 1 - got);

		if (r <= 0) {
			net_stalled("no answer from the sink", r < 0 ? strerror(errno) : "closed", sent, irqs);
			close(s);
			return;
		}
		got += (size_t)r;
		line[got] = 0;
	}
	uint64_t ns = now_ns() - t0;

	kbusy = kbusy_ns() - kbusy;
	close(s);
	irqs = irq_count(nic_irq_name(), chip, sizeof chip) - irqs;
	if (sscanf(line, "previrt-io-sink %llu", &acked) != 1 || acked != bytes) {
		line[strcspn(line, "\n")] = 0;
		fail("net", "the sink answered: ", line);
		return;
	}
	say("net ok bytes=%" PRIu64 " ns=%" PRIu64 " sink=%llu irqs=%llu irq=%s kbusy=%" PRIu64
	    " (%.1f MiB/s guest time, to %s:%u)",
	    sent, ns, acked, irqs, chip, kbusy, ns ? sent / 1048576.0 / (ns / 1e9) : 0.0, ip, port);
	passes++;
}

int main(void)
{
	const char *disk, *net;
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof cmdline - 1) : -1;

	kmsg = open("/dev/kmsg", O_WRONLY);
	if (n < 0) {
		say("FAILED (cannot read /proc/cmdline)");
		return 1;
	}
	close(fd);
	cmdline[n] = 0;
	cmdline[strcspn(cmdline, "\n")] = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	disk = param("previrt.io.disk");
	net = param("previrt.io.net");
	say("start (disk %s, net %s)", disk ? "yes" : "no", net ? "yes" : "no");
	if (disk)
		test_disk(disk);
	if (net)
		test_net(net);
	if (failures) {
		say("FAILED (%d of %d checks)", failures, failures + passes);
		return 1;
	}
	say("done (%d checks ok)", passes);
	return 0;
}
