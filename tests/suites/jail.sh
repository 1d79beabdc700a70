#!/usr/bin/env bash
# jail.sh — the native jail attacked from inside, through `boxagent exec` (ASan build):
# filesystem view and Landlock (reads/writes outside grants, /etc/shadow, .boxagent, .git,
# planted symlinks), identity (ownership, capabilities), process isolation (host processes
# invisible, daemons killed), seccomp (ptrace, mount, unshare, sockets ...), limits (fork
# bomb, memory hog, output flood, timeout, cpu), environment, fail-closed refusals, CLI.
set -u
B=${B:-build}
BOXAGENT=${BOXAGENT:-$B/asan/boxagent}
PROBE_SRC=$B/jail/probe
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 20 | sed 's/^/    /'; }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name" "rc=${rc:-} out=${o:0:300} err=${e:0:300}"; fi; }

if [ ! -x "$PROBE_SRC" ]; then echo "missing $PROBE_SRC (make $B/jail/probe)"; echo "0 passed, 1 failed"; exit 1; fi
T=$(mktemp -d /tmp/jail-suite.XXXXXX)
trap 'rm -rf "$T" "$T-alias"' EXIT
WS=$T/ws
mkdir -p "$WS/sub" "$WS/.git" "$WS/.boxagent" "$T/bin" "$T/outside"
cp "$PROBE_SRC" "$T/bin/probe"
# A private copy of the CLI: the shared build tree may be relinked while this suite runs.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  cp "$BOXAGENT" "$T/boxagent.bin" 2>/dev/null && "$T/boxagent.bin" --version >/dev/null 2>&1 && break
  sleep 3
done
BOXAGENT=$T/boxagent.bin
P=$T/bin/probe
echo "hello" >"$WS/in.txt"
echo "s3cret-outside" >"$T/outside/secret.txt"
echo "tok-123" >"$WS/.boxagent/token"
echo "[core]" >"$WS/.git/config"

X() { "$BOXAGENT" exec --workspace "$WS" "$@"; }
# run OUTVAR ERRVAR RCVAR args... — capture stdout, stderr and status of `boxagent exec`.
run() {
  local __o=$1 __e=$2 __r=$3; shift 3
  local of ef; of=$(mktemp "$T/o.XXXX"); ef=$(mktemp "$T/e.XXXX")
  X "$@" >"$of" 2>"$ef"; printf -v "$__r" '%s' $?
  printf -v "$__o" '%s' "$(cat "$of")"; printf -v "$__e" '%s' "$(cat "$ef")"
  rm -f "$of" "$ef"
}
PR=(--cap "read:$T/bin" --cap "exec:$P")

# ---------------------------------------------------------------- basics and CLI
run o e rc --cap read:. --cap exec:cat -- cat in.txt
check "cat in a read grant" [ "$rc" = 0 -a "$o" = hello ]
run o e rc --cap read:. -- cat in.txt
check "no exec: capability is a denial (exit 1)" [ "$rc" = 1 ]
check "denial is a one-line error naming exec" grep -q "denied: exec cat" <<<"$e"
run o e rc --cap read:. --cap exec:cat -- ls
check "exec:cat does not allow ls" [ "$rc" = 1 ]
run o e rc --cap 'exec:*' -- no-such-program-xyz
check "missing program -> 127" [ "$rc" = 127 ]
check "missing program message" grep -q "command not found" <<<"$e"
run o e rc --bogus -- true
check "unknown option -> 2" [ "$rc" = 2 ]
run o e rc --cap read:.
check "no program -> 2" [ "$rc" = 2 ]
run o e rc --timeout nonsense --cap 'exec:*' -- true
check "bad --timeout -> 2" [ "$rc" = 2 ]
run o e rc --cap 'bogus:x' --cap 'exec:*' -- true
check "bad capability -> 1" [ "$rc" = 1 ]
"$BOXAGENT" exec --help >/dev/null 2>&1; check "--help exits 0" [ $? = 0 ]
run o e rc --cap 'exec:*' -- bash -c 'exit 7'
check "exit status propagates" [ "$rc" = 7 ]
run o e rc --cap 'exec:*' -- bash -c 'kill -SEGV $$'
check "signal -> 128+signal" [ "$rc" = 139 ]
run o e rc --cap read:. --cap 'exec:*' -- pwd
check "cwd is the workspace" [ "$o" = "$WS" ]
o=$(printf 'abc\ndef\n' | X --stdin --cap 'exec:*' -- cat 2>/dev/null)
check "--stdin feeds the program" [ "$o" = $'abc\ndef' ]
o=$(X --cap 'exec:*' -- cat </dev/zero 2>/dev/null); rc=$?
check "stdin is empty by default" [ "$rc" = 0 -a -z "$o" ]

