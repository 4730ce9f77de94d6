/* SPDX-License-Identifier: MIT */
/*
 * A Xen domU's devices inside the kernel (handler blob): the virtio-mmio
 * models of the disk and the NIC over the frontends the loader connected
 * (xen/domu-devs.h), the event channels they and the console use, and the
 * legacy interrupt lines the kernel sees for all of them.
 *
 * Interrupts.  A PVH domU has one way in: Xen's callback vector, injected
 * while vCPU 0's evtchn_upcall_pending is set.  The runtime makes it look
 * like an 8259 to the kernel: every model drives IRQ 4 (COM1's line, which
 * the virtio devices share: the loader tells the 8250 driver so), the
 * callback vector is the vector the kernel gave that line (ICW2's base +
 * 4), registered once, and the blob raises the upcall flag while the line
 * is up and the 8259 model lets it through.  An event that arrives while
 * the line is quiet (a disk completion, a frame, console input) makes Xen
 * raise the flag itself: the kernel runs the line's handlers, whose first
 * 8259 access brings the blob in, which takes the event and raises the
 * line for real.
 *
 * Interrupt timing.  By default (previrt.exit_rule=off) the blob behaves
 * as hardware: a line that goes up during an access is made known to Xen
 * by one exit at the end of the entry (pv_domu_leave, every model lock
 * released; the blob runs with IF off), so the vector follows the access
 * at once, or at the kernel's next sti; notifications go out at once.
 *
 * The exit rule (previrt.exit_rule=on), for a VMM that delivers an
 * injected interrupt twice: Debian 12's QEMU 7.2, whose nested SVM
 * delivers a vector Xen injected through EVENTINJ once more at the CPU
 * loop's next exit request, whatever RFLAGS.IF says (docs/l4.md has the
 * trace, docs/xen-domu.md the fix ci/qemu/ builds).  If that exit comes while the kernel holds
 * a lock the interrupt's handler takes (the 8259 line's descriptor lock
 * inside the handler itself, the UART's port lock in a tty write), the
 * second handler spins on it forever with IF off, and QEMU then never
 * leaves the guest: the whole host stops.  Linux's own Xen guest is safe
 * because its upcall handler nests; an 8259 flow handler does not.  So the
 * blob keeps `armed` (an injection may have happened since the last exit
 * it knows of) and makes no hypercall from an entry with IF off while
 * armed: notifications wait in notify_deferred, console output goes
 * into the ring without waiting.  A rising line costs no kick at all: Xen
 * sees the flag at its next look (the idle HLT, the next tick), so that
 * the injection does not land right after the entry, mid-kernel.  An entry with IF on
 * disarms by making an exit itself, first thing, where a second delivery
 * finds nothing held.  Every device shares COM1's line (IRQ 4, the 8250
 * told to share it), so the callback vector never has to change.  What is
 * left: QEMU also replays at exit requests that come while the kernel
 * runs, which the blob cannot keep out of a handler; docs/xen-domu.md has
 * how often that stopped a boot.
 *
 * Events.  At every entry (port I/O, MMIO) the blob clears the upcall
 * flag, then takes the pending bits of the ports it owns (Xen's 2-level
 * ABI: xchg evtchn_pending_sel, then each word's pending & ~mask), and
 * serves each: the blkif and netif ports run the models' completions
 * (console input is pulled into the UART model right after).  Before it leaves with no line up, it looks at
 * evtchn_pending_sel again: an event that came in meanwhile would
 * otherwise wait for the next entry, since Xen raises the flag only when
 * a selector bit goes from 0 to 1.
 */
#ifndef PREVIRT_RT_XEN_DOMU_DEV_H
#define PREVIRT_RT_XEN_DOMU_DEV_H

#include <stdint.h>

#include "xen/blkfront.h"
#include "xen/domu-devs.h"
#include "xen/netfront.h"
#include "xen/virtio-blk.h"
#include "xen/virtio-net.h"
#include "xen/xenstore.h"
#include "xen/xen-rt.h"

#define PV_DOMU_RT_MAGIC 0x54524456u    /* "VDRT" */
#define PV_DOMU_XS_BUDGET 100000u       /* yields one XenStore request of the blob may wait for xenstored */

/* Drop an event channel's pending bit in shared_info (Xen's 2-level ABI): what it said is known otherwise. */
static inline void pv_domu_clear_port(struct shared_info *sh, uint32_t port)
{
	const unsigned bits = 8 * sizeof(xen_ulong_t);

	if (sh && port && port < 8 * sizeof sh->evtchn_pending)
		__atomic_fetch_and(&sh->evtchn_pending[port / bits], ~((xen_ulong_t)1 << (port % bits)), __ATOMIC_ACQ_REL);
}

