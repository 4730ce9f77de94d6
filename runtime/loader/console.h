/* SPDX-License-Identifier: MIT */
/* The loader's console: COM1 (0x3f8) 16550, 115200 8n1, polled; plus a tiny printf. */
#ifndef PREVIRT_LOADER_CONSOLE_H
#define PREVIRT_LOADER_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void con_init(void);
void con_write(const char *s, size_t n);
/* Send whole lines to write() instead of COM1 from now on. */
void con_set_sink(void (*write)(const char *s, size_t n));
/* %s %c %d %u %x %lu %lx %llu %llx %p %%, optional width and 0-fill for numbers */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* QEMU's debug console port (-debugcon): a second output channel for bulk data. */
void dbg_write(const char *s, size_t n);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
