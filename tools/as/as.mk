# previrt-as: the assembler wrapper that annotates hand-written assembly in
# builds whose compiler has no plugin hook for it (Clang).  build/as/as is
# the directory entry a driver finds with -B$(BUILD)/as/.
PREVIRT_AS := $(BUILD)/bin/previrt-as
PREVIRT_AS_DIR := $(BUILD)/as

$(PREVIRT_AS): tools/as/previrt-as.c $(LIBREWRITE)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(HOST_CFLAGS) $(CWARN) $(INCLUDES) $< $(LIBREWRITE) -o $@

$(PREVIRT_AS_DIR)/as: $(PREVIRT_AS)
	@mkdir -p $(dir $@)
	ln -sf ../bin/previrt-as $@

install-previrt-as: $(PREVIRT_AS)
	install -D -m 0755 $(PREVIRT_AS) $(DESTDIR)$(PREFIX)/bin/previrt-as
	install -d $(DESTDIR)$(PREFIX)/lib/previrt/as
	ln -sf $(PREFIX)/bin/previrt-as $(DESTDIR)$(PREFIX)/lib/previrt/as/as

ALL      += $(PREVIRT_AS) $(PREVIRT_AS_DIR)/as
INSTALLS += install-previrt-as
.PHONY: install-previrt-as
