#!/usr/bin/env bash
# jail_bench.sh — median overhead of `boxagent exec -- /bin/true` (and of jail_run alone, and of
# the CLI's own start-up) over a bare fork+exec of /bin/true, 200 runs each, interleaved.
# Target: < 5 ms per jailed command. When allowed (root), the driver runs at SCHED_FIFO
# priority 10 — bare and jailed runs alike — so unrelated load on a shared machine does not
# swamp the figures; JAIL_BENCH_NO_RT=1 measures at normal priority.
# Environment: B (build dir), RUNS (default 200).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
echo "== jail: $("$B/boxagent" exec --probe 2>&1 || true)"
driver=("$B/jail/jail_timing" "$PWD/$B/boxagent" "${RUNS:-200}")
if [ -z "${JAIL_BENCH_NO_RT:-}" ] && command -v chrt >/dev/null && chrt -f 10 true 2>/dev/null; then
  echo "== scheduling: SCHED_FIFO 10 (set JAIL_BENCH_NO_RT=1 for normal priority)"
  chrt -f 10 "${driver[@]}"
else
  echo "== scheduling: normal priority"
  "${driver[@]}"
fi
