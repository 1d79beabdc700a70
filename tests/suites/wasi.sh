#!/usr/bin/env bash
# wasi.sh — the WASI test programs (tests/wasi/*.c) under `boxagent run-wasm` with the right
# capabilities in a temporary workspace, the run-wasm command's own behaviour (exit status,
# limits, one-line errors, --stats, manifests), and a cross-check of the same programs under
# Node's node:wasi where Node supports them.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
BOX=${BOXAGENT:-$PWD/$B/asan/boxagent}
W=$PWD/$B/wasm/tests/wasi
NODE_RUN="node --no-warnings $PWD/tests/wasi/run_node.mjs"
pass=0 fail=0
T=$(mktemp -d /tmp/boxagent-wasi.XXXXXX)
trap 'rm -rf "$T"' EXIT
# A private copy: the shared build tree may relink the binary while the suite runs.
cp "$BOX" "$T/boxagent" && BOX=$T/boxagent
mkdir -p "$T/ws" "$T/w" "$T/w2" "$T/ro/sub" "$T/nd"
printf 'read-only\n' >"$T/ro/ro.txt"
printf 'x\n' >"$T/ro/sub/f"
cd "$T/ws" || exit 1

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# expect NAME RC [STDIN-TEXT] -- CMD...: run, compare exit status; keep out/err in $T/out,$T/err
expect() {
  local name=$1 want=$2 input=$3; shift 4
  printf '%b' "$input" | timeout 60 "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else
    bad "$name: exit $rc, want $want"; sed 's/^/    /' "$T/err" | head -n 15; fi
}
# grep_err NAME PATTERN: the last run's stderr matches
grep_err() { if grep -Eq "$2" "$T/err"; then ok; else bad "$1: stderr lacks /$2/"; sed 's/^/    /' "$T/err" | head -n 5; fi; }
grep_out() { if grep -Eq "$2" "$T/out"; then ok; else bad "$1: stdout lacks /$2/"; head -c 300 "$T/out" | sed 's/^/    /'; fi; }

# ---------------------------------------------------------------- programs under boxagent
HIDDEN_SECRET=1 GRANTED=yes expect args_env 0 "" -- \
  "$BOX" run-wasm --env FOO=bar --cap env:GRANTED "$W/args_env.wasm" x "two words" "ünïcödé" ""
expect clock_random 0 "" -- "$BOX" run-wasm "$W/clock_random.wasm"
expect stdio 0 "hello\nworld\n" -- "$BOX" run-wasm "$W/stdio.wasm"
grep_out stdio-out 'out-line'
grep_out stdio-gather 'abcd'
grep_err stdio-err 'err-line'
expect poll 0 "x\n" -- "$BOX" run-wasm "$W/poll.wasm"
for t in files dirs links fds edge_semantics rights readdir_cookies fd_games links_more file_ops conform_misc; do
  expect "$t" 0 "" -- "$BOX" run-wasm --dir "$T/w" "$W/$t.wasm" "$T/w"
  # the same directory under another guest name (HOST::GUEST)
  expect "$t-mapped" 0 "" -- "$BOX" run-wasm --dir "$T/w2::/data" "$W/$t.wasm" /data
done
expect relative 0 "" -- "$BOX" run-wasm --cap write:. "$W/relative.wasm" "$T/ws"
# a denial is explained in one line when the guest fails
mkdir -p "$T/ws/.git"
"$BOX" run-wasm --cap write:. "$W/files.wasm" "$T/ws/.git" >"$T/out" 2>"$T/err"
grep -Eq '^boxagent run-wasm: [0-9]+ requests? denied; last: .*\.git is read-only' "$T/err" && ok ||
  { bad "denial line missing"; tail -n 3 "$T/err"; }
