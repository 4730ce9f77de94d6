/* SPDX-License-Identifier: MIT */
/* State shared by the previrt GCC plugin's files: options and counters. */
#ifndef PREVIRT_GCC_PLUGIN_H
#define PREVIRT_GCC_PLUGIN_H

#include <stdint.h>

extern "C" {
#include "previrt_rules.h"   /* PREVIRT_KIND_MAX */
}

struct previrt_config {
	unsigned min_size;          /* -fplugin-arg-previrt-min-size=N (0: rules decide) */
	bool     restrict_kinds;    /* -fplugin-arg-previrt-kinds=LIST was given */
	uint8_t  kind_enabled[PREVIRT_KIND_MAX + 1]; /* with restrict_kinds: kinds to annotate */
	bool     all_code_models;   /* -fplugin-arg-previrt-all-code-models */
	bool     verbose;           /* -fplugin-arg-previrt-verbose */
	unsigned long pool_bytes;   /* -fplugin-arg-previrt-pool=BYTES (lib/pool.h) */
	unsigned long noinstr_pool_bytes; /* -fplugin-arg-previrt-noinstr-pool=BYTES (lib/pool.h) */
};

extern struct previrt_config previrt_cfg;
extern unsigned previrt_unit_sites;   /* sites emitted in this translation unit */

struct pv_rewrite_opts;

/* Registers the GIMPLE pass and the top-level asm hook (asm_pass.cc). */
void previrt_register_pass(const char *plugin_name);

/* The rewriter options every annotated text starts from (asm_pass.cc). */
void previrt_base_opts(struct pv_rewrite_opts *o);

/* cc1 is preprocessing a .S file (-E -lang-asm) (asm_file.cc). */
bool previrt_preprocessing_asm(void);

/* Registers the rewrite of the preprocessed .S output (asm_file.cc). */
void previrt_register_asm_file(const char *plugin_name);

/* Emits the handler pools if this unit defines the anchor (pool.cc). */
void previrt_emit_pool(void);

#endif
