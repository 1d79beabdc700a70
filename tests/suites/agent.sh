#!/usr/bin/env bash
# agent.sh — the agent commands end to end with the script provider: config check naming
# errors by JSON path, run exit codes and --json events, --access/--cap narrowing (never
# widening), sessions list/show/delete, and resume after kill -9 in the middle of a session.
set -u
BIN=${BOXAGENT:?}
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
t=$(mktemp -d /tmp/boxagent-agent-suite.XXXXXX)
trap 'rm -rf "$t"' EXIT
ws=$t/ws
mkdir -p "$ws/src" "$ws/.boxagent"
echo "alpha" > "$ws/src/a.txt"

# ---- config check
"$BIN" config check --workspace "$ws" >/dev/null 2>&1 && ok || bad "config check without a file"
cat > "$ws/.boxagent/config.json" <<'J'
{"agents": {"builder": {"access": "root", "capabilities": ["read:.", "teleport:x"], "model": "x"}},
 "default_agent": "nobody"}
J
out=$("$BIN" config check --workspace "$ws" 2>&1); rc=$?
[ $rc -eq 1 ] && ok || bad "config check rc $rc"
grep -q 'agents.builder.access: unknown access level "root"' <<<"$out" && ok || bad "access path: $out"
grep -q 'agents.builder.capabilities\[1\]' <<<"$out" && ok || bad "capability path: $out"
grep -q 'default_agent: no agent named "nobody"' <<<"$out" && ok || bad "default_agent: $out"
"$BIN" run --workspace "$ws" --model script/none "x" >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "run with a broken config must fail"
rm "$ws/.boxagent/config.json"

# ---- run: a completed answer, --json events
cat > "$t/s1.script" <<'S'
turn
say Reading.
call read_file {"path": "src/a.txt"}
call read_file {"path": "/etc/passwd"}
turn when "DENIED"
say The file says alpha; /etc/passwd was denied.
S
"$BIN" run --workspace "$ws" --model "script/$t/s1.script" "read a" >"$t/out1" 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "run rc $rc: $(cat "$t/out1")"
grep -q 'DENIED' "$t/out1" && ok || bad "denial not shown"
grep -q 'root:' "$t/out1" && bad "/etc/passwd content leaked" || ok
"$BIN" run --json --workspace "$ws" --model "script/$t/s1.script" "read a" >"$t/out2" 2>/dev/null
python3 - "$t/out2" <<'P' && ok || bad "--json stream"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[0] == "turn_start" and types[-1] == "done", types
assert ev[-1]["outcome"] == "done"
res = [e for e in ev if e["type"] == "tool_result"]
assert [r["decision"] for r in res] == ["allowed", "denied"], res
assert "".join(e["text"] for e in ev if e["type"] == "text").startswith("Reading.")
P