[ -z "$(ls -A "$T/ws/.git")" ] && ok || bad "a file appeared in .git/"
# ... unless a capability names .git explicitly
expect git-named 0 "" -- "$BOX" run-wasm --cap write:. --cap write:.git "$W/files.wasm" "$T/ws/.git"
mkfifo "$T/w/fifo"
expect fifo_fds 0 "" -- "$BOX" run-wasm --timeout 20000 --dir "$T/w" "$W/fifo_fds.wasm" "$T/w"
rm -f "$T/w/fifo"
# a grant on a directory inside the workspace is reachable by its relative name too
mkdir -p "$T/ws/rsub/sub" && printf 'read-only\n' >"$T/ws/rsub/ro.txt"
expect relative-subgrant 0 "" -- "$BOX" run-wasm --cap read:rsub "$W/readonly.wasm" rsub
before=$(cd "$T" && find ro -print0 | sort -z | xargs -0 stat -c '%n %s %Y %a' | sha256sum)
expect readonly 0 "" -- "$BOX" run-wasm --cap "read:$T/ro" "$W/readonly.wasm" "$T/ro"
expect readonly-mapped 0 "" -- "$BOX" run-wasm --cap "read:$T/ro::/ro" "$W/readonly.wasm" /ro
after=$(cd "$T" && find ro -print0 | sort -z | xargs -0 stat -c '%n %s %Y %a' | sha256sum)
[ "$before" = "$after" ] && ok || bad "readonly: the read-only tree changed"
# the whole file system read-only, as "/" itself
expect readonly-root 0 "" -- "$BOX" run-wasm --cap read:/ "$W/readonly.wasm" "$T/ro"
expect readonly-root-ws 0 "" -- "$BOX" run-wasm --cap read:/ --cap write:. "$W/readonly.wasm" "$T/ro"
# a grant that contains the workspace makes it the current directory too
expect relative-ancestor 0 "" -- "$BOX" run-wasm --cap "write:$T" "$W/relative.wasm" "$T/ws"
printf 'write:%s\nenv:GRANTED\n' "$T/w" >"$T/manifest"
expect manifest 0 "" -- "$BOX" run-wasm --manifest "$T/manifest" "$W/files.wasm" "$T/w"
# without a grant the same program cannot touch the directory
"$BOX" run-wasm "$W/files.wasm" "$T/w" >"$T/out" 2>"$T/err"
[ $? -ne 0 ] && grep -q 'errno 76' "$T/err" && [ -z "$(ls -A "$T/w")" ] && ok ||
  bad "no-grant: the program reached a directory it was not granted"

# ---------------------------------------------------------------- exit status and limits
expect exit-7 7 "" -- "$BOX" run-wasm "$W/exit_code.wasm" 7
grep_out exit-7-flushed 'exiting with 7'
expect exit-0 0 "" -- "$BOX" run-wasm "$W/exit_code.wasm" 0
expect exit-255 255 "" -- "$BOX" run-wasm "$W/exit_code.wasm" 255
expect fuel 134 "" -- "$BOX" run-wasm --fuel 1000000 "$W/spin.wasm" loop
grep_err fuel-msg '^boxagent run-wasm: fuel limit reached: [0-9]+ instructions used$'
expect fuel-cap 134 "" -- "$BOX" run-wasm --cap fuel=2000000 "$W/spin.wasm" loop
grep_err fuel-cap-msg 'fuel limit reached'
expect timeout 134 "" -- "$BOX" run-wasm --timeout 300 "$W/spin.wasm" loop
grep_err timeout-msg '^boxagent run-wasm: timeout: stopped after [0-9]+ ms \(limit 300 ms\)$'
expect timeout-sleep 134 "" -- "$BOX" run-wasm --timeout 200 "$W/spin.wasm" sleep 10000
grep_err timeout-sleep-msg 'timeout'
expect timeout-stdin 134 "" -- bash -c "sleep 3 | \"$BOX\" run-wasm --timeout 300 \"$W/stdio.wasm\""
grep_err timeout-stdin-msg 'timeout'
expect stack 134 "" -- "$BOX" run-wasm --cap stack=500 "$W/spin.wasm" deep
grep_err stack-msg 'stack limit reached: call depth 500'
expect memory 3 "" -- "$BOX" run-wasm --memory 4M "$W/spin.wasm" grow
grep_err memory-msg 'memory limit reached: limit 4194304 bytes'
expect memory-min 1 "" -- "$BOX" run-wasm --memory 64K "$W/spin.wasm" hello
grep_err memory-min-msg 'cannot instantiate: memory limit'
expect output 4 "" -- "$BOX" run-wasm --cap output=1000 "$W/spin.wasm" spew 100000
[ "$(wc -c <"$T/out")" -eq 1000 ] && ok || bad "output: $(wc -c <"$T/out") bytes, want 1000"
grep_err output-msg 'output cut at the limit of 1000 bytes'
expect output-under 0 "" -- "$BOX" run-wasm --cap output=1000 "$W/spin.wasm" spew 999
# a reader that goes away: the guest sees EPIPE (its own exit status 4), boxagent survives
"$BOX" run-wasm "$W/spin.wasm" spew 10000000 2>"$T/err" | head -c 10 >/dev/null
[ "${PIPESTATUS[0]}" -eq 4 ] && ok || bad "epipe: exit ${PIPESTATUS[0]}, want 4"
expect stats 0 "" -- "$BOX" run-wasm --stats "$W/spin.wasm" hello
grep_err stats-line '^stats: fuel_used=[1-9][0-9]* peak_memory=[1-9][0-9]* wall_ms=[0-9.]+ output=13$'
expect no-metering 0 "" -- "$BOX" run-wasm --no-metering --stats "$W/spin.wasm" hello
grep_err no-metering-line 'no metering'
expect sleep-ok 0 "" -- "$BOX" run-wasm --timeout 5000 "$W/spin.wasm" sleep 50

