# Makefile — builds boxagent and everything its tests and benchmarks need.
#
#   make            build/boxagent (optimised) and the WebAssembly tools it embeds
#   make test       ASan+UBSan build, every unit test, every suite under tests/suites/
#   make spec       the WebAssembly spec test suite against the optimised engine
#   make fuzz       bounded fuzz runs (libFuzzer, differential against Node's V8)
#   make bench      benchmarks (ratios against a reference run in the same script)
#   make demo       the README's main command: a scripted prompt-injection demo
#
# Layer fragments live in mk/*.mk; they may append to EXTRA_LIB_SRCS, TEST_PREREQS,
# BENCH_TARGETS, FUZZ_TARGETS and add their own rules.

SHELL := /bin/bash
B := build
CC := gcc
PKGS := jansson libcurl libmicrohttpd sqlite3 libseccomp libedit
# libcurl and libmicrohttpd are loaded on first use (src/util/curl_shim.c,
# src/gateway/gw_mhd_shim.c), not linked: start-up of every command was mostly their loading.
# SHA-256 is src/util/sha256.c (libcrypto only for the test that cross-checks it); libseccomp
# only builds the jail's filter at build time (mk/jail.mk).
LINK_PKGS := jansson sqlite3 libedit

# Recursive (=) so that pkg-config runs after scripts/deps.sh has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) -ldl

CFLAGS_BASE = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -fno-math-errno -Isrc -pthread $(PKG_CFLAGS)
REL_FLAGS := -O2 -g
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
LIBS = $(PKG_LIBS) -lm -pthread
# build/boxagent-full (the dynamically linked release binary, below) links its remaining
# libraries statically (glibc stays shared, so the dlopen shims still work).
# Nor is libm linked: src/util/libm_shim.c loads it for SQLite's math functions if one is
# ever called (the engine needs no libm; -fno-math-errno lets sqrt be one instruction).
# libboxagent.a is grouped with them: the shim is found only after SQLite asks for libm's names.
BUNDLED_LIBS = -ljansson -lsqlite3 -ledit -ltinfo -lbsd -lmd -lz
REL_LIBS = -Wl,--start-group $(B)/rel/libboxagent.a -Wl,-Bstatic $(BUNDLED_LIBS) -Wl,--end-group \
           -Wl,-Bdynamic -ldl -pthread

WASM_CC := clang
WASM_CFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra -Werror

DEPS_STAMP := $(B)/.deps-ok

SRCS := $(wildcard src/*/*.c)
LIB_SRCS = $(filter-out src/cli/main.c,$(SRCS)) $(EXTRA_LIB_SRCS)
REL_OBJS = $(patsubst %.c,$(B)/rel/%.o,$(patsubst %.S,$(B)/rel/%.o,$(LIB_SRCS)))
ASAN_OBJS = $(patsubst %.c,$(B)/asan/%.o,$(patsubst %.S,$(B)/asan/%.o,$(LIB_SRCS)))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(B)/asan/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/asan/tests/%)

# WebAssembly programs: tools/ (embedded built-in tools), tests/wasi/, tests/escape/.
# Each directory's lib/*.c is linked into each of its programs.
define wasm_dir
$(1)_SRCS := $$(wildcard $(1)/*.c)
$(1)_LIB := $$(wildcard $(1)/lib/*.c)
$(1)_WASM := $$($(1)_SRCS:%.c=$(B)/wasm/%.wasm)
$(B)/wasm/$(1)/%.wasm: $(1)/%.c $$($(1)_LIB) $$(wildcard $(1)/lib/*.h) | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(WASM_CC) $$(WASM_CFLAGS) -I$(1)/lib -o $$@ $$< $$($(1)_LIB)
endef
$(eval $(call wasm_dir,tools))
$(eval $(call wasm_dir,tests/wasi))
$(eval $(call wasm_dir,tests/escape))
GUEST_WASM = $(tools_WASM) $(tests/wasi_WASM) $(tests/escape_WASM)

all: $(B)/boxagent

-include mk/*.mk

$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(B)
	@scripts/deps.sh all
	@touch $@

$(B)/rel/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -MMD -MP -c $< -o $@

$(B)/asan/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) -MMD -MP -c $< -o $@

$(B)/rel/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -c $< -o $@

$(B)/asan/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -c $< -o $@

$(B)/rel/libboxagent.a: $(REL_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/asan/libboxagent.a: $(ASAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

# build/boxagent is linked statically (static-pie, so still randomised): a process that loads
# no shared library starts in about the time a native hello-world does. Static glibc cannot
# load libcurl/libmicrohttpd, so the commands that need them are executed again by
# build/boxagent-full, the same program linked dynamically, beside it (src/cli/forward.c).
# glibc's notes that getaddrinfo and dlopen in a static program need the same glibc at run time
# are filtered: dlopen is refused in this build, getaddrinfo (egress) runs only in boxagent-full.
# libm comes first so that SQLite's math functions are libm's own, not util/libm_shim.c's.
STATIC_LIBS = -Wl,--start-group -lm $(B)/rel/libboxagent.a $(BUNDLED_LIBS) -Wl,--end-group -pthread

$(B)/rel/src/cli/main_static.o: src/cli/main.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -DBOXAGENT_STATIC_BUILD=1 -MMD -MP -c $< -o $@

# Both are linked under build/rel/ and copied into place, as an installation would: the same
# bytes start ~40 us faster from a copied file than from the file ld wrote (measured with
# build/startup-time; the page cache holds ld's scattered writes in small pieces).
$(B)/rel/boxagent.linked: $(B)/rel/src/cli/main_static.o $(B)/rel/libboxagent.a
	set -o pipefail; $(CC) $(REL_FLAGS) -static-pie -o $@ $< $(STATIC_LIBS) 2>&1 | \
	  { grep -v -e 'statically linked applications requires at runtime' -e ': in function' || true; }

$(B)/rel/boxagent-full.linked: $(B)/rel/src/cli/main.o $(B)/rel/libboxagent.a
	$(CC) $(REL_FLAGS) -o $@ $(B)/rel/src/cli/main.o $(REL_LIBS)

$(B)/boxagent: $(B)/rel/boxagent.linked $(B)/boxagent-full
	cp $< $@.tmp && mv -f $@.tmp $@

$(B)/boxagent-full: $(B)/rel/boxagent-full.linked
	cp $< $@.tmp && mv -f $@.tmp $@

$(B)/asan/boxagent: $(B)/asan/src/cli/main.o $(B)/asan/libboxagent.a
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

$(B)/asan/tests/%: tests/unit/%.c $(SUPPORT_OBJS) $(B)/asan/libboxagent.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) -Itests -MMD -MP -o $@ $< $(SUPPORT_OBJS) \
	    $(B)/asan/libboxagent.a -lcriterion -lcrypto $(LIBS)

wasm: $(GUEST_WASM)

test: $(B)/asan/boxagent $(B)/boxagent $(UNIT_BINS) $(GUEST_WASM) $(TEST_PREREQS)
	@B=$(B) scripts/run-tests.sh

demo: $(B)/boxagent
	@scripts/demo.sh

clean:
	rm -rf $(B)

.PHONY: all wasm test demo clean spec fuzz bench
.SECONDARY:
.DELETE_ON_ERROR:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