# ---- guard: exit 1 and says which
printf 'turn\ncall list_dir {}\nturn\ncall list_dir {}\nturn\nsay x\n' > "$t/loop.script"
out=$("$BIN" run --workspace "$ws" --model "script/$t/loop.script" --max-turns 1 "loop" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'max_turns' <<<"$out" && ok || bad "max-turns guard rc=$rc: $out"

# ---- narrowing: --cap cannot widen a configured agent
cat > "$ws/.boxagent/config.json" <<'J'
{"agents": {"reader": {"access": "read-only", "capabilities": ["read:src"]}}}
J
printf 'turn\ncall write_file {"path": "src/x.txt", "content": "x"}\ncall read_file {"path": "src/a.txt"}\nturn\nsay ok\n' > "$t/w.script"
out=$("$BIN" run --workspace "$ws" --model "script/$t/w.script" --access full --cap write:. "w" 2>&1)
[ ! -e "$ws/src/x.txt" ] && ok || bad "--access/--cap widened a configured agent"
grep -q 'not granted' <<<"$out" && ok || bad "dropped capability not reported: $out"
printf 'turn\ncall read_file {"path": "src/a.txt"}\nturn\nsay ok\n' > "$t/r.script"
out=$("$BIN" run --json --workspace "$ws" --model "script/$t/r.script" --cap read:src/other "r" 2>&1)
grep -q '"decision":"denied"' <<<"$out" && ok || bad "--cap did not narrow: $out"
rm "$ws/.boxagent/config.json"
# without a config, --access/--cap define the agent
"$BIN" run --workspace "$ws" --model "script/$t/w.script" --access workspace-write --cap write:src "w" >/dev/null 2>&1
[ -e "$ws/src/x.txt" ] && ok || bad "--cap did not define the agent without a config"
rm -f "$ws/src/x.txt"
"$BIN" run --workspace "$ws" --model "script/$t/w.script" --access bogus "w" >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "bad --access accepted"
"$BIN" run --workspace "$ws" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "run without a task: usage error"

# ---- sessions, and resume after kill -9 mid-session
printf 'turn\ncall list_dir {"path": "src"}\nturn\nsleep 60000\nsay never\n' > "$t/k1.script"
"$BIN" run --json --workspace "$ws" --model "script/$t/k1.script" "long task" >"$t/k.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do grep -q '"type":"turn_start".*"turn":2' "$t/k.out" 2>/dev/null && break; sleep 0.05; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["session"])' "$t/k.out")
[ -n "$id" ] && ok || bad "no session id"
"$BIN" sessions list --workspace "$ws" | grep -q "$id" && ok || bad "session not listed"
"$BIN" sessions show --workspace "$ws" --json "$id" >"$t/show.json"
python3 - "$t/show.json" <<'P' && ok || bad "killed session: turn 1 not saved intact: $(cat "$t/show.json")"
import json, sys
s = json.load(open(sys.argv[1]))
m = s["messages_list"]
assert [x["role"] for x in m] == ["user", "assistant", "tool"], m
assert m[1]["content"][0]["type"] == "tool_call" and m[2]["content"][0]["id"] == m[1]["content"][0]["id"]
P
printf 'turn\ncall list_dir {"path": "src"}\nturn\nsay resumed and finished\n' > "$t/k2.script"
out=$("$BIN" run --workspace "$ws" --model "script/$t/k2.script" --resume "$id" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q 'resumed and finished' <<<"$out" && ok || bad "resume rc=$rc: $out"
"$BIN" sessions show --workspace "$ws" "$id" | grep -q 'done' && ok || bad "resumed session not done"
"$BIN" run --workspace "$ws" --model "script/$t/k2.script" --resume "../../etc/passwd" "x" >/dev/null 2>&1; [ $? -ne 0 ] && ok || bad "hostile resume id accepted"
"$BIN" sessions delete --workspace "$ws" "$id" >/dev/null && ok || bad "delete"
"$BIN" sessions show --workspace "$ws" "$id" >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "deleted session still shown"
"$BIN" sessions show --workspace "$ws" "bad/id" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "bad id not a usage error"

# ---- Ctrl-C (SIGINT) cancels the run: exit 1, told why, session marked cancelled
printf 'turn\nsleep 60000\nsay never\n' > "$t/int.script"
"$BIN" run --json --workspace "$ws" --model "script/$t/int.script" "wait" >"$t/int.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do grep -q turn_start "$t/int.out" 2>/dev/null && break; sleep 0.05; done
kill -INT $pid; wait $pid; rc=$?
[ $rc -eq 1 ] && grep -q '"guard":"cancelled"' "$t/int.out" && ok || bad "SIGINT rc=$rc: $(cat "$t/int.out")"
sid=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["session"])' "$t/int.out")
"$BIN" sessions list --workspace "$ws" | grep "$sid" | grep -q cancelled && ok || bad "cancelled status"

# ---- chat: piped input, two turns in one session
printf 'turn\nsay one\nturn\nsay two\n' > "$t/c.script"
out=$(printf 'first\nsecond\n/quit\n' | "$BIN" chat --workspace "$ws" --model "script/$t/c.script" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q one <<<"$out" && grep -q two <<<"$out" && ok || bad "chat rc=$rc: $out"

# ---- an OpenAI-compatible server (loopback fake): the real wire format through the CLI
if command -v python3 >/dev/null; then
  coproc FAKE { python3 "$(dirname "$0")/../fakellm/fake_openai.py"; }
  read -r port <&"${FAKE[0]}"
  out=$(OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-suite-SECRET \
        "$BIN" run --workspace "$ws" --model openai/fake-model "what is in src/a.txt?" 2>&1); rc=$?
  [ $rc -eq 0 ] && grep -q 'The file says alpha.' <<<"$out" && ok || bad "openai-compatible run rc=$rc: $out"
  out=$(OPENAI_BASE_URL="http://127.0.0.1:$port" OPENAI_API_KEY=sk-wrong-KEY-0123456789 \
        "$BIN" run --workspace "$ws" --model openai/fake-model "x" 2>&1); rc=$?
  [ $rc -eq 1 ] && grep -q 'authentication failed' <<<"$out" && ok || bad "bad key rc=$rc: $out"
  grep -q 'KEY-0123456789' <<<"$out" && bad "API key printed: $out" || ok
  grep -rq 'sk-wrong-KEY' "$ws/.boxagent/" 2>/dev/null && bad "API key stored in .boxagent" || ok
  # a provider named in the configuration, its key from the variable it names
  cat > "$ws/.boxagent/config.json" <<J
{"providers": {"local": {"type": "openai", "base_url": "http://127.0.0.1:$port/v1",
                         "api_key_env": "LOCAL_LLM_KEY"}},
 "agents": {"default": {"model": "local/fake-model", "capabilities": ["read:src"]}}}
J
  out=$(LOCAL_LLM_KEY=sk-suite-SECRET OPENAI_API_KEY= OPENAI_BASE_URL= "$BIN" run --workspace "$ws" "what is in src/a.txt?" 2>&1); rc=$?
  [ $rc -eq 0 ] && grep -q 'The file says alpha.' <<<"$out" && ok || bad "configured provider rc=$rc: $out"
  rm "$ws/.boxagent/config.json"
  kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null
else
  echo "skip: python3 not available for the OpenAI-compatible fake"
fi

# ---- chat on a terminal (libedit), UTF-8 input, under a pseudo-terminal
if command -v script >/dev/null; then
  out=$( (sleep 1; printf 'h\xc3\xa9llo\r'; sleep 1; printf '/quit\r') |
        LC_ALL=C.UTF-8 timeout 30 script -qc "'$BIN' chat --workspace '$ws' --model 'script/$t/c.script'" /dev/null 2>&1)
  grep -q 'one' <<<"$out" && ! grep -q 'Sanitizer' <<<"$out" && ok || bad "chat on a tty: $out"
  grep -q 'héllo' "$ws/.boxagent/chat_history" && ok || bad "chat history not saved"
  printf 'turn\nsleep 60000\nsay never\nturn\nsay after the cancel\n' > "$t/cc.script"
  out=$( (sleep 1; printf 'wait\r'; sleep 1; printf '\003'; sleep 1; printf 'again\r'; sleep 1; printf '/quit\r') |
        timeout 30 script -qc "'$BIN' chat --workspace '$ws' --model 'script/$t/cc.script'" /dev/null 2>&1)
  grep -q 'cancelled' <<<"$out" && grep -q 'after the cancel' <<<"$out" && ok || bad "Ctrl-C in chat: $out"
else
  echo "skip: script(1) not available for the tty chat test"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
