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
 *     +blob..   the thunks: PV_XEN_THUNK bytes per port-I/O site,
 *               PV_XEN_MMIO_SLOTS * PV_XEN_THUNK per MMIO site
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

#define PV_CONS_OVER          4096      /* console bytes held while the ring is full (pv_xen_state) */
#define PV_XEN_THUNK          32        /* bytes per port-I/O thunk: the pool's slot */
/*
 * An MMIO thunk (patch/xen.c) holds a mov of up to 15 bytes where a
 * port-I/O thunk holds an in/out of up to 3: it takes two slots.  Counting
 * in 32-byte slots keeps every "used * PV_XEN_THUNK" the pool's used bytes,
 * and a pool without MMIO thunks byte for byte as before.
 */
#define PV_XEN_MMIO_SLOTS     2

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

/*
 * An MMIO site as its thunk describes it to the blob (xen/mmio.c): a plain
 * mov between memory and a register or an immediate, described at plan
 * time (patch/xen.c) so that the blob never decodes.  Pushed as a
 * sign-extended imm32, so it fits in 31 bits (it uses 28).  The
 * displacement and the immediate are read from the copy of the original
 * instruction that follows the call in the thunk (f->ret): the immediate
 * is its last min(width, 4) bytes (sign-extended for a 64-bit store), the
 * displacement the PV_MMIO_DISP_* bytes before it.
 */
#define PV_MMIO_REG_SHIFT   0           /* bits 0-3: the register operand's number (rax 0 .. r15 15) */
#define PV_MMIO_HIGH8       (1u << 4)   /* the register is ah/ch/dh/bh: bits 8-15 of register 0-3 */
#define PV_MMIO_BASE_SHIFT  5           /* bits 5-8: the base register */
#define PV_MMIO_HAS_BASE    (1u << 9)
#define PV_MMIO_INDEX_SHIFT 10          /* bits 10-13: the index register */
#define PV_MMIO_HAS_INDEX   (1u << 14)
#define PV_MMIO_SCALE_SHIFT 15          /* bits 15-16: log2 of the index's scale */
#define PV_MMIO_WSHIFT      17          /* bits 17-18: log2 of the width (1, 2, 4, 8 bytes) */
#define PV_MMIO_LSHIFT      20          /* bits 20-23: length of the original instruction (as PV_PIO_LSHIFT) */
#define PV_MMIO_OP_SHIFT    24          /* bits 24-25: enum pv_mmio_op */
#define PV_MMIO_DISP_SHIFT  26          /* bits 26-27: enum pv_mmio_disp */
enum pv_mmio_op   { PV_MMIO_LOAD = 0, PV_MMIO_STORE_REG = 1, PV_MMIO_STORE_IMM = 2 };
enum pv_mmio_disp { PV_MMIO_DISP_0 = 0, PV_MMIO_DISP_8 = 1, PV_MMIO_DISP_32 = 2, PV_MMIO_DISP_64 = 3 };

static inline unsigned pv_mmio_field(uint32_t d, unsigned shift, unsigned bits)
{
	return (d >> shift) & ((1u << bits) - 1);
}

static inline unsigned pv_mmio_width(uint32_t d)
{
	return 1u << pv_mmio_field(d, PV_MMIO_WSHIFT, 2);
}

/* the bytes of an immediate: min(width, 4), none for a register operand */
static inline unsigned pv_mmio_imm_bytes(uint32_t d)
{
	unsigned w = pv_mmio_width(d);

	return pv_mmio_field(d, PV_MMIO_OP_SHIFT, 2) == PV_MMIO_STORE_IMM ? (w > 4 ? 4 : w) : 0;
}

/* little-endian, n bytes at p, sign-extended to 64 bits */
static inline int64_t pv_mmio_sext(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	if (!n)
		return 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return n >= 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * n)) >> (64 - 8 * n);
}

