/* SPDX-License-Identifier: MIT */
/*
 * Hand-written assembly: a kernel's .S files reach GCC's driver with the
 * same -fplugin option (KAFLAGS), and the driver hands them to cc1 in
 * preprocess-only mode (`cc1 -E -lang-asm ... -o /tmp/ccXXXX.s`) before it
 * runs the assembler on that file.  When cc1 finishes, the preprocessed
 * file is complete and closed: the plugin rewrites it in place with the
 * same rewriter and rules as inline asm (lib/asm_rewrite.c, whole-file
 * mode), so .S sites get the same pads and records as C sites, and nothing
 * but the plugin is needed.
 *
 * Not annotated: the vDSO (-DBUILD_VDSO: user-space code), linker scripts
 * (-DLINKER_SCRIPT), 32-bit builds, and output to a pipe (-pipe or -E to
 * standard output), which cannot be rewritten after the fact: a warning
 * says so.
 */
#include "gcc-plugin.h"
#include "diagnostic-core.h"
#include "options.h"
#include "opts.h"
#include "toplev.h"
#include "flags.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "plugin.h"

extern "C" {
#include "asm_rewrite.h"
#include "previrt/format.h"
}

/* Value of the last -o, or NULL. */
static const char *output_file(void)
{
	const char *o = NULL;

	for (unsigned i = 0; i < save_decoded_options_count; i++)
		if (save_decoded_options[i].opt_index == OPT_o)
			o = save_decoded_options[i].arg;
	return o;
}

static bool defined_on_command_line(const char *macro)
{
	size_t l = strlen(macro);

	for (unsigned i = 0; i < save_decoded_options_count; i++) {
		const char *a = save_decoded_options[i].arg;

		if (save_decoded_options[i].opt_index == OPT_D && a &&
		    strncmp(a, macro, l) == 0 && (a[l] == 0 || a[l] == '='))
			return true;
	}
	return false;
}

bool previrt_preprocessing_asm(void)
{
	if (!flag_preprocess_only)
		return false;
	for (unsigned i = 0; i < save_decoded_options_count; i++)
		if (save_decoded_options[i].opt_index == OPT_lang_asm)
			return true;
	return false;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			buf = (char *)xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	buf[n] = 0;
	if (ferror(f) || memchr(buf, 0, n)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Write text to path through a temporary name: never a half-written file. */
static bool replace_file(const char *path, const char *text)
{
	size_t l = strlen(path);
	char *tmp = (char *)xmalloc(l + 16);
	FILE *f;
	bool ok;

	snprintf(tmp, l + 16, "%s.previrt~", path);
	f = fopen(tmp, "wb");
	ok = f && fputs(text, f) >= 0;
	if (f)
		ok = fclose(f) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	if (!ok)
		remove(tmp);
	free(tmp);
	return ok;
}

static void rewrite_preprocessed(void *, void *)
{
	const char *path = output_file();
	struct pv_rewrite_opts o;
	struct pv_rewrite_stats st;
	char *text, *out;
	size_t len;

	if (seen_error())
		return;
	if (!previrt_cfg.all_code_models &&
	    (!TARGET_64BIT || defined_on_command_line("BUILD_VDSO") ||
	     defined_on_command_line("LINKER_SCRIPT")))
		return;
	if (!path || strcmp(path, "-") == 0) {
		warning(0, "previrt: preprocessed assembly goes to a pipe (%<-pipe%> or %<-E%>): "
			"its sensitive instructions are not annotated");
		return;
	}
	text = read_file(path, &len);
	if (!text) {
		error("previrt: cannot read the preprocessed assembly %qs", path);
		return;
	}
	previrt_base_opts(&o);
	out = pv_rewrite_file(text, &o, PREVIRT_PRODUCER_GAS, &st);
	if (previrt_cfg.verbose)
		inform(UNKNOWN_LOCATION, "previrt: %s: %u site(s); left alone: %u in replacement "
		       "code, %u in 16/32-bit code, %u filtered by %<kinds%>", main_input_filename,
		       st.sites, st.skipped_repl, st.skipped_mode, st.skipped_kind);
	if (out && !replace_file(path, out))
		error("previrt: cannot write the annotated assembly %qs", path);
	free(out);
	free(text);
}

void previrt_register_asm_file(const char *plugin_name)
{
	register_callback(plugin_name, PLUGIN_FINISH, rewrite_preprocessed, NULL);
}
