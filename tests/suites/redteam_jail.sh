#!/usr/bin/env bash
# redteam_jail.sh — the native jail (`boxagent exec`, the bash and run tools) attacked from
# inside: outliving the timeout (setsid, double fork, nohup, ignored signals), descriptors
# leaked from boxagent, the host environment, the workspace state dir under every spelling and
# through symlinks planted earlier, existing .git and shell start-up files under write:, host
# secrets under /etc, network sockets, identity and capabilities, cwd outside the view, and
# exec: names. Needs the jail (root or user namespaces); skips cleanly where it cannot run.
. "$(dirname "$0")/../redteam/lib.sh"

WS=$T/ws
mkdir -p "$WS/sub" "$WS/.boxagent" "$WS/.git/hooks" "$T/outside"
echo hello >"$WS/a.txt"
echo "TOK-secret-123" >"$WS/.boxagent/token"
echo "[core]" >"$WS/.git/config"
echo "# rc" >"$WS/.bashrc"
echo "s3cret-outside" >"$T/outside/secret.txt"
ln -s .boxagent "$WS/bl"
ln -s "$WS/.boxagent/token" "$WS/atl"
ln -s "$T/outside/secret.txt" "$WS/sub/out"

X() { run o e rc "$BA" exec --workspace "$WS" "$@"; }
X --cap read:. --cap 'exec:*' -- true
if [ "$rc" != 0 ]; then
  echo "jail unavailable here ($e); skipping"
  echo "0 passed, 0 failed"
  exit 0
fi

# ---------------------------------------------------------------- outliving the timeout
rm -f "$WS/survivor"
X --timeout 2s --cap write:. --cap 'exec:*' -- /bin/bash -c \
  '(setsid bash -c "sleep 4; echo s1 >> '"$WS"'/survivor" &); nohup bash -c "trap \"\" TERM HUP INT; sleep 4; echo s2 >> '"$WS"'/survivor" >/dev/null 2>&1 & disown; bash -c "(sleep 4; echo s3 >> '"$WS"'/survivor) &" ; echo started'
check "daemonising launcher returns" [ "$rc" = 0 ]
X --timeout 1s --cap write:. --cap 'exec:*' -- /bin/bash -c 'trap "" TERM INT HUP; while :; do sleep 0.1; done'
check "signal-ignoring loop is stopped by the timeout" [ "$rc" != 0 -a "$rc" != 124 ]
sleep 5
check "no background process outlived the jail" [ ! -e "$WS/survivor" ]

# ---------------------------------------------------------------- what the jail starts with
X --cap read:. --cap 'exec:*' -- /bin/sh -c 'ls /proc/self/fd'
check "only stdin/stdout/stderr are open (plus ls's own)" [ "$(tr '\n' ' ' <<<"$o")" = "0 1 2 3 " ]
OPENAI_API_KEY=sk-host-secret-777 ANTHROPIC_API_KEY=sk-ant-777 BOXAGENT_TOKEN=tok777 \
  run o e rc "$BA" exec --workspace "$WS" --cap read:. --cap 'exec:*' -- /usr/bin/env
check "host environment not visible without env:" hasnt "sk-host-secret-777\|sk-ant-777\|tok777" "$o"
OPENAI_API_KEY=sk-host-secret-777 run o e rc "$BA" exec --workspace "$WS" --cap read:. --cap 'exec:*' --cap env:HOME -- /usr/bin/env
check "env:HOME does not bring other variables" hasnt "sk-host-secret-777" "$o"
X --cap read:. --cap 'exec:*' -- /bin/sh -c 'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs)" /proc/self/status'
check "no capabilities" has "CapEff:	0000000000000000" "$o"
check "no_new_privs set" has "NoNewPrivs:	1" "$o"

# ---------------------------------------------------------------- the state dir and secrets
for p in .boxagent/token bl/token atl ./.boxagent//token sub/../.boxagent/token "$WS/.boxagent/token" \
         /proc/self/cwd/.boxagent/token /proc/1/root$WS/.boxagent/token; do
  X --cap read:. --cap 'exec:*' -- /bin/cat "$p"
  check "cat $p refused" hasnt TOK-secret "$o"
