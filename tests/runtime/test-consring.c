/* SPDX-License-Identifier: MIT */
/*
 * A Xen domU's console ring as the runtime produces it (runtime/xen/
 * consring.c), with the host test playing xenconsoled: the 16550 model
 * driven as Linux's 8250 console drives it (test-uart.c has the full
 * driver sequences), its lines put into a struct xencons_interface, and
 * the consumer side read back.  Then what a broken or hostile backend can
 * do to the shared page: impossible out_cons values, a scribbled
 * out_prod, a ring that never drains.  The page sits between two guard
 * areas: no write may land outside out[].  Last, input: bytes xenconsoled
 * put into in[] reach the 8250 through the model's RBR, and an impossible
 * in_prod is refused.
 */
#include <string.h>

#include "check.h"
#include "xen/consring.h"
#include "xen/uart16550.h"

#define GUARD 4096
static struct {
	unsigned char before[GUARD];
	struct xencons_interface page;
	unsigned char after[GUARD];
} mem;
static struct pv_consring ring;
static struct pv_uart u;

static int guards_intact(void)
{
	for (unsigned i = 0; i < GUARD; i++)
		if (mem.before[i] != 0xa5 || mem.after[i] != 0x5a)
			return 0;
	for (unsigned i = 0; i < sizeof mem.page.in; i++)
		if (mem.page.in[i] != 'I')
			return 0;
	return 1;
}

static void reset_page(uint32_t start)
{
	memset(mem.before, 0xa5, GUARD);
	memset(mem.after, 0x5a, GUARD);
	memset(mem.page.in, 'I', sizeof mem.page.in);
	memset(mem.page.out, 0, sizeof mem.page.out);
	mem.page.in_cons = mem.page.in_prod = 0;
	mem.page.out_cons = mem.page.out_prod = start;
	pv_consring_init(&ring, &mem.page, 7);
}

/* What xenconsoled would read: out[cons..prod), consuming it. */
static size_t consume(char *buf, size_t max)
{
	size_t n = 0;

	while (mem.page.out_cons != mem.page.out_prod && n < max) {
		buf[n++] = mem.page.out[MASK_XENCONS_IDX(mem.page.out_cons, mem.page.out)];
		mem.page.out_cons++;
	}
	return n;
}

/* The 8250 console's way of writing a line: poll LSR, write THR, the model's lines into the ring. */
static void console_line(const char *s)
{
	for (; *s; s++) {
		while (!(pv_uart_read(&u, UART_LSR) & PV_UART_LSR_THRE))
			;
		if (pv_uart_write(&u, UART_RBR_THR, (uint8_t)*s)) {
			pv_consring_put(&ring, u.line, u.len);
			u.len = 0;
		}
	}
}

