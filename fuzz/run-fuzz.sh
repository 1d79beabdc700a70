#!/usr/bin/env bash
# run-fuzz.sh — bounded fuzzing of the engine, as run by `make fuzz` and tests/suites/fuzz.sh:
#   1. libFuzzer (build/fuzz/fuzz_wasm) for FUZZ_SECONDS (default 60), corpus in
#      build/fuzz/corpus, seeded with every binary module of the spec tests and 50 binaryen
#      -ttf modules (build/fuzz/seeds); crashes are saved as build/fuzz/crash-*.
#   2. the differential check against V8 (fuzz/differential.sh) on DIFF_N modules (default 300),
#      stopping after DIFF_SECONDS (default: no limit).
# Prints "N passed, N failed" last; exits non-zero if either found something.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
secs=${FUZZ_SECONDS:-60}
fuzzer=$B/fuzz/fuzz_wasm
passed=0 failed=0

# Seeds: the spec tests' binary modules (converted by tests/spec/run-spec.sh, cached).
seeds=$B/fuzz/seeds
if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
  SPEC_CONVERT_ONLY=1 tests/spec/run-spec.sh >/dev/null 2>&1
  mkdir -p "$seeds"
  find "$B/spec" -name '*.wasm' -size -64k -exec cp -t "$seeds" {} + 2>/dev/null
  # plus 50 binaryen -ttf modules (longer functions, every 2.0 non-SIMD feature but ref types)
  for i in $(seq 1 50); do
    head -c $((1000 + RANDOM % 8000)) /dev/urandom >"$seeds/.ttf.bin"
    wasm-opt "$seeds/.ttf.bin" -ttf --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-bulk-memory --enable-multivalue --enable-mutable-globals -o "$seeds/ttf-$i.wasm" \
      >/dev/null 2>&1
  done
  rm -f "$seeds/.ttf.bin"
fi
mkdir -p "$B/fuzz/corpus"
# Logs are private to this run (others may fuzz at the same time), then kept as the latest.
logs=$(mktemp -d "$B/fuzz/.logs.XXXXXX") || exit 1
trap 'cp "$logs"/*.log "$B/fuzz/" 2>/dev/null; rm -rf "$logs"' EXIT

if [ -x "$fuzzer" ]; then
  cp "$fuzzer" "$logs/fuzz_wasm" && fuzzer=$logs/fuzz_wasm # immune to a relink meanwhile
  log=$logs/libfuzzer.log
  echo "libFuzzer: $fuzzer for $secs s (log $B/fuzz/libfuzzer.log)"
  "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$B/fuzz/crash-" "$B/fuzz/corpus" "$seeds" >"$log" 2>&1
  rc=$?
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed 's/^/  /'
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); echo "libFuzzer: no crash ($(ls "$B/fuzz/corpus" | wc -l) corpus entries)"
  else
    failed=$((failed + 1)); echo "libFuzzer: FOUND A CRASH (exit $rc):"
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -n 20 | sed 's/^/    /'
  fi
else
  failed=$((failed + 1)); echo "libFuzzer: no $fuzzer (make $fuzzer)"
fi

echo "differential: ${DIFF_N:-300} modules max${DIFF_SECONDS:+, at most $DIFF_SECONDS s}"
DIFF_N=${DIFF_N:-300} B=$B fuzz/differential.sh >"$logs/differential.log" 2>&1
rc=$?
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$logs/differential.log" | tail -n 30 | sed 's/^/  /'
read -r p f <<<"$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/differential.log" | tail -n 1 | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/')"
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
[ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
