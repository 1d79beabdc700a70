# mk/spec.mk — the WebAssembly spec-test runner and `make spec`.
#   build/spec-runner        optimised, against build/rel/libboxagent.a (make spec)
#   build/asan/spec-runner   ASan+UBSan, against build/asan/libboxagent.a (make test, suite spec)

SPEC_SRCS := $(wildcard tests/spec/*.c)

$(B)/spec-runner: $(SPEC_SRCS:%.c=$(B)/rel/%.o) $(B)/rel/libboxagent.a
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

$(B)/asan/spec-runner: $(SPEC_SRCS:%.c=$(B)/asan/%.o) $(B)/asan/libboxagent.a
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

# Only once the engine's sources exist, so that `make test` links before the engine lands.
ifneq ($(wildcard src/wasm/*.c),)
TEST_PREREQS += $(B)/asan/spec-runner
endif

spec: $(B)/spec-runner
	@tests/spec/run-spec.sh $(B)/spec-runner