/* The displacement of the instruction `insn` (its copy) that desc d describes. */
static inline int64_t pv_mmio_disp(const uint8_t *insn, uint32_t d)
{
	static const uint8_t size[4] = { 0, 1, 4, 8 };
	unsigned n = size[pv_mmio_field(d, PV_MMIO_DISP_SHIFT, 2)];
	unsigned end = pv_mmio_field(d, PV_MMIO_LSHIFT, 4) - pv_mmio_imm_bytes(d);

	return n ? pv_mmio_sext(insn + end - n, n) : 0;
}

/* The immediate a PV_MMIO_STORE_IMM stores, as the CPU writes it (width bytes of it count). */
static inline uint64_t pv_mmio_imm(const uint8_t *insn, uint32_t d)
{
	unsigned n = pv_mmio_imm_bytes(d);

	return (uint64_t)pv_mmio_sext(insn + pv_mmio_field(d, PV_MMIO_LSHIFT, 4) - n, n);
}

/*
 * The registers pv_xen_mmio_entry saves (xen/entry.S), indexed by register
 * number so that any operand can be read and any destination written:
 * r[4] is the %rsp of the site (informational: sites using %rsp stay
 * native, and nothing is restored from it).
 */
enum { PV_REG_RAX = 0, PV_REG_RSP = 4 };
struct pv_mmio_frame {
	uint64_t r[16];
	uint64_t rflags;
	uint64_t ret;                   /* into the thunk: the copy of the original instruction */
	uint64_t desc;                  /* PV_MMIO_* */
};

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
	/*
	 * A Xen domU's ACPI event hardware (xen/power-button.c), which Xen does
	 * not emulate for PVH: PM1a status/enable (4 ports from pm1a_evt) with
	 * the fixed power button, a GPE0 block with nothing ever pending, and
	 * the SCI on 8259 line `sci`.  0: not modelled (dom0, or no FADT block).
	 */
	uint16_t pm1a_evt;
	uint16_t gpe0;
	uint8_t  gpe0_len;
	uint8_t  sci;
};
#define PV_PM_TIMER_HZ 3579545u
/* a domU's PM timer port: where Xen's HVM layout puts it (ACPI_PM_TMR_BLK_ADDRESS_V1) */
#define PV_DOMU_PM_TMR 0xb008

