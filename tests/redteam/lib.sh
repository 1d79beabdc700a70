# lib.sh — shared helpers of the red-team suites (tests/suites/redteam_*.sh): counters, a
# private copy of the CLI (the shared build may be relinked while a suite runs), a private
# temporary directory, and `run` which captures stdout, stderr and the exit status.
# Every check asserts that an attack is STOPPED; the suite's last line is "N passed, N failed".
set -u
B=${B:-build}
BOXAGENT=${BOXAGENT:-$B/asan/boxagent}
RT_GUESTS=${RT_GUESTS:-$B/redteam}
case $RT_GUESTS in /*) ;; *) RT_GUESTS=$PWD/$RT_GUESTS ;; esac
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 15 | sed 's/^/    /'; }
# check NAME COMMAND... — passes when COMMAND succeeds; on failure shows the last run.
check() { local name=$1; shift; if "$@"; then ok; else bad "$name" "rc=${rc:-} out=${o:0:400} err=${e:0:400}"; fi; }
has() { grep -q -- "$1" <<<"$2"; }
hasnt() { ! grep -q -- "$1" <<<"$2"; }
# No sanitizer report, no crash signal (a trap is 134 by design for run-wasm, so callers
# that expect a trap check the message instead).
clean() { ! grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer|Segmentation fault' <<<"$o$e"; }

T=$(mktemp -d /tmp/redteam.XXXXXX)
rt_cleanup() {
  local p
  for p in ${RT_PIDS:-}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap rt_cleanup EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do
  cp "$BOXAGENT" "$T/boxagent.bin" 2>/dev/null && "$T/boxagent.bin" --version >/dev/null 2>&1 && break
  sleep 3
done
BA=$T/boxagent.bin

# run OUTVAR ERRVAR RCVAR CMD... — capture a command (timeout 60 s so a hang fails, not stalls).
run() {
  local __o=$1 __e=$2 __r=$3; shift 3
  local of ef; of=$(mktemp "$T/o.XXXX"); ef=$(mktemp "$T/e.XXXX")
  timeout -k 5 60 "$@" >"$of" 2>"$ef" </dev/null; printf -v "$__r" '%s' $?
  printf -v "$__o" '%s' "$(tr -d '\0' <"$of")"; printf -v "$__e" '%s' "$(tr -d '\0' <"$ef")"
  rm -f "$of" "$ef"
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
