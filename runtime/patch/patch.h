/* SPDX-License-Identifier: MIT */
/*
 * The patcher core: validate every .previrt record of an image, then patch
 * all sites through one backend, all or nothing.  Freestanding (no libc):
 * the loader image and the user-space test harness compile the same files.
 *
 *   struct pv_image img = { .records = sec, .size = sec_size,
 *                           .text = ranges, .ntext = n };
 *   struct pv_result r;
 *   if (pv_patch_image(&img, &pv_backend_profile, &state, &r))
 *           print(pv_error_name(r.error), r.record, r.site);   // nothing was written
 *
 * Order of work (see docs/runtime.md):
 *   1. validate: headers (magic, version, record size), then every site record
 *      (flags, reserved, kind known, lengths, inside a text range, original
 *      bytes decode to the kind with the recorded length, pad is NOPs, MMIO
 *      width), then no two sites overlap.  The first failure stops everything.
 *   2. plan: the backend sees every site and says keep / patch / error; it may
 *      fill its own handler pool but must not touch the sites.  An error stops
 *      everything and no site has been written.
 *   3. commit: the backend writes the replacement bytes of each site into a
 *      buffer and the core copies them over the site.
 */
#ifndef PREVIRT_RT_PATCH_H
#define PREVIRT_RT_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "previrt/format.h"
#include "previrt_rules.h"
#include "decode/decode.h"
#include "patch/zone.h"

/*
 * An address range [start, end) where sites may lie (executable text).
 * Its bytes are read at start + read_off: 0 once the image is loaded; the
 * loader validates the file before copying anything, and there a range's
 * bytes are in the boot module, not at their load address.
 */
struct pv_range {
	uintptr_t start, end;
	intptr_t  read_off;
};

/*
 * The kernel's own exception table (__ex_table), as entries whose first
 * field is an s32 relative to the entry's own address: the instruction
 * that may fault.  Linux 6.1: 3 x s32 (insn, fixup, data), entsize 12.
 * Entries are read at bytes, they lie (load address) at `at`.
 */
struct pv_extable {
	const uint8_t *bytes;
	uintptr_t      at;
	unsigned       entsize;
	unsigned       n;
};

struct pv_image {
	const uint8_t         *records;  /* the .previrt section, where it is read (sites are located from it) */
	size_t                 size;     /* its size in bytes */
	uintptr_t              records_at; /* its load address when that is not `records` (0: the same) */
	const struct pv_range *text;     /* executable ranges sites must lie in */
	unsigned               ntext;
	/*
	 * Optional scratch for the overlap check, in uint64_t: 2 per record
	 * gives a radix sort (O(n)), 1 per record a heapsort (O(n log n)),
	 * none compares every pair (O(n^2), fine for a few hundred sites).
	 * Only needed when sites do not come in ascending order per range.
	 */
	uint64_t              *scratch;
	size_t                 scratch_len;
	/*
	 * The kernel's exception table: when given, a site must have the
	 * EXTABLE flag exactly when an entry's instruction address lies in its
	 * original instruction bytes (PV_E_EXTABLE).  NULL: not checked (test
	 * programs without a table).
	 */
	const struct pv_extable *extable;
	/*
	 * Where .noinstr.text and .entry.text lie (patch/zone.h): every site
	 * gets its zone from its address, and a backend's zone_policy says
	 * what it may do there.  NULL: the image names no zones (then every
	 * NOINSTR-flagged site counts as entry, the strictest).
	 */
	const struct pv_zones   *zones;
	/*
	 * The plan's decision per record, one bit each, in the caller's
	 * memory (planned_len uint64_t: at least (records + 63) / 64).
	 * Needed when the backend plans (else PV_E_BACKEND); the core keeps
	 * no state of its own.
	 */
	uint64_t              *planned;
	size_t                 planned_len;
};

/* Everything the core knows about one valid site, handed to the backend. */
struct pv_site {
	uint8_t                    *addr;    /* site start (load address: what a jump goes to) */
	const uint8_t              *bytes;   /* where its instruction's bytes are read (addr + insn_off
	                                        once the image is loaded) */
	uint8_t                     insn_off; /* the instruction's offset in the site: the pad's
	                                         length for PREVIRT_X_PAD_BEFORE, else 0 */
	const struct previrt_site  *rec;
	const struct previrt_rule  *rule;
	struct pv_insn              insn;    /* decoding of the (first) original instruction */
	unsigned                    index;   /* record index in the section (headers counted) */
	/* SHADOW sites: the follower's length, and its decoding when the decoder knows it */
	uint8_t                     follower_len;
	uint8_t                     follower_known;
	struct pv_insn              follower;
	/* the plan's decision (PV_KEEP/PV_PATCH), set by the core for emit */
	uint8_t                     planned;
	uint8_t                     zone;    /* enum pv_zone, from the address (patch/zone.h) */
};

enum pv_plan {
	PV_KEEP  = 0,   /* leave the site as it is (native code path) */
	PV_PATCH = 1,   /* replace its bytes with what emit writes */
};

/*
 * A backend: one file each (native.c, profile.c; xen.c and l4.c later).
 * state is the backend's own data (its handler pool, counters).
 */
