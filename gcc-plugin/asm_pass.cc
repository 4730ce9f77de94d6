/* SPDX-License-Identifier: MIT */
/*
 * The previrt GIMPLE pass: rewrite every inline-asm statement that holds a
 * sensitive instruction or an MMIO access, in place, late in the pipeline.
 *
 * Why after "optimized": GCC sizes an asm statement by counting its template
 * lines.  Rewriting before inlining would make every cli look ~10 lines long
 * and silently change inlining and unrolling decisions.  After "optimized"
 * those decisions are made; expand then turns our new template into RTL
 * unchanged.  Operands, clobbers, goto labels and volatility stay as they
 * were because only the template string is replaced.
 *
 * Top-level asm() blocks are rewritten once, when IPA starts, before
 * cgraph writes them out.  The per-unit header record is written at the
 * end of the unit, and only if the unit produced a site.
 */
#include "gcc-plugin.h"
#include "tree.h"
#include "tree-pass.h"
#include "context.h"
#include "function.h"
#include "basic-block.h"
#include "gimple.h"
#include "gimple-iterator.h"
#include "cgraph.h"
#include "diagnostic-core.h"
#include "stringpool.h"
#include "output.h"
#include "options.h"

#include <cstdlib>
#include <cstring>

#include "plugin.h"

extern "C" {
#include "asm_rewrite.h"
#include "previrt/format.h"
#include "previrt_rules.h"
}

unsigned previrt_unit_sites;

/* Kernel code only, unless asked otherwise: this keeps a kernel's vdso
 * (built with the small code model) free of sites. */
static bool annotating(void)
{
	return previrt_cfg.all_code_models || ix86_cmodel == CM_KERNEL;
}

void previrt_base_opts(struct pv_rewrite_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pad = PV_PAD_NOPS;
	o->min_size = previrt_cfg.min_size;
	o->kind_enabled = previrt_cfg.restrict_kinds ? previrt_cfg.kind_enabled : NULL;
}

static const struct previrt_mmio_accessor *mmio_accessor(tree fndecl)
{
	const char *name;

	if (!fndecl || TREE_CODE(fndecl) != FUNCTION_DECL || !DECL_NAME(fndecl))
		return NULL;
	name = IDENTIFIER_POINTER(DECL_NAME(fndecl));
	for (unsigned i = 0; i < previrt_nmmio_accessors; i++)
		if (strcmp(previrt_mmio_accessors[i].function, name) == 0)
			return &previrt_mmio_accessors[i];
	return NULL;
}

/*
 * The function the asm statement was written in: the innermost inlined
 * function it came from, else the function being compiled.  Inlining leaves
 * a BLOCK whose ultimate origin is the inlined FUNCTION_DECL, with or
 * without -g.
 */
static tree written_in(gimple *stmt)
{
	for (tree b = gimple_block(stmt); b && TREE_CODE(b) == BLOCK; b = BLOCK_SUPERCONTEXT(b)) {
		if (inlined_function_outer_scope_p(b)) {
			tree origin = block_ultimate_origin(b);

			if (origin && TREE_CODE(origin) == FUNCTION_DECL)
				return origin;
		}
	}
	return current_function_decl;
}


static void report(location_t loc, const char *what, const struct pv_rewrite_stats *st)
{
	char kinds[256] = "";

	for (unsigned i = 0; i < st->sites && i < 8; i++) {
		const struct previrt_rule *r = previrt_rule_by_id(st->kinds[i]);
		size_t l = strlen(kinds);

		snprintf(kinds + l, sizeof(kinds) - l, "%s%s", i ? "," : "", r ? r->name : "?");
	}
	inform(loc, "previrt: %s: %u site(s) [%s]%s", what, st->sites, kinds,
	       st->sites > 8 ? ",..." : "");
}

static void report_skips(location_t loc, const struct pv_rewrite_stats *st)
{
	if (st->skipped_alt || st->skipped_repl || st->skipped_kind)
		inform(loc, "previrt: left alone: %u in ALTERNATIVE original, %u in replacement "
		       "code, %u filtered by %<kinds%>", st->skipped_alt, st->skipped_repl,
		       st->skipped_kind);
}

