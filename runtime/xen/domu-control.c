/* SPDX-License-Identifier: MIT */
/*
 * `xl shutdown` and `xl reboot` for a non-Xen kernel (part of the handler
 * blob).  The toolstack writes "poweroff" or "reboot" into the domain's
 * control/shutdown node (libxl sees a callback vector registered, so it
 * takes the guest for PV-aware).  The loader put a XenStore watch on that
 * node and moved the store ring into the runtime area; the watch's event
 * comes in on the store's event channel (domu-dev.c sets control_check),
 * and at the SCI handler's status read that the event's interrupt brings
 * (pv_domu_control_sci), or else at the next blob entry that may exit
 * (domu-dev.h's exit rule), the value is read here, acknowledged by writing "" as Linux's own Xen guest
 * does, and turned into what the kernel understands without Xen support:
 *
 *   poweroff, halt  the ACPI power button (power-button.h): the kernel's
 *                   button driver reports KEY_POWER and user space (acpid,
 *                   systemd-logind) shuts down cleanly and powers off,
 *                   which ends in PM1a SLP_EN -> SCHEDOP_shutdown(poweroff);
 *                   user space that ignores the button keeps running, as on
 *                   hardware;
 *   reboot          a reset (SCHEDOP_shutdown(reboot)): ACPI has no reboot
 *                   button, so this is `xl reboot -F`'s hard reset of an HVM
 *                   guest without PV drivers, not a clean reboot;
 *   anything else   (suspend) left unanswered: not supported.
 *
 * The XenStore requests wait for xenstored with SCHEDOP_yield: a few
 * milliseconds of the vCPU, once per request.
 */
#include <stdint.h>

#include "xen/domu-dev.h"
#include "xen/hypercall.h"
#include "xen/power-button.h"

extern struct pv_xen_slots pv_xen_slots __attribute__((visibility("hidden")));

static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void say(struct pv_xen_state *st, const char *s)
{
	unsigned n = 0;

	while (s[n])
		n++;
	pv_domu_console_write(st, s, n);
}

/* before the domain ends: let xenconsoled take the last line (bounded; it may be gone) */
static void drain(struct pv_xen_state *st)
{
	volatile struct xencons_interface *c = (volatile struct xencons_interface *)(uintptr_t)st->cons.intf;

	for (unsigned i = 0; c && i < 2000 && c->out_cons != c->out_prod; i++)
		pv_xen_yield(pv_xen_slots.vmmcall);
}

static void look(struct pv_xen_state *st)
{
	struct pv_domu_rt *rt;
	char v[16];
	long n;
	uint32_t seen;

	if (!st->devs_active)
		return;
	rt = pv_domu_rt_of(st);
	if (!rt->control_check || !pv_domu_devs_of(st)->store.present || rt->xs.broken)
		return;
	rt->control_check = 0;
	rt->control_reads++;
	seen = rt->xs.watch_events;
	n = pv_xs_read(&rt->xs, 0, "control/shutdown", v, sizeof v);
	pv_domu_clear_port((struct shared_info *)(uintptr_t)st->shinfo, pv_domu_devs_of(st)->store.port);   /* our replies' event, taken */
	/*
	 * Watch events the read skipped (xen/xenstore.c counts them): the one
	 * that asked for this look, or a newer one whose write xenstored may
	 * have made after answering the read.  Look once more at the next
	 * entry; that look finds no event and ends it.
	 */
	if (rt->xs.watch_events != seen)
		rt->control_check = 1;
	if (n <= 0)
		return;                 /* no node, or empty: nothing asked (or our own acknowledgement) */
	if (is(v, "poweroff") || is(v, "halt")) {
		pv_xs_write(&rt->xs, 0, "control/shutdown", "");
		pv_domu_clear_port((struct shared_info *)(uintptr_t)st->shinfo, pv_domu_devs_of(st)->store.port);   /* our replies' event, taken */
		if (pv_acpi_power_button(st))
			say(st, "previrt-xen: xl shutdown: ACPI power button pressed\r\n");
		else
			say(st, "previrt-xen: xl shutdown: no ACPI event registers to press a power button with\r\n");
	} else if (is(v, "reboot")) {
		pv_xs_write(&rt->xs, 0, "control/shutdown", "");
		st->armed = 0;          /* the domain ends here: its last line may exit, held output goes first */
		say(st, "previrt-xen: xl reboot: reset (no reboot button in ACPI: the kernel is not asked)\r\n");
		drain(st);
		pv_xen_shutdown(pv_xen_slots.vmmcall, SHUTDOWN_reboot);
	}
}

void pv_domu_control(struct pv_xen_state *st)
{
	if (pv_domu_may_exit(st))
		look(st);
}

/*
 * From the SCI handler's first PM1 status read (xen/pio.c): inside the
 * interrupt, but between the line's actions, where the kernel holds none
 * of the locks IRQ 4's handlers take (the descriptor's lock is dropped
 * around the actions; a second delivery finds the line in progress and
 * returns).  So the exit rule's reason does not apply there, and an idle
 * kernel, which makes no entry with IF on for as long as it idles, still
 * answers xl shutdown before libxl gives up waiting for the acknowledgement.
 */
void pv_domu_control_sci(struct pv_xen_state *st)
{
	look(st);
}