#define PV_MMIO_WINDOWS 8

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
	 * A domU's interrupts (xen/domu-irq.c): the 8259 lines the models
	 * raise (COM1's IRQ 4, the virtio devices' line) go to the kernel as
	 * vCPU 0's evtchn_upcall_pending in the shared_info page (mapped by
	 * the loader into the counters area; kernel-virtual, 0: none), which
	 * Xen turns into the callback vector: the vector the kernel gave the
	 * line through the 8259's ICW2.
	 */
	uint64_t          shinfo;
	uint8_t           callback_vector; /* the vector registered with Xen, 0: none yet */
	uint8_t           upcall;       /* the blob raised evtchn_upcall_pending for a line */
	/*
	 * The exit rule (xen/domu-dev.h: an unpatched QEMU's nested SVM
	 * delivers an injected vector again at the guest's next exit; off
	 * unless the loader was given previrt.exit_rule=on).  entry_if: the
	 * site's RFLAGS.IF at this entry; armed: an injection may have
	 * happened since the last exit the blob knows of; notify_deferred:
	 * event channels (ports < 64) to notify at the next entry that may exit.
	 */
	uint8_t           entry_if;
	uint8_t           armed;
	uint8_t           exit_rule;    /* the rule applies (previrt.exit_rule=on: an unpatched QEMU's nested SVM) */
	uint8_t           kick;         /* rule off: a line went up at this entry; Xen is made to look once the lock is free */
	uint32_t          doorbell;     /* an IPI event channel bound to vCPU 0 (0: none): the kick from any vCPU */
	/*
	 * Console output that came while armed with IF off and found the ring
	 * full (xenconsoled not told yet): kept here in order, sent at the
	 * next entry that may exit; while it is half full, COM1's THRE
	 * interrupt is held back, so the 8250 driver waits instead of
	 * writing into nothing.
	 */
	uint16_t          cons_over_len;
	char              cons_over[PV_CONS_OVER];
	uint64_t          notify_deferred;
	uint64_t          exits_consumed; /* exits made on purpose to disarm */
	uint64_t          exits_deferred; /* notifications and kicks held back by that rule */
	uint64_t          com1_irqs;    /* rising edges of IRQ 4 */
	uint64_t          com1_rx;      /* console input bytes moved from the ring into the UART */
	/* A domU's PM1a status and enable registers (acpi.pm1a_evt; xen/power-button.c). */
	uint16_t          pm1_sts, pm1_en;
	uint64_t          power_presses; /* power button presses (xl shutdown) */
	/*
	 * MMIO to device models inside the kernel (xen/mmio.c; the patcher
	 * builds MMIO thunks only when struct pv_xen's mmio_entry is set).
	 * An access whose guest-physical range lies entirely inside window i
	 * goes to pv_xen_model_read/write(st, i, offset, ...); every other one
	 * runs the original instruction.  Filled by the loader, read-only after.
	 * The page tables are walked through the kernel's direct map
	 * (pv_xen_direct_map).
	 */
	uint32_t          nmmio_win;    /* windows in use, at most PV_MMIO_WINDOWS */
	struct pv_mmio_win {
		uint64_t base;          /* guest-physical */
		uint32_t size;          /* bytes */
		uint8_t  model;         /* which model: the integrator's numbering */
	} mmio_win[PV_MMIO_WINDOWS];
	uint64_t          mmio_emulated; /* MMIO thunk calls a model answered */
	uint64_t          mmio_passed;   /* MMIO thunk calls that ran the real instruction */
	/*
	 * The kernel's direct map (the kernel-virtual address of guest-physical
	 * 0): *dmap_var when the kernel has Linux's page_offset_base variable
	 * (kernel-virtual address of it; the kernel sets it at boot, after the
	 * loader: KASLR, 5-level paging), else dmap_const (__PAGE_OFFSET).
	 */
	uint64_t          dmap_var;
	uint64_t          dmap_const;
	/*
	 * A domU's disk and NIC (xen/domu-devs.h, xen/domu-dev.h): the
	 * loader's hand-over in the runtime area (physical, 0: none).
	 */
	uint64_t          devs_pa;
	uint8_t           devs_active;  /* the blob set the devices up (a driver touched a window) */
};
#define PV_COM1_IRQ 4

/* The kernel-virtual address of guest-physical 0 (see dmap_var). */
static inline uint64_t pv_xen_direct_map(const struct pv_xen_state *st)
{
	return st->dmap_var ? *(const volatile uint64_t *)(uintptr_t)st->dmap_var : st->dmap_const;
}
#define PV_XEN_STATE_MAGIC 0x4e455856u  /* "VXEN" */

/*
 * The device models behind the MMIO windows: provided inside the blob by
 * the integrator (the virtio models); called with the models' lock held
 * and interrupts off.  off + width <= the window's size; width 1, 2, 4, 8.
 * A read returns the value in its low `width` bytes.
 */
uint64_t pv_xen_model_read(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width)
	__attribute__((visibility("hidden")));
void pv_xen_model_write(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width, uint64_t val)
	__attribute__((visibility("hidden")));

/*
 * The guest-physical address of a linear address, bound at link time
 * (no function pointers in the blob): in the kernel xen/mmio-phys.c walks
 * the current page tables (CR3, CR4.LA57) through pv_xen_direct_map(st); the
 * host harness binds its own.  0 and *phys, or -1 when not mapped.
 */
int pv_xen_mmio_phys(const struct pv_xen_state *st, uint64_t linear, uint64_t *phys)
	__attribute__((visibility("hidden")));

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
	       (pw->pic && pv_pic_port(port)) ||
	       (pw->pm1a_evt && port - pw->pm1a_evt < 4u) || (pw->gpe0 && port - pw->gpe0 < pw->gpe0_len);
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
