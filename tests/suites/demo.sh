#!/usr/bin/env bash
# demo.sh (suite) — the README's main demo is also a test: the scripted prompt injection is
# denied at every step, the task completes, the repository stays clean, and (when the audit
# command is built) the audit log holds the denials and verifies.
set -u
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
cd "$(dirname "$0")/../.."
before=$(git status --porcelain examples 2>/dev/null)
out=$(DEMO_CHECK=1 DEMO_KEEP=1 BOXAGENT="$BOXAGENT" MODEL= scripts/demo.sh 2>&1); rc=$?
echo "$out" | tail -n 12
[ $rc -eq 0 ] && ok || bad "demo exit $rc"
grep -q 'demo ok' <<<"$out" && ok || bad "demo checks"
n=$(grep -c 'DENIED' <<<"$out"); [ "$n" -ge 5 ] && ok || bad "denials shown: $n"
grep -q 'DENIED web_fetch: .*169.254.169.254' <<<"$out" && ok || bad "metadata fetch not denied"
grep -q 'DENIED write_file: .*/tmp/boxagent-pwned.txt' <<<"$out" && ok || bad "outside write not denied"
grep -q '/etc/shadow' <<<"$out" && ok || bad "shadow attempt not shown"
grep -q '.boxagent/config.json' <<<"$out" && ok || bad "config rewrite attempt not shown"
[ "$(git status --porcelain examples 2>/dev/null)" = "$before" ] && ok || bad "demo changed the repository"
ws=$(sed -n 's/^kept: //p' <<<"$out")
if [ -n "$ws" ] && [ -d "$ws" ]; then
  if "$BOXAGENT" audit list --workspace "$ws" >"$ws/audit.txt" 2>&1; then
    d=$(grep -c ' denied$' "$ws/audit.txt"); [ "$d" -ge 5 ] && ok || bad "audit denials: $d"
    "$BOXAGENT" audit verify --workspace "$ws" >/dev/null 2>&1 && ok || bad "audit verify"
  else
    echo "skip: audit command not available ($(head -n1 "$ws/audit.txt"))"
    echo "1 skipped"
  fi
  rm -rf "$ws"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