struct pv_backend {
	const char *name;
	/* Called once before planning, with the number of site records. <0 = refuse. */
	int  (*begin)(void *state, unsigned nsites);
	/*
	 * Decide a site.  Returns PV_KEEP, PV_PATCH or a negative pv_error code.
	 * May write into the backend's pool; must not write the site.
	 * NULL: the backend keeps every site (native), patching is validation only.
	 */
	int  (*plan)(void *state, const struct pv_site *site);
	/* Called once after every site was planned successfully, before emit. */
	void (*rewind)(void *state);
	/*
	 * Commit pass, every site again in the same order: write the site's
	 * replacement bytes (site->rec->length of them) into out and return
	 * PV_PATCH, or return PV_KEEP; it must decide as plan did.  Cannot fail.
	 */
	int  (*emit)(void *state, const struct pv_site *site, uint8_t *out);
	/*
	 * What the backend does with the sites of each zone (enum
	 * pv_zone_policy, indexed by enum pv_zone).  The core holds every
	 * backend to it before anything is written: patching a site of a
	 * PV_ZP_NATIVE zone, or giving a PV_ZP_ZONE_POOL site anything but a
	 * jmp rel32 into its own zone, is PV_E_ZONE_PATCHED.  Left out, a
	 * zone is PV_ZP_NATIVE, so a new backend moves nothing it has not
	 * thought about.
	 */
	uint8_t zone_policy[PV_NZONES];
};

enum pv_error {
	PV_OK = 0,
	PV_E_SECTION_SIZE,   /* section size is not a multiple of 12 */
	PV_E_NO_HEADER,      /* no header record at all */
	PV_E_MAGIC,          /* a kind-0 record without the PVRT magic */
	PV_E_VERSION,        /* header version is not 1 */
	PV_E_RECORD_SIZE,    /* header record size is not 12 */
	PV_E_HEADER_RESERVED,/* header reserved bytes not zero */
	PV_E_FLAGS,          /* a reserved flag bit is set */
	PV_E_RESERVED,       /* site record xflags: a bit the format does not define */
	PV_E_KIND,           /* kind not defined by the rules */
	PV_E_LENGTH,         /* insn_length 0 or > length */
	PV_E_BOUNDS,         /* site not inside one text range */
	PV_E_DECODE,         /* original bytes are not an instruction of that kind */
	PV_E_INSN_LENGTH,    /* they are, but not insn_length bytes long */
	PV_E_PAD,            /* a pad byte is not part of a NOP */
	PV_E_MMIO,           /* MMIO flag and MMIO kind disagree, or width mismatch */
	PV_E_OVERLAP,        /* two sites share bytes */
	PV_E_BACKEND,        /* the backend refused a site (e.g. pool full, out of reach) */
	PV_E_SHADOW,         /* SHADOW flag: kind without the shadow attribute, bad follower, pad in the pair */
	PV_E_EXTABLE,        /* EXTABLE flag and the kernel's __ex_table disagree */
	PV_E_EMIT,           /* emit decided otherwise than plan (a backend bug; nothing written) */
	PV_E_FAULT_PATCHED,  /* the backend patched a fault-kind site with an exception-table entry */
	PV_E_ZONE,           /* a site crosses the boundary of .noinstr.text or .entry.text */
	PV_E_ZONE_PATCHED,   /* the backend patched a zone site against its zone_policy */
	PV_E_COUNT
};

struct pv_result {
	int       error;      /* enum pv_error */
	unsigned  record;     /* index of the offending record (when error) */
	uintptr_t site;       /* its site address, 0 if unknown */
	unsigned  nheaders;
	unsigned  nsites;
	unsigned  npatched;   /* sites the backend replaced */
	unsigned  nkept;      /* sites left native */
	/* per zone (patch/zone.h): sites, and how many of them were patched */
	unsigned  zone_sites[PV_NZONES];
	unsigned  zone_patched[PV_NZONES];
	unsigned  unflagged;  /* sites inside a zone without the NOINSTR flag (.S macros) */
	unsigned  unplaced;   /* NOINSTR sites outside every zone the image names (counted as entry) */
};

const char *pv_error_name(int error);
/* The record field an error is about ("kind", "flags", ...), for one FATAL line. */
const char *pv_error_field(int error);

/*
 * Record i of the section, and the number of records: the only places the
 * runtime spells the record layout (include/previrt/format.h's struct).
 */
static inline const struct previrt_site *pv_record(const struct pv_image *img, unsigned i)
{
	return (const struct previrt_site *)(const void *)(img->records + (size_t)i * sizeof(struct previrt_site));
}

static inline unsigned pv_nrecords(const struct pv_image *img)
{
	return (unsigned)(img->size / sizeof(struct previrt_site));
}

/* Step 1 only: validate.  0 when valid, else the pv_error (details in *r). */
int pv_validate_image(const struct pv_image *img, struct pv_result *r);

/* Steps 1-3.  0 on success; on error nothing of the sites has been written. */
int pv_patch_image(const struct pv_image *img, const struct pv_backend *be, void *state,
		   struct pv_result *r);

/*
 * Whether the last pv_patch_image patched record i (the plan's recorded
 * decision).  Once a site is patched its bytes no longer decode, so tools
 * that list the patched sites afterwards (profile counts) ask this instead
 * of re-deriving the decision.
 */
int pv_site_planned(const struct pv_image *img, unsigned i);

/* The validated site of record i (for backends and tools that walk sites themselves). */
int pv_site_at(const struct pv_image *img, unsigned i, struct pv_site *s);

/* Freestanding helpers the runtime uses instead of libc. */
void pv_memcpy(void *dst, const void *src, size_t n);
void pv_memset(void *dst, int c, size_t n);
/* v in decimal at b, no terminator; returns the number of digits (at most 20). */
size_t pv_fmt_dec(char *b, uint64_t v);

#endif
