/* SPDX-License-Identifier: MIT */
/* State shared by the previrt GCC plugin's files: options and counters. */
#ifndef PREVIRT_GCC_PLUGIN_H
#define PREVIRT_GCC_PLUGIN_H

#include <stdint.h>

#include "previrt/format.h"

struct previrt_config {
	unsigned min_size;          /* -fplugin-arg-previrt-min-size=N (0: rules decide) */
	bool     restrict_kinds;    /* -fplugin-arg-previrt-kinds=LIST was given */
	uint8_t  kind_enabled[PREVIRT_KIND_MAX + 1]; /* with restrict_kinds: kinds to annotate */
	bool     all_code_models;   /* -fplugin-arg-previrt-all-code-models */
	bool     verbose;           /* -fplugin-arg-previrt-verbose */
};

extern struct previrt_config previrt_cfg;
extern unsigned previrt_unit_sites;   /* sites emitted in this translation unit */

/* Registers the GIMPLE pass and the top-level asm hook (asm_pass.cc). */
void previrt_register_pass(const char *plugin_name);

#endif
