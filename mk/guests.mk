# guests.mk — WebAssembly guests used by shell suites (tests/guests/*.c -> build/wasm/tests/guests/).
$(eval $(call wasm_dir,tests/guests))
TEST_PREREQS += $(tests/guests_WASM)
$(tests/guests_WASM): WASM_CFLAGS += -Wl,--allow-undefined
