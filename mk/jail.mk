# mk/jail.mk — the native jail's test helpers and benchmark.
#   build/jail/probe                         hostile probe (native) used by tests/suites/jail*.sh
#   build/wasm/tests/conformance/probe.wasm  the same probe for the WebAssembly backend
#   build/jail/jail_timing                   bench driver: median fork+exec vs `boxagent exec`
#   make bench-jail                          runs bench/jail_bench.sh (part of `make bench`)

$(B)/jail/probe: tests/conformance/probe.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

$(B)/wasm/tests/conformance/probe.wasm: tests/conformance/probe.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) -o $@ $<

$(B)/jail/jail_timing: bench/jail_timing.c $(B)/rel/libboxagent.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -o $@ $< $(B)/rel/libboxagent.a $(LIBS)

TEST_PREREQS += $(B)/jail/probe $(B)/wasm/tests/conformance/probe.wasm

bench-jail: $(B)/boxagent $(B)/jail/jail_timing
	@B=$(B) bench/jail_bench.sh

BENCH_TARGETS += bench-jail
bench: bench-jail
.PHONY: bench-jail
