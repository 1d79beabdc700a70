#!/usr/bin/env bash
# http_guest.sh — a WebAssembly guest's own network access (the boxagent_http import under
# `boxagent run-wasm`) follows the fetch: capabilities and address rules exactly as host
# requests do: allowed when a capability names the loopback server, refused without one, and
# never to metadata or loopback addresses under a wildcard.
set -u
cd "$(dirname "$0")/../.."
BOXAGENT=$(realpath "${BOXAGENT:-build/asan/boxagent}")
G=build/wasm/tests/guests/http_get.wasm
pass=0 fail=0
check() { if grep -qF -- "$2" <<<"$3"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1: '$2' not in: ${3:0:300}"; fi; }
d=$(mktemp -d /tmp/boxagent-httpg.XXXXXX)
echo "guest fetched this" > "$d/page.txt"
port=$((20000 + RANDOM % 20000))
(cd "$d" && exec timeout 60 python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$d"' EXIT
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/page.txt" >/dev/null && break; sleep 0.1; done
out=$(cd "$d" && "$BOXAGENT" run-wasm --cap "fetch:http://127.0.0.1:$port" "$OLDPWD/$G" "http://127.0.0.1:$port/page.txt" 2>&1)
check "allowed fetch" '"status":200' "$out"
check "allowed body" "guest fetched this" "$out"
out=$(cd "$d" && "$BOXAGENT" run-wasm "$OLDPWD/$G" "http://127.0.0.1:$port/page.txt" 2>&1)
check "no capability: refused (EACCES=2)" "errno 2" "$out"
out=$(cd "$d" && "$BOXAGENT" run-wasm --cap 'fetch:http://*' "$OLDPWD/$G" "http://127.0.0.1:$port/page.txt" 2>&1)
check "wildcard never reaches loopback" "errno 2" "$out"
out=$(cd "$d" && "$BOXAGENT" run-wasm --cap 'fetch:http://*' "$OLDPWD/$G" "http://169.254.169.254/latest/meta-data/" 2>&1)
check "wildcard never reaches metadata" "errno 2" "$out"
out=$(cd "$d" && "$BOXAGENT" run-wasm --cap "fetch:http://127.0.0.1:$port/other" "$OLDPWD/$G" "http://127.0.0.1:$port/page.txt" 2>&1)
check "path prefix enforced" "errno 2" "$out"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
