/* SPDX-License-Identifier: MIT */
/*
 * pv_res_module: validate and patch one module's .previrt sites, called by
 * pv_res_hook (hook.S) in place of the kernel's module_finalize().  See
 * resident.h for how this code gets into the kernel.
 *
 * Runs in the kernel, in process context (load_module), after the module's
 * relocations were applied and before its text is made read-only or run.
 * Everything it reads about the module comes through the section headers
 * the kernel hands over, so every field is range-checked like the loader
 * checks vmlinux: a module is input like any other.
 *
 * The writes, in order:
 *   1. plan: the backend's thunks go into the free part of the kernel's
 *      handler pool.  The pool is kernel text, read-only since boot, so
 *      the writes happen with CR0.WP clear, interrupts off, on this CPU
 *      only (state->lock keeps two module loads apart).  A site that finds
 *      no room stays native and is counted (state->full).
 *   2. commit: the module's own sites, in module memory that is still
 *      writable at this point of load_module.
 * A validation failure or a backend refusal writes no site (patch.c), and
 * the module is refused.
 */
#include <elf.h>

#include "resident/resident.h"
#include "patch/backend.h"
#include "xen/xen-rt.h"

extern const struct pv_res_slots pv_res_slots;      /* hook.S: filled by the loader */
int pv_res_printk(const char *fmt, ...);             /* hook.S: the kernel's printk */

#define KERN_ERR  "\0013"
#define KERN_WARN "\0014"
#define KERN_INFO "\0016"
#define ENOEXEC 8

#define X86_CR0_WP  (1ul << 16)
#define X86_CR4_CET (1ul << 23)

/*
 * ---- the window: interrupts off, the lock, and (when the backend writes
 * the pool) CR0.WP off, on this CPU only ----
 * Interrupts go off before the lock is taken, so its holder is never
 * preempted or interrupted while another CPU spins on it.
 */

struct window {
	unsigned long flags, cr0, cr4;
	int           wp_off;
};

static void window_open(struct window *w, struct pv_res_state *st, int write_text)
{
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(w->flags) : : "memory");
	while (__atomic_exchange_n(&st->lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	w->wp_off = write_text;
	if (!write_text)
		return;
	__asm__ volatile("movq %%cr0, %0" : "=r"(w->cr0));
	__asm__ volatile("movq %%cr4, %0" : "=r"(w->cr4));
	/* CR0.WP cannot be cleared while CR4.CET is set (kernel IBT): off for the window */
	if (w->cr4 & X86_CR4_CET)
		__asm__ volatile("movq %0, %%cr4" : : "r"(w->cr4 & ~X86_CR4_CET) : "memory");
	__asm__ volatile("movq %0, %%cr0" : : "r"(w->cr0 & ~X86_CR0_WP) : "memory");
}

static void window_close(const struct window *w, struct pv_res_state *st)
{
	if (w->wp_off) {
		__asm__ volatile("movq %0, %%cr0" : : "r"(w->cr0) : "memory");
		if (w->cr4 & X86_CR4_CET)
			__asm__ volatile("movq %0, %%cr4" : : "r"(w->cr4) : "memory");
	}
	__atomic_store_n(&st->lock, 0, __ATOMIC_RELEASE);
	if (w->flags & (1ul << 9))
		__asm__ volatile("sti" : : : "memory");
}

/* ---- the module as its section headers describe it (checked) ---- */

struct module_view {
	const Elf64_Shdr *sh;
	unsigned          n;
	const char       *name;                        /* from .modinfo "name=", or "?" */
	const Elf64_Shdr *previrt, *extable;
	struct pv_range   text[PV_RES_MAX_TEXT];
	const char       *text_name[PV_RES_MAX_TEXT];   /* for "SECTION+0xOFF" */
	unsigned          ntext;
};

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int has_prefix(const char *s, const char *p)
{
	while (*p && *s == *p)
		s++, p++;
	return !*p;
}

/* Section i's name, or NULL when it does not lie (NUL-terminated) inside .shstrtab. */
static const char *sec_name(const struct module_view *m, const Elf64_Shdr *strs, unsigned i)
{
	uint32_t off = m->sh[i].sh_name;
	const char *s = (const char *)(uintptr_t)strs->sh_addr;

	if (off >= strs->sh_size)
		return 0;
	for (uint64_t k = off; k < strs->sh_size; k++)
		if (!s[k])
			return s + off;
	return 0;
}

/* "name=" in .modinfo (NUL-separated key=value strings), bounded by the section. */
static const char *modinfo_name(const Elf64_Shdr *mi)
{
	const char *p = (const char *)(uintptr_t)mi->sh_addr, *end = p + mi->sh_size;

	while (p < end) {
		const char *s = p;

		while (p < end && *p)
			p++;
		if (p == end)
			break;                          /* unterminated: ignore the rest */
		if (p - s > 5 && s[0] == 'n' && s[1] == 'a' && s[2] == 'm' && s[3] == 'e' && s[4] == '=')
			return s + 5;
		p++;
	}
	return 0;
}

static const char *view_module(const Elf64_Ehdr *eh, const Elf64_Shdr *sh, struct module_view *m)
{
	const Elf64_Shdr *strs;

	*m = (struct module_view){ .sh = sh, .n = eh->e_shnum, .name = "?" };
	if (eh->e_shentsize != sizeof *sh || !eh->e_shnum || eh->e_shstrndx >= eh->e_shnum)
		return "section header table";
	strs = &sh[eh->e_shstrndx];
	for (unsigned i = 1; i < m->n; i++) {
		const Elf64_Shdr *s = &sh[i];
		const char *name = sec_name(m, strs, i);

		if (!name)
			return "section name";
		if (s->sh_addr + s->sh_size < s->sh_addr)
			return "section address";
		if (streq(name, PREVIRT_SECTION))
			m->previrt = s;
		else if (streq(name, "__ex_table"))
			m->extable = s;
		else if (streq(name, ".modinfo") && s->sh_size) {
			const char *n = modinfo_name(s);

			if (n)
				m->name = n;
		}
		/* sites lie in executable sections, never in ALTERNATIVE replacement code
		 * (the kernel copies it over the originals: format.md) */
		if ((s->sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) == (SHF_ALLOC | SHF_EXECINSTR) && s->sh_size &&
		    !has_prefix(name, ".altinstr_replacement")) {
			if (m->ntext == PV_RES_MAX_TEXT)
				return "executable sections (too many)";
			m->text_name[m->ntext] = name;
			m->text[m->ntext++] = (struct pv_range){ s->sh_addr, s->sh_addr + s->sh_size, 0 };
		}
	}
	/* the records are only relocated (site addresses) in an allocated section */
	if (m->previrt && !(m->previrt->sh_flags & SHF_ALLOC))
		return ".previrt not allocated";
	return 0;
}

/* ---- the profile backend's site table (runtime/qemu-profile reads it from the debug console) ---- */

static void dbg_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		__asm__ volatile("outb %0, $0xe9" : : "a"(s[i]));
}

