/* SPDX-License-Identifier: MIT */
/*
 * What the Xen backend's three parts share: the loader (which sets things
 * up), the patcher backend (patch/xen.c, which writes per-site thunks) and
 * the handler blob (xen/pio.c, xen/uart16550.c, xen/entry.S: code that runs
 * inside the kernel, copied into its handler pool).
 *
 * Memory inside the kernel image, all found through vmlinux symbols:
 *
 *   previrt_pool (kernel .text, read-only once the kernel runs)
 *     +0        the handler blob: position-independent code, copied from
 *               the loader's .xenblob section (no data of its own); it
 *               calls Xen with vmcall/vmmcall itself (xen/hypercall.h),
 *               so no hypercall page is placed
 *     +blob..   one PV_XEN_THUNK-byte thunk per patched site
 *   previrt_counters (kernel .data, writable for the kernel's whole life)
 *     +0        struct pv_xen_state (device models, statistics)
 *
 * The blob reaches its state through struct pv_xen_slots, which the
 * loader fills inside the blob's copy before the kernel starts: the
 * state's kernel-virtual address and which hypercall instruction the CPU
 * takes.
 */
#ifndef PREVIRT_RT_XEN_RT_H
#define PREVIRT_RT_XEN_RT_H

#include <stdint.h>

#include "xen/consring.h"
#include "xen/pic8259.h"
#include "xen/uart16550.h"

#define PV_XEN_THUNK          32        /* bytes per port-I/O thunk */

/*
 * A port-I/O site as the thunk describes it to the blob: pushed as a
 * sign-extended imm32, so it fits in 31 bits.
 */
#define PV_PIO_PORT_MASK  0xffffu       /* the port, when PV_PIO_IMM */
#define PV_PIO_IMM        (1u << 16)    /* port is an immediate (else %dx) */
#define PV_PIO_OUT        (1u << 17)    /* out (else in) */
#define PV_PIO_WSHIFT     18            /* bits 18-19: log2 of the width (1, 2, 4 bytes) */
#define PV_PIO_LSHIFT     20            /* bits 20-23: length of the original instruction */

/* The registers pv_xen_pio_entry saves, lowest address first (xen/entry.S). */
struct pv_pio_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t rflags;
	uint64_t ret;                   /* into the thunk, just after its call */
	uint64_t desc;                  /* PV_PIO_* */
};

/* What a thunk's frame asks for: the port, the width in bytes, out or in. */
static inline unsigned pv_pio_port(const struct pv_pio_frame *f)
{
	unsigned d = (unsigned)f->desc;

	return (d & PV_PIO_IMM) ? (d & PV_PIO_PORT_MASK) : (unsigned)(f->rdx & 0xffff);
}

static inline unsigned pv_pio_width(const struct pv_pio_frame *f)
{
	return 1u << (((unsigned)f->desc >> PV_PIO_WSHIFT) & 3);
}

/* The result of an in: al/ax merge into rax, eax zero-extends. */
static inline void pv_pio_set_in(struct pv_pio_frame *f, unsigned width, uint32_t v)
{
	if (width == 4)
		f->rax = v;
	else if (width == 2)
		f->rax = (f->rax & ~(uint64_t)0xffff) | (v & 0xffff);
	else
		f->rax = (f->rax & ~(uint64_t)0xff) | (v & 0xff);
}

