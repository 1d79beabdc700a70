#!/usr/bin/env bash
# spec.sh — the WebAssembly spec test suite (tests/spec/run-spec.sh) with the ASan+UBSan runner.
cd "$(dirname "$0")/../.." || exit 1
if ! compgen -G 'src/wasm/*.c' >/dev/null; then
  echo "spec: the engine (src/wasm/*.c) is not in the tree yet; nothing to run"
  echo "0 passed, 0 failed"
  exit 0
fi
exec tests/spec/run-spec.sh "${B:-build}/asan/spec-runner"
