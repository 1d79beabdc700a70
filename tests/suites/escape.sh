#!/usr/bin/env bash
# escape.sh — every guest program under tests/escape/ tries one way out of its grants
# (write: workspace, read: a second tree, nothing else). Each must report no escape and exit
# 0 (never trap), and a snapshot of everything outside the grants — the outside tree, the
# read-only tree, the workspace's .boxagent/, .git/ and .bashrc — must be unchanged.
# Each program runs twice: grants at their host paths, and mapped to /ws and /ro.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
BOX=${BOXAGENT:-$PWD/$B/asan/boxagent}
E=$PWD/$B/wasm/tests/escape
pass=0 fail=0
T=$(mktemp -d /tmp/boxagent-escape.XXXXXX)
trap 'rm -rf "$T"; [ -n "${helper:-}" ] && kill "$helper" 2>/dev/null' EXIT
# A private copy: the shared build tree may relink the binary while the suite runs.
cp "$BOX" "$T/boxagent" && BOX=$T/boxagent

setup() {
  rm -rf "$T/ws" "$T/ro" "$T/outside"
  mkdir -p "$T/outside/dir" "$T/ro/sub" "$T/ws/.boxagent" "$T/ws/.git/hooks" "$T/ws/sub" \
    "$T/ws/race/a" "$T/ws/race/s"
  printf 'SECRET-OUTSIDE\n' >"$T/outside/secret.txt"
  printf 'SECRET-OUTSIDE-2\n' >"$T/outside/dir/f"
  printf 'RO-CONTENT\n' >"$T/ro/ro.txt"
  printf 'ro sub\n' >"$T/ro/sub/f"
  printf '{"SECRET-CONFIG": 1}\n' >"$T/ws/.boxagent/config.json"
  printf 'SECRET-TOKEN\n' >"$T/ws/.boxagent/token"
  printf '[core]\n\tbare = false\n' >"$T/ws/.git/config"
  printf '#!/bin/sh\n' >"$T/ws/.git/hooks/pre-commit.sample"
  printf 'alias ls=ls\n' >"$T/ws/.bashrc"
  printf 'inside\n' >"$T/ws/file.txt"
  printf 'inside2\n' >"$T/ws/file2"
  printf 'SECRET-MOVED\n' >"$T/ws/race/a/inner.txt"
  printf 'inside copy\n' >"$T/ws/race/s/secret.txt"
  ln -s "$T/outside/secret.txt" "$T/ws/abs_link"
  ln -s ../outside/secret.txt "$T/ws/rel_link"
  ln -s ../outside "$T/ws/dir_link"
  ln -s /proc/self/root "$T/ws/proc_root"
  ln -s /proc/self/fd "$T/ws/proc_fd"
  ln -s /proc/self/cwd "$T/ws/proc_cwd"
  ln -s .boxagent "$T/ws/sneaky"
  ln -s .git "$T/ws/gitlink"
  ln -s ../outside/created_by_guest "$T/ws/host_dangling"
  ln -s .git "$T/ws/build"
  ln -s .boxagent "$T/ws/state"
}

snapshot() {
  (cd "$T" && {
    find outside ro ws/.boxagent ws/.git ws/.bashrc -name a_moved -prune -o \
      \( -type f -printf '%p %s %m %T@\n' -o -type l -printf '%p -> %l\n' -o -type d -printf '%p/\n' \)
    find outside ro ws/.boxagent ws/.git ws/.bashrc -name a_moved -prune -o -type f -print0 |
      xargs -0 sha256sum
  } | sort | sha256sum)
}

# Host side of the race programs.
race_helper() { # name
  case $1 in
  rename_race_moved)
    (for _ in $(seq 1000); do [ -e "$T/ws/race/ready" ] && break; sleep 0.01; done
     mv "$T/ws/race/a" "$T/outside/a_moved" && touch "$T/ws/race/moved") &
    helper=$! ;;
  rename_race_swap)
    python3 - "$T/ws/race" <<'PY' &