static size_t put_hex(char *b, uint64_t v)
{
	size_t n = 0;
	int started = 0;

	b[n++] = '0', b[n++] = 'x';
	for (int sh = 60; sh >= 0; sh -= 4) {
		unsigned d = (v >> sh) & 15;

		if (d || started || !sh)
			b[n++] = "0123456789abcdef"[d], started = 1;
	}
	return n;
}

static size_t put_str(char *b, size_t cap, const char *s)
{
	size_t n = 0;

	while (s[n] && n < cap)
		b[n] = s[n], n++;
	return n;
}

/*
 * "# module NAME counters 0xPHYS N", then one "SECTION+0xOFF KIND" line per
 * counter, in counter order: the same protocol as the loader's table for
 * vmlinux, with the addresses previrt-report uses for a .ko.
 */
static void profile_table(const struct pv_res_state *st, const struct module_view *m,
			  const struct pv_image *img, const struct pv_profile *pr)
{
	char line[160];
	size_t n = 0;
	unsigned nrec = pv_nrecords(img);

	n += put_str(line + n, 20, "# module ");
	n += put_str(line + n, 64, m->name);
	n += put_str(line + n, 20, " counters ");
	n += put_hex(line + n, (uint64_t)((int64_t)(uintptr_t)pr->counters + st->cnt_v2p));
	line[n++] = ' ';
	n += pv_fmt_dec(line + n, pr->used);
	line[n++] = '\n';
	dbg_write(line, n);
	for (unsigned i = 0; i < nrec; i++) {
		struct pv_site s;
		const char *secname = "?";
		uint64_t off = 0;

		if (pv_record(img, i)->kind == PREVIRT_KIND_HEADER || !pv_site_planned(img, i))
			continue;
		pv_site_at(img, i, &s);
		if (!s.rule)
			continue;
		for (unsigned t = 0; t < m->ntext; t++)
			if ((uintptr_t)s.addr >= m->text[t].start && (uintptr_t)s.addr < m->text[t].end) {
				off = (uintptr_t)s.addr - m->text[t].start;
				secname = m->text_name[t];
			}
		n = put_str(line, 64, secname);
		line[n++] = '+';
		n += put_hex(line + n, off);
		line[n++] = ' ';
		n += put_str(line + n, 40, s.rule->name);
		line[n++] = '\n';
		dbg_write(line, n);
	}
}

/* ---- one module ---- */

static const char *error_text(int err)
{
	const char *s = pv_error_name(err);

	return s ? s : "error";
}

/*
 * 0: the module may run (patched, or nothing to patch); -ENOEXEC: refused,
 * nothing of it was written.
 */
