#!/usr/bin/env bash
# wasm-bench.sh — the engine's compute benchmarks against native code. Builds the programs in
# ../shared/bench/wasm natively (gcc -O2) and to wasm (clang -O2) into build/bench-wasm, runs
# each natively and under boxagent with fuel metering on and off, checks that wasm and native
# print the same checksum, and prints per program: native time, boxagent time, ratio, metering
# overhead, plus geometric means. Times are whole-process medians of BENCH_RUNS (3): CPU time
# (user+sys) by default, which a busy shared machine disturbs little; BENCH_METRIC=wall uses
# elapsed time (the wall times are printed as well).
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

# time_runs OUTFILE CMD... : run $runs times; print "WALL CPU", each the median in seconds
# (CPU = user + sys of the process). The first run's stdout goes to OUTFILE. Non-zero if a run
# fails.
time_runs() {
  local out=$1; shift
  local walls=() cpus=() i r u s
  for ((i = 0; i < runs; i++)); do
    { TIMEFORMAT='%R %U %S'; time "$@" >"$out.$i" 2>>"$out.err"; } 2>"$out.time" || return 1
    read -r r u s <"$out.time"
    walls+=("$r"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.3f", u + s}')")
  done
  mv "$out.0" "$out"; rm -f "$out".[0-9]*
  echo "$(printf '%s\n' "${walls[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
       "$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
}

metric=${BENCH_METRIC:-cpu}
case $metric in cpu) col=2 ;; wall) col=1 ;; *) echo "wasm-bench: BENCH_METRIC is cpu or wall"; exit 2 ;; esac
printf '%-8s %10s %12s %7s %12s %9s   %s\n' program "native s" "boxagent s" ratio "no-meter s" metering "(wall s: native, boxagent, no-meter)"
status=0 rows=()
for p in "${progs[@]}"; do
  read -r wn cn <<<"$(time_runs "$bw/$p.native.out" "$bw/native/$p")" || true
  [ -n "${cn:-}" ] || { echo "$p: native run failed"; status=1; continue; }
  read -r won con <<<"$(time_runs "$bw/$p.wasm.out" on_cmd "$p")" || true
  if [ -z "${con:-}" ]; then echo "$p: wasm run failed: $(head -c 300 "$bw/$p.wasm.out.err")"; status=1; continue; fi
  read -r woff coff <<<"$(time_runs "$bw/$p.off.out" off_cmd "$p")" || true
  [ -n "${coff:-}" ] || { echo "$p: wasm run (metering off) failed"; status=1; continue; }
  if ! cmp -s "$bw/$p.native.out" "$bw/$p.wasm.out" || ! cmp -s "$bw/$p.native.out" "$bw/$p.off.out"; then
    echo "$p: CHECKSUM MISMATCH: native '$(cat "$bw/$p.native.out")', wasm '$(cat "$bw/$p.wasm.out")', no-meter '$(cat "$bw/$p.off.out")'"
    status=1; continue
  fi
  if [ $col = 2 ]; then tn=$cn ton=$con toff=$coff; else tn=$wn ton=$won toff=$woff; fi
  ratio=$(awk -v a="$ton" -v b="$tn" 'BEGIN {printf "%.1f", a / b}')
  over=$(awk -v a="$ton" -v b="$toff" 'BEGIN {printf "%+.1f%%", (a / b - 1) * 100}')
  printf '%-8s %10s %12s %6sx %12s %9s   (%s, %s, %s)\n' "$p" "$tn" "$ton" "$ratio" "$toff" "$over" "$wn" "$won" "$woff"
  rows+=("$tn $ton $toff")
done
if [ ${#rows[@]} -gt 0 ]; then
  printf '%s\n' "${rows[@]}" | awk '{ln += log($1); lw += log($2); lo += log($3); n++}
    END {printf "%-8s %10s %12s %6.1fx %12s %+8.1f%%\n", "geomean", "", "", exp((lw - ln) / n), "", (exp((lw - lo) / n) - 1) * 100}'
fi
echo "(medians of $runs whole-process runs of each; times are $metric seconds (BENCH_METRIC=cpu: user+sys, robust on a shared machine; wall: elapsed); ratio = boxagent / native; metering = fuel metering on vs off)"
exit $status
