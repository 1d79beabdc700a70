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

# The jail's main seccomp filter is compiled to BPF here, with libseccomp, by a small generator;
# the library is needed to build boxagent, not to run it.
SECCOMP_FILTER_H := $(B)/gen/jail_seccomp_filter.h
$(B)/gen/seccomp-gen: src/jail/gen/seccomp_gen.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lseccomp

$(SECCOMP_FILTER_H): $(B)/gen/seccomp-gen
	$< > $@.tmp && mv $@.tmp $@

$(B)/rel/src/jail/jail_seccomp.o $(B)/asan/src/jail/jail_seccomp.o: $(SECCOMP_FILTER_H)
$(B)/rel/src/jail/jail_seccomp.o $(B)/asan/src/jail/jail_seccomp.o: CFLAGS_BASE += -I$(B)/gen
