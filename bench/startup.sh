#!/usr/bin/env bash
# startup.sh — start-up cost of a WASI hello-world (../shared/bench/wasm/hello.c):
#   1. whole process: `build/boxagent run-wasm hello.wasm` vs the native hello (gcc -O2),
#      medians of STARTUP_RUNS (20) wall-clock runs each, and the ratio;
#   2. in one process with the compiled module cached: build/instantiate-bench (1,000 runs of
#      wasi_new + instantiate + _start + free), median per run.
# env: STARTUP_RUNS, B (build dir). Exits non-zero if a run fails or prints the wrong text.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
runs=${STARTUP_RUNS:-20}
shared=$PWD/../shared/bench/wasm
[ -d "$shared" ] || shared=/work/shared/bench/wasm
bw=$PWD/$B/bench-wasm
make -s -C "$shared" B="$bw" "$bw/hello.wasm" "$bw/native/hello" >/dev/null || exit 1

median_us() { # CMD... -> median wall time in microseconds over $runs runs
  local ts=() i a z out
  for ((i = 0; i < runs; i++)); do
    a=$(date +%s%N); out=$("$@" 2>&1); z=$(date +%s%N)
    [ "$out" = "hello, world" ] || { echo "startup: $* printed: ${out:0:200}" >&2; return 1; }
    ts+=($(((z - a) / 1000)))
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

status=0
echo "hello.wasm: $(stat -c %s "$bw/hello.wasm") bytes"
native=$(median_us "$bw/native/hello") || exit 1
if wasm=$(median_us "$B/boxagent" run-wasm "$bw/hello.wasm"); then
  awk -v n="$native" -v w="$wasm" -v r="$runs" 'BEGIN {
    printf "whole process (median of %d): native %.2f ms, boxagent run-wasm %.2f ms, ratio %.2fx (%+.0f%%)\n",
      r, n / 1000, w / 1000, w / n, (w / n - 1) * 100 }'
else
  awk -v n="$native" 'BEGIN {printf "whole process: boxagent run-wasm cannot run hello.wasm yet (native %.2f ms)\n", n / 1000}'
  status=1
fi
if [ -x "$B/instantiate-bench" ]; then
  "$B/instantiate-bench" -n 1000 "$bw/hello.wasm" || status=1
else
  echo "no $B/instantiate-bench (make $B/instantiate-bench)"; status=1
fi
exit $status
