#!/usr/bin/env bash
# startup.sh — start-up cost of a WASI hello-world (../shared/bench/wasm/hello.c):
#   1. whole process: `build/boxagent run-wasm hello.wasm` vs the native hello (gcc -O2), and
#      `boxagent --version` alone (the CLI's own start-up, to tell it from the engine's part),
#      timed by build/startup-time (posix_spawn, interleaved rounds so that all see the same
#      machine load): medians of STARTUP_RUNS (200) each, the ratio and the issue's target
#      (within 10 % of native). build/boxagent is the static build (src/cli/forward.c);
#      build/boxagent-full, the dynamically linked one, is timed too for comparison;
#   2. in one process with the compiled module cached: build/instantiate-bench (1,000 runs of
#      wasi_new + instantiate + _start + free), median per run.
# env: STARTUP_RUNS, B (build dir). Exits non-zero if a run fails or prints the wrong text.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
runs=${STARTUP_RUNS:-200}
shared=$PWD/../shared/bench/wasm
[ -d "$shared" ] || shared=/work/shared/bench/wasm
bw=$PWD/$B/bench-wasm
make -s -C "$shared" B="$bw" "$bw/hello.wasm" "$bw/native/hello" >/dev/null || exit 1
timer=$B/startup-time
[ -x "$timer" ] || { echo "no $timer (make $timer)"; exit 1; }

status=0
echo "hello.wasm: $(stat -c %s "$bw/hello.wasm") bytes"
out_native=$("$bw/native/hello" 2>&1)
out_wasm=$("$B/boxagent" run-wasm "$bw/hello.wasm" 2>&1)
if [ "$out_native" != "hello, world" ]; then echo "native hello printed: $out_native"; exit 1; fi
if [ "$out_wasm" = "hello, world" ]; then
  res=$("$timer" "$runs" -- "$bw/native/hello" -- "$B/boxagent" run-wasm "$bw/hello.wasm" \
        -- "$B/boxagent" --version -- "$B/boxagent-full" run-wasm "$bw/hello.wasm") || exit 1
  echo "$res" | sed 's/^/  /'
  read -r n w c f <<<"$(awk '{printf "%s ", $1}' <<<"$res")"
  awk -v n="$n" -v w="$w" -v c="$c" -v f="$f" -v r="$runs" 'BEGIN {
    printf "whole process (medians of %d, interleaved): native %.3f ms, boxagent run-wasm %.3f ms, ratio %.3fx (%+.1f%%); boxagent --version alone %.3f ms; boxagent-full run-wasm %.3f ms (%.2fx)\n",
      r, n, w, w / n, (w / n - 1) * 100, c, f, f / n
    printf "target (run-wasm within 10%% of native): %s\n", w <= 1.10 * n ? "met" : "NOT met" }'
else
  echo "whole process: boxagent run-wasm cannot run hello.wasm: ${out_wasm:0:200}"
  status=1
fi
if [ -x "$B/instantiate-bench" ]; then
  "$B/instantiate-bench" -n 1000 "$bw/hello.wasm" || status=1
else
  echo "no $B/instantiate-bench (make $B/instantiate-bench)"; status=1
fi
exit $status
