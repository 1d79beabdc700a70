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
# Limit flags beyond the manifest ceilings are refused, not wrapped into "stop at once".
W=$(dirname "$BOXAGENT")/../wasm/tests/wasi
G=$(ls "$W"/*.wasm 2>/dev/null | head -1)
if [ -n "$G" ]; then
  check run-wasm-huge-timeout 2 "$BOXAGENT" run-wasm --timeout 18446744073709551615 "$G"
  check run-wasm-huge-fuel 2 "$BOXAGENT" run-wasm --fuel 18446744073709551615 "$G"
fi
# A grant whose root is a symlink (here into .git/hooks) is refused before running, and the
# audit log says why.
ws=$(mktemp -d /tmp/boxagent-cli.XXXXXX)
mkdir -p "$ws/.git/hooks" "$ws/.boxagent" && ln -s .git/hooks "$ws/hooks"
(cd "$ws" && "$BOXAGENT" tool call write_file --args '{"path":"hooks/pre-commit","content":"x"}' --cap write:./hooks --access workspace-write >/dev/null 2>&1)
[ -e "$ws/.git/hooks/pre-commit" ] && { fail=$((fail+1)); echo "FAIL hook planted through a symlinked grant root"; } || pass=$((pass+1))
"$BOXAGENT" audit list --workspace "$ws" 2>&1 | grep -q "passes through a symbolic link" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL audit does not say why the symlinked root was refused"; }
rm -rf "$ws"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