# ---------------------------------------------------------------- filesystem view + Landlock
run o e rc --cap read:. "${PR[@]}" -- "$P" read "$T/outside/secret.txt" stat "$T/outside/secret.txt" \
  list "$T/outside" list / read in.txt list . read /etc/passwd list /usr/bin
check "read outside read: fails; inside works" [ "$o" = $'deny ENOENT\ndeny ENOENT\ndeny ENOENT\nallow\nallow\nallow\nallow\nallow' ]
run o e rc --cap read:. --cap 'exec:*' -- ls -A /
check "/ holds only the view (system paths, /dev, /proc, /tmp)" [ "$(tr '\n' ' ' <<<"$o")" = "$(ls -d /bin /dev /etc /lib /lib32 /lib64 /libx32 /proc /sbin /tmp /usr 2>/dev/null | sed 's|^/||' | sort | tr '\n' ' ')" ]
run o e rc --cap read:. --cap 'exec:*' -- ls -A "$T"
check "the workspace's parent shows only the path to the grant" [ "$o" = ws ]
run o e rc --cap read:. "${PR[@]}" -- "$P" create new.txt write in.txt create /tmp/x create /usr/x create /etc/x
check "read: is read-only; /tmp private and writable; system paths read-only" \
  [ "$o" = $'deny EROFS\ndeny EROFS\nallow\ndeny EROFS\ndeny EROFS' ]
run o e rc --cap read:. --cap write:./sub "${PR[@]}" -- "$P" create sub/new.txt create new.txt write in.txt
check "write: only beneath its path" [ "$o" = $'allow\ndeny EROFS\ndeny EROFS' ]
run o e rc --cap read:. "${PR[@]}" -- "$P" read /etc/shadow read /etc/gshadow write /etc/shadow chmod /etc/shadow
check "/etc/shadow unreadable" [ "$o" = $'deny EACCES\ndeny EACCES\ndeny EACCES\ndeny EROFS' ]
run o e rc --cap 'read:/etc/shadow' --cap read:. --cap 'exec:*' -- cat /etc/shadow
check "/etc/shadow stays masked even when granted" [ "$rc" != 0 ]
check "no shadow content leaks" bash -c '! grep -q "root:" <<<"$1"' _ "$o"
run o e rc --cap write:. "${PR[@]}" -- "$P" read .boxagent/token list .boxagent create .boxagent/x
check ".boxagent/ invisible even under write:." [ "$o" = $'deny EACCES\ndeny EACCES\ndeny EACCES' ]
run o e rc --cap write:. "${PR[@]}" -- "$P" create .git/hooks-x write .git/config read .git/config create ok.txt
check ".git/ read-only inside write:." [ "$o" = $'deny EROFS\ndeny EROFS\nallow\nallow' ]
run o e rc --cap write:. --cap write:.git "${PR[@]}" -- "$P" create .git/hooks-x
check ".git/ writable when named explicitly" [ "$o" = allow ]
rm -f "$WS/ok.txt"

# Planted symlinks inside a writable grant lead nowhere outside.
run o e rc --cap write:. --cap 'exec:*' -- bash -c "ln -s $T/outside/secret.txt link1; ln -s / rootlink; ln -s /etc/shadow link2; ln -s ../.. up"
check "symlinks can be planted" [ "$rc" = 0 -a -L "$WS/link1" ]
run o e rc --cap write:. "${PR[@]}" -- "$P" read link1 read link2 list rootlink/tmp read "rootlink$T/outside/secret.txt" \
  read "up/$(basename "$T")/outside/secret.txt" list "up/$(basename "$T")/outside"
check "planted symlinks give no access outside" \
  [ "$o" = $'deny ENOENT\ndeny EACCES\nallow\ndeny ENOENT\ndeny ENOENT\ndeny ENOENT' ]
[ "$o" = $'deny ENOENT\ndeny EACCES\nallow\ndeny ENOENT\ndeny ENOENT\ndeny ENOENT' ] || echo "    got: $o"
run o e rc --cap write:. --cap 'exec:*' -- cat link1
check "cat through a planted link fails" [ "$rc" != 0 ]
check "secret not printed" bash -c '! grep -q s3cret <<<"$1"' _ "$o"
rm -f "$WS/link1" "$WS/link2" "$WS/rootlink" "$WS/up"

