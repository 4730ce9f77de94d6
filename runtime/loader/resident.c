/* SPDX-License-Identifier: MIT */
/*
 * Installing the resident module patcher (runtime/resident/resident.h).
 *
 * Where it goes: the image at the end of the kernel's handler pool (the
 * kernel's thunks fill the pool from its start, module thunks follow
 * them), its state at the end of the counters area (ordinary kernel data).
 *
 * How the kernel reaches it: Linux calls the arch hook
 * module_finalize(hdr, sechdrs, mod) from post_relocation() (inlined into
 * load_module() or not), once per module, after relocating it and before
 * making its text read-only and running it.  The loader finds
 * module_finalize by symbol and, inside the functions named load_module
 * and post_relocation, every `call rel32` (e8) or tail `jmp rel32` (e9)
 * whose target is exactly module_finalize; it rewrites their rel32 to
 * pv_res_hook, which validates and patches the module, then jumps on to
 * module_finalize.  Nothing else of the kernel changes.
 */
#include "loader/resident.h"
#include "patch/emit.h"

void *memcpy(void *d, const void *s, size_t n);

extern const char pv_res_image_start[], pv_res_image_end[];

static int32_t get32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static int same(const char *a, const char *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The carried image: header, image bytes and relocations inside what the loader holds. */
static int image_ok(const struct pv_res_image *h, uint64_t have)
{
	uint64_t need = sizeof *h + (uint64_t)h->size + 4ull * h->nrelocs;

	return have >= sizeof *h && same(h->magic, PV_RES_IMAGE_MAGIC, 8) && h->size && need <= have &&
	       h->hook_off < h->size && h->slots_off + sizeof(struct pv_res_slots) <= h->size &&
	       h->finalize_off + PV_JMP_LEN <= h->size && h->printk_off + PV_JMP_LEN <= h->size &&
	       h->noprint_off < h->size;
}

/* Every e8/e9 rel32 in [lo, lo + n) (physical) whose target is `to`. */
static int find_calls(const struct elfimage *im, uint64_t lo, uint64_t n, uint64_t to, struct res_plan *p,
		      struct pv_err *e)
{
	const uint8_t *b = elfimage_text_bytes(im, lo, n);

	if (!b)
		return pv_fail(e, "load_module/post_relocation symbol", "not inside the kernel's text");
	for (uint64_t k = 0; k + PV_JMP_LEN <= n; k++) {
		if ((b[k] != 0xe8 && b[k] != 0xe9) || lo + k + PV_JMP_LEN + (uint64_t)(int64_t)get32(b + k + 1) != to)
			continue;
		if (p->ncalls == RES_MAX_CALLS)
			return pv_fail(e, "calls of module_finalize", "more than 8: not the kernel's module loader");
		p->calls[p->ncalls++] = lo + k;
	}
	return 0;
}

int resident_check(const struct elfimage *im, uint64_t pool, uint64_t pool_end, uint64_t cnt,
		   uint64_t cnt_end, struct res_plan *p, struct pv_err *e)
{
	static const char *const callers[] = { "load_module", "post_relocation" };
	const struct pv_res_image *h = (const void *)pv_res_image_start;

	*p = (struct res_plan){ .hdr = h };
	if (!image_ok(h, (uint64_t)(pv_res_image_end - pv_res_image_start)))
		return pv_fail(e, "resident patcher image", "malformed (a loader build problem)");
	p->finalize = elfimage_symbol(im, "module_finalize");
	if (!p->finalize)
		return 0;                                     /* a kernel without modules */
	for (unsigned c = 0; c < sizeof callers / sizeof callers[0]; c++) {
		uint64_t lo, n;

		for (unsigned k = 0; !elfimage_function(im, callers[c], k, &lo, &n); k++) {
			unsigned before = p->ncalls;

			if (find_calls(im, lo, n, p->finalize, p, e))
				return -1;
			if (p->ncalls > before && !p->caller)
				p->caller = callers[c];
		}
	}
	if (!p->ncalls)
		return pv_fail(e, "module_finalize", "no call to it in load_module or post_relocation: cannot patch modules at load");
	p->printk = elfimage_symbol(im, "_printk");
	if (!p->printk)
		p->printk = elfimage_symbol(im, "printk");
	/* the image at the pool's end (64-byte aligned), the state at the counters' end (8-aligned) */
	if (pool_end - pool < (uint64_t)h->size + 64 || cnt_end - cnt < sizeof(struct pv_res_state) + 8)
		return pv_fail(e, "previrt_pool/previrt_counters", "too small for the resident module patcher");
	p->at = (pool_end - h->size) & ~63ull;
	p->state = (cnt_end - sizeof(struct pv_res_state)) & ~7ull;
	if (p->at < pool || p->state < cnt)
		return pv_fail(e, "previrt_pool/previrt_counters", "too small for the resident module patcher");
	/* every rel32 the install writes must reach (the pool and the callers are in one kernel image) */
	{
		int32_t d;
		int bad = pv_rel32((intptr_t)(p->at + h->finalize_off + PV_JMP_LEN), (intptr_t)p->finalize, &d) ||
			  (p->printk && pv_rel32((intptr_t)(p->at + h->printk_off + PV_JMP_LEN), (intptr_t)p->printk, &d));

		for (unsigned i = 0; i < p->ncalls; i++)
			bad |= pv_rel32((intptr_t)(p->calls[i] + PV_JMP_LEN), (intptr_t)(p->at + h->hook_off), &d);
		if (bad)
			return pv_fail(e, "previrt_pool", "out of rel32 reach of module_finalize or its callers");
	}
	return 0;
}

static void put_rel32(uint64_t insn, uint64_t to)
{
	int32_t d = 0;

	pv_rel32((intptr_t)(insn + PV_JMP_LEN), (intptr_t)to, &d);   /* reach: checked by the caller */
	memcpy((void *)(uintptr_t)(insn + 1), &d, 4);
}

void resident_install(const struct elfimage *im, const struct res_plan *p, const struct pv_res_state *st)
{
	const struct pv_res_image *h = p->hdr;
	const uint8_t *src = (const uint8_t *)(h + 1);
	const uint32_t *rel = (const uint32_t *)(const void *)(src + h->size);
	uint64_t virt = p->at - (uint64_t)im->v2p;          /* where the image runs */
	struct pv_res_state *dst = (struct pv_res_state *)(uintptr_t)p->state;
	struct pv_res_slots slots = { .state = p->state - (uint64_t)im->v2p };
	uint8_t *img = (uint8_t *)(uintptr_t)p->at;

	memcpy(img, src, h->size);
	for (uint32_t i = 0; i < h->nrelocs; i++) {
		uint64_t v;

		if (rel[i] > h->size - 8)                    /* mkresident checked it; stay inside anyway */
			continue;
		memcpy(&v, img + rel[i], 8);
		v += virt;
		memcpy(img + rel[i], &v, 8);
	}
	memcpy(img + h->slots_off, &slots, sizeof slots);
	/* the two jumps out: rel32 is the same computed physically or virtually (one offset) */
	put_rel32(p->at + h->finalize_off, p->finalize);
	put_rel32(p->at + h->printk_off, p->printk ? p->printk : p->at + h->noprint_off);

	*dst = *st;
	dst->magic = PV_RES_STATE_MAGIC;
	dst->ex_entsize = im->extable.entsize ? im->extable.entsize : 12;
	dst->cnt_v2p = im->v2p;
	dst->lock = 0;

	for (unsigned i = 0; i < p->ncalls; i++)
		put_rel32(p->calls[i], p->at + h->hook_off);
}
