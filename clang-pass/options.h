// SPDX-License-Identifier: MIT
// Options of the previrt Clang pass: the same keys as the GCC plugin's,
// given as -mllvm -previrt-KEY[=VALUE] or in $PREVIRT_CLANG_OPTIONS.
#ifndef PREVIRT_CLANG_OPTIONS_H
#define PREVIRT_CLANG_OPTIONS_H

#include <cstdint>
#include <string>

extern "C" {
#include "pool.h"
#include "previrt_rules.h"   // PREVIRT_KIND_MAX
}

struct previrt_clang_config {
	unsigned min_size = 0;          // 0: the rules decide each kind's size
	bool restrict_kinds = false;    // kinds= was given
	uint8_t kind_enabled[PREVIRT_KIND_MAX + 1] = {}; // with restrict_kinds: kinds to annotate
	bool disable = false;
	bool all_code_models = false;
	bool verbose = false;
	unsigned long pool_bytes = PREVIRT_POOL_DEFAULT_BYTES;  // pool=BYTES (lib/pool.h)
	unsigned long noinstr_pool_bytes = PREVIRT_NOINSTR_POOL_DEFAULT_BYTES;  // noinstr-pool=BYTES
};

// Registers the -previrt-* command-line options (call once, at load, only
// when the host LLVM is the one this plugin was built for).
void previrt_register_options();

// Reads the options (command line, then the environment variable) into
// *cfg.  Returns false and sets *error to one line on a bad key or value.
bool previrt_read_options(previrt_clang_config *cfg, std::string *error);

#endif
