#!/usr/bin/env bash
# jail_bench.sh — median overhead of `boxagent exec -- /bin/true` (and of jail_run alone) over a
# bare fork+exec of /bin/true, 200 runs each, interleaved. Target: < 5 ms per jailed command.
# Environment: B (build dir), RUNS (default 200).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
echo "== jail: $("$B/boxagent" exec --probe 2>&1 || true)"
"$B/jail/jail_timing" "$PWD/$B/boxagent" "${RUNS:-200}"
