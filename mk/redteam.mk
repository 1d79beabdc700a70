# mk/redteam.mk — the red team's WebAssembly probes (tests/redteam/*.c -> build/redteam/*.wasm),
# used by tests/suites/redteam_*.sh. Built as part of `make test`.
REDTEAM_SRCS := $(wildcard tests/redteam/*.c)
REDTEAM_WASM := $(REDTEAM_SRCS:tests/redteam/%.c=$(B)/redteam/%.wasm)

$(B)/redteam/%.wasm: tests/redteam/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) -o $@ $<

TEST_PREREQS += $(REDTEAM_WASM)
redteam-guests: $(REDTEAM_WASM)
.PHONY: redteam-guests
