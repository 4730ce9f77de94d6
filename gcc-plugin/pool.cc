/* SPDX-License-Identifier: MIT */
/*
 * The handler pools and counters (lib/pool.h): emitted at the end of the one
 * unit that defines the anchor function (start_kernel), so that a kernel
 * built with nothing but -fplugin=previrt carries them exactly once.
 */
#include "gcc-plugin.h"
#include "tree.h"
#include "cgraph.h"
#include "output.h"
#include "stringpool.h"

#include <cstring>

#include "plugin.h"

extern "C" {
#include "pool.h"
}

static bool unit_defines_anchor(void)
{
	cgraph_node *node;

	FOR_EACH_DEFINED_FUNCTION(node) {
		tree name = DECL_NAME(node->decl);

		if (name && strcmp(IDENTIFIER_POINTER(name), PREVIRT_POOL_ANCHOR) == 0 &&
		    TREE_PUBLIC(node->decl))
			return true;
	}
	return false;
}

void previrt_emit_pool(void)
{
	if ((previrt_cfg.pool_bytes || previrt_cfg.noinstr_pool_bytes) && asm_out_file && unit_defines_anchor())
		fputs(pv_pool_asm(previrt_cfg.pool_bytes, previrt_cfg.noinstr_pool_bytes), asm_out_file);
}
