#!/usr/bin/env bash
# managed.sh — managed mode through the CLI: an agent configured as a manager (and
# `run --managed`) delegates to executors; executors' events and audit records carry their
# tag; an executor asking for write and network under a read-only manager gets neither, and
# its attempt to write is denied and audited.
set -u
BOXAGENT=${BOXAGENT:-build/asan/boxagent}
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }
contains() { if grep -qF -- "$2" <<<"$3"; then ok; else bad "$1: '$2' not in: ${3:0:600}"; fi; }
lacks() { if grep -qF -- "$2" <<<"$3"; then bad "$1: '$2' present"; else ok; fi; }

ws=$(mktemp -d /tmp/boxagent-managed.XXXXXX)
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/.boxagent" "$ws/src"
echo "int main(void) { return 0; }" > "$ws/src/main.c"
cat > "$ws/exec.script" <<'S'
turn
call read_file {"path": "src/main.c"}
turn
call write_file {"path": "src/evil.c", "content": "pwned"}
turn
say main.c returns 0
S
cat > "$ws/mgr.script" <<S
turn
call delegate {"tasks": [{"name": "reader", "instructions": "read src/main.c", "access": "full", "capabilities": ["read:src", "write:.", "fetch:https://*"], "model": "script/$ws/exec.script"}]}
turn
say The executor reports that main.c returns 0.
S
cat > "$ws/.boxagent/config.json" <<J
{"default_agent": "lead",
 "agents": {
   "lead": {"model": "script/$ws/mgr.script", "access": "read-only", "capabilities": ["read:src"], "manager": true},
   "worker": {"model": "script/$ws/exec.script"}
 }}
J
out=$("$BOXAGENT" run --workspace "$ws" --json "summarise src" 2>&1)
rc=$?
[ $rc -eq 0 ] && ok || bad "run exit $rc: ${out:0:800}"
contains "executor events tagged" '"agent":"lead/reader"' "$out"
contains "delegate result has the executor" '\"id\": \"reader\"' "$out"
contains "executor finished" '\"status\": \"done\"' "$out"
contains "escalation reported as dropped" 'dropped' "$out"
contains "executor write denied" '"decision":"denied"' "$out"
[ -e "$ws/src/evil.c" ] && bad "executor wrote src/evil.c" || ok
contains "final answer" "main.c returns 0" "$out"
aud=$("$BOXAGENT" audit list --workspace "$ws" --json 2>&1)
contains "audit has executor records" 'lead/reader' "$aud"
sid=$(grep -o '"session":"s-[0-9a-f]*"' <<<"$out" | head -1 | cut -d'"' -f4)
exec_rec=$(grep -o "\"session\":\"[^\"]*\",\"agent\":\"lead/reader\"" <<<"$aud" | head -1)
contains "executor records carry the manager's session" "\"session\":\"$sid\"" "$exec_rec"
"$BOXAGENT" audit verify --workspace "$ws" >/dev/null 2>&1 && ok || bad "audit chain broken"
# granted set never includes write or fetch
grants=$(grep -o '\\"granted\\": \[[^]]*\]' <<<"$out" | head -1)
lacks "no write granted" 'write:' "$grants"
lacks "no fetch granted" 'fetch:' "$grants"
# --managed on an agent that is not configured as a manager
cat > "$ws/.boxagent/config.json" <<J
{"default_agent": "plain",
 "agents": {
   "plain": {"model": "script/$ws/mgr.script", "capabilities": ["read:src"]},
   "worker": {"model": "script/$ws/exec.script"}
 }}
J
out2=$("$BOXAGENT" run --workspace "$ws" --json "summarise src" 2>&1)
contains "without --managed no delegate tool" '"decision":"error"' "$out2"
out3=$("$BOXAGENT" run --workspace "$ws" --managed --json "summarise src" 2>&1)
contains "--managed offers delegate" '"agent":"plain/reader"' "$out3"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
