#!/usr/bin/env bash
# static_build.sh — the release boxagent is linked statically and hands the commands that need
# libcurl/libmicrohttpd (run, chat, serve, the web_fetch tool, guests importing boxagent_http)
# to boxagent-full beside it; everything else runs in the static binary itself. Checked with a
# copy of boxagent alone in a directory: the forwarded commands must say that boxagent-full is
# missing (and do nothing), the others must work without it.
set -u
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
REL=${BOXAGENT_REL:?}
B=$(dirname "$REL")
G=$B/wasm/tests/guests/http_get.wasm
H=$(ls "$B"/wasm/tests/wasi/*.wasm 2>/dev/null | head -1)

# static-pie: position independent (ELF type DYN), but no program interpreter and no NEEDED
readelf -h "$REL" | grep -q 'Type:.*DYN' && ok || bad "$REL is not position independent"
readelf -l "$REL" | grep -q INTERP && bad "$REL has a program interpreter (dynamically linked)" || ok
readelf -d "$REL" 2>/dev/null | grep -q NEEDED && bad "$REL needs shared libraries" || ok
[ -x "$B/boxagent-full" ] && ok || bad "no $B/boxagent-full"

ws=$(mktemp -d /tmp/boxagent-static.XXXXXX)
lone=$ws/lone
mkdir -p "$lone" "$ws/w"
cp "$REL" "$lone/boxagent"

# Forwarded: work through boxagent-full beside the real binary.
"$REL" run --help >/dev/null 2>&1 && ok || bad "run --help through boxagent-full"
"$REL" serve --help >/dev/null 2>&1 && ok || bad "serve --help through boxagent-full"
printf 'turn\nsay forwarded fine\n' > "$ws/s.script"
out=$("$REL" run --workspace "$ws/w" --model "script/$ws/s.script" go 2>&1)
grep -q "forwarded fine" <<<"$out" && ok || bad "run with a scripted model: $out"
"$REL" audit verify --workspace "$ws/w" >/dev/null 2>&1 && ok || bad "audit verify after a forwarded run"

# Forwarded, boxagent-full missing: a clear error, exit 1, and nothing done.
for cmd in run chat serve; do
  out=$("$lone/boxagent" $cmd --help 2>&1); rc=$?
  [ $rc -eq 1 ] && grep -q "boxagent-full" <<<"$out" && ok || bad "$cmd without boxagent-full: rc $rc: $out"
done
out=$(cd "$ws/w" && "$lone/boxagent" tool call web_fetch --args '{"url":"http://127.0.0.1:9/"}' 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "boxagent-full" <<<"$out" && ok || bad "web_fetch without boxagent-full: rc $rc: $out"
n_before=$("$REL" audit list --workspace "$ws/w" 2>/dev/null | wc -l)
if [ -f "$G" ]; then
  out=$("$lone/boxagent" run-wasm --cap 'fetch:http://127.0.0.1:9' "$G" http://127.0.0.1:9/ 2>&1); rc=$?
  [ $rc -eq 1 ] && grep -q "boxagent-full" <<<"$out" && ok || bad "http guest without boxagent-full: rc $rc: $out"
  # with boxagent-full: the guest runs (the fetch itself is refused: nothing listens on :9)
  out=$("$REL" run-wasm "$G" http://127.0.0.1:9/ 2>&1)
  grep -q "boxagent-full" <<<"$out" && bad "http guest with boxagent-full present: $out" || ok
else
  bad "no $G"
fi
n_after=$("$REL" audit list --workspace "$ws/w" 2>/dev/null | wc -l)
[ "$n_before" = "$n_after" ] && ok || bad "a refused forward wrote to the audit log"

# Not forwarded: run in the static binary, no boxagent-full needed.
"$lone/boxagent" --version | grep -q '^boxagent ' && ok || bad "--version"
echo hello > "$ws/w/f.txt"
out=$(cd "$ws/w" && "$lone/boxagent" tool call read_file --args '{"path":"f.txt"}' 2>&1)
grep -q hello <<<"$out" && ok || bad "tool call read_file in the static binary: $out"
if [ -n "$H" ]; then
  (cd "$ws/w" && "$lone/boxagent" run-wasm "$H" >/dev/null 2>&1); rc=$?
  [ $rc -ne 127 ] && ! (cd "$ws/w" && "$lone/boxagent" run-wasm "$H" 2>&1 | grep -q boxagent-full) && ok ||
    bad "run-wasm of a WASI program asked for boxagent-full"
fi
out=$(cd "$ws/w" && "$lone/boxagent" exec --cap 'exec:*' -- /bin/echo jailed 2>&1)
grep -q '^jailed$' <<<"$out" && ok || bad "exec in the static binary: $out"
"$lone/boxagent" audit verify --workspace "$ws/w" >/dev/null 2>&1 && ok || bad "audit verify in the static binary"

rm -rf "$ws"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