/* Let an event channel's events through in shared_info (clear its mask bit; Xen's 2-level ABI). */
static inline void pv_domu_unmask_port(struct shared_info *sh, uint32_t port)
{
	const unsigned bits = 8 * sizeof(xen_ulong_t);

	if (sh && port && port < 8 * sizeof sh->evtchn_mask)
		__atomic_fetch_and(&sh->evtchn_mask[port / bits], ~((xen_ulong_t)1 << (port % bits)), __ATOMIC_ACQ_REL);
}

/* The blob's device state, in the runtime area's PV_DOMU_PG_RT pages. */
struct pv_domu_rt {
	uint32_t magic;                 /* PV_DOMU_RT_MAGIC once activated */
	uint8_t  failed;                /* the hand-over was not the loader's: no devices */
	struct pv_vmem mem;             /* guest RAM, the runtime area as the hole */
	struct pv_blkfront bf;
	struct pv_vblk vblk;
	struct pv_netfront nf;
	struct pv_vnet vnet;
	struct pv_xs xs;                /* XenStore, for control/shutdown (xen/domu-control.c) */
	struct pv_xs_hyper xs_env;
	uint8_t  control_check;         /* control/shutdown may have changed: read it at the next entry that may exit */
	uint64_t control_reads;         /* control/shutdown reads */
	uint64_t events;                /* event channel notifications taken */
	uint64_t spurious;              /* parked-vector interrupts with nothing to deliver */
};
_Static_assert(sizeof(struct pv_domu_rt) <= PV_DOMU_RT_PAGES * PV_DOMU_PAGE, "the runtime pages hold the device state");

/*
 * Events in, interrupt lines out: call with the model lock held before
 * leaving any domU entry (after the model's own work).
 */
void pv_domu_sync(struct pv_xen_state *st);

/*
 * May this entry leave the guest (a hypercall)?  Not inside an injected
 * interrupt's handler (domu-irq.c).  pv_domu_notify sends on an event
 * channel now, or at the next entry that may.
 */
int pv_domu_may_exit(const struct pv_xen_state *st);

/* The end of an entry, its model lock released: the kick for a line that went up (exit rule off). */
void pv_domu_leave(struct pv_xen_state *st);
/*
 * A domU's console output (its ring): waiting for room and telling
 * xenconsoled when the entry may exit; else into the ring what fits, the
 * rest held in order (pv_xen_state.cons_over), xenconsoled told later.
 */
void pv_domu_console_write(struct pv_xen_state *st, const char *s, unsigned n);
/* At every blob entry, before any lock: the exit rule's bookkeeping (irqs_on: the site's RFLAGS.IF). */
void pv_domu_entry(struct pv_xen_state *st, int irqs_on);
void pv_domu_notify(struct pv_xen_state *st, uint32_t port);

/* A domU's console input before a COM1 access: one byte from the ring's in[] into the UART, if it has room. */
void pv_domu_console_input(struct pv_xen_state *st);

/*
 * The devices (domu-dev.c): an event on `port` served (1 when it was a
 * device's), and the line they share with its level (-1: no devices).
 */
int pv_domu_devs_event(struct pv_xen_state *st, uint32_t port);
int pv_domu_devs_line(const struct pv_xen_state *st, int *level);

/*
 * The hand-over and the blob's device state in the runtime area; only
 * after pv_domu_activate said 0.  pv_domu_activate: on the first access
 * that comes after the kernel built its direct map (a device window, an
 * ACPI event register); 0 when the runtime area is there.
 */
int pv_domu_activate(struct pv_xen_state *st);
struct pv_domu_devs *pv_domu_devs_of(const struct pv_xen_state *st);
struct pv_domu_rt *pv_domu_rt_of(const struct pv_xen_state *st);

/*
 * `xl shutdown` and `xl reboot` (xen/domu-control.c): read control/shutdown
 * when a watch event said it changed and the entry may exit; poweroff
 * presses the ACPI power button, reboot resets.
 */
void pv_domu_control(struct pv_xen_state *st);
/* The same from the SCI handler's PM1 status read, armed or not (domu-control.c says why that is safe). */
void pv_domu_control_sci(struct pv_xen_state *st);

/* The devices' statistics for the blob's last line: ", disk requests N ..." at b; the new end. */
char *pv_domu_devs_stats(const struct pv_xen_state *st, char *b);

/* The window's device (mmio.c routes accesses inside a window here). */
uint64_t pv_xen_model_read(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width);
void pv_xen_model_write(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width, uint64_t val);

#endif
