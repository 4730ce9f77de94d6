# previrt-report: reads .previrt from ELF files (tools/report/, tools/README.md).
# Host tool: libelf + libdw (elfutils) for ELF/DWARF, libopcodes (binutils-dev)
# for disassembly, the shared matcher/rule tables from $(LIBREWRITE).
REPORT      := $(BUILD)/bin/previrt-report
REPORT_SRCS := $(filter-out tools/report/fuzz_records.c,$(wildcard tools/report/*.c))
REPORT_OBJS := $(patsubst tools/report/%.c,$(BUILD)/tools/report/%.o,$(REPORT_SRCS))
REPORT_LIBS := -lopcodes -ldw -lelf
REPORT_CFLAGS := -std=gnu11 $(HOST_CFLAGS) $(CWARN) $(INCLUDES)

$(BUILD)/tools/report/%.o: tools/report/%.c tools/report/*.h include/previrt/format.h lib/insn_match.h $(RULES_H)
	@mkdir -p $(dir $@)
	$(CC) $(REPORT_CFLAGS) -c $< -o $@

# The zone table uses the runtime's own zone rule and backend declarations
# (runtime/patch/zone.h, the backends' zone_policy): those two files see
# the runtime's headers, and the report links the runtime's host library.
REPORT_RTLIB := $(BUILD)/runtime/libprevirt-runtime-host.a
$(BUILD)/tools/report/zones.o $(BUILD)/tools/report/policy.o: REPORT_CFLAGS += -Iruntime
$(BUILD)/tools/report/zones.o $(BUILD)/tools/report/policy.o: $(wildcard runtime/patch/*.h)

$(REPORT): $(REPORT_OBJS) $(LIBREWRITE) $(REPORT_RTLIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(REPORT_OBJS) $(REPORT_RTLIB) $(LIBREWRITE) $(REPORT_LIBS) -o $@

install-report: $(REPORT)
	install -D -m 0755 $(REPORT) $(DESTDIR)$(PREFIX)/bin/previrt-report

# Tests: corpus objects through the plugin, a linked test program, planted
# corruptions (tests/report/run.sh).
check-report: $(REPORT) $(PLUGIN)
	@PREVIRT_REPORT=$(REPORT) PREVIRT_PLUGIN=$(PLUGIN) PREVIRT_WORK=$(BUILD)/tests/report \
		sh tests/report/run.sh

# Fuzzing the record/section parser (not part of CHECKS: it runs until stopped
# or for FUZZ_SECONDS).  Needs clang-16 with libFuzzer (libclang-rt-16-dev).
FUZZ_CC      ?= clang-16
FUZZ_SECONDS ?= 120
REPORT_FUZZ  := $(BUILD)/fuzz/fuzz-report
REPORT_FUZZ_SRCS := tools/report/fuzz_records.c tools/report/image.c tools/report/records.c \
	tools/report/patch_tables.c tools/report/disasm.c tools/report/report.c \
	tools/report/verify.c tools/report/dwarf_info.c tools/report/output.c \
	tools/report/coverage.c tools/report/tally.c

$(REPORT_FUZZ): $(REPORT_FUZZ_SRCS) tools/report/*.h $(LIBREWRITE) $(RULES_C)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(INCLUDES) \
		$(REPORT_FUZZ_SRCS) lib/insn_match.c $(RULES_C) $(REPORT_LIBS) -o $@

fuzz-report: $(REPORT_FUZZ) $(PLUGIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	@PREVIRT_PLUGIN=$(PLUGIN) sh tests/report/fuzz-seeds.sh $(BUILD)/fuzz/corpus
	$(REPORT_FUZZ) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
		-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus

ALL      += $(REPORT)
INSTALLS += install-report
CHECKS   += check-report
.PHONY: install-report check-report fuzz-report
