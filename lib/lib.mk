# libprevirt-rewrite: rule tables, text matcher and asm-template rewriter,
# shared by the GCC plugin, the Clang pass and the host tools.  Built PIC so
# it can be linked into compiler plugins.
LIB_SRCS := lib/insn_match.c lib/asm_rewrite.c lib/pool.c lib/record_layout.c
LIB_OBJS := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS)) $(BUILD)/lib/previrt_rules.o
LIBREWRITE := $(BUILD)/lib/libprevirt-rewrite.a

$(BUILD)/lib/%.o: lib/%.c lib/*.h include/previrt/format.h $(RULES_H)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(HOST_CFLAGS) $(CWARN) -fPIC $(INCLUDES) -c $< -o $@

$(BUILD)/lib/previrt_rules.o: $(RULES_C) $(RULES_H)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(HOST_CFLAGS) $(CWARN) -fPIC $(INCLUDES) -c $< -o $@

$(LIBREWRITE): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

ALL += $(LIBREWRITE)
