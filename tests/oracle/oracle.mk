# The independent coverage oracle (tests/oracle/README.md): classifies every
# instruction of an ELF from its bytes with its own table (no rules, no
# generated tables, no lib/insn_match.c) and lists what no .previrt site covers.
#
#   make check-oracle              its self-tests (part of `make check`)
#   make oracle VMLINUX=path       run it on an image; ORACLE_FLAGS=--report-only etc.
ORACLE_DIR   := tests/oracle
ORACLE_FLAGS ?=

check-oracle: $(PLUGIN)
	@echo "== oracle: classifier against gas/objdump, objects with .previrt, exclusions"
	@CC=$(CC) PYTHON=$(PYTHON) $(ORACLE_DIR)/run-tests.sh $(PLUGIN) $(BUILD)/tests/oracle

oracle:
	@test -n "$(VMLINUX)" || { echo "usage: make oracle VMLINUX=path/to/vmlinux [ORACLE_FLAGS=...]" >&2; exit 2; }
	@$(PYTHON) $(ORACLE_DIR)/oracle.py --time $(ORACLE_FLAGS) $(VMLINUX)

CHECKS += check-oracle
.PHONY: check-oracle oracle