/* section_flags: what the function's section gives each site (pv_section_site_flags) */
static void rewrite_stmt(gasm *stmt, unsigned section_flags)
{
	struct pv_rewrite_opts o;
	struct pv_rewrite_stats st;
	const struct previrt_mmio_accessor *acc;
	char *text;

	previrt_base_opts(&o);
	if ((acc = mmio_accessor(written_in(stmt))) != NULL) {
		o.mmio_kind = acc->write ? PREVIRT_KIND_MMIO_WRITE : PREVIRT_KIND_MMIO_READ;
		o.mmio_width = acc->width;
		o.mmio_in_alternative = acc->in_alternative;
	}
	o.flags |= section_flags;
	if (gimple_asm_nlabels(stmt))
		o.flags |= PREVIRT_F_ASMGOTO;
	text = pv_rewrite_asm(gimple_asm_string(stmt), &o, &st);
	if (previrt_cfg.verbose)
		report_skips(gimple_location(stmt), &st);
	if (!text)
		return;
	stmt->string = ggc_strdup(text);
	free(text);
	previrt_unit_sites += st.sites;
	if (previrt_cfg.verbose)
		report(gimple_location(stmt), acc ? acc->function : "asm", &st);
}

namespace {

const pass_data previrt_pass_data = {
	GIMPLE_PASS,
	"previrt",            /* name: -fdump-tree-previrt shows the rewritten templates */
	OPTGROUP_NONE,
	TV_NONE,
	PROP_cfg,             /* properties_required */
	0, 0, 0, 0,
};

class previrt_pass : public gimple_opt_pass {
public:
	previrt_pass(gcc::context *ctx) : gimple_opt_pass(previrt_pass_data, ctx) {}

	bool gate(function *) final override { return annotating(); }

	unsigned int execute(function *fun) final override
	{
		unsigned section_flags = pv_section_site_flags(DECL_SECTION_NAME(fun->decl));
		basic_block bb;

		FOR_EACH_BB_FN(bb, fun) {
			for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi);
			     gsi_next(&gsi)) {
				if (gasm *stmt = dyn_cast<gasm *>(gsi_stmt(gsi)))
					rewrite_stmt(stmt, section_flags);
			}
		}
		return 0;
	}
};

} /* namespace */

/* Top-level asm() blocks: basic asm, no operands, any section. */
static void rewrite_toplevel(void *, void *)
{
	if (!annotating())
		return;
	for (asm_node *node = symtab->first_asm_symbol(); node; node = node->next) {
		struct pv_rewrite_opts o;
		struct pv_rewrite_stats st;
		char *text;

		if (TREE_CODE(node->asm_str) != STRING_CST)
			continue;
		previrt_base_opts(&o);
		o.flags = PREVIRT_F_TOPLEVEL;
		text = pv_rewrite_asm(TREE_STRING_POINTER(node->asm_str), &o, &st);
		if (previrt_cfg.verbose)
			report_skips(UNKNOWN_LOCATION, &st);
		if (!text)
			continue;
		node->asm_str = build_string(strlen(text), text);
		free(text);
		previrt_unit_sites += st.sites;
		if (previrt_cfg.verbose)
			report(UNKNOWN_LOCATION, "top-level asm", &st);
	}
}

/* One header record per unit that has sites (docs/format.md); the pool
 * in the one unit that defines the anchor. */
static void emit_header(void *, void *)
{
	if (!annotating())
		return;
	if (previrt_unit_sites && asm_out_file)
		fputs(pv_header_asm(PREVIRT_PRODUCER_GCC), asm_out_file);
	previrt_emit_pool();
}

void previrt_register_pass(const char *plugin_name)
{
	struct register_pass_info info;

	info.pass = new previrt_pass(g);
	info.reference_pass_name = "optimized";
	info.ref_pass_instance_number = 1;
	info.pos_op = PASS_POS_INSERT_AFTER;
	register_callback(plugin_name, PLUGIN_PASS_MANAGER_SETUP, NULL, &info);
	register_callback(plugin_name, PLUGIN_ALL_IPA_PASSES_START, rewrite_toplevel, NULL);
	register_callback(plugin_name, PLUGIN_FINISH_UNIT, emit_header, NULL);
}
