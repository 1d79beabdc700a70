#!/usr/bin/env bash
# wasm-bench.sh — the engine's compute benchmarks against native code. Builds the programs in
# ../shared/bench/wasm natively (gcc -O2) and to wasm (clang -O2) into build/bench-wasm, runs
# each natively and under boxagent with fuel metering on and off, checks that wasm and native
# print the same checksum, and prints per program: native time, boxagent time, ratio, metering
# overhead, plus geometric means. Times are whole-process wall times, medians of BENCH_RUNS (3).
#
# Modes (BENCH_MODE): run-wasm  `build/boxagent run-wasm --fuel 10^15 X.wasm` (the WASI
#                               command build); metering off by `--no-metering` when run-wasm
#                               offers it, else by the environment BOXAGENT_NO_METERING=1
#                     reactor   build/wasm-reactor-bench on the reactor build (wasm.h only)
#                     auto      run-wasm if it can run hello.wasm, else reactor (default)
# env: BENCH_RUNS, BENCH_PROGRAMS ("fib sieve ..."), B (build dir)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
runs=${BENCH_RUNS:-3}
read -r -a progs <<<"${BENCH_PROGRAMS:-fib sieve matmul sha256 qsort nbody memops}"
shared=$PWD/../shared/bench/wasm
[ -d "$shared" ] || shared=/work/shared/bench/wasm
bw=$PWD/$B/bench-wasm
boxagent=$B/boxagent
reactor=$B/wasm-reactor-bench

make -s -C "$shared" B="$bw" all >/dev/null || { echo "wasm-bench: building the benchmarks failed"; exit 1; }

mode=${BENCH_MODE:-auto}
if [ "$mode" = auto ]; then
  if [ -x "$boxagent" ] && [ "$("$boxagent" run-wasm "$bw/hello.wasm" 2>/dev/null)" = "hello, world" ]; then
    mode=run-wasm
  else
    mode=reactor
  fi
fi
off_flag=() off_env=()
case $mode in
  run-wasm)
    if "$boxagent" run-wasm --help 2>&1 | grep -q -- '--no-metering'; then off_flag=(--no-metering)
    else off_env=(BOXAGENT_NO_METERING=1); fi
    on_cmd() { "$boxagent" run-wasm --fuel 1000000000000000 "$bw/wasm/$1.wasm"; }
    off_cmd() { env "${off_env[@]}" "$boxagent" run-wasm "${off_flag[@]}" "$bw/wasm/$1.wasm"; }
    echo "mode: boxagent run-wasm (WASI command builds); metering off via ${off_flag[*]:-${off_env[*]}}" ;;
  reactor)
    [ -x "$reactor" ] || { echo "wasm-bench: no $reactor (make $reactor)"; exit 1; }
    on_cmd() { "$reactor" "$bw/reactor/$1.wasm"; }
    off_cmd() { "$reactor" --no-metering "$bw/reactor/$1.wasm"; }
    echo "mode: $reactor (reactor builds through wasm.h; run-wasm not usable yet)" ;;
  *) echo "wasm-bench: unknown BENCH_MODE $mode"; exit 2 ;;
esac

# time_runs OUTFILE CMD... : run $runs times, print the median wall time in seconds;
# the first run's stdout goes to OUTFILE. Returns non-zero if any run fails.
time_runs() {
  local out=$1; shift
  local ts=() i a z
  for ((i = 0; i < runs; i++)); do
    a=$(date +%s%N)
    if [ $i -eq 0 ]; then "$@" >"$out" 2>"$out.err" || return 1
    else "$@" >/dev/null 2>>"$out.err" || return 1; fi
    z=$(date +%s%N)
    ts+=($(((z - a) / 1000)))
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{v[NR]=$1} END {printf "%.3f\n", v[int((NR+1)/2)]/1e6}'
}

printf '%-8s %9s %11s %7s %13s %9s\n' program "native s" "boxagent s" ratio "no-meter s" metering
status=0 rows=()
for p in "${progs[@]}"; do
  tn=$(time_runs "$bw/$p.native.out" "$bw/native/$p") || { echo "$p: native run failed"; status=1; continue; }
  if ! ton=$(time_runs "$bw/$p.wasm.out" on_cmd "$p"); then
    echo "$p: wasm run failed: $(head -c 300 "$bw/$p.wasm.out.err")"; status=1; continue
  fi
  toff=$(time_runs "$bw/$p.off.out" off_cmd "$p") || { echo "$p: wasm run (metering off) failed"; status=1; continue; }
  if ! cmp -s "$bw/$p.native.out" "$bw/$p.wasm.out" || ! cmp -s "$bw/$p.native.out" "$bw/$p.off.out"; then
    echo "$p: CHECKSUM MISMATCH: native '$(cat "$bw/$p.native.out")', wasm '$(cat "$bw/$p.wasm.out")', no-meter '$(cat "$bw/$p.off.out")'"
    status=1; continue
  fi
  ratio=$(awk -v a="$ton" -v b="$tn" 'BEGIN {printf "%.1f", a / b}')
  over=$(awk -v a="$ton" -v b="$toff" 'BEGIN {printf "%+.1f%%", (a / b - 1) * 100}')
  printf '%-8s %9s %11s %6sx %13s %9s\n' "$p" "$tn" "$ton" "$ratio" "$toff" "$over"
  rows+=("$tn $ton $toff")
done
if [ ${#rows[@]} -gt 0 ]; then
  printf '%s\n' "${rows[@]}" | awk '{ln += log($1); lw += log($2); lo += log($3); n++}
    END {printf "%-8s %9s %11s %6.1fx %13s %+8.1f%%\n", "geomean", "", "", exp((lw - ln) / n), "", (exp((lw - lo) / n) - 1) * 100}'
fi
echo "(medians of $runs whole-process runs; ratio = boxagent / native; metering = time with fuel metering on vs off)"
exit $status
