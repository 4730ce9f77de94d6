/* SPDX-License-Identifier: MIT */
/*
 * What the L4 backend's three parts share: the loader (setup_l4 in
 * loader/main.c), the patcher (patch/l4.c, which builds the same port-I/O
 * thunks as the Xen backend) and the handler blob (l4/pio.c with
 * xen/entry.S, copied into the kernel's pool).
 *
 * Memory inside the kernel image, laid out as for Xen (xen/xen-rt.h):
 *
 *   previrt_pool      +0  the L4 handler blob, +blob.. one PV_XEN_THUNK per site
 *   previrt_counters  +0  struct pv_l4_state: the kvm-clock page uvmm keeps
 *                         up to date, the console path's COM1 state, statistics
 *
 * The blob reaches its state through struct pv_l4_slots, which the loader
 * fills inside the blob's copy (kernel-virtual address).
 *
 * What uvmm offers and this uses (uvmm's server/src/ARCH-amd64):
 *  - kvm-clock (kvm_clock.h): MSR 0x4b564d01 = guest-physical address of a
 *    struct pv_pvclock, bit 0 = enable; uvmm fills it at once and on its
 *    ticks;
 *  - vmmcall with RAX = 0 prints the character in RCX on uvmm's console
 *    (guest.cc, Guest::handle_vm_call); any other unknown RAX stops the VM.
 */
#ifndef PREVIRT_RT_L4_RT_H
#define PREVIRT_RT_L4_RT_H

#include <stdint.h>

#include "l4/pit.h"
#include "xen/xen-rt.h"

#define PV_MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u

/* KVM's pvclock_vcpu_time_info, as uvmm's Vcpu_time_info (32 bytes). */
struct pv_pvclock {
	uint32_t version;               /* odd while uvmm updates it */
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;           /* ns at tsc_timestamp */
	uint32_t tsc_to_system_mul;     /* ns = ((tsc delta << shift) * mul) >> 32 */
	int8_t   tsc_shift;
	uint8_t  flags;
	uint8_t  pad[2];
};
_Static_assert(sizeof(struct pv_pvclock) == 32, "pvclock_vcpu_time_info is 32 bytes");

/* Nanoseconds at TSC value tsc, from one consistent copy of the parameters. */
static inline uint64_t pv_pvclock_ns(const struct pv_pvclock *p, uint64_t tsc)
{
	uint64_t d = tsc - p->tsc_timestamp;

	if (p->tsc_shift < 0)
		d >>= -p->tsc_shift;
	else
		d <<= p->tsc_shift;
	return p->system_time + (uint64_t)(((unsigned __int128)d * p->tsc_to_system_mul) >> 32);
}

/*
 * The TSC frequency in kHz the parameters stand for:
 * 1 TSC tick = mul * 2^shift / 2^32 ns, so f = 10^6 * 2^(32-shift) / mul kHz.
 * 0 when mul is 0 or the shift is out of range (-11..31: the numerator
 * stays within 64 bits; a shift below -11 would mean a TSC under 1 MHz).
 */
static inline uint32_t pv_pvclock_tsc_khz(uint32_t mul, int8_t shift)
{
	uint64_t q;

	if (!mul || shift > 31 || shift < -11)
		return 0;
	q = (1000000ull << (32 - shift)) / mul;
	return q > 0xffffffffu ? 0 : (uint32_t)q;
}

/*
 * ACPI PM timer ticks (3.579545 MHz) at ns nanoseconds:
 * ns * 3579545 / 10^9, as ns * round(3579545 * 2^40 / 10^9) >> 40 (no division
 * in the blob); the constant's rounding is a rate error below 2e-10.
 */
#define PV_PM_PER_NS_2_40 3935751350ull     /* round(3579545 * 2^40 / 10^9) */
static inline uint64_t pv_pm_ticks(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * PV_PM_PER_NS_2_40) >> 40);
}

/*
 * COM1 on uvmm: the kernel's console (printk) writes with IER = 0, polling
 * LSR before each character; the tty path writes THR from the interrupt
 * handler with IER.THRI set.  uvmm's 8250 raises its interrupt again only
 * after a THR write or RBR read reached it, so THR writes cannot be taken
 * away from it while the driver waits for interrupts.  So only while the
 * driver's IER is 0 does the blob answer: LSR reads (THRE|TEMT: uvmm's 8250
 * transmits at once) and THR writes (collected to a line, sent by vmmcall
 * print).  IER and LCR writes are watched and passed on; everything else,
 * and everything while IER != 0, is the real device's, but for one
 * register: the modem status (MSR, offset 6, no DLAB alias).  uvmm's 8250
 * has no modem lines: its MSR read returns a constant and changes nothing
 * (device/uart_8250.cc, "Ignore modem status"), and the 8250 driver reads
 * it on every pass of its interrupt handler, once per character the tty
 * path sends.  The loader reads it twice at load;
 * when both reads agree and show no change bit (delta bits 0-3), the blob
 * answers MSR reads with that value on either path, without an exit.
 */
#define PV_L4_LINE 120
#define PV_COM1_MSR_DELTAS 0x0f         /* DCTS, DDSR, TERI, DDCD: set only when a line changed */
struct pv_l4_com1 {
	uint8_t  ier, lcr;              /* as the driver last wrote them */
	uint16_t len;
	char     line[PV_L4_LINE];
	uint8_t  msr;                   /* the modem status uvmm's 8250 answers, read at load */
	uint8_t  msr_const;             /* 1: answer MSR reads with msr (the loader checked it) */
};

/*
 * The loader's check of two MSR reads at load: 1 when uvmm's answer can be
 * taken as its constant (both reads equal, no change bit set).
 */
static inline int pv_l4_msr_constant(uint8_t first, uint8_t second)
{
	return first == second && !(first & PV_COM1_MSR_DELTAS);
}

struct pv_l4_state {
	uint32_t          magic;        /* PV_L4_STATE_MAGIC: the loader set it up */
	uint32_t          pad;
	struct pv_pvclock clock;        /* registered with uvmm (MSR 0x4b564d01) */
	struct pv_l4_com1 com1;         /* the console path: output by vmmcall print */
	struct pv_pit2    pit2;         /* PIT channel 2 and port 0x61 (l4/pit.h) */
	struct pv_xen_acpi acpi;        /* only pm_tmr (and its width) is used */
	uint64_t          pio_emulated; /* thunk calls the blob answered itself */
	uint64_t          pio_passed;   /* thunk calls that ran the real instruction (an exit) */
	uint64_t          chars;        /* characters printed by vmmcall */
};
#define PV_L4_STATE_MAGIC 0x56344c56u   /* "VL4V" */
_Static_assert(__builtin_offsetof(struct pv_l4_state, clock) % 32 == 8,
	       "the pvclock page is 8-aligned (uvmm wants 4)");

/* Filled by the loader in the blob's copy (kernel-virtual addresses). */
struct pv_l4_slots {
	uint64_t state;                 /* struct pv_l4_state * */
	uint64_t unused;
};

/* uvmm's vmmcall: RAX = 0 prints the character in RCX. */
static inline void pv_l4_print_char(char c)
{
	__asm__ volatile("vmmcall" : : "a"(0ul), "c"((unsigned long)(unsigned char)c) : "memory");
}

#endif
