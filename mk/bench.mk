# mk/bench.mk — engine benchmarks (`make bench`): compute programs against native code
# (bench/wasm-bench.sh) and start-up / instantiate cost (bench/startup.sh).
#   build/wasm-reactor-bench   runs a reactor benchmark build through wasm.h only
#   build/instantiate-bench    hello.wasm instantiated and run 1,000 times in one process
#   build/startup-time         precise interleaved whole-process timing of commands

$(B)/wasm-reactor-bench: $(B)/rel/bench/wasm_reactor_bench.o $(B)/rel/libboxagent.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

$(B)/instantiate-bench: $(B)/rel/bench/instantiate_bench.o $(B)/rel/libboxagent.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

$(B)/startup-time: $(B)/rel/bench/startup_time.o $(B)/rel/libboxagent.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

BENCH_TARGETS += bench-wasm bench-startup

bench: bench-wasm bench-startup

bench-wasm: $(B)/boxagent $(B)/wasm-reactor-bench
	@B=$(B) bench/wasm-bench.sh

bench-startup: $(B)/boxagent $(B)/instantiate-bench $(B)/startup-time
	@B=$(B) bench/startup.sh

.PHONY: bench-wasm bench-startup