# A symlink planted by one run must not redirect a later, narrower grant out of the workspace.
run o e rc --cap write:. --cap 'exec:*' -- bash -c "ln -s $T/outside planted; mkdir -p real; ln -s ../planted real/deeper"
run o e rc --cap write:./planted "${PR[@]}" -- "$P" create "$WS/planted/pwned" read "$WS/planted/secret.txt"
check "grant through a planted symlink is refused" [ "$rc" = 1 -a ! -e "$T/outside/pwned" ]
check "the refusal names the symlink" grep -q "symlink inside the workspace" <<<"$e"
run o e rc --cap read:./real/deeper --cap 'exec:*' -- true
check "grant through a deeper planted symlink is refused" [ "$rc" = 1 ]
BOXAGENT_JAIL_NO_IDMAP=1 run o e rc --cap write:./planted "${PR[@]}" -- "$P" create "$WS/planted/pwned"
check "same refusal in cgroup mode" [ "$rc" = 1 -a ! -e "$T/outside/pwned" ]
rm -rf "$WS/planted" "$WS/real"

# Moving things between grants or minting devices does not work either.
mkdir -p "$WS/out"
run o e rc --cap read:. --cap write:./out --cap 'exec:*' -- bash -c '
  ln in.txt out/hard 2>/dev/null && echo "hardlink ok" || echo "hardlink refused"
  mv in.txt out/moved 2>/dev/null && echo "move ok" || echo "move refused"
  mknod out/dev c 1 3 2>/dev/null && echo "mknod ok" || echo "mknod refused"
  unshare -r true 2>/dev/null && echo "unshare ok" || echo "unshare refused"
  echo x > /dev/null && echo "devnull ok"'
check "hardlink/move across grants, mknod, unshare refused; /dev/null works" \
  [ "$o" = $'hardlink refused\nmove refused\nmknod refused\nunshare refused\ndevnull ok' ]
check "read grant untouched" [ -f "$WS/in.txt" -a ! -e "$WS/out/hard" -a ! -e "$WS/out/dev" ]
rm -rf "$WS/out"

run o e rc --cap "read:/proc" --cap 'exec:*' -- true
check "a grant of /proc is refused" [ "$rc" = 1 ]
check "refusal says why" grep -q "host kernel interface" <<<"$e"
run o e rc --cap 'exec:*' -- bash -c 'echo 1 > /proc/sys/kernel/hostname'
check "/proc/sys read-only" [ "$rc" != 0 ]

