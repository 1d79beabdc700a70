#!/usr/bin/env bash
# spec.sh — the WebAssembly spec test suite (tests/spec/run-spec.sh) with the ASan+UBSan runner.
exec "$(dirname "$0")/../spec/run-spec.sh" "${B:-build}/asan/spec-runner"
