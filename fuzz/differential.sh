#!/usr/bin/env bash
# differential.sh — differential fuzzing of the engine against Node's V8. Each round turns random
# bytes into a valid module with binaryen's `wasm-opt -ttf` (WebAssembly 2.0 features without
# SIMD and reference types, which binaryen 108 encodes with post-2.0 types; instrumented with
# binaryen's --denan, since the bits of a NaN result are not deterministic in WebAssembly and
# would otherwise show up as false differences once stored to memory), runs it with
# build/asan/diff-runner (our engine) and fuzz/run_v8.mjs (V8), and compares the transcripts:
# every logged value, every result and the trap/no-trap outcome of every export call. After an
# "exhausted" line on either side (fuel, call stack) the rest is not comparable and is skipped.
# A mismatch or a crash saves the module and both transcripts under build/fuzz/diff/.
#
#   fuzz/differential.sh            env: DIFF_N (modules, default 100), DIFF_SECONDS (stop after,
#                                   default 0 = no time limit), DIFF_RUNNER, B (build dir)
# Prints "N passed, N failed" last (one count per module); exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
runner=${DIFF_RUNNER:-$B/asan/diff-runner}
n=${DIFF_N:-100}
secs=${DIFF_SECONDS:-0}
out=$B/fuzz/diff
mkdir -p "$out"
features=(--enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory
  --enable-multivalue --enable-mutable-globals --denan)
for tool in wasm-opt node; do
  command -v $tool >/dev/null || { echo "differential: $tool missing (scripts/deps.sh)"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$runner" ] || { echo "differential: no $runner (make $runner)"; echo "0 passed, 1 failed"; exit 1; }

# Private working files and a private copy of the runner: other runs (someone's `make test`)
# may use build/fuzz/diff at the same time, and a rebuild must not disturb this one.
work=$(mktemp -d "$out/.work.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cp "$runner" "$work/diff-runner" && runner=$work/diff-runner
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
passed=0 failed=0 inconclusive=0 genfail=0 lines=0
start=$SECONDS

strip() { sed -E 's/ # .*//' "$1"; }

save() { # round reason
  local tag; tag=$out/fail-$(date +%H%M%S)-$$-$1
  cp "$work/cur.wasm" "$tag.wasm"; cp "$work/cur.bin" "$tag.bin"
  cp "$work/ours.txt" "$tag.ours.txt"; cp "$work/v8.txt" "$tag.v8.txt"
  cp "$work/ours.err" "$tag.ours.err" 2>/dev/null
  echo "MISMATCH round $1: $2 — saved $tag.{wasm,bin,ours.txt,v8.txt}"
}

for ((round = 1; round <= n; round++)); do
  if [ "$secs" -gt 0 ] && [ $((SECONDS - start)) -ge "$secs" ]; then break; fi
  head -c $((512 + (RANDOM * 32768 + RANDOM) % 24000)) /dev/urandom >"$work/cur.bin"
  if ! wasm-opt "$work/cur.bin" -ttf "${features[@]}" -o "$work/cur.wasm" >/dev/null 2>&1; then
    genfail=$((genfail + 1)); continue
  fi
  timeout 60 "$runner" "$work/cur.wasm" >"$work/ours.txt" 2>"$work/ours.err"
  rc_ours=$?
  timeout 60 node fuzz/run_v8.mjs "$work/cur.wasm" >"$work/v8.txt" 2>&1
  rc_v8=$?
  if [ $rc_ours -ne 0 ]; then
    failed=$((failed + 1)); save $round "our engine exited with status $rc_ours"
    tail -n 20 "$work/ours.err" | sed 's/^/    /'; continue
  fi
  if [ $rc_v8 -ne 0 ] || grep -q '^js-error' "$work/v8.txt"; then
    failed=$((failed + 1)); save $round "node failed (status $rc_v8)"; continue
  fi
  mapfile -t a < <(strip "$work/ours.txt")
  mapfile -t b < <(strip "$work/v8.txt")
  verdict=same where=""
  for ((k = 0; k < ${#a[@]} || k < ${#b[@]}; k++)); do
    x=${a[k]-<end>} y=${b[k]-<end>}
    if [[ $x == exhausted* || $y == exhausted* ]]; then verdict=inconclusive; break; fi
    if [ "$x" != "$y" ]; then
      call=$(head -n $((k + 1)) "$work/v8.txt" | grep '^call ' | tail -n 1)
      verdict=differ where="line $((k + 1)) (${call:-before any call}): ours '$x', V8 '$y'"
      break
    fi
  done
  lines=$((lines + k))
  case $verdict in
    differ) failed=$((failed + 1)); save $round "$where" ;;
    inconclusive) inconclusive=$((inconclusive + 1)); passed=$((passed + 1)) ;;
    *) passed=$((passed + 1)) ;;
  esac
done
echo "differential: $((passed + failed)) modules in $((SECONDS - start)) s, $lines transcript lines compared, $inconclusive stopped early at fuel/stack exhaustion, $genfail wasm-opt failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
