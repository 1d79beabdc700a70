#!/usr/bin/env bash
# gateway.sh — the HTTP API over real HTTP on loopback: auth required and enforced, Host and
# Origin checks, body limits, malformed JSON, hostile ids, sessions CRUD, a scripted turn
# streamed as server-sent events (with a denied tool call), reconnect/resume, cancellation,
# two sessions streaming at once, agents edit validation, audit and usage, SIGTERM shutdown.
set -u
BOXAGENT=${BOXAGENT:-build/asan/boxagent}
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }
expect() { # name want got
  if [ "$2" = "$3" ]; then ok; else bad "$1: want '$2', got '$3'"; fi
}
contains() { # name needle haystack
  if grep -qF -- "$2" <<<"$3"; then ok; else bad "$1: '$2' not in: ${3:0:400}"; fi
}

ws=$(mktemp -d /tmp/boxagent-gw.XXXXXX)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; [ $fail -eq 0 ] || { echo "--- server stderr:"; head -n 40 "$ws/serve.err"; }; rm -rf "$ws"' EXIT
mkdir -p "$ws/.boxagent" "$ws/docs"
echo "hello from the workspace" > "$ws/docs/readme.txt"
cat > "$ws/chat.script" <<'SCRIPT'
turn
say Let me read the file.
call read_file {"path": "docs/readme.txt"}
turn
say Now trying something I may not do.
call read_file {"path": "/etc/shadow"}
turn
say The file says hello. Done.
SCRIPT
cat > "$ws/slow.script" <<'SCRIPT'
turn
sleep 1500
say slow answer part one
call list_dir {"path": "."}
turn
sleep 1500
say finished slowly
SCRIPT
cat > "$ws/.boxagent/config.json" <<JSON
{"default_agent": "demo",
 "agents": {
   "demo": {"model": "script/$ws/chat.script", "access": "read-only", "capabilities": ["read:."]},
   "slow": {"model": "script/$ws/slow.script", "access": "read-only", "capabilities": ["read:."]}
 }}
JSON