int main(void)
{
	static const char want[] = "Linux version 6.1.0 (previrt)\nRun /init as init process\n";
	char got[4096];
	size_t n;
	int k;

	/* 8250 console lines through the model into the ring, read back as xenconsoled reads them */
	reset_page(0);
	pv_uart_reset(&u);
	pv_uart_write(&u, UART_LCR, 0x03);
	console_line("Linux version 6.1.0 (previrt)\r\n");
	console_line("Run /init as init process\r\n");
	n = consume(got, sizeof got);
	check(n == strlen(want) && !memcmp(got, want, n),
	      "two 8250 console lines arrive in out[] whole, in order, without \\r (%zu bytes)", n);
	check(mem.page.out_prod == n && ring.prod == n, "out_prod published: %u", mem.page.out_prod);
	check(guards_intact(), "nothing written outside out[] (in[] and both guards intact)");

	/* the indices are free-running 32-bit counters: wrap at 2^32 and at the ring's end */
	reset_page(0xfffffff0u);
	memset(got, 'w', 100);
	k = pv_consring_put(&ring, got, 100);
	n = consume(got + 200, 1000);
	check(k == 100 && n == 100 && mem.page.out_prod == 84 && !memcmp(got + 200, got, 100),
	      "100 bytes across the 2^32 wrap: put %d, read %zu, out_prod %u", k, n, mem.page.out_prod);
	check(mem.page.out[2047] == 'w' && mem.page.out[0] == 'w' && mem.page.out[83] == 'w',
	      "the bytes landed at out[2032..2047] and out[0..83]");

	/* a backend that does not drain: the ring takes exactly its size, then nothing */
	reset_page(100);
	memset(got, 'f', sizeof got);
	k = pv_consring_put(&ring, got, 3000);
	check(k == 2048, "a full ring takes %d of 3000 bytes (its size is 2048)", k);
	k = pv_consring_put(&ring, "more", 4);
	check(k == 0, "then nothing more (put %d) until the backend consumes", k);
	mem.page.out_cons += 10;
	k = pv_consring_put(&ring, got, 3000);
	check(k == 10, "after the backend consumed 10 bytes, 10 more fit (put %d)", k);
	check(guards_intact(), "still nothing outside out[]");

	/* malformed out_cons from the backend: ahead of our producer, or far behind it */
	reset_page(500);
	pv_consring_put(&ring, "abc", 3);
	mem.page.out_cons = 600;                 /* consumed bytes we never produced */
	memset(mem.page.out, 0, sizeof mem.page.out);
	k = pv_consring_put(&ring, "evil", 4);
	check(k == PV_CONSRING_MALFORMED && ring.malformed == 1 && ring.prod == 503,
	      "out_cons ahead of out_prod: refused (%d), nothing produced, counted", k);
	mem.page.out_cons = 503 - 2049;          /* more in flight than the ring holds */
	k = pv_consring_put(&ring, "evil", 4);
	check(k == PV_CONSRING_MALFORMED && ring.malformed == 2, "out_cons 2049 behind: refused (%d)", k);
	n = 0;
	for (unsigned i = 0; i < sizeof mem.page.out; i++)
		n += mem.page.out[i] != 0;
	check(n == 0 && guards_intact(), "a refused call wrote no byte anywhere (%zu in out[])", n);

	/* out_prod is ours: a backend that scribbles on it does not move where we write */
	reset_page(0);
	pv_consring_put(&ring, "12345", 5);
	mem.page.out_prod = 0x7fffffffu;
	mem.page.out_cons = 5;
	k = pv_consring_put(&ring, "678", 3);
	check(k == 3 && mem.page.out_prod == 8 && !memcmp(mem.page.out + 5, "678", 3),
	      "a scribbled out_prod is ignored and rewritten: bytes at out[5..7], out_prod %u", mem.page.out_prod);

	/* input: xenconsoled puts bytes into in[]; the UART model takes them one at a time */
	reset_page(0);
	memcpy(mem.page.in, "ls\n", 3);
	mem.page.in_prod = 3;
	pv_uart_reset(&u);
	pv_uart_write(&u, UART_IER_DLM, PV_UART_IER_RDI);
	n = 0;
	while (pv_consring_has_input(&ring)) {
		uint8_t c;

		if (pv_consring_get(&ring, &c) != 1)
			break;
		pv_uart_rx(&u, c);
		check(pv_uart_irq(&u) && (pv_uart_read(&u, UART_IIR_FCR) & 0x0f) == PV_UART_IIR_RDI &&
		      (pv_uart_read(&u, UART_LSR) & PV_UART_LSR_DR),
		      "input byte %zu: RX interrupt (IIR 0x04) and LSR.DR", n);
		got[n++] = (char)pv_uart_read(&u, UART_RBR_THR);
	}
	check(n == 3 && !memcmp(got, "ls\n", 3) && mem.page.in_cons == 3 && !pv_uart_irq(&u) &&
	      !(pv_uart_read(&u, UART_LSR) & PV_UART_LSR_DR),
	      "the 8250 reads \"ls\\n\" from RBR, in_cons published as 3, then no interrupt, no DR");
	mem.page.in_prod = 3 + 1025;       /* more input than in[] can hold: malformed */
	{
		uint8_t c = 0;

		k = pv_consring_get(&ring, &c);
		check(k == PV_CONSRING_MALFORMED && !pv_consring_has_input(&ring) && mem.page.in_cons == 3,
		      "in_prod 1025 ahead of our consumer: refused (%d), nothing consumed", k);
	}

	/* no page at all (the runtime had none): nothing happens */
	pv_consring_init(&ring, 0, 0);
	check(pv_consring_put(&ring, "x", 1) == 0, "no ring: output is dropped, no access");
	return check_summary();
}