import os, sys, time
d = sys.argv[1]
s, dh, lh = d + "/s", d + "/s_dir", d + "/s_link"
os.symlink("../../outside", lh)
t0 = time.time()
while not os.path.exists(d + "/swap_ready") and time.time() - t0 < 10:
    time.sleep(0.005)
n = 0
open(d + "/swapping", "w").close()
while not os.path.exists(d + "/swap_done") and time.time() - t0 < 30:
    os.rename(s, dh); os.rename(lh, s); os.rename(s, lh); os.rename(dh, s); n += 1
print(f"  host swapped {n} times")
PY
    helper=$! ;;
  *) helper= ;;
  esac
}

for wasm in "$E"/*.wasm; do
  name=$(basename "$wasm" .wasm)
  modes="host mapped"
  # .boxagent/ stays invisible even to a guest granted the whole file system
  case $name in boxagent_direct|boxagent_symlink|grant_root_symlink) modes="$modes root" ;; esac
  for mode in $modes; do
    setup
    before=$(snapshot)
    race_helper "$name"
    if [ $mode = host ]; then
      caps=(--cap "write:$T/ws" --cap "read:$T/ro"); args=("$T/ws" "$T/ro" "$T/outside")
      extra=(--cap "write:$T/ws/build" --cap "read:$T/ws/state")
    elif [ $mode = root ]; then
      caps=(--cap "read:/" --cap "write:$T/ws"); args=("$T/ws" "$T/ro" "$T/outside")
      extra=(--cap "write:$T/ws/build" --cap "read:$T/ws/state")
    else
      caps=(--cap "write:$T/ws::/ws" --cap "read:$T/ro::/ro"); args=(/ws /ro "$T/outside")
      extra=(--cap "write:$T/ws/build::/ws/build" --cap "read:$T/ws/state::/ws/state")
    fi
    # grants whose roots are symlinks into protected places
    [ "$name" = grant_root_symlink ] && caps+=("${extra[@]}")
    # single-file grants (the WASI host preopens the directories holding them)
    if [ "$name" = file_grant ]; then
      if [ $mode = mapped ]; then
        caps=(--cap "write:$T/ws/file.txt::/ws/file.txt" --cap "read:$T/ro/ro.txt::/ro/ro.txt")
      else
        caps=(--cap "write:$T/ws/file.txt" --cap "read:$T/ro/ro.txt")
      fi
      f2_before=$(sha256sum "$T/ws/file2")
    fi
    (cd "$T/ws" && timeout 60 "$BOX" run-wasm --timeout 30000 "${caps[@]}" "$wasm" "${args[@]}") \
      </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    [ -n "${helper:-}" ] && { wait "$helper" 2>/dev/null; helper=; }
    after=$(snapshot)
    if [ "$name" = file_grant ] && [ "$f2_before" != "$(sha256sum "$T/ws/file2" 2>&1)" ]; then
      after="$after (ws/file2 changed)"
    fi
    if [ $rc -eq 0 ] && grep -aq ': [0-9]* denied, 0 escapes$' "$T/out" && [ "$before" = "$after" ]; then
      pass=$((pass + 1))
      echo "ok   $name ($mode): $(tail -n 1 "$T/out")"
      [ -n "${ESCAPE_VERBOSE:-}" ] && sed "s/^/    /" "$T/out"
    else
      fail=$((fail + 1))
      echo "FAIL $name ($mode): exit $rc$([ "$before" = "$after" ] || echo ', OUTSIDE CHANGED')"
      sed 's/^/    /' "$T/out" | grep -av '  denied' | head -n 20
      sed 's/^/    /' "$T/err" | head -n 10
    fi
  done
done
# Nothing was created outside by any program.
[ ! -e "$T/outside/created_by_guest" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL created_by_guest exists"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
