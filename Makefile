# previrt top-level Makefile.
#
#   make            build everything into build/
#   make check      install dependencies, build, run every test (CI runs this)
#   make demo       the main job end to end (see README.md)
#   make install    install tools and the GCC plugin (PREFIX=/usr/local)
#
# Each component has its own fragment (*.mk) that adds to ALL, CHECKS and
# INSTALLS; this file holds only what they share.

BUILD    ?= $(CURDIR)/build
PREFIX   ?= /usr/local
CC       ?= gcc
CXX      ?= g++
PYTHON   ?= python3
GCC_PLUGIN_DIR := $(shell $(CC) -print-file-name=plugin 2>/dev/null)

CWARN    := -Wall -Wextra -Werror=implicit-function-declaration
HOST_CFLAGS ?= -O2 -g
GEN      := $(BUILD)/gen
INCLUDES := -I$(CURDIR)/include -I$(CURDIR)/lib -I$(GEN)

ALL      :=
CHECKS   :=
INSTALLS :=
DEMOS    :=

.DEFAULT_GOAL := all
.PHONY: all check check-all demo demo-all install deps clean

include rewriting-rules/rules.mk
include lib/lib.mk
include tools/as/as.mk
include gcc-plugin/plugin.mk
include tests/tests.mk
include tests/oracle/oracle.mk
-include tools/tools.mk
-include clang-pass/pass.mk
-include kernel-configs/kernel.mk
-include runtime/runtime.mk
-include tests/boot/boot.mk
-include tests/io/io.mk
-include xen-host/xen-host.mk

all: $(ALL)

# The docs name built files relative to the top (`make build/previrt-clang.so`,
# `make build/runtime/previrt-loader.elf`); the rules name them by $(BUILD)'s
# absolute path.  Each relative name stands for that file.
ifeq ($(abspath $(BUILD)),$(CURDIR)/build)
build/%: $(CURDIR)/build/% ;@:
endif

deps:
	@ci/install-deps

# The README's test command: dependencies first (a fresh machine has none),
# then every component's checks.
check: deps
	@ci/run-checks $(BUILD)/check.log $(MAKE) --no-print-directory check-all

check-all: $(CHECKS)
	@echo "check: all test groups passed"

# The README's main command: every component's demo step, in order.
demo: deps
	@$(MAKE) --no-print-directory demo-all

demo-all: all
	@for d in $(DEMOS); do $(MAKE) --no-print-directory $$d || exit 1; done
	@echo "demo: done"

install: $(INSTALLS)

clean:
	rm -rf $(BUILD)
