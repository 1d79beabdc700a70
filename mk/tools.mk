# mk/tools.mk — the tool layer's build rules: embeds the built-in WebAssembly tools
# (build/wasm/tools/*.wasm) into libboxagent through a generated assembly file, and adds the
# tool benchmark to `make bench`.

TOOLS_EMBED_S := $(B)/gen/tools_embed.S
EXTRA_LIB_SRCS += $(TOOLS_EMBED_S)

# One .incbin per module and a table {name, data, size} ... {0, 0, 0} read by
# src/tools/wasm_run.c. Regenerated (and so reassembled) whenever a module changes.
$(TOOLS_EMBED_S): $(tools_WASM) scripts/embed-files.sh
	@mkdir -p $(@D)
	scripts/embed-files.sh tools_embedded_table $(B)/wasm/tools/ .wasm $(tools_WASM) > $@.tmp && mv $@.tmp $@

ifneq ($(wildcard bench/tool_bench.c),)
TOOL_BENCH := $(B)/bench/tool_bench
$(TOOL_BENCH): bench/tool_bench.c $(B)/rel/libboxagent.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -o $@ $< $(B)/rel/libboxagent.a $(LIBS)

bench-tools: $(TOOL_BENCH)
	$(TOOL_BENCH)

bench: bench-tools
BENCH_TARGETS += bench-tools
.PHONY: bench-tools
endif

# The embedded modules carry no debug sections (a fifth of the size, faster to compile); their
# 1 MiB stack sits first in memory so an overflow traps instead of overwriting data.
$(tools_WASM): WASM_CFLAGS += -Wl,--strip-all -Wl,--stack-first -Wl,-z,stack-size=1048576