done
X --cap "read:$T" --cap 'exec:*' -- /bin/cat "$WS/.boxagent/token"
check "parent grant: state dir still masked" hasnt TOK-secret "$o"
X --cap write:. --cap 'exec:*' -- /bin/sh -c 'echo x > .boxagent/token; mv .boxagent bx; rm -rf .boxagent; ln .boxagent/token hl; cp -a .boxagent copy'
check "state dir not writable, movable or copyable" [ "$(cat "$WS/.boxagent/token")" = TOK-secret-123 ]
check "no copy of the state dir" hasnt TOK-secret "$(cat "$WS"/copy/* "$WS"/hl 2>/dev/null)"
X --cap read:. --cap 'exec:*' -- /bin/cat sub/out
check "symlink out of the grants leads nowhere" hasnt s3cret "$o"
X --cap read:. --cap 'exec:*' -- /bin/sh -c 'cat /etc/shadow /etc/gshadow 2>&1; ls /etc/ssl/private 2>&1'
check "/etc/shadow masked" hasnt 'root:[$!*]' "$o"
X --cap read:. --cap 'exec:*' -- /bin/sh -c 'cat /proc/1/cmdline /proc/1/environ 2>&1 | tr "\0" " "'
check "jail init's command line and environment hidden" hasnt "exec --workspace" "$o"

# ---------------------------------------------------------------- existing protected files under write:
X --cap write:. --cap 'exec:*' -- /bin/sh -c 'echo evil > .git/hooks/pre-commit; echo evil >> .git/config; echo evil >> .bashrc; mv .git g2; mv .bashrc b2; rm -rf .git'
check "existing .git stays read-only" [ ! -e "$WS/.git/hooks/pre-commit" -a "$(cat "$WS/.git/config")" = "[core]" ]
check "existing .bashrc stays read-only" [ "$(cat "$WS/.bashrc")" = "# rc" ]
check "protected entries not moved away" [ -d "$WS/.git" -a -f "$WS/.bashrc" -a ! -e "$WS/g2" -a ! -e "$WS/b2" ]

# ---------------------------------------------------------------- network, identity, kernel
X --cap read:. --cap 'exec:*' -- /bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/22' 
check "no TCP sockets" has "not permitted\|Permission denied\|refused" "$e"
X --cap read:. --cap 'exec:*' -- /bin/sh -c 'ls /sys 2>&1; ls /dev'
check "no /sys" hasnt "^block$\|^class$" "$o"
check "no raw devices" hasnt "kmsg\|^vd\|^sd\|kvm\|mem$" "$o"
X --cap read:. --cap "exec:*" --cap "read:/proc" -- true
check "a read:/proc grant is refused by the jail" [ "$rc" != 0 ]
X --cap read:. --cap "exec:*" --cap "read:/sys/kernel" -- true
check "a read:/sys grant is refused by the jail" [ "$rc" != 0 ]
X --cap read:. --cap 'exec:*' -- /bin/sh -c 'ls /proc | grep -c "^[0-9]"'
check "only the jail's own processes are visible" [ "${o:-99}" -lt 10 ]

# ---------------------------------------------------------------- exec names and cwd, through the tools
run o e rc "$BA" tool call run --workspace "$WS" --access full --cap read:. --cap exec:cat --args '{"argv":["/bin/ls","/"]}'
check "exec:cat does not allow /bin/ls" has "no exec: capability" "$e$o"
run o e rc "$BA" tool call run --workspace "$WS" --access full --cap read:. --cap 'exec:*' --args '{"argv":["/bin/ls","-a"],"cwd":".boxagent"}'
check "cwd .boxagent shows nothing" hasnt token "$o"
run o e rc "$BA" tool call run --workspace "$WS" --access full --cap read:. --cap 'exec:*' --args '{"argv":["/bin/cat","../outside/secret.txt"],"cwd":"sub"}'
check "cwd does not widen the view" hasnt s3cret "$o"
run o e rc "$BA" tool call bash --workspace "$WS" --access full --cap read:. --cap exec:bash --args '{"command":"cat .boxagent/token; cat bl/token; echo done"}'
check "bash tool: state dir hidden" hasnt TOK-secret "$o"
check "bash tool: ran" has done "$o"
run o e rc "$BA" tool call bash --workspace "$WS" --access full --cap read:. --cap exec:bash --cap output=2000 --args '{"command":"yes AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | head -c 5000000"}'
check "bash output bounded by the output limit" [ "${#o}" -lt 4000 ]

finish
