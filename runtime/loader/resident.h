/* SPDX-License-Identifier: MIT */
/*
 * Installing the resident module patcher (runtime/resident/resident.h)
 * into the kernel: checked first (resident_check, before anything is
 * written), installed after the kernel's own sites were patched
 * (resident_install).
 */
#ifndef PREVIRT_LOADER_RESIDENT_H
#define PREVIRT_LOADER_RESIDENT_H

#include "loader/checked.h"
#include "loader/elfimage.h"
#include "resident/resident.h"

#define RES_MAX_CALLS 8

struct res_plan {
	const struct pv_res_image *hdr;   /* the image the loader carries */
	uint64_t at;                      /* physical: where the image goes (end of the pool) */
	uint64_t state;                   /* physical: struct pv_res_state (end of the counters) */
	uint64_t finalize;                /* physical: module_finalize */
	uint64_t printk;                  /* physical: _printk / printk, 0 when absent */
	uint64_t calls[RES_MAX_CALLS];    /* physical: the call/jmp rel32 instructions to it */
	unsigned ncalls;
	const char *caller;               /* the function they are in */
};

/*
 * Does the kernel load modules, and where do the callers of its
 * module_finalize() lie?  0 with p->ncalls = 0: no module support (no
 * module_finalize, or nobody calls it: nothing to hook); 0 with calls:
 * hook them; -1 and *e: the image or the kernel is not as expected.
 * `pool_end`/`cnt_end` are the physical ends of the handler pool and the
 * counters; on success p->at and p->state are carved from their ends and
 * the caller shrinks what the kernel's backend may use accordingly.
 * Reads the file's bytes only.
 */
int resident_check(const struct elfimage *im, uint64_t pool, uint64_t pool_end, uint64_t cnt,
		   uint64_t cnt_end, struct res_plan *p, struct pv_err *e);

/*
 * After the kernel's sites were patched: copy and relocate the image, set
 * up the state (st: backend, module pool and counters, filled by the
 * caller except magic and the kernel-derived fields), and point every
 * caller of module_finalize at the hook.
 */
void resident_install(const struct elfimage *im, const struct res_plan *p, const struct pv_res_state *st);

#endif
