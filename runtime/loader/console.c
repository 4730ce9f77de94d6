/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "loader/console.h"

#define COM1 0x3f8
#define DEBUGCON 0xe9

void con_init(void)
{
	outb(COM1 + 1, 0x00);    /* no interrupts */
	outb(COM1 + 3, 0x80);    /* DLAB */
	outb(COM1 + 0, 0x01);    /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);    /* 8n1 */
	outb(COM1 + 2, 0xc7);    /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);    /* DTR RTS */
}

static void con_putc(char c)
{
	for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
		;
	outb(COM1, (uint8_t)c);
}

/*
 * Another sink than COM1 (Xen's console under PVH, where Xen owns the
 * UART): whole lines go to it, so that one hypercall carries one line.
 */
static void (*sink)(const char *s, size_t n);
static char line[160];
static size_t line_len;

void con_set_sink(void (*write)(const char *s, size_t n))
{
	sink = write;
}

void con_write(const char *s, size_t n)
{
	if (sink) {
		while (n--) {
			line[line_len++] = *s;
			if (*s++ == '\n' || line_len == sizeof line) {
				sink(line, line_len);
				line_len = 0;
			}
		}
		return;
	}
	while (n--) {
		if (*s == '\n')
			con_putc('\r');
		con_putc(*s++);
	}
}

void dbg_write(const char *s, size_t n)
{
	while (n--)
		outb(DEBUGCON, (uint8_t)*s++);
}

static void put_num(unsigned long long v, unsigned base, int width, char fill)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = "0123456789abcdef"[v % base];
	while (v /= base);
	while (width-- > n)
		con_write(&fill, 1);
	while (n)
		con_write(&tmp[--n], 1);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		int width = 0, lng = 0;
		char fill = ' ';

		if (*p != '%') {
			con_write(p, 1);
			continue;
		}
		p++;
		if (*p == '0')
			fill = '0', p++;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		while (*p == 'l')
			lng++, p++;
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			s = s ? s : "(null)";
			while (s[n])
				n++;
			con_write(s, n);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			con_write(&c, 1);
			break;
		}
		case 'd': {
			long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);

			if (v < 0)
				con_write("-", 1), v = -v;
			put_num((unsigned long long)v, 10, width, fill);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 10, width, fill);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16, width, fill);
			break;
		case 'p':
			con_write("0x", 2);
			put_num((uintptr_t)va_arg(ap, void *), 16, width, fill);
			break;
		case '%':
			con_write("%", 1);
			break;
		default:
			con_write("?", 1);
		}
	}
	va_end(ap);
}
