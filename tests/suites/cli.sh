#!/usr/bin/env bash
# cli.sh — the boxagent command's conventions: --help/--version exit 0, usage errors exit 2.
set -u
pass=0 fail=0
check() { # name expected-rc cmd...
  local name=$1 want=$2; shift 2
  "$@" >/dev/null 2>&1; local rc=$?
  if [ "$rc" -eq "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name: exit $rc, want $want"; fi
}
check help 0 "$BOXAGENT" --help
check version 0 "$BOXAGENT" --version
check no-args 2 "$BOXAGENT"
check unknown-command 2 "$BOXAGENT" frobnicate
"$BOXAGENT" --version | grep -Eq '^boxagent [0-9]+\.[0-9]+\.[0-9]+$' && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL version format"; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
