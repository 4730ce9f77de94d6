# Generated rule tables: every component compiles these in.
RULES       := rewriting-rules/x86_64.rules
MMIO_RULES  := rewriting-rules/x86_64-mmio.rules
RULES_H     := $(GEN)/previrt_rules.h
RULES_C     := $(GEN)/previrt_rules.c

$(RULES_H) $(RULES_C) &: $(RULES) $(MMIO_RULES) rewriting-rules/gen-tables.py
	@mkdir -p $(GEN)
	$(PYTHON) rewriting-rules/gen-tables.py $(RULES) $(MMIO_RULES) $(GEN)

ALL += $(RULES_H)
