#!/usr/bin/env bash
# egress.sh — end to end through the CLI: `boxagent tool call web_fetch` against a C test server
# on loopback (tests/support/testsrv.c, built here with a small main), checking results and that
# every URL decision egress makes — first request and each redirect hop, allowed or denied —
# lands in the workspace's audit log, and that the chain still verifies.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BOXAGENT=${BOXAGENT:-$ROOT/build/asan/boxagent}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

tmp=$(mktemp -d)
srvpid=
cleanup() { [ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

cat >"$tmp/srv_main.c" <<'C'
#include <stdio.h>
#include <unistd.h>
#include "testsrv.h"
int main(void)
{
    testsrv *s = testsrv_start("127.0.0.1", 0);
    if (!s)
        return 1;
    printf("%d\n", testsrv_port(s));
    fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0) {
    }
    testsrv_stop(s);
    return 0;
}
C
if ! gcc -std=gnu11 -D_GNU_SOURCE -O1 -I"$ROOT/tests/support" -o "$tmp/srv" "$tmp/srv_main.c" \
     "$ROOT/tests/support/testsrv.c" -pthread; then
  echo "cannot build the test server"; echo "0 passed, 1 failed"; exit 1
fi
mkfifo "$tmp/in"
"$tmp/srv" <"$tmp/in" >"$tmp/port" &
srvpid=$!
exec 9>"$tmp/in"
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
P=$(cat "$tmp/port")
[ -n "$P" ] || { echo "test server did not start"; echo "0 passed, 1 failed"; exit 1; }

ws=$tmp/ws
mkdir -p "$ws"
cd "$ws"
call() { "$BOXAGENT" tool call web_fetch --args "$1" "${@:2}" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
rc() { cat "$tmp/rc"; }
out() { cat "$tmp/out"; }

# 1. allowed fetch, HTML as Markdown
call "{\"url\":\"http://127.0.0.1:$P/html\"}" --cap "fetch:http://127.0.0.1:$P"
check "allowed fetch exits 0" '[ "$(rc)" = 0 ]'
check "HTML converted to Markdown" 'grep -q "^# Title & more" "$tmp/out"'
check "scripts dropped" '! grep -q "secret" "$tmp/out"'
check "marked as external content" 'grep -q "external content from http://127.0.0.1:$P/html" "$tmp/out"'

# 2. fetch:* style capability never reaches loopback
call "{\"url\":\"http://127.0.0.1:$P/hello\"}" --cap "fetch:http://*:$P"
check "wildcard capability refused on loopback" '[ "$(rc)" != 0 ] && grep -q "loopback" "$tmp/out"'

# 3. redirect chain to the metadata address refused at that hop
enc="http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F"
call "{\"url\":\"http://127.0.0.1:$P/redirect?to=$enc\"}" --cap "fetch:http://127.0.0.1:$P" --cap "fetch:http://*"
check "redirect to metadata refused" '[ "$(rc)" != 0 ] && grep -q "redirect hop 1" "$tmp/out"'

# 4. no capability at all
call "{\"url\":\"http://127.0.0.1:$P/hello\"}" --cap "read:."
check "no fetch capability refused" '[ "$(rc)" != 0 ]'

# 5. TLS certificates are verified: a self-signed server on loopback is refused
TP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
     -days 1 -subj "/CN=127.0.0.1" >/dev/null 2>&1; then
  openssl s_server -accept "127.0.0.1:$TP" -cert "$tmp/cert.pem" -key "$tmp/key.pem" -www \
    -quiet </dev/null >/dev/null 2>&1 &
  tlspid=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$TP) 2>/dev/null && break; sleep 0.1; done
  call "{\"url\":\"https://127.0.0.1:$TP/\"}" --cap "fetch:https://127.0.0.1:$TP"
  check "self-signed TLS certificate refused" '[ "$(rc)" != 0 ] && grep -qi "certificate" "$tmp/out"'
  kill "$tlspid" 2>/dev/null
  wait "$tlspid" 2>/dev/null
else
  bad "cannot make a test certificate"
fi

# 6. the audit log holds every decision
"$BOXAGENT" audit list --json >"$tmp/audit.json" 2>"$tmp/audit.err"
check "audit list works" '[ -s "$tmp/audit.json" ]'
count() { python3 -c '
import json,sys
recs=json.load(open(sys.argv[1]))
tool,dec,sub=sys.argv[2],sys.argv[3],sys.argv[4]
print(sum(1 for r in recs if r["tool"]==tool and r["decision"]==dec and sub in (r["args"]+r["rule"])))
' "$tmp/audit.json" "$@"; }
check "allowed first hop audited" '[ "$(count fetch allowed "/redirect?to=")" -ge 1 ]'
check "denied redirect hop audited with its URL" '[ "$(count fetch denied "169.254.169.254/latest")" -ge 1 ]'
check "loopback refusal audited" '[ "$(count fetch denied loopback)" -ge 1 ]'
check "web_fetch tool calls audited" '[ "$(count web_fetch allowed "/html")" -ge 1 ] && [ "$(count web_fetch denied "")" -ge 3 ]'
check "external content flagged in audit" 'python3 -c "import json,sys; r=[x for x in json.load(open(sys.argv[1])) if x[\"tool\"]==\"web_fetch\" and x[\"decision\"]==\"allowed\"]; sys.exit(0 if r and r[0][\"is_external\"] else 1)" "$tmp/audit.json"'
"$BOXAGENT" audit verify >/dev/null 2>&1
vrc=$?
check "audit chain verifies" '[ "$vrc" = 0 ]'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