# ---------------------------------------------------------------- usage and errors
expect usage-none 2 "" -- "$BOX" run-wasm
expect usage-bad-cap 2 "" -- "$BOX" run-wasm --cap 'bogus:thing' "$W/spin.wasm"
expect usage-bad-env 2 "" -- "$BOX" run-wasm --env =x "$W/spin.wasm"
expect usage-fuel-no-metering 2 "" -- "$BOX" run-wasm --no-metering --fuel 100 "$W/spin.wasm" hello
# --env NAME passes the host's value
HIDDEN_SECRET=1 GRANTED=yes FOO=bar expect env-inherit 0 "" -- \
  "$BOX" run-wasm --env FOO --env GRANTED "$W/args_env.wasm" x "two words" "ünïcödé" ""
expect usage-bad-fuel 2 "" -- "$BOX" run-wasm --fuel lots "$W/spin.wasm"
expect usage-unknown 2 "" -- "$BOX" run-wasm --frobnicate "$W/spin.wasm"
expect help 0 "" -- "$BOX" run-wasm --help
expect missing-module 1 "" -- "$BOX" run-wasm "$T/nope.wasm"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "missing-module: not one line"
printf 'not wasm at all' >"$T/junk.wasm"
expect junk-module 1 "" -- "$BOX" run-wasm "$T/junk.wasm"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "junk-module: not one line"
printf '\0asm\1\0\0\0' >"$T/empty.wasm"
expect no-start 1 "" -- "$BOX" run-wasm "$T/empty.wasm"
grep_err no-start-msg 'no exported _start'
# --name=value works like --name value (wasmtime's spelling), and only for options.
expect dir-equals 0 "" -- "$BOX" run-wasm --dir="$T/w" "$W/edge_semantics.wasm" "$T/w"
HIDDEN_SECRET=1 GRANTED=yes expect env-equals 0 "" -- \
  "$BOX" run-wasm --env=FOO=bar --cap=env:GRANTED "$W/args_env.wasm" x "two words" "ünïcödé" ""
expect fuel-equals 134 "" -- "$BOX" run-wasm --fuel=10 "$W/spin.wasm"
grep_err fuel-equals-msg 'fuel limit reached'
expect unknown-equals 2 "" -- "$BOX" run-wasm --bogus=1 "$W/spin.wasm"
# Only the WASI calls a module imports are linked: one imported twice works, a name WASI lacks
# and a wrong signature are refused at instantiation, naming the import.
wat_mod() { printf '(module %s (memory (export "memory") 1) (func (export "_start") %s))' "$2" "$3" >"$T/$1.wat" &&
  wat2wasm "$T/$1.wat" -o "$T/$1.wasm"; }
wat_mod twice '(import "wasi_snapshot_preview1" "proc_exit" (func $a (param i32))) (import "wasi_snapshot_preview1" "proc_exit" (func $b (param i32)))' '(call $b (i32.const 7))'
expect import-twice 7 "" -- "$BOX" run-wasm "$T/twice.wasm"
wat_mod unknown '(import "wasi_snapshot_preview1" "no_such_call" (func $a (param i32)))' '(call $a (i32.const 7))'
expect import-unknown 1 "" -- "$BOX" run-wasm "$T/unknown.wasm"
grep_err import-unknown-msg 'unknown import "wasi_snapshot_preview1" "no_such_call"'
wat_mod badsig '(import "wasi_snapshot_preview1" "proc_exit" (func $a (param i64)))' '(call $a (i64.const 7))'
expect import-badsig 1 "" -- "$BOX" run-wasm "$T/badsig.wasm"
grep_err import-badsig-msg 'incompatible import type for "wasi_snapshot_preview1" "proc_exit"'
expect bad-manifest 2 "" -- "$BOX" run-wasm --manifest "$T/nope-manifest" "$W/spin.wasm"

# ---------------------------------------------------------------- Node cross-check
if command -v node >/dev/null; then
  node_ok=0
  nexp() { local name=$1; shift; expect "node-$name" "$@"; }
  nexp args_env 0 "" -- $NODE_RUN --env FOO=bar --env GRANTED=yes "$W/args_env.wasm" x "two words" "ünïcödé" ""
  nexp clock_random 0 "" -- $NODE_RUN "$W/clock_random.wasm"
  nexp stdio 0 "hello\nworld\n" -- $NODE_RUN "$W/stdio.wasm"
  nexp poll 0 "x\n" -- $NODE_RUN "$W/poll.wasm"
  for t in files dirs links fds edge_semantics rights; do
    nexp "$t" 0 "" -- $NODE_RUN --dir "$T/nd" "$W/$t.wasm" "$T/nd"
  done
  mkfifo "$T/nd/fifo"
  nexp fifo_fds 0 "" -- $NODE_RUN --dir "$T/nd" "$W/fifo_fds.wasm" "$T/nd"
  rm -f "$T/nd/fifo"
  nexp relative 0 "" -- $NODE_RUN --dir . --dir "$T/ws" "$W/relative.wasm" "$T/ws"
  nexp exit-7 7 "" -- $NODE_RUN "$W/exit_code.wasm" 7
else
  echo "node not found: cross-check skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
