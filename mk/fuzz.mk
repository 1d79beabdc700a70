# mk/fuzz.mk — fuzzing: a libFuzzer target over the engine (clang, ASan+UBSan, its own copies
# of the engine objects under build/fuzz/) and a differential runner against Node's V8.
#   build/fuzz/fuzz_wasm      libFuzzer target (fuzz/fuzz_wasm.c)
#   build/asan/diff-runner    our side of fuzz/differential.sh (fuzz/diff_runner.c)
#   make fuzz                 FUZZ_SECONDS (default 60) of libFuzzer + DIFF_N (default 300)
#                             wasm-opt -ttf modules compared with V8

FUZZ_CC := clang-14
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Isrc -pthread -O1 -g -fno-omit-frame-pointer \
              $(PKG_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_ENGINE_SRCS = $(wildcard src/wasm/*.c) $(wildcard src/util/*.c)
FUZZ_ENGINE_OBJS = $(FUZZ_ENGINE_SRCS:%.c=$(B)/fuzz/%.o)
FUZZ_SECONDS ?= 60
DIFF_N ?= 300

# Engine and helper sources: other people's files, so warnings are shown but not fatal here.
$(B)/fuzz/src/%.o: src/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -MMD -MP -c $< -o $@

$(B)/fuzz/fuzz/%.o: fuzz/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Werror -MMD -MP -c $< -o $@

$(B)/fuzz/fuzz_wasm: $(B)/fuzz/fuzz/fuzz_wasm.o $(FUZZ_ENGINE_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

$(B)/asan/diff-runner: $(B)/asan/fuzz/diff_runner.o $(B)/asan/libboxagent.a
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

FUZZ_TARGETS += $(B)/fuzz/fuzz_wasm $(B)/asan/diff-runner
ifneq ($(wildcard src/wasm/*.c),)
TEST_PREREQS += $(B)/fuzz/fuzz_wasm $(B)/asan/diff-runner
endif

fuzz: $(B)/fuzz/fuzz_wasm $(B)/asan/diff-runner
	@FUZZ_SECONDS=$(FUZZ_SECONDS) DIFF_N=$(DIFF_N) B=$(B) fuzz/run-fuzz.sh
