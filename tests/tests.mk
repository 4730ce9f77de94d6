# Tests of the rules generator, the template rewriter and the GCC plugin.
# Each group prints PASS/FAIL lines and ends with "N passed, M failed".
TESTS_WORK := $(BUILD)/tests

$(TESTS_WORK)/test_rewrite: tests/rewriter/test_rewrite.c $(LIBREWRITE)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(HOST_CFLAGS) $(CWARN) $(INCLUDES) $< $(LIBREWRITE) -o $@

check-rewriter: $(TESTS_WORK)/test_rewrite
	@echo "== rewriter: template rewriting unit tests"
	@$(TESTS_WORK)/test_rewrite
	@echo "== rules: generator errors and one-line extension"
	@tests/rewriter/test_gen_tables.sh $(TESTS_WORK)/gen $(CC)

check-gcc-plugin: $(PLUGIN) $(RULES_H)
	@echo "== gcc-plugin: corpus at -O0/-O2/-Os checked with binutils, options"
	@CC=$(CC) tests/plugin/run-tests.sh $(PLUGIN) $(CURDIR)/$(RULES) $(TESTS_WORK)/plugin

# Documented commands exist: every `make TARGET` in README.md, docs/*.md and
# the directories' README.md is a target make knows (nothing is built).
# (make named through a variable: not a recursive recipe, so make -n only prints it)
DOCS_MAKE = $(MAKE)
check-docs-commands:
	@echo "== docs: every make command the documentation names is a target"
	@tests/docs/run-tests.sh $(TESTS_WORK)/docs "$(DOCS_MAKE)"

CHECKS += check-rewriter check-gcc-plugin check-docs-commands
.PHONY: check-rewriter check-gcc-plugin check-docs-commands

check-asm-path: $(PLUGIN) $(PREVIRT_AS_DIR)/as $(RULES_H)
	@echo "== asm path: hand-written .S through the GCC plugin and previrt-as, checked with binutils"
	@tests/asm/run-tests.sh $(PLUGIN) $(PREVIRT_AS_DIR) $(CURDIR)/$(RULES) $(TESTS_WORK)/asm

CHECKS += check-asm-path
.PHONY: check-asm-path

# The LINUX=<release> interface of the kernel targets, read from make -n
# (nothing built; make named through a variable, as above).
check-linux-release:
	@echo "== kernel: LINUX=<release> picks tarball, source cache, build dirs (make -n)"
	@tests/kernel/run-tests.sh $(TESTS_WORK)/kernel "$(DOCS_MAKE)"

CHECKS += check-linux-release
.PHONY: check-linux-release
