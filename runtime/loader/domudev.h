/* SPDX-License-Identifier: MIT */
/*
 * A Xen PVH domU's disk and NIC, the loader's half (xen/domu-devs.h says
 * what is handed over): place the runtime area, map the grant table there,
 * and do the xenbus handshakes with dom0's blkback and netback (through
 * XenStore, before the kernel runs), so that the handler blob only has to
 * move requests.  The devices are the ones `xl create`'s `disk =` and
 * `vif =` lines gave the domain: the first device/vbd and device/vif
 * entries; a domain with neither gets no area at all.
 */
#ifndef PREVIRT_LOADER_DOMUDEV_H
#define PREVIRT_LOADER_DOMUDEV_H

#include <stdint.h>

#include "loader/bootinfo.h"

/* Memory the area must not overlap (physical ranges: the kernel, modules, the loader). */
struct domudev_avoid {
	uint64_t start, size;
};

struct domudev_result {
	uint64_t area;                  /* physical address of struct pv_domu_devs, 0: no devices */
	char     cmdline[160];          /* virtio_mmio.device=... for each device, "" when none */
};

/*
 * Set up what the guest's XenStore lists.  Returns 0 (r->area 0 when there
 * is nothing to set up), or -1 with *why naming what failed; nothing the
 * kernel sees is changed then (the caller stops the boot).
 */
int domudev_setup(uint64_t vmmcall, const struct bootinfo *bi, const struct domudev_avoid *avoid,
		  unsigned navoid, struct domudev_result *r, const char **why);

#endif