int pv_res_module(const Elf64_Ehdr *eh, const Elf64_Shdr *sh)
{
	struct pv_res_state *st = (struct pv_res_state *)(uintptr_t)pv_res_slots.state;
	struct module_view m;
	struct pv_extable ex;
	struct pv_image img;
	struct pv_result r;
	struct pv_profile prof;
	struct pv_xen xen;
	const struct pv_backend *be = &pv_backend_native;
	void *bst = 0;
	unsigned full = 0, used = 0;
	struct window w = { 0 };
	const char *bad;
	int err;

	if (!st || st->magic != PV_RES_STATE_MAGIC)
		return 0;                       /* not set up: the loader installed no state */
	if ((bad = view_module(eh, sh, &m))) {
		pv_res_printk(KERN_ERR "previrt: module %s: %s is malformed; module refused\n", m.name, bad);
		return -ENOEXEC;
	}
	if (!m.previrt || !m.previrt->sh_size) {
		pv_res_printk(KERN_WARN "previrt: module %s has no .previrt records: it runs as built, unpatched\n",
			      m.name);
		return 0;
	}
	img = (struct pv_image){ .records = (const uint8_t *)(uintptr_t)m.previrt->sh_addr,
				 .size = m.previrt->sh_size, .text = m.text, .ntext = m.ntext,
				 .planned = st->planned, .planned_len = PV_RES_MAX_RECORDS / 64 };
	if (m.extable && m.extable->sh_size && st->ex_entsize) {
		if (m.extable->sh_size % st->ex_entsize) {
			pv_res_printk(KERN_ERR "previrt: module %s: __ex_table size is not a multiple of %u; module refused\n",
				      m.name, st->ex_entsize);
			return -ENOEXEC;
		}
		ex = (struct pv_extable){ (const uint8_t *)(uintptr_t)m.extable->sh_addr, m.extable->sh_addr,
					  st->ex_entsize, (unsigned)(m.extable->sh_size / st->ex_entsize) };
		img.extable = &ex;
	} else {
		/* no table: every EXTABLE flag is then a lie, which validation reports */
		ex = (struct pv_extable){ (const uint8_t *)0, 0, st->ex_entsize ? st->ex_entsize : 12, 0 };
		img.extable = &ex;
	}

	window_open(&w, st, st->backend != PV_RES_NATIVE);
	switch (st->backend) {
	case PV_RES_PROFILE:
		prof = (struct pv_profile){
			.pool = (uint8_t *)(uintptr_t)(st->pool + st->used * PV_PROFILE_THUNK),
			.pool_size = st->pool_size - st->used * PV_PROFILE_THUNK,
			.counters = (uint64_t *)(uintptr_t)st->counters + st->used,
			.ncounters = (unsigned)(st->ncounters - st->used), .keep_when_full = 1 };
		be = &pv_backend_profile, bst = &prof;
		break;
	case PV_RES_XEN:
		xen = st->xen;
		xen.thunks = (uint8_t *)(uintptr_t)(st->pool + st->used * PV_XEN_THUNK);
		xen.thunks_size = st->pool_size - st->used * PV_XEN_THUNK;
		xen.keep_when_full = 1;
		be = &pv_backend_xen, bst = &xen;
		break;
	}
	err = pv_patch_image(&img, be, bst, &r);
	if (!err && be == &pv_backend_profile)
		used = prof.used, full = prof.nfull;
	if (!err && be == &pv_backend_xen)
		used = xen.used, full = xen.nfull;
	st->used += used;
	st->modules++;
	if (err)
		st->refused++;
	else
		st->sites += r.nsites, st->patched += r.npatched, st->full += full;
	/* the site table reads the plan bits in the state: before another module may overwrite them */
	if (!err && be == &pv_backend_profile)
		profile_table(st, &m, &img, &prof);
	window_close(&w, st);

	if (err) {
		uintptr_t a = r.site;
		const char *sec = "?";

		for (unsigned t = 0; t < m.ntext; t++)
			if (a >= m.text[t].start && a < m.text[t].end)
				sec = m.text_name[t], a -= m.text[t].start;
		pv_res_printk(KERN_ERR "previrt: module %s: .previrt record %u (%s+0x%lx): %s; module refused, nothing patched\n",
			      m.name, r.record, sec, (unsigned long)a, error_text(err));
		return -ENOEXEC;
	}
	pv_res_printk(KERN_INFO "previrt: module %s: %u sites valid, %u patched (%s), %u native%s\n",
		      m.name, r.nsites, r.npatched, be->name, r.nkept,
		      full ? ", some for want of pool space" : "");
	if (full)
		pv_res_printk(KERN_WARN "previrt: module %s: %u sites native: the handler pool is full (build with a larger -fplugin-arg-previrt-pool=)\n",
			      m.name, full);
	return 0;
}
