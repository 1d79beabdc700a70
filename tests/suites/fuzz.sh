#!/usr/bin/env bash
# fuzz.sh — short bounded fuzz runs in `make test`: libFuzzer for 25 s and the V8 differential
# check for at most 25 s (fuzz/run-fuzz.sh; `make fuzz` runs longer).
cd "$(dirname "$0")/../.." || exit 1
if ! compgen -G 'src/wasm/*.c' >/dev/null; then
  echo "fuzz: the engine (src/wasm/*.c) is not in the tree yet; nothing to run"
  echo "0 passed, 0 failed"
  exit 0
fi
FUZZ_SECONDS=${FUZZ_SECONDS:-25} DIFF_SECONDS=${DIFF_SECONDS:-25} DIFF_N=${DIFF_N:-1000} \
  exec fuzz/run-fuzz.sh