out=$ws/serve.out
"$BOXAGENT" serve --port 0 --workspace "$ws" --shutdown-timeout 5s >"$out" 2>"$ws/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q 'http://' "$out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^/]*/' "$out" | head -1); url=${url%/}
token=$(grep -o 'token=[0-9a-f]*' "$out" | cut -d= -f2)
[ -n "$url" ] && [ -n "$token" ] || { echo "server did not start"; cat "$ws/serve.err"; echo "0 passed, 1 failed"; exit 1; }
host=${url#http://}
expect "token file mode" 600 "$(stat -c %a "$ws/.boxagent/token")"
expect "token file content" "$token" "$(cat "$ws/.boxagent/token")"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
A=(-H "Authorization: Bearer $token")
J=(-H "Content-Type: application/json")

# --- auth, host, origin
expect "health without auth" 200 "$(code "$url/api/v1/health")"
expect "sessions without auth" 401 "$(code "$url/api/v1/sessions")"
expect "wrong bearer" 401 "$(code -H 'Authorization: Bearer 00' "$url/api/v1/sessions")"
expect "wrong bearer same length" 401 "$(code -H "Authorization: Bearer ${token//?/a}" "$url/api/v1/sessions")"
expect "bearer ok" 200 "$(code "${A[@]}" "$url/api/v1/sessions")"
expect "rebinding Host refused" 421 "$(code "${A[@]}" -H 'Host: evil.example:80' "$url/api/v1/sessions")"
expect "foreign Origin POST refused" 403 "$(code "${A[@]}" "${J[@]}" -H 'Origin: http://evil.example' -d '{}' "$url/api/v1/sessions")"
expect "null Origin refused" 403 "$(code "${A[@]}" "${J[@]}" -H 'Origin: null' -d '{}' "$url/api/v1/sessions")"
expect "CORS preflight refused" 405 "$(code -X OPTIONS -H 'Origin: http://evil.example' "$url/api/v1/sessions")"
hdrs=$(curl -s -D - -o /dev/null "${A[@]}" -H 'Origin: http://evil.example' "$url/api/v1/sessions")
if grep -qi '^access-control-allow' <<<"$hdrs"; then bad "CORS header present"; else ok; fi
expect "login wrong token" 401 "$(code "${J[@]}" -H "Origin: $url" -d '{"token":"nope"}' "$url/api/v1/login")"
expect "login foreign origin" 403 "$(code "${J[@]}" -H 'Origin: http://evil.example' -d "{\"token\":\"$token\"}" "$url/api/v1/login")"
jar=$ws/jar
login_hdrs=$(curl -s -D - -o /dev/null -c "$jar" "${J[@]}" -H "Origin: $url" -d "{\"token\":\"$token\"}" "$url/api/v1/login")
contains "cookie HttpOnly" "HttpOnly" "$login_hdrs"
contains "cookie SameSite" "SameSite=Strict" "$login_hdrs"
expect "cookie GET" 200 "$(code -b "$jar" "$url/api/v1/sessions")"
expect "cookie POST without Origin refused" 403 "$(code -b "$jar" "${J[@]}" -d '{}' "$url/api/v1/sessions")"
expect "cookie POST cross-site refused" 403 "$(code -b "$jar" "${J[@]}" -H 'Sec-Fetch-Site: cross-site' -d '{}' "$url/api/v1/sessions")"
expect "cookie POST same origin" 201 "$(code -b "$jar" "${J[@]}" -H "Origin: $url" -d '{}' "$url/api/v1/sessions")"

# --- bodies and ids
big=$(head -c 1100000 /dev/zero | tr '\0' 'a')
expect "oversized body" 413 "$(printf '{"title":"%s"}' "$big" | code "${A[@]}" "${J[@]}" --data-binary @- "$url/api/v1/sessions")"
expect "malformed JSON" 400 "$(code "${A[@]}" "${J[@]}" -d '{"agent": ' "$url/api/v1/sessions")"
expect "non-object JSON" 400 "$(code "${A[@]}" "${J[@]}" -d '[1,2]' "$url/api/v1/sessions")"
expect "duplicate keys" 400 "$(code "${A[@]}" "${J[@]}" -d '{"title":"a","title":"b"}' "$url/api/v1/sessions")"
expect "unknown field" 400 "$(code "${A[@]}" "${J[@]}" -d '{"root":true}' "$url/api/v1/sessions")"
expect "unknown agent" 400 "$(code "${A[@]}" "${J[@]}" -d '{"agent":"nobody"}' "$url/api/v1/sessions")"
expect "traversal id" 400 "$(code "${A[@]}" "$url/api/v1/sessions/..%2F..%2Fetc")"
expect "dotdot id" 400 "$(code --path-as-is "${A[@]}" "$url/api/v1/sessions/../sessions")"
expect "dot id" 400 "$(code --path-as-is "${A[@]}" "$url/api/v1/sessions/.")"
expect "long id" 400 "$(code "${A[@]}" "$url/api/v1/sessions/s-$(printf '%0100d' 0)")"
expect "unknown session" 404 "$(code "${A[@]}" "$url/api/v1/sessions/s-0000000000000000")"
expect "static traversal" 404 "$(code "$url/..%2F..%2Fetc%2Fpasswd")"
expect "unknown API version" 404 "$(code "${A[@]}" "$url/api/v2/sessions")"
expect "dashboard served" 200 "$(code "$url/")"
contains "dashboard CSP" "Content-Security-Policy" "$(curl -s -D - -o /dev/null "$url/")"

# --- a scripted turn, streamed
sid=$(curl -s "${A[@]}" "${J[@]}" -d '{"agent":"demo","title":"first"}' "$url/api/v1/sessions" | sed -n 's/.*"id":"\(s-[0-9a-f]*\)".*/\1/p')
[ -n "$sid" ] && ok || bad "create session returned no id"
stream=$(curl -s -N --max-time 60 "${A[@]}" "${J[@]}" -H 'Accept: text/event-stream' -d '{"text":"Summarise docs/readme.txt"}' "$url/api/v1/sessions/$sid/messages")
contains "sse user event" "event: user" "$stream"
deltas() { grep '^data: {"type":"text"' | sed 's/.*"text":"\(\([^"\\]\|\\.\)*\)".*/\1/' | tr -d '\n'; }
contains "sse text deltas" "Let me read the file." "$(deltas <<<"$stream")"
contains "sse tool call" '"tool":"read_file"' "$stream"
contains "sse allowed result" "hello from the workspace" "$stream"
contains "sse denied" '"decision":"denied"' "$stream"
contains "sse end" 'event: end' "$stream"
contains "sse done status" '"status":"done"' "$stream"
# reconnect after a disconnect: resume after an event id and get only what followed
resume=$(curl -s --max-time 10 "${A[@]}" "$url/api/v1/sessions/$sid/events?after=3")
first_id=$(grep -m1 '^id:' <<<"$resume" | awk '{print $2}')
expect "resume starts after 3" 4 "$first_id"
resume2=$(curl -s --max-time 10 "${A[@]}" -H 'Last-Event-ID: 5' "$url/api/v1/sessions/$sid/events")
expect "Last-Event-ID resume" 6 "$(grep -m1 '^id:' <<<"$resume2" | awk '{print $2}')"
sess=$(curl -s "${A[@]}" "$url/api/v1/sessions/$sid")
contains "messages stored" "Summarise docs/readme.txt" "$sess"
contains "tool result stored" "hello from the workspace" "$sess"
expect "turn already done: second message accepted" 202 "$(code "${A[@]}" "${J[@]}" -d '{"text":"again"}' "$url/api/v1/sessions/$sid/messages")"
sleep 1

# --- cancellation and two sessions at once
s1=$(curl -s "${A[@]}" "${J[@]}" -d '{"agent":"slow"}' "$url/api/v1/sessions" | sed -n 's/.*"id":"\(s-[0-9a-f]*\)".*/\1/p')
s2=$(curl -s "${A[@]}" "${J[@]}" -d '{"agent":"slow"}' "$url/api/v1/sessions" | sed -n 's/.*"id":"\(s-[0-9a-f]*\)".*/\1/p')
t0=$(date +%s%N)
curl -s -N --max-time 30 "${A[@]}" "${J[@]}" -H 'Accept: text/event-stream' -d '{"text":"go"}' "$url/api/v1/sessions/$s1/messages" >"$ws/s1.sse" &
c1=$!
curl -s -N --max-time 30 "${A[@]}" "${J[@]}" -H 'Accept: text/event-stream' -d '{"text":"go"}' "$url/api/v1/sessions/$s2/messages" >"$ws/s2.sse" &
c2=$!
sleep 0.5
expect "busy session refuses a second turn" 409 "$(code "${A[@]}" "${J[@]}" -d '{"text":"more"}' "$url/api/v1/sessions/$s1/messages")"
expect "delete running refused" 409 "$(code -X DELETE "${A[@]}" "$url/api/v1/sessions/$s1")"
wait $c2
t1=$(date +%s%N)
contains "s2 finished" '"status":"done"' "$(cat "$ws/s2.sse")"
contains "s2 streamed text" "finished slowly" "$(deltas <"$ws/s2.sse")"
wait $c1
contains "s1 finished too" '"status":"done"' "$(cat "$ws/s1.sse")"
ms=$(( (t1 - t0) / 1000000 ))
if [ "$ms" -lt 5500 ]; then ok; else bad "two 3 s sessions took ${ms} ms: not concurrent"; fi
s3=$(curl -s "${A[@]}" "${J[@]}" -d '{"agent":"slow"}' "$url/api/v1/sessions" | sed -n 's/.*"id":"\(s-[0-9a-f]*\)".*/\1/p')
expect "start slow turn" 202 "$(code "${A[@]}" "${J[@]}" -d '{"text":"go"}' "$url/api/v1/sessions/$s3/messages")"
sleep 0.3
contains "cancel" '"cancelled":true' "$(curl -s "${A[@]}" -X POST "$url/api/v1/sessions/$s3/cancel")"
ev=$(curl -s --max-time 15 "${A[@]}" "$url/api/v1/sessions/$s3/events?after=0")
contains "cancelled outcome" '"status":"cancelled"' "$ev"

# a browser that goes away mid-turn: the turn keeps running, its result is saved, and a
# reconnecting client resumes from the last event it saw
s4=$(curl -s "${A[@]}" "${J[@]}" -d '{"agent":"slow"}' "$url/api/v1/sessions" | sed -n 's/.*"id":"\(s-[0-9a-f]*\)".*/\1/p')
part=$(curl -s -N --max-time 0.8 "${A[@]}" "${J[@]}" -H 'Accept: text/event-stream' -d '{"text":"go"}' "$url/api/v1/sessions/$s4/messages")
contains "partial stream before disconnect" "event: user" "$part"
last=$(grep '^id:' <<<"$part" | tail -1 | awk '{print $2}')
if grep -q 'event: end' <<<"$part"; then bad "turn ended before the disconnect"; else ok; fi
rest=$(curl -s -N --max-time 30 "${A[@]}" "$url/api/v1/sessions/$s4/events?after=${last:-0}")
contains "resumed stream reaches the end" '"status":"done"' "$rest"
first=$(grep -m1 '^id:' <<<"$rest" | awk '{print $2}')
expect "resume continues right after the last seen event" $(( ${last:-0} + 1 )) "$first"
contains "result saved after the disconnect" "finished slowly" "$(curl -s "${A[@]}" "$url/api/v1/sessions/$s4")"

# --- sessions CRUD
expect "rename" 200 "$(code -X PATCH "${A[@]}" "${J[@]}" -d '{"title":"renamed"}' "$url/api/v1/sessions/$sid")"
contains "renamed" '"title":"renamed"' "$(curl -s "${A[@]}" "$url/api/v1/sessions")"
expect "rename bad body" 400 "$(code -X PATCH "${A[@]}" "${J[@]}" -d '{"title":5}' "$url/api/v1/sessions/$sid")"
expect "delete" 200 "$(code -X DELETE "${A[@]}" "$url/api/v1/sessions/$s2")"
expect "deleted is gone" 404 "$(code "${A[@]}" "$url/api/v1/sessions/$s2")"

# --- agents
contains "agents list" '"name":"demo"' "$(curl -s "${A[@]}" "$url/api/v1/agents")"
contains "agent tools" '"read_file"' "$(curl -s "${A[@]}" "$url/api/v1/agents/demo/tools")"
expect "edit agent bad access" 400 "$(code -X PUT "${A[@]}" "${J[@]}" -d '{"access":"root"}' "$url/api/v1/agents/demo")"
expect "edit agent bad cap" 400 "$(code -X PUT "${A[@]}" "${J[@]}" -d '{"capabilities":["teleport:/"]}' "$url/api/v1/agents/demo")"
contains "config untouched after bad edit" '"read-only"' "$(cat "$ws/.boxagent/config.json")"
expect "edit agent ok" 200 "$(code -X PUT "${A[@]}" "${J[@]}" -d '{"capabilities":["read:docs"]}' "$url/api/v1/agents/demo")"
contains "config written" 'read:docs' "$(cat "$ws/.boxagent/config.json")"
expect "config mode" 600 "$(stat -c %a "$ws/.boxagent/config.json")"
expect "edit agent bad name" 400 "$(code -X PUT "${A[@]}" "${J[@]}" -d '{}' "$url/api/v1/agents/a.b")"

# --- audit and usage
aud=$(curl -s "${A[@]}" "$url/api/v1/audit?decision=denied")
contains "audit denied record" '"decision":"denied"' "$aud"
contains "audit chain ok" '"chain":{"ok":true}' "$aud"
expect "audit bad filter" 400 "$(code "${A[@]}" "$url/api/v1/audit?decision=maybe")"
contains "usage" '"tool_calls"' "$(curl -s "${A[@]}" "$url/api/v1/usage")"

# --- graceful shutdown
kill -TERM $pid
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then bad "server still running 10 s after SIGTERM"; else ok; fi
wait $pid; expect "exit status after SIGTERM" 0 $?

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