/* "name N" into b, N in decimal; returns the new end (the blobs' statistics lines). */
static inline char *pv_put_stat(char *b, const char *name, uint64_t v)
{
	char d[20];
	int n = 0;

	while (*name)
		*b++ = *name++;
	do
		d[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*b++ = d[--n];
	return b;
}

/*
 * ACPI ports from the FADT that the blob emulates (0 = none):
 *  - PM1a/PM1b control and the reset register end the domain
 *    (XENPF_enter_acpi_sleep, SCHEDOP_shutdown) instead of reaching the
 *    hardware under Xen's feet;
 *  - the PM timer, which Xen denies to dom0, is computed from the TSC:
 *    the kernel calibrates its TSC against it.
 */
struct pv_xen_acpi {
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t reset_port;
	uint8_t  reset_value;
	uint8_t  pm_tmr_32bit;          /* FADT TMR_VAL_EXT: 32-bit counter, else 24 */
	uint16_t pm_tmr;
	uint8_t  pit2;                  /* L4: the blob models PIT channel 2 and port 0x61 (l4/pit.h) */
	uint8_t  pic;                   /* Xen domU: the blob models the 8259 pair (xen/pic8259.h) */
};
#define PV_PM_TIMER_HZ 3579545u
/* a domU's PM timer port: where Xen's HVM layout puts it (ACPI_PM_TMR_BLK_ADDRESS_V1) */
#define PV_DOMU_PM_TMR 0xb008

struct pv_xen_state {
	uint32_t          magic;        /* PV_XEN_STATE_MAGIC: the loader set it up */
	struct pv_uart    com1;         /* 16550 model behind ports 0x3f8-0x3ff */
	struct pv_xen_acpi acpi;
	uint64_t          pm_per_tsc;   /* PM timer ticks per TSC tick, 32.32 fixed point */
	uint64_t          pio_emulated; /* thunk calls the blob answered itself */
	uint64_t          pio_passed;   /* thunk calls that ran the real instruction */
	uint32_t          lock;         /* the models' lock: every vCPU shares them (xen/pio.c) */
	uint32_t          lock_timeouts; /* waits that gave up (an NMI on the holder's CPU) */
	/*
	 * A domU (no SIF_INITDOMAIN in the start info) may not write Xen's
	 * console: COM1's lines go to its console ring instead, which the
	 * loader moved into the counters area so that the kernel's own page
	 * tables map it (cons.intf: kernel-virtual; loader/main.c).
	 */
	uint8_t           domu;
	uint8_t           cons_stalled; /* xen/consout.h */
	struct pv_consring cons;
	struct pv_pic     pic;          /* a domU's 8259 pair, when acpi.pic */
	/*
	 * A domU's COM1 interrupt (xen/pio.c): IRQ 4's level, mirrored into
	 * vCPU 0's evtchn_upcall_pending in the shared_info page (mapped by
	 * the loader into the counters area; kernel-virtual, 0: none), which
	 * Xen turns into the callback vector = the vector the kernel gave
	 * IRQ 4 through the 8259's ICW2.
	 */
	uint64_t          shinfo;
	uint8_t           callback_vector; /* the vector registered with Xen, 0: none yet */
	uint8_t           com1_level;
	uint64_t          com1_irqs;    /* rising edges of IRQ 4 */
	uint64_t          com1_rx;      /* console input bytes moved from the ring into the UART */
	/*
	 * A domU's disk and NIC (xen/domu-devs.h): the loader's hand-over in
	 * the runtime area (physical, 0: none), reached through the kernel's
	 * direct map: its base is *dmap_var (the kernel's page_offset_base,
	 * kernel-virtual, when the kernel has that variable) or dmap_const.
	 */
	uint64_t          devs_pa;
	uint64_t          dmap_var;
	uint64_t          dmap_const;
	uint8_t           devs_active;  /* the blob set the devices up (a driver touched a window) */
};
#define PV_COM1_IRQ 4
#define PV_XEN_STATE_MAGIC 0x4e455856u  /* "VXEN" */

/* Filled by the loader in the blob's copy (kernel-virtual addresses). */
struct pv_xen_slots {
	uint64_t state;                 /* struct pv_xen_state * */
	uint64_t vmmcall;               /* 1: AMD/Hygon (vmmcall), 0: Intel (vmcall) */
};

/*
 * Ports the blob emulates; every other port runs the real instruction.
 * The patcher asks the same question for an immediate port: a site whose
 * port is never emulated stays native and costs nothing.
 */
#define PV_COM1_BASE   0x3f8
#define PV_PORT_KBC    0x64            /* i8042 command: 0xfe pulses reset */
#define PV_PORT_CF9    0xcf9           /* PCI reset control: bit 2 resets */
static inline int pv_xen_port_emulated(const struct pv_xen_acpi *pw, unsigned port)
{
	return (port >= PV_COM1_BASE && port < PV_COM1_BASE + 8) ||
	       port == PV_PORT_KBC || port == PV_PORT_CF9 ||
	       (pw->pm1a_cnt && port == pw->pm1a_cnt) || (pw->pm1b_cnt && port == pw->pm1b_cnt) ||
	       (pw->reset_port && port == pw->reset_port) || (pw->pm_tmr && port == pw->pm_tmr) ||
	       (pw->pit2 && (port == 0x42 || port == 0x43 || port == 0x61)) ||
	       (pw->pic && pv_pic_port(port));
}

/*
 * An out that ends the machine: PV_POWER_OFF for ACPI PM1 control with
 * SLP_EN (the kernel has no sleep state but S5), PV_POWER_RESET for the
 * FADT reset register, 0xcf9 bit 2 or the i8042's 0xfe; else 0.
 */
enum { PV_POWER_OFF = 1, PV_POWER_RESET = 2 };
static inline int pv_power_request(const struct pv_xen_acpi *pw, unsigned port, unsigned width, uint32_t val)
{
	if ((port == pw->pm1a_cnt || port == pw->pm1b_cnt) && width >= 2 && (val & (1u << 13)))
		return PV_POWER_OFF;
	if ((port == pw->reset_port && (uint8_t)val == pw->reset_value) ||
	    (port == PV_PORT_CF9 && (val & 4)) || (port == PV_PORT_KBC && (uint8_t)val == 0xfe))
		return PV_POWER_RESET;
	return 0;
}

#endif
