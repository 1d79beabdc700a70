#!/usr/bin/env bash
# redteam_gateway.sh — the HTTP gateway attacked from the network side: requests without or
# with wrong/near-miss tokens, DNS-rebinding Host headers, cross-site Origin on state-changing
# and streaming requests, path traversal in static files and ids, oversized and chunked bodies,
# duplicate JSON keys, config edits that try to grant the state dir, and the token file's mode.
. "$(dirname "$0")/../redteam/lib.sh"

command -v curl >/dev/null || { echo "curl missing; skipping"; echo "0 passed, 0 failed"; exit 0; }
WS=$T/ws; mkdir -p "$WS"
"$BA" serve --port 0 --workspace "$WS" >"$T/serve.log" 2>&1 & RT_PIDS=$!
for _ in $(seq 100); do grep -q '127.0.0.1:[0-9]' "$T/serve.log" 2>/dev/null && break; sleep 0.1; done
P=$(grep -o '127.0.0.1:[0-9]*' "$T/serve.log" | head -1 | cut -d: -f2)
TOK=$(cat "$WS/.boxagent/token" 2>/dev/null)
U=http://127.0.0.1:$P
check "server started" [ -n "$P" -a ${#TOK} -ge 32 ]
check "token file is private" [ "$(stat -c %a "$WS/.boxagent/token")" = 600 ]
# req OUT CODE curl-args... : body in o, status in rc
req() { o=$(curl -s -m 10 -o - -w '\n%{http_code}' "$@"); rc=${o##*$'\n'}; o=${o%$'\n'*}; e=; }
AUTH=(-H "Authorization: Bearer $TOK")

# ---------------------------------------------------------------- authentication
req "$U/api/v1/agents"; check "no token -> 401" [ "$rc" = 401 ]
req -H "Authorization: Bearer ${TOK}x" "$U/api/v1/agents"; check "token + 1 char -> 401" [ "$rc" = 401 ]
req -H "Authorization: Bearer ${TOK:0:63}" "$U/api/v1/agents"; check "token - 1 char -> 401" [ "$rc" = 401 ]
req -H "Authorization: Bearer " "$U/api/v1/agents"; check "empty bearer -> 401" [ "$rc" = 401 ]
req -H "Authorization: Basic $(printf 'x:%s' "$TOK" | base64 -w0)" "$U/api/v1/agents"; check "basic auth is not a bearer" [ "$rc" = 401 ]
req "$U/api/v1/agents?token=$TOK"; check "token in the query is not accepted" [ "$rc" = 401 ]
req -H "Cookie: boxagent_session=$TOK" "$U/api/v1/agents"; check "token as cookie is not a session" [ "$rc" = 401 ]
req -X POST -H "Content-Type: application/json" -H "Origin: $U" -d '{"token":"wrong"}' "$U/api/v1/login"; check "bad login -> 401" [ "$rc" = 401 ]
req "${AUTH[@]}" "$U/api/v1/agents"; check "right token -> 200" [ "$rc" = 200 ]
req "${AUTH[@]}" "$U/api/v1/me"; check "me with token" [ "$rc" = 200 ]

# ---------------------------------------------------------------- DNS rebinding and cross-site
for h in "evil.com:$P" "127.0.0.1" "127.0.0.1:$P." "127.0.0.1.nip.io:$P" "localhost.evil.com:$P" "127.0.0.1:$((P + 1))" "" ; do
  req "${AUTH[@]}" -H "Host: $h" "$U/api/v1/agents"
  check "Host '$h' refused" [ "$rc" = 421 -o "$rc" = 400 ]
done
for origin in "http://evil.com" "null" "http://127.0.0.1:$P.evil.com" "https://127.0.0.1:$P" "http://localhost:$((P + 1))"; do
  req "${AUTH[@]}" -X POST -H "Origin: $origin" -H "Content-Type: application/json" -d '{}' "$U/api/v1/sessions"
  check "POST from Origin '$origin' refused" [ "$rc" = 403 ]
done
req -X POST -H "Origin: http://evil.com" -H "Content-Type: application/json" -d "{\"token\":\"$TOK\"}" "$U/api/v1/login"
check "cross-site login refused" [ "$rc" = 403 ]
req -X OPTIONS -H "Origin: http://evil.com" -H "Access-Control-Request-Method: POST" "$U/api/v1/sessions"
check "no CORS preflight success" [ "$rc" != 200 -a "$rc" != 204 ]
check "no CORS allow header" hasnt "Access-Control-Allow-Origin" "$(curl -s -m 5 -i -H "Origin: http://evil.com" "${AUTH[@]}" "$U/api/v1/agents")"
# cookie flow: the cookie is HttpOnly + SameSite, and a cookie request without Origin/fetch metadata is refused
hdr=$(curl -s -m 5 -i -X POST -H "Origin: $U" -H "Content-Type: application/json" -d "{\"token\":\"$TOK\"}" "$U/api/v1/login")
check "session cookie HttpOnly" has "HttpOnly" "$hdr"
check "session cookie SameSite=Strict" has "SameSite=Strict" "$hdr"
ck=$(grep -io 'boxagent_session=[0-9a-f]*' <<<"$hdr" | head -1)
req -H "Cookie: $ck" -X POST -H "Content-Type: application/json" -d '{}' "$U/api/v1/sessions"
check "cookie POST without Origin refused" [ "$rc" = 403 ]
req -H "Cookie: $ck" -H "Sec-Fetch-Site: cross-site" -X POST -H "Content-Type: application/json" -d '{}' "$U/api/v1/sessions"
check "cookie POST cross-site refused" [ "$rc" = 403 ]

# ---------------------------------------------------------------- paths, ids, bodies
for p in "/../../etc/passwd" "/..%2f..%2fetc%2fpasswd" "/%2e%2e/%2e%2e/etc/passwd" "/.boxagent/token" \
         "/index.html/../../.boxagent/token" "//etc/passwd" "/web/../.boxagent/token" "/.%62oxagent/token"; do
  o=$(curl -s -m 5 --path-as-is "$U$p")
  check "static $p leaks nothing" hasnt "root:x:0\|$TOK" "$o"
done
for id in "..%2f..%2fetc" "../agents" "$(printf 'a%.0s' $(seq 1 300))" "s-%00" "s-1'%20OR%201=1--" "%2e%2e"; do
  req "${AUTH[@]}" --path-as-is "$U/api/v1/sessions/$id"
  check "session id '$id' refused" [ "$rc" = 400 -o "$rc" = 404 ]
done
req "${AUTH[@]}" -X PUT -H "Content-Type: application/json" -d '{"capabilities":["write:/"]}' "$U/api/v1/agents/..%2fx"
check "agent name traversal refused" [ "$rc" = 400 -o "$rc" = 404 ]
head -c 3000000 /dev/zero | tr '\0' 'a' >"$T/big"
req "${AUTH[@]}" -X POST -H "Content-Type: application/json" --data-binary @"$T/big" "$U/api/v1/sessions"
check "3 MB body -> 413" [ "$rc" = 413 ]
req "${AUTH[@]}" -X POST -H "Content-Type: application/json" -H "Transfer-Encoding: chunked" --data-binary @"$T/big" "$U/api/v1/sessions"
check "3 MB chunked body -> 413" [ "$rc" = 413 ]
req "${AUTH[@]}" -X POST -H "Content-Type: application/json" -d '{"agent":"default","agent":"other"}' "$U/api/v1/sessions"
check "duplicate keys refused" [ "$rc" = 400 ]
req "${AUTH[@]}" -X POST -H "Content-Type: application/json" -d '{"agent":"default","caps":["write:/"]}' "$U/api/v1/sessions"
check "unknown session fields refused" [ "$rc" = 400 ]
for cap in "read:.boxagent" "write:./.boxagent/../.boxagent" "read:$WS/.boxagent/token" "write:.boxagent::/x"; do
  req "${AUTH[@]}" -X PUT -H "Content-Type: application/json" -d "{\"capabilities\":[\"$cap\"]}" "$U/api/v1/agents/x"
  check "config edit granting $cap refused" [ "$rc" = 400 ]
done
check "config never names the state dir" hasnt ".boxagent" "$(cat "$WS/.boxagent/config.json" 2>/dev/null)"
req "${AUTH[@]}" "$U/api/v1/audit"
check "audit API reachable with token" [ "$rc" = 200 ]
check "server still alive" kill -0 "$RT_PIDS"
check "no sanitizer report from the server" hasnt "AddressSanitizer\|runtime error" "$(cat "$T/serve.log")"

finish
