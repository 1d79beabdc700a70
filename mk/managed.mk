# managed.mk — the managed-mode benchmark (make bench-managed; part of make bench).
$(B)/bench/managed_bench: bench/managed_bench.c $(B)/rel/libboxagent.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -o $@ $< $(B)/rel/libboxagent.a $(LIBS)

bench-managed: $(B)/bench/managed_bench
	$(B)/bench/managed_bench 16 20

bench: bench-managed
.PHONY: bench-managed