# Ownership: files created in a write grant belong to the invoking user outside.
run o e rc --cap write:. --cap 'exec:*' -- bash -c 'echo x > owned.txt; mkdir owned.d'
check "created file owned by invoking uid" [ "$(stat -c %u:%g "$WS/owned.txt")" = "$(id -u):$(id -g)" ]
check "created dir owned by invoking uid" [ "$(stat -c %u "$WS/owned.d")" = "$(id -u)" ]
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
  NW=$T/nobody-ws; mkdir -p "$NW"; chown nobody "$NW"; chmod 755 "$T"
  (cd "$NW" && runuser -u nobody -- "$BOXAGENT" exec --cap write:. --cap 'exec:*' -- bash -c 'id -u; echo y > f') >"$T/nb.out" 2>"$T/nb.err"
  check "non-root caller: same uid inside" [ "$(head -n1 "$T/nb.out")" = "$(id -u nobody)" ]
  check "non-root caller: file owned by caller" [ "$(stat -c %U "$NW/f" 2>/dev/null)" = nobody ]
  (cd "$NW" && runuser -u nobody -- "$BOXAGENT" exec --processes 5 --cap 'exec:*' -- bash -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 2 & done; wait') >"$T/nb.out" 2>"$T/nb.err"
  check "non-root caller: process limit holds" grep -qi "resource temporarily unavailable\|fork" "$T/nb.err"
  (cd "$NW" && runuser -u nobody -- "$BOXAGENT" exec --cap 'exec:*' -- bash -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " "') >"$T/nb.out" 2>&1
  check "non-root caller: no capabilities, seccomp on" [ "$(cat "$T/nb.out")" = $'CapEff: 0000000000000000\nCapBnd: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2' ]
fi

# ---------------------------------------------------------------- identity and isolation
run o e rc --cap 'exec:*' -- bash -c 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " "'
check "no capabilities, no_new_privs, seccomp filter" [ "$o" = $'CapInh: 0000000000000000\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\nCapAmb: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2' ]
run o e rc --cap 'exec:*' -- bash -c 'ls /proc | grep -cE "^[0-9]+$"'
check "host processes invisible (few pids)" [ "$o" -le 4 ]
run o e rc --cap 'exec:*' -- ps -e -o comm=
check "ps shows only the jail" [ "$(grep -cvE '^(boxagent.*|bash|ps)$' <<<"$o")" = 0 ]
run o e rc "${PR[@]}" -- "$P" read /proc/1/mem read /proc/1/environ list /proc/1/fd read /proc/1/maps stat /proc/1/root/etc read /proc/1/cmdline
check "init (a copy of boxagent's memory) is out of reach" [ "$(grep -c allow <<<"$o")" = 0 ]
BOXAGENT_JAIL_PRETEND_NO_LANDLOCK=1 run o e rc --allow-unsandboxed "${PR[@]}" -- "$P" read /proc/1/mem read /proc/1/environ list /proc/1/fd
check "init out of reach even without Landlock" [ "$(grep -c allow <<<"$o")" = 0 ]
run o e rc --cap 'exec:*' -- bash -c 'kill -0 '"$$"' 2>&1; echo $?'
check "cannot signal host pids" [ "$(tail -n1 <<<"$o")" != 0 ]
run o e rc "${PR[@]}" -- "$P" ptrace x mount /tmp unshare x socket raw socket inet socket inet6 \
  socket packet socket netlink clone-ns x bpf x perf x keyctl x io_uring x userfaultfd x personality x socket unix clone3 x
check "ptrace/mount/unshare/sockets/... fail with EPERM" \
  [ "$o" = "$(printf 'deny EPERM\n%.0s' {1..15})"$'\nallow\ndeny ENOSYS' ]
[ "$o" = "$(printf 'deny EPERM\n%.0s' {1..15})"$'\nallow\ndeny ENOSYS' ] || echo "    got: $(tr '\n' ' ' <<<"$o")"
if [ "$(uname -m)" = x86_64 ]; then
  run o e rc "${PR[@]}" -- "$P" x32-ptrace x
  check "x32 system calls cannot bypass the filter (killed)" [ "$rc" = 159 -a -z "$o" ]
fi
run o e rc --cap 'exec:*' -- bash -c 'cat /sys/class/net/*/address 2>/dev/null; ls /sys 2>&1 | head -1'
check "no /sys" grep -q "No such file" <<<"$o"

# ---------------------------------------------------------------- environment
export JAIL_SUITE_SECRET=leak JAIL_SUITE_OK=fine
run o e rc --cap 'exec:*' -- env
check "environment emptied" [ "$(sort <<<"$o" | tr '\n' ' ')" = "HOME=/tmp LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin " ]
run o e rc --cap 'exec:*' --cap env:JAIL_SUITE_OK -- env
check "env: passes only the named variable" bash -c 'grep -q "^JAIL_SUITE_OK=fine$" <<<"$1" && ! grep -q JAIL_SUITE_SECRET <<<"$1"' _ "$o"

# ---------------------------------------------------------------- processes and limits
pgrep_sleep() { pgrep -f "^sleep $1\$" >/dev/null; }
run o e rc --cap 'exec:*' -- bash -c 'sleep 1001 & disown; setsid sleep 1002 & (setsid sleep 1003 &) ; nohup sleep 1004 >/dev/null 2>&1 & echo started'
check "command with background daemons returns" [ "$rc" = 0 -a "$o" = started ]
sleep 0.2
check "disowned/setsid/double-forked daemons killed at the end" bash -c '! pgrep -f "^sleep 100[1-4]$"'
start=$(date +%s%N)
run o e rc --timeout 700ms --cap 'exec:*' -- bash -c 'sleep 1005 & disown; setsid sleep 1006 & sleep 30'
el=$(( ($(date +%s%N) - start) / 1000000 ))
check "timeout stops the command (exit 137)" [ "$rc" = 137 ]
check "timeout reported" grep -q "stopped by the timeout limit" <<<"$e"
check "timeout is prompt (<5s)" [ "$el" -lt 5000 ]
sleep 0.2
check "daemons killed on timeout" bash -c '! pgrep -f "^sleep 100[56]$"'

start=$(date +%s%N)
run o e rc --processes 40 --timeout 3s --cap 'exec:*' -- bash -c 'f(){ f | f & }; f; sleep 10'
el=$(( ($(date +%s%N) - start) / 1000000 ))
check "fork bomb contained and stopped" [ "$rc" != 0 -a "$el" -lt 8000 ]
s2=$(date +%s%N); X --cap 'exec:*' -- true; rc=$?; el2=$(( ($(date +%s%N) - s2) / 1000000 ))
check "machine responsive after the fork bomb" [ "$rc" = 0 -a "$el2" -lt 3000 ]
check "no fork-bomb leftovers" bash -c '! pgrep -f "jail-suite" >/dev/null || true'
run o e rc --processes 5 --cap 'exec:*' -- bash -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 2 & done; wait'
check "process limit refuses forks beyond N" grep -qi "resource temporarily unavailable\|fork" <<<"$e"

run o e rc --memory 64M --cap 'exec:*' -- python3 -c 'b = b"x" * (512 << 20); print(len(b))'
check "memory hog stopped" [ "$rc" != 0 ]
check "memory hog produced nothing" [ -z "$o" ]
check "memory hog reported as the memory limit" grep -q "stopped by the memory limit" <<<"$e"
if "$BOXAGENT" exec --probe 2>/dev/null | grep -q "memory cgroup"; then
  run o e rc --memory 100M --timeout 20s --cap 'exec:*' -- bash -c 'for i in 1 2 3 4 5 6; do python3 -c "import time; b = b\"x\" * (40 << 20); time.sleep(2)" & done; wait'
  check "a tree of memory hogs is bounded as a whole" grep -q "stopped by the memory limit" <<<"$e"
fi
run o e rc --memory 64M --cap 'exec:*' -- python3 -c 'b = b"x" * (8 << 20); print(len(b))'
check "small allocation within the memory limit works" [ "$rc" = 0 -a "$o" = 8388608 ]

run o e rc --output 1000 --timeout 20s --cap 'exec:*' -- yes
check "output flood cut" [ "${#o}" -lt 1100 ]
check "cut reported" grep -q "output cut at the output limit" <<<"$e"
check "flood stopped by the output limit" grep -q "stopped by the output limit" <<<"$e"
run o e rc --output 100 --cap 'exec:*' -- bash -c 'head -c 5000 /dev/zero | tr "\0" a; echo; echo done >&2; exit 3'
check "moderate overflow: cut but the program finishes" [ "$rc" = 3 ]
run o e rc --cpu 1s --timeout 20s --cap 'exec:*' -- bash -c 'while :; do :; done'
check "cpu limit stops a busy loop" grep -q "stopped by the cpu limit" <<<"$e"

# A manifest's capabilities and limits apply as --cap does; the smaller limit wins.
printf '# test manifest\nread:.\nexec:*\ntimeout=400ms\noutput=64\n' >"$T/manifest"
run o e rc --manifest "$T/manifest" -- bash -c 'cat in.txt; sleep 20'
check "manifest grants and timeout apply" bash -c '[ "$1" = 137 ] && [ "$2" = hello ] && grep -q "timeout limit" <<<"$3"' _ "$rc" "$o" "$e"
run o e rc --manifest "$T/manifest" --timeout 60s -- bash -c 'sleep 20'
check "an option cannot exceed the manifest's limit" grep -q "timeout limit" <<<"$e"
run o e rc --manifest "$T/manifest" -- bash -c 'head -c 500 /dev/zero | tr "\0" z'
check "manifest output limit applies" [ "${#o}" -le 64 ]
printf 'read:.\nbogus line\n' >"$T/bad-manifest"
run o e rc --manifest "$T/bad-manifest" --cap 'exec:*' -- true
check "malformed manifest refused with its position" bash -c '[ "$1" = 1 ] && grep -q "bad-manifest:2" <<<"$2"' _ "$rc" "$e"

# ---------------------------------------------------------------- fail closed
run o e rc --cap 'exec:*' -- true
check "baseline runs" [ "$rc" = 0 ]
o=$(BOXAGENT_JAIL_PRETEND_NO_LANDLOCK=1 X --cap 'exec:*' -- echo ran 2>"$T/e"); rc=$?
check "no Landlock -> refuses" [ "$rc" = 1 -a -z "$o" ]
check "refusal explains" grep -q "no Landlock" "$T/e"
o=$(BOXAGENT_JAIL_PRETEND_NO_SECCOMP=1 X --cap 'exec:*' -- echo ran 2>"$T/e"); rc=$?
check "no seccomp -> refuses" [ "$rc" = 1 -a -z "$o" ]
o=$(BOXAGENT_JAIL_PRETEND_NO_LANDLOCK=1 X --allow-unsandboxed --cap 'exec:*' -- echo ran 2>"$T/e"); rc=$?
check "--allow-unsandboxed runs, with a warning" bash -c '[ "$1" = ran ] && grep -q WITHOUT "$2"' _ "$o" "$T/e"
if [ "$(id -u)" = 0 ]; then
  o=$(BOXAGENT_JAIL_NO_IDMAP=1 BOXAGENT_JAIL_NO_CGROUP=1 X --cap 'exec:*' -- echo ran 2>"$T/e"); rc=$?
  check "root without idmapped mounts or a pids cgroup -> refuses" [ "$rc" = 1 -a -z "$o" ]
  check "that refusal explains" grep -q "process limit cannot be enforced" "$T/e"
  # Root callers run as an unprivileged kernel uid: a root-only host file stays closed even
  # where it is visible (here under /etc, not in the mask list).
  SECRET_ETC=/etc/boxagent-jail-suite-$$
  echo "root-only" >"$SECRET_ETC"; chmod 600 "$SECRET_ETC"
  run o e rc "${PR[@]}" -- "$P" read "$SECRET_ETC"
  rm -f "$SECRET_ETC"
  check "root-only host file unreadable (jail is not kuid 0)" [ "$o" = "deny EACCES" ]
  # The fallback for filesystems without idmapped mounts: same uid, pids cgroup.
  export BOXAGENT_JAIL_NO_IDMAP=1
  run o e rc --cap write:. --cap 'exec:*' -- bash -c 'echo z > cg.txt; cat in.txt'
  check "cgroup mode runs" [ "$rc" = 0 -a "$o" = hello ]
  check "cgroup mode: file owned by caller" [ "$(stat -c %u "$WS/cg.txt")" = 0 ]
  run o e rc --processes 5 --cap 'exec:*' -- bash -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 2 & done; wait'
  check "cgroup mode: process limit holds for root" grep -qi "resource temporarily unavailable\|fork" <<<"$e"
  run o e rc --cap read:. "${PR[@]}" -- "$P" read /etc/shadow create new2.txt
  check "cgroup mode: shadow masked, read-only grant" [ "$o" = $'deny EACCES\ndeny EROFS' ]
  unset BOXAGENT_JAIL_NO_IDMAP
fi

# ---------------------------------------------------------------- red-team holes (each attack
# must be stopped AND leave nothing behind outside the jail)
H=$T/holes
mkdir -p "$H"
# 1. The state dir cannot be created, replaced or planted from a sandbox.
mkdir -p "$H/w1"
"$BOXAGENT" exec --workspace "$H/w1" --cap write:. --cap 'exec:*' -- /bin/sh -c \
  'mkdir .boxagent; echo "{\"default_agent\":\"x\"}" > .boxagent/config.json' >/dev/null 2>&1
check "hole1: a fresh workspace's .boxagent cannot be planted" \
  [ ! -e "$H/w1/.boxagent/config.json" -a -d "$H/w1/.boxagent" -a ! -L "$H/w1/.boxagent" ]
check "hole1: .boxagent made 0700 by the caller" [ "$(stat -c %a "$H/w1/.boxagent")" = 700 ]
mkdir -p "$H/shared"
"$BOXAGENT" exec --workspace "$H/w1" --cap write:. --cap 'exec:*' -- /bin/sh -c \
  'rm -rf .boxagent; mv .boxagent gone; ln -s '"$H/shared"' .boxagent; ln -s '"$H/shared"' x && mv -T x .boxagent' >/dev/null 2>&1
check "hole1: .boxagent cannot be replaced by a symlink" [ -d "$H/w1/.boxagent" -a ! -L "$H/w1/.boxagent" ]
check "hole1: nothing appeared in the symlink's target" [ -z "$(ls -A "$H/shared")" ]
mkdir -p "$H/w1b" && ln -s "$H/shared" "$H/w1b/.boxagent"
"$BOXAGENT" exec --workspace "$H/w1b" --cap write:. --cap 'exec:*' -- /bin/sh -c 'touch ran' >"$H/o" 2>"$H/e"; rc=$?
e=$(cat "$H/e")
check "hole1: a symlinked .boxagent is refused (nothing runs)" [ "$rc" != 0 -a ! -e "$H/w1b/ran" -a -z "$(ls -A "$H/shared")" ]
mkdir -p "$H/w1c/.boxagent/boxagent.db"
"$BOXAGENT" exec --workspace "$H/w1c" --cap write:. --cap 'exec:*' -- /bin/sh -c 'touch ran' >"$H/o" 2>"$H/e"; rc=$?
e=$(cat "$H/e")
check "hole1: exec refuses to run unaudited" [ "$rc" != 0 -a ! -e "$H/w1c/ran" ]
check "hole1: ... and says so" grep -q "unaudited" <<<"$e"

# 2. Grants are compared and mounted by their real paths.
ln -s "$T" "$T-alias"
run o e rc --cap "read:$T-alias/ws" --cap 'exec:*' -- cat "$T-alias/ws/.boxagent/token"
check "hole2: .boxagent masked through a workspace alias (read)" bash -c '! grep -q tok-123 <<<"$1"' _ "$o"
run o e rc --cap "write:$T-alias/ws" --cap 'exec:*' -- /bin/sh -c "echo pwned > $T-alias/ws/.boxagent/token; cat $T-alias/ws/.boxagent/token"
check "hole2: .boxagent unchanged through a workspace alias (write)" [ "$(cat "$WS/.boxagent/token")" = tok-123 ]
check "hole2: ... and unreadable" bash -c '! grep -q tok-123 <<<"$1"' _ "$o"
ln -s "$WS/.boxagent" "$H/stlink"
run o e rc --cap "read:$H/stlink" --cap 'exec:*' -- cat "$H/stlink/token"
check "hole2: a link to the state dir shows nothing" bash -c '! grep -q tok-123 <<<"$1"' _ "$o"
for k in proc sys dev; do
  ln -s /$k "$H/${k}l"
  run o e rc --cap "read:$H/${k}l" --cap 'exec:*' -- /bin/sh -c "ls $H/${k}l | wc -l"
  check "hole2: an alias of /$k is refused" [ "$rc" != 0 -a -z "$o" ]
done
ln -s / "$H/rootl"
run o e rc --cap "read:$H/rootl" --cap 'exec:*' -- /bin/sh -c "ls $H/rootl/proc $H/rootl/sys $H/rootl/dev 2>/dev/null | wc -l"
check "hole2: an alias of / hides the host's /proc, /sys, /dev" [ "$o" = 0 ]
run o e rc --cap read:/ --cap 'exec:*' -- /bin/sh -c 'ls /sys 2>/dev/null | wc -l; ls /proc | grep -cE "^[0-9]+$"'
check "hole2: read:/ shows no /sys and only the jail's /proc" [ "$(head -n1 <<<"$o")" = 0 -a "$(tail -n1 <<<"$o")" -le 4 ]

# 3. No setuid/setgid files left behind (a root caller's files are root's outside).
mkdir -p "$H/w3"
"$BOXAGENT" exec --workspace "$H/w3" --cap write:. --cap 'exec:*' -- /bin/sh -c \
  'cp /bin/sh s1; chmod 4755 s1; cp /bin/sh s2; chmod u+s,g+s s2; mkdir d; chmod 2755 d;
   command -v python3 >/dev/null && python3 -c "import os; os.close(os.open(\"s3\", os.O_CREAT|os.O_WRONLY, 0o4755)); os.mknod(\"s4\", 0o104755)"' >/dev/null 2>&1
check "hole3: no setuid/setgid file or dir created" [ -z "$(find "$H/w3" -perm /6000)" -a -e "$H/w3/s1" ]

# 4. Protected names that did not exist cannot be left behind; nested .git is read-only.
mkdir -p "$H/w4/sub/.git/hooks" "$H/w4/deep/a/b/c"
"$BOXAGENT" exec --workspace "$H/w4" --cap write:. --cap 'exec:*' -- /bin/sh -c \
  'echo evil > .bashrc; echo evil > sub/.git/hooks/pre-commit; mkdir -p .git/hooks; echo evil > .git/hooks/post-checkout;
   ln -s /tmp/x .zshenv; echo evil > f; mv f deep/a/b/c/.profile; mkdir -p deep/a/.git/hooks; echo ok > kept.txt' >"$H/o" 2>"$H/e"
e=$(cat "$H/e")
check "hole4: no new .bashrc/.git/.zshenv/.profile, nested hooks read-only" \
  [ ! -e "$H/w4/.bashrc" -a ! -e "$H/w4/.git" -a ! -L "$H/w4/.zshenv" -a ! -e "$H/w4/sub/.git/hooks/pre-commit" \
    -a ! -e "$H/w4/deep/a/b/c/.profile" -a ! -e "$H/w4/deep/a/.git" -a -f "$H/w4/kept.txt" ]
check "hole4: removals are reported" grep -q "removed $H/w4/.bashrc" <<<"$e"
mkdir -p "$H/w4m/mnt"
if mount -t tmpfs tmpfs "$H/w4m/mnt" 2>/dev/null; then
  "$BOXAGENT" exec --workspace "$H/w4m" --cap write:. --cap 'exec:*' -- /bin/sh -c 'mkdir -p mnt/.git/hooks; echo x > mnt/.bashrc' >/dev/null 2>&1
  check "hole4: protected names in a filesystem mounted inside the grant are removed too" [ -z "$(ls -A "$H/w4m/mnt")" ]
  umount "$H/w4m/mnt"
fi
mkdir -p "$H/w4c" && ln -s /nonexistent-target "$H/w4c/.zshenv"
"$BOXAGENT" exec --workspace "$H/w4c" --cap write:. --cap 'exec:*' -- /bin/sh -c 'rm -f .zshenv; echo evil > .zshenv' >/dev/null 2>&1
check "hole4: an existing protected symlink replaced by a file is removed" [ ! -f "$H/w4c/.zshenv" ]
mkdir -p "$H/w4b/.git"
"$BOXAGENT" exec --workspace "$H/w4b" --cap write:. --cap "write:$H/w4b/.git" --cap 'exec:*' -- /bin/sh -c 'echo x > .git/HEAD' >/dev/null 2>&1
check "hole4: an explicitly granted .git stays writable" [ "$(cat "$H/w4b/.git/HEAD" 2>/dev/null)" = x ]
run o e rc --cap 'exec:*' -- /bin/sh -c 'cd /tmp && git init -q r && cd r && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m m && echo git-ok'
check "hole4: git still works in the private /tmp" [ "$o" = git-ok ]

# 5. Host UNIX sockets are out of reach; socketpair still works.
if command -v python3 >/dev/null; then
  mkdir -p "$H/w5"
  python3 -c "
import socket
s=socket.socket(socket.AF_UNIX); s.bind('$H/w5/host.sock'); s.listen(1); s.settimeout(8)
try:
  c,_=s.accept(); open('$H/w5/got','w').write(c.recv(64).decode())
except Exception: pass" &
  spid=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$H/w5/host.sock" ] && break; sleep 0.2; done
  "$BOXAGENT" exec --workspace "$H/w5" --cap read:. --cap 'exec:*' -- python3 -c "
import socket
for t in (socket.SOCK_STREAM, socket.SOCK_SEQPACKET, socket.SOCK_DGRAM):
  try:
    s=socket.socket(socket.AF_UNIX, t); s.connect('$H/w5/host.sock'); s.send(b'hello-from-jail')
  except OSError: pass
  try:
    s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'hello-from-jail', '$H/w5/host.sock')
  except OSError: pass
" >/dev/null 2>&1
  (sleep 1; python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.connect('$H/w5/host.sock'); s.send(b'host')" 2>/dev/null) &
  wait "$spid"
  check "hole5: a host daemon's socket cannot be reached" [ "$(cat "$H/w5/got" 2>/dev/null)" = host ]
  run o e rc --cap 'exec:*' -- python3 -c "import socket; a,b=socket.socketpair(); a.send(b'hi'); print(b.recv(2).decode())"
  check "hole5: socketpair still works" [ "$o" = hi ]
fi

# 6. Any .boxagent in a grant is masked (other projects, nested).
mkdir -p "$H/p6/other/.boxagent" "$H/p6/ws/sub/.boxagent"
echo tok-other >"$H/p6/other/.boxagent/token"; echo tok-nested >"$H/p6/ws/sub/.boxagent/token"
"$BOXAGENT" exec --workspace "$H/p6/ws" --cap "write:$H/p6" --cap 'exec:*' -- /bin/sh -c \
  "cat $H/p6/other/.boxagent/token sub/.boxagent/token; echo '{}' > $H/p6/other/.boxagent/config.json; echo x > sub/.boxagent/token; mkdir -p $H/p6/new/.boxagent" >"$H/o" 2>/dev/null
o=$(cat "$H/o")
check "hole6: other projects' and nested .boxagent unreadable" bash -c '! grep -q tok- <<<"$1"' _ "$o"
check "hole6: ... unchanged, and none can be created" \
  [ ! -e "$H/p6/other/.boxagent/config.json" -a "$(cat "$H/p6/ws/sub/.boxagent/token")" = tok-nested -a ! -e "$H/p6/new/.boxagent" ]
rm -f "$T-alias"

# ---------------------------------------------------------------- audit
# $WS has a .boxagent/ directory, so every `boxagent exec` above was audited.
(cd "$WS" && "$BOXAGENT" audit verify >"$T/av" 2>&1); rc=$?
check "audit chain of exec runs intact" [ "$rc" = 0 ]
(cd "$WS" && "$BOXAGENT" audit list >"$T/al" 2>&1)
check "denials are audited" grep -q "denied: exec cat" "$T/al"
check "limits are audited" grep -q "stopped by the timeout limit" "$T/al"
check "unsandboxed runs are audited as such" grep -q "UNSANDBOXED" "$T/al"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
