/* SPDX-License-Identifier: MIT */
/*
 * previrt GCC plugin: entry point, version check and option parsing.
 *
 *   gcc -fplugin=previrt [-fplugin-arg-previrt-KEY[=VALUE] ...]
 *
 * Keys (anything else is rejected with one error):
 *   min-size=N        pad every site to at least N bytes (1..64) instead of the rules' sizes
 *   kinds=K1,K2,...   annotate only these kinds (rule names; "mmio" = mmio_read,mmio_write)
 *   disable           load, but annotate nothing
 *   all-code-models   annotate any code model, not only -mcmodel=kernel
 *   verbose           a note for every annotated asm statement
 *   pool=BYTES        handler pool the unit defining start_kernel reserves
 *                     (default 262144; 0 = none; a multiple of 64)
 *   noinstr-pool=BYTES  the same for the pool in .noinstr.text, for sites in
 *                     noinstr code (default 16384; 0 = none; lib/pool.h)
 *
 * The same option on a .S file (KAFLAGS) annotates the hand-written
 * assembly (asm_file.cc).
 * The work is done by the GIMPLE pass in asm_pass.cc; this file only
 * decides whether and how it runs.
 */
#include "gcc-plugin.h"
#include "plugin-version.h"
#include "diagnostic-core.h"
#include "flags.h"
#include "options.h"

#include <cstdlib>
#include <cstring>

#include "plugin.h"

extern "C" {
#include "pool.h"
#include "previrt_rules.h"
}

int plugin_is_GPL_compatible;

struct previrt_config previrt_cfg;

static struct plugin_info previrt_plugin_info = {
	.version = "1",
	.help = "annotate sensitive x86-64 instructions and MMIO accesses for previrt; "
		"keys: min-size=N kinds=LIST disable all-code-models verbose pool=BYTES noinstr-pool=BYTES",
};

static bool parse_kinds(const char *list)
{
	char *copy = xstrdup(list), *save = NULL, *tok;
	bool ok = true;

	previrt_cfg.restrict_kinds = true;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct previrt_rule *r;

		if (strcmp(tok, "mmio") == 0) {
			previrt_cfg.kind_enabled[PREVIRT_KIND_MMIO_READ] = 1;
			previrt_cfg.kind_enabled[PREVIRT_KIND_MMIO_WRITE] = 1;
		} else if ((r = previrt_rule_by_name(tok)) != NULL) {
			if (r->id <= PREVIRT_KIND_MAX)
				previrt_cfg.kind_enabled[r->id] = 1;
		} else {
			error("previrt: unknown kind %qs in %<-fplugin-arg-previrt-kinds%> "
			      "(kinds are the rule names in %<rewriting-rules/x86_64.rules%>, or %<mmio%>)", tok);
			ok = false;
			break;
		}
	}
	free(copy);
	return ok;
}

/* Returns false (after one error) on a bad or unknown key. */
static bool parse_args(const char *name, int argc, struct plugin_argument *argv, bool *disable)
{
	for (int i = 0; i < argc; i++) {
		const char *key = argv[i].key, *val = argv[i].value;
		bool flag = !val;

		if (strcmp(key, "min-size") == 0 && val) {
			char *end;
			long n = strtol(val, &end, 10);

			if (*end || n < 1 || n > 64) {
				error("previrt: %<-fplugin-arg-%s-min-size%> wants a number from 1 to 64, not %qs",
				      name, val);
				return false;
			}
			previrt_cfg.min_size = (unsigned)n;
		} else if (strcmp(key, "kinds") == 0 && val) {
			if (!parse_kinds(val))
				return false;
		} else if (strcmp(key, "disable") == 0 && flag) {
			*disable = true;
		} else if (strcmp(key, "all-code-models") == 0 && flag) {
			previrt_cfg.all_code_models = true;
		} else if (strcmp(key, "verbose") == 0 && flag) {
			previrt_cfg.verbose = true;
		} else if ((strcmp(key, "pool") == 0 || strcmp(key, "noinstr-pool") == 0) && val) {
			unsigned long *bytes = strcmp(key, "pool") == 0 ? &previrt_cfg.pool_bytes
								       : &previrt_cfg.noinstr_pool_bytes;

			if (pv_pool_parse(val, bytes) != 0) {
				error("previrt: %<-fplugin-arg-%s-%s%> wants 0 or a multiple of %u "
				      "up to %u bytes, not %qs", name, key, PREVIRT_POOL_THUNK_BYTES,
				      PREVIRT_POOL_MAX_BYTES, val);
				return false;
			}
		} else {
			error("previrt: unknown option %<-fplugin-arg-%s-%s%s%s%> "
			      "(keys: min-size=N kinds=LIST disable all-code-models verbose pool=BYTES noinstr-pool=BYTES)",
			      name, key, val ? "=" : "", val ? val : "");
			return false;
		}
	}
	return true;
}

int plugin_init(struct plugin_name_args *info, struct plugin_gcc_version *version)
{
	bool disable = false;

#ifdef PREVIRT_TEST_FAKE_BASEVER
	/* tests/plugin builds a copy with this set to check the mismatch path */
	gcc_version.basever = PREVIRT_TEST_FAKE_BASEVER;
#endif
	if (!plugin_default_version_check(version, &gcc_version)) {
		error("previrt: plugin built for GCC %s (%s) cannot run in GCC %s (%s); "
		      "rebuild it with this compiler",
		      gcc_version.basever, gcc_version.datestamp,
		      version->basever, version->datestamp);
		/* 0 after error(): GCC stops with our one line instead of adding
		 * its own "failed to initialize plugin" */
		return 0;
	}
	register_callback(info->base_name, PLUGIN_INFO, NULL, &previrt_plugin_info);
	previrt_cfg.pool_bytes = PREVIRT_POOL_DEFAULT_BYTES;
	previrt_cfg.noinstr_pool_bytes = PREVIRT_NOINSTR_POOL_DEFAULT_BYTES;
	if (!parse_args(info->base_name, info->argc, info->argv, &disable))
		return 0;   /* the error is reported; GCC stops with it */
	if (disable)
		return 0;
	if (previrt_preprocessing_asm())
		previrt_register_asm_file(info->base_name);
	else if (!flag_preprocess_only)
		previrt_register_pass(info->base_name);
	return 0;
}
