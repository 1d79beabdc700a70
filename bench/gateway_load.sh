#!/usr/bin/env bash
# gateway_load.sh — starts `boxagent serve` (optimised build) on loopback with a scripted agent
# whose turn makes two tool calls (read_file, list_dir), runs 50 concurrent sessions through
# build/bench/gateway_load, and prints p50/p99 turn latency and errors. Bounded: one turn per
# session, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${SESSIONS:-50}
ws=$(mktemp -d /tmp/boxagent-load.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$ws"' EXIT
mkdir -p "$ws/.boxagent"
printf 'line %s\n' $(seq 100) > "$ws/notes.txt"
cat > "$ws/turn.script" <<'SCRIPT'
turn
say Reading.
call read_file {"path": "notes.txt", "limit": 20}
call list_dir {"path": "."}
turn
say Done.
SCRIPT
cat > "$ws/.boxagent/config.json" <<JSON
{"default_agent": "load", "agents": {"load": {"model": "script/$ws/turn.script", "capabilities": ["read:."]}}}
JSON
build/boxagent serve --port 0 --workspace "$ws" >"$ws/out" 2>"$ws/err" &
pid=$!
for _ in $(seq 100); do grep -q 'http://' "$ws/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^/]*' "$ws/out" | head -1)
build/bench/gateway_load "$url" "$(cat "$ws/.boxagent/token")" "$SESSIONS" load
