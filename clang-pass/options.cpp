// SPDX-License-Identifier: MIT
// Option parsing for the previrt Clang pass (see options.h and README.md).
//
// The keys are the GCC plugin's (gcc-plugin/plugin.cc), so one vocabulary
// serves both compilers:
//   -mllvm -previrt-min-size=N     pad every site to N bytes (1..64)
//   -mllvm -previrt-kinds=LIST     annotate only these kinds ("mmio" = both MMIO kinds)
//   -mllvm -previrt-disable        load, but annotate nothing
//   -mllvm -previrt-all-code-models  not only -mcmodel=kernel
//   -mllvm -previrt-verbose        a remark for every annotated asm
//   -mllvm -previrt-pool=BYTES     handler pool in the unit defining start_kernel
//   -mllvm -previrt-noinstr-pool=BYTES  its .noinstr.text pool (lib/pool.h)
// clang parses -mllvm before it loads -fpass-plugin libraries, so these need
// -fplugin=<same .so> as well.  PREVIRT_CLANG_OPTIONS="min-size=9 verbose"
// gives the same keys without that (handy through build systems).
//
// min-size and kinds are strings here, not cl::opt<unsigned>, so that a bad
// value gets our one-line message rather than the generic one.
#include "options.h"

#include <cstdlib>
#include <cstring>

#include "llvm/Support/CommandLine.h"

extern "C" {
#include "previrt_rules.h"
}

using namespace llvm;

namespace {
// Created by previrt_register_options(), never at static-initialisation
// time: in a foreign LLVM those constructors are what would crash.
struct cl_options {
	cl::opt<std::string> min_size{"previrt-min-size", cl::init(""),
		cl::desc("previrt: pad every site to at least N bytes (1..64)")};
	cl::opt<std::string> kinds{"previrt-kinds", cl::init(""),
		cl::desc("previrt: annotate only these kinds (rule names, 'mmio')")};
	cl::opt<bool> disable{"previrt-disable", cl::init(false),
		cl::desc("previrt: load, but annotate nothing")};
	cl::opt<bool> all_code_models{"previrt-all-code-models", cl::init(false),
		cl::desc("previrt: annotate any code model, not only kernel")};
	cl::opt<bool> verbose{"previrt-verbose", cl::init(false),
		cl::desc("previrt: a remark for every annotated asm")};
	cl::opt<std::string> pool{"previrt-pool", cl::init(""),
		cl::desc("previrt: handler pool bytes reserved with start_kernel (0 = none)")};
	cl::opt<std::string> noinstr_pool{"previrt-noinstr-pool", cl::init(""),
		cl::desc("previrt: .noinstr.text handler pool bytes reserved with start_kernel (0 = none)")};
};
cl_options *opts;
} // namespace

static const char KEYS[] = "min-size=N kinds=LIST disable all-code-models verbose pool=BYTES noinstr-pool=BYTES";

void previrt_register_options()
{
	if (!opts)
		opts = new cl_options;
}

static bool set_min_size(previrt_clang_config *cfg, const std::string &v, const char *how,
			 std::string *error)
{
	char *end;
	long n = strtol(v.c_str(), &end, 10);

	if (v.empty() || *end || n < 1 || n > 64) {
		*error = std::string("previrt: ") + how + "min-size wants a number from 1 to 64, not '" +
			 v + "'";
		return false;
	}
	cfg->min_size = (unsigned)n;
	return true;
}

// key: "pool" or "noinstr-pool" (lib/pool.h), the same check for both
static bool set_pool(previrt_clang_config *cfg, const std::string &key, const std::string &v,
		     const char *how, std::string *error)
{
	unsigned long *bytes = key == "pool" ? &cfg->pool_bytes : &cfg->noinstr_pool_bytes;

	if (pv_pool_parse(v.c_str(), bytes) != 0) {
		*error = std::string("previrt: ") + how + key + " wants 0 or a multiple of " +
			 std::to_string(PREVIRT_POOL_THUNK_BYTES) + " up to " +
			 std::to_string(PREVIRT_POOL_MAX_BYTES) + " bytes, not '" + v + "'";
		return false;
	}
	return true;
}

static bool set_kinds(previrt_clang_config *cfg, const std::string &list, const char *how,
		      std::string *error)
{
	size_t p = 0;

	cfg->restrict_kinds = true;
	memset(cfg->kind_enabled, 0, sizeof(cfg->kind_enabled));
	while (p <= list.size()) {
		size_t c = list.find(',', p);
		std::string tok = list.substr(p, c == std::string::npos ? std::string::npos : c - p);
		const struct previrt_rule *r;

		if (tok == "mmio") {
			cfg->kind_enabled[PREVIRT_KIND_MMIO_READ] = 1;
			cfg->kind_enabled[PREVIRT_KIND_MMIO_WRITE] = 1;
		} else if ((r = previrt_rule_by_name(tok.c_str())) != nullptr) {
			if (r->id <= PREVIRT_KIND_MAX)
				cfg->kind_enabled[r->id] = 1;
		} else {
			*error = std::string("previrt: unknown kind '") + tok + "' in " + how +
				 "kinds (kinds are the rule names in rewriting-rules/x86_64.rules, or 'mmio')";
			return false;
		}
		if (c == std::string::npos)
			break;
		p = c + 1;
	}
	return true;
}

// "min-size=9 kinds=cli,sti verbose": the GCC plugin's keys, blank-separated.
static bool read_env(previrt_clang_config *cfg, const char *env, std::string *error)
{
	static const char how[] = "PREVIRT_CLANG_OPTIONS ";
	const char *p = env;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		std::string word(s, p), key = word, val;
		size_t eq = word.find('=');
		bool has_val = eq != std::string::npos;

		if (has_val) {
			key = word.substr(0, eq);
			val = word.substr(eq + 1);
		}
		if (key == "min-size" && has_val) {
			if (!set_min_size(cfg, val, how, error))
				return false;
		} else if (key == "kinds" && has_val) {
			if (!set_kinds(cfg, val, how, error))
				return false;
		} else if (key == "disable" && !has_val) {
			cfg->disable = true;
		} else if (key == "all-code-models" && !has_val) {
			cfg->all_code_models = true;
		} else if (key == "verbose" && !has_val) {
			cfg->verbose = true;
		} else if ((key == "pool" || key == "noinstr-pool") && has_val) {
			if (!set_pool(cfg, key, val, how, error))
				return false;
		} else {
			*error = std::string("previrt: unknown option '") + word +
				 "' in PREVIRT_CLANG_OPTIONS (keys: " + KEYS + ")";
			return false;
		}
	}
	return true;
}

bool previrt_read_options(previrt_clang_config *cfg, std::string *error)
{
	static const char how[] = "-mllvm -previrt-";
	const char *env = getenv("PREVIRT_CLANG_OPTIONS");

	*cfg = previrt_clang_config();
	if (opts) {
		if (opts->min_size.getNumOccurrences() &&
		    !set_min_size(cfg, opts->min_size, how, error))
			return false;
		if (opts->kinds.getNumOccurrences() && !set_kinds(cfg, opts->kinds, how, error))
			return false;
		if (opts->pool.getNumOccurrences() && !set_pool(cfg, "pool", opts->pool, how, error))
			return false;
		if (opts->noinstr_pool.getNumOccurrences() &&
		    !set_pool(cfg, "noinstr-pool", opts->noinstr_pool, how, error))
			return false;
		cfg->disable = opts->disable;
		cfg->all_code_models = opts->all_code_models;
		cfg->verbose = opts->verbose;
	}
	return !env || read_env(cfg, env, error);
}
