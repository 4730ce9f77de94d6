# The GCC plugin: build/previrt.so, used as gcc -fplugin=build/previrt.so,
# or as -fplugin=previrt once installed into GCC's plugin directory.
PLUGIN      := $(BUILD)/previrt.so
PLUGIN_SRCS := gcc-plugin/plugin.cc gcc-plugin/asm_pass.cc gcc-plugin/asm_file.cc gcc-plugin/pool.cc
PLUGIN_CXXFLAGS := -std=gnu++17 -O2 -g -fPIC -fno-rtti -fno-exceptions -Wall \
	-Wno-unused-parameter -I$(GCC_PLUGIN_DIR)/include $(INCLUDES)

$(PLUGIN): $(PLUGIN_SRCS) gcc-plugin/plugin.h $(LIBREWRITE)
	@test -f $(GCC_PLUGIN_DIR)/include/gcc-plugin.h || \
		{ echo "previrt: GCC plugin headers missing: run ci/install-deps (gcc-12-plugin-dev)" >&2; exit 1; }
	$(CXX) $(PLUGIN_CXXFLAGS) -shared $(PLUGIN_SRCS) $(LIBREWRITE) -o $@

install-gcc-plugin: $(PLUGIN)
	install -D -m 0644 $(PLUGIN) $(DESTDIR)$(GCC_PLUGIN_DIR)/previrt.so

ALL      += $(PLUGIN)
INSTALLS += install-gcc-plugin
.PHONY: install-gcc-plugin

demo-plugin: $(PLUGIN)
	@ci/demo-plugin $(PLUGIN) $(BUILD)/demo

DEMOS += demo-plugin
.PHONY: demo-plugin
