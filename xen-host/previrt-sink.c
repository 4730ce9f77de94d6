/* SPDX-License-Identifier: MIT */
/*
 * The byte-count sink in the Xen host's dom0 (xen-host/init.sh), for the
 * guest's network test: the same protocol as `ci/io-sink serve`, which
 * the other IO=1 boots run on the build host (dom0 has no Python).
 *
 *   previrt-sink PORT COUNTFILE
 *
 * Listens on PORT (every address of dom0: its only network is the guest's
 * vif), takes one connection.  The guest (workload/previrt-io.c) sends
 * "previrt-io-send N\n", then its bytes; every byte after that line is
 * counted, and once N are in the sink answers "previrt-io-sink COUNT\n".
 * It keeps counting until the guest closes the connection, then writes
 * the final count (what arrived, not what the guest claims) to COUNTFILE.
 * A header that is not one (no newline in 64 bytes, another first word)
 * makes every byte count and no answer come.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "previrt-sink: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	char header[65], *end;
	size_t hlen = 0;
	long long claimed = -2, count = 0;      /* -2: header not complete yet, -1: no header */
	int ls, c, one = 1, answered = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long port;
	FILE *f;

	if (argc != 3 || !(port = strtoul(argv[1], &end, 10)) || *end || port > 65535) {
		fprintf(stderr, "usage: previrt-sink PORT COUNTFILE\n");
		return 2;
	}
	sa.sin_port = htons((unsigned short)port);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0)
		die("bind/listen");
	if ((c = accept(ls, NULL, NULL)) < 0)
		die("accept");
	close(ls);
	for (;;) {
		ssize_t n = read(c, buf, sizeof buf);
		char *p = buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (claimed == -2) {
			ssize_t i = 0;

			while (i < n && hlen < sizeof header - 1 && buf[i] != '\n')
				header[hlen++] = buf[i++];
			if (i == n && hlen < sizeof header - 1)
				continue;                       /* the header goes on */
			header[hlen] = 0;
			if (i < n && buf[i] == '\n' && !strncmp(header, "previrt-io-send ", 16)) {
				claimed = strtoll(header + 16, &end, 10);
				if (*end || claimed < 0)
					claimed = -1;
				p += i + 1, n -= i + 1;
			} else {
				claimed = -1;                   /* not the guest's header: count it all */
				count = (long long)hlen;
				p += i, n -= i;
			}
		}
		count += n;
		if (!answered && claimed >= 0 && count >= claimed) {
			int len = snprintf(header, sizeof header, "previrt-io-sink %lld\n", count);

			answered = 1;
			if (write(c, header, (size_t)len) < 0)
				perror("previrt-sink: answer");
		}
	}
	close(c);
	if (!(f = fopen(argv[2], "w")) || fprintf(f, "%lld\n", count) < 0 || fclose(f))
		die(argv[2]);
	return 0;
}
