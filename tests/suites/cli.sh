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
# Model output and tool names must not drive the operator's terminal: no ESC, CR or C1 control
# (U+009B, a one-byte CSI) reaches stdout/stderr of `run` or `audit list`.
ws=$(mktemp -d /tmp/boxagent-cli.XXXXXX)
printf 'turn\nsay hi \033]0;pwned\007 \033[2J \302\23331m there\rX\ncall evil\033[31mtool {}\nturn\nsay done\n' > "$ws/s.script"
"$BOXAGENT" run --workspace "$ws" --model "script/$ws/s.script" go > "$ws/out" 2>&1
"$BOXAGENT" audit list --workspace "$ws" >> "$ws/out" 2>&1
if LC_ALL=C grep -q $'[\033\r]' "$ws/out" || LC_ALL=C grep -q $'\302[\200-\237]' "$ws/out"; then
  fail=$((fail+1)); echo "FAIL terminal control characters passed through:"; cat -v "$ws/out" | head -5
else pass=$((pass+1)); fi
grep -q "there" "$ws/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL model text not shown"; }
rm -rf "$ws"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
