#!/usr/bin/env bash
# run-tests.sh — runs every unit-test binary (Criterion) and every suite script under
# tests/suites/, then prints one closing line "N passed, N failed" over all of them.
# A suite script prints its own "N passed, N failed" line last and exits non-zero on failure.
# Environment: B (build dir, default build); ONLY=<regex> runs only matching tests/suites.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
export B BOXAGENT="$PWD/$B/asan/boxagent" BOXAGENT_REL="$PWD/$B/boxagent"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
only=${ONLY:-.}
passed=0 failed=0 broken=()
log_dir=$B/test-logs
mkdir -p "$log_dir"

count_line() { # last "N passed, N failed" line of a log -> "P F"
  grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 |
    sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/'
}

for t in "$B"/asan/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  [[ $name =~ $only ]] || continue
  log=$log_dir/$name.log
  "$t" --jobs 2 >"$log" 2>&1
  rc=$?
  syn=$(grep -E 'Synthesis: Tested' "$log" | tail -n 1)
  p=$(sed -nE 's/.*Passing: ([0-9]+).*/\1/p' <<<"$syn")
  f=$(sed -nE 's/.*Failing: ([0-9]+) \| Crashing: ([0-9]+).*/\1 \2/p' <<<"$syn")
  p=${p:-0}; read -r f1 f2 <<<"${f:-0 0}"; f=$((f1 + f2))
  if [ $rc -ne 0 ] && [ $f -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ $f -ne 0 ]; then broken+=("$name"); echo "FAIL $name ($p passed, $f failed) — $log"; tail -n 30 "$log" | sed 's/^/    /';
  else echo "ok   $name ($p passed)"; fi
done

for s in tests/suites/*.sh; do
  [ -f "$s" ] || continue
  name=$(basename "$s" .sh)
  [[ $name =~ $only ]] || continue
  log=$log_dir/suite-$name.log
  bash "$s" >"$log" 2>&1
  rc=$?
  read -r p f <<<"$(count_line "$log")"
  p=${p:-0}; f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then broken+=("suite $name"); echo "FAIL suite $name ($p passed, $f failed) — $log"; tail -n 30 "$log" | sed 's/^/    /';
  else echo "ok   suite $name ($p passed$(grep -Eo '[0-9]+ skipped' "$log" | tail -n1 | sed 's/^/, /'))"; fi
done

[ ${#broken[@]} -eq 0 ] || echo "failing: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
