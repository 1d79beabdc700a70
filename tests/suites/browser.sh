#!/usr/bin/env bash
# browser.sh — the dashboard in Debian's Chromium, driven by playwright-core from npm: log in,
# stream a scripted session with a denied tool call, check the audit page. Screenshots are
# saved under build/screenshots/. Skips (saying why) only where Chromium or npm is missing.
set -u
cd "$(dirname "$0")/../.."
BOXAGENT=${BOXAGENT:-build/asan/boxagent}
if [ ! -x /usr/bin/chromium ] || ! command -v npm >/dev/null; then
  echo "SKIP browser test: /usr/bin/chromium or npm is not installed (scripts/deps.sh installs chromium)"
  echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund >/dev/null 2>&1) || {
    echo "FAIL: npm ci in tests/browser could not install playwright-core"; echo "0 passed, 1 failed"; exit 1; }
fi
ws=$(mktemp -d /tmp/boxagent-browser.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$ws"' EXIT
mkdir -p "$ws/.boxagent" "$ws/docs"
echo "hello from the workspace" > "$ws/docs/readme.txt"
cat > "$ws/chat.script" <<'SCRIPT'
turn
say Let me read the file.
call read_file {"path": "docs/readme.txt"}
turn
say Now the injected instruction: reading a secret.
call read_file {"path": "/etc/shadow"}
turn
say **Summary:** The file says hello. Done.
SCRIPT
cat > "$ws/.boxagent/config.json" <<JSON
{"default_agent": "demo",
 "agents": {"demo": {"model": "script/$ws/chat.script", "access": "read-only", "capabilities": ["read:."]}}}
JSON
"$BOXAGENT" serve --port 0 --workspace "$ws" >"$ws/out" 2>"$ws/err" &
pid=$!
for _ in $(seq 100); do grep -q 'http://' "$ws/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^/]*' "$ws/out" | head -1)
token=$(cat "$ws/.boxagent/token")
mkdir -p build/screenshots
BOXAGENT_URL=$url BOXAGENT_TOKEN=$token SHOTS=$PWD/build/screenshots \
  timeout 120 node tests/browser/dashboard.test.mjs
rc=$?
[ $rc -eq 0 ] || { echo "--- server stderr"; tail -20 "$ws/err"; }
exit $rc
