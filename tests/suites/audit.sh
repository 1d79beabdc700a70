#!/usr/bin/env bash
# audit.sh — `boxagent audit list|verify` end to end: records written by real tool calls
# (denials and refused arguments, which need no sandbox), filters and JSON (checked with node),
# then tampering with the database by hand (sqlite3 CLI): one byte changed, a record deleted, records swapped — verify
# exits 1 naming the first bad record. Usage errors exit 2.
set -u
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
BA=${BOXAGENT:-build/asan/boxagent}
T=$(mktemp -d /tmp/audit-suite.XXXXXX)
trap 'rm -rf "$T"' EXIT
W=$T/ws
mkdir -p "$W"
echo hello >"$W/f.txt"

expect_rc() { # want name cmd...
  local want=$1 name=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want ($(head -c 300 "$T/err"))"; fi
}

# an empty workspace verifies (no records) and lists nothing
expect_rc 0 verify-empty "$BA" audit verify --workspace "$W"
expect_rc 0 list-empty "$BA" audit list --workspace "$W" --json
grep -q '^\[\]$' "$T/out" && ok || bad "list-empty json: $(cat "$T/out")"

# records from real calls: denied paths and refused arguments (with a secret to redact)
for i in 1 2 3; do
  "$BA" tool call read_file --workspace "$W" --session s-A --cap read:. \
    --args "{\"path\":\"/etc/shadow$i\"}" >/dev/null 2>&1
done
"$BA" tool call read_file --workspace "$W" --session s-B --cap read:. \
  --args '{"path":"f.txt","api_key":"sk-live-SECRETSECRETSECRET123"}' >/dev/null 2>&1
"$BA" tool call read_file --workspace "$W" --session s-B --cap read:. \
  --args '{"path":".boxagent/boxagent.db"}' >/dev/null 2>&1
n=$(sqlite3 "$W/.boxagent/boxagent.db" 'SELECT count(*) FROM audit')
[ "$n" = 5 ] && ok || bad "expected 5 records, have $n"

expect_rc 0 verify-ok "$BA" audit verify --workspace "$W"
grep -q "5 records" "$T/out" && ok || bad "verify-ok output: $(cat "$T/out")"
expect_rc 0 list "$BA" audit list --workspace "$W"
grep -q "denied" "$T/out" && ok || bad "list shows no denial"
grep -q "SECRETSECRET" "$T/out" && bad "secret shown by list" || ok
sqlite3 "$W/.boxagent/boxagent.db" 'SELECT args FROM audit' | grep -q SECRETSECRET && bad "secret stored" || ok
expect_rc 0 list-session "$BA" audit list --workspace "$W" --session s-A --json
node -e '
const rows = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const ok = rows.length === 3 &&
  rows.every(r => r.session === "s-A" && r.decision === "denied") &&
  rows.map(r => r.id).join() === "1,2,3" &&
  rows.every(r => r.hash.length === 64 && r.prev_hash.length === 64) &&
  rows[1].prev_hash === rows[0].hash;
process.exit(ok ? 0 : 1);' "$T/out" && ok || bad "list --session s-A --json: $(head -c 300 "$T/out")"
expect_rc 0 list-limit "$BA" audit list --workspace "$W" --limit 2 --json
node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).length === 2 ? 0 : 1)' "$T/out" && ok || bad "--limit 2"
# the record for the .boxagent path names the protection that refused it
"$BA" audit list --workspace "$W" --session s-B | grep -q "boxagent" && ok || bad "state-dir denial not listed"

# tampering: copy the database and break it in several ways
DB=$W/.boxagent/boxagent.db
cp "$DB" "$T/pristine.db"
restore() { rm -f "$DB-wal" "$DB-shm"; cp "$T/pristine.db" "$DB"; }
tamper() { # name want-id sql
  restore
  sqlite3 "$DB" "$3"
  expect_rc 1 "verify-$1" "$BA" audit verify --workspace "$W"
  grep -q "record $2" "$T/err" && ok || bad "verify-$1 does not name record $2: $(cat "$T/err")"
}
tamper one-byte-args 2 "UPDATE audit SET args = replace(args, 'shadow2', 'shadoW2') WHERE id = 2"
tamper one-byte-rule 4 "UPDATE audit SET rule = rule || '.' WHERE id = 4"
tamper decision 3 "UPDATE audit SET decision = 'allowed' WHERE id = 3"
tamper fuel 1 "UPDATE audit SET fuel = fuel + 1 WHERE id = 1"
tamper external 5 "UPDATE audit SET is_external = 1 - is_external WHERE id = 5"
tamper hash 3 "UPDATE audit SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE id = 3"
tamper delete-middle 3 "DELETE FROM audit WHERE id = 3"
tamper delete-last 5 "DELETE FROM audit WHERE id = 5"
tamper swap 2 "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (2, 4); UPDATE t SET id = 6 - id; DELETE FROM audit WHERE id IN (2, 4); INSERT INTO audit SELECT * FROM t"
# a damaged row (NULLs, wrong types) is still listed, and verify names it
restore
sqlite3 "$DB" "UPDATE audit SET agent = X'00ff', fuel = 'many', decision = 'maybe', rule = 1.5 WHERE id = 2"
expect_rc 0 list-damaged "$BA" audit list --workspace "$W"
expect_rc 0 list-damaged-json "$BA" audit list --workspace "$W" --json
sqlite3 "$DB" "UPDATE audit SET tool = 'bad' || X'ff' || 'utf8' WHERE id = 3"
"$BA" audit list --workspace "$W" --json >"$T/out" 2>&1
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.exit(r.length === 5 && r[2].tool === "bad?utf8" ? 0 : 1)' "$T/out" && ok || bad "invalid UTF-8 not cleaned in JSON: $(head -c 300 "$T/out")"
expect_rc 1 verify-damaged "$BA" audit verify --workspace "$W"
grep -q "record 2" "$T/err" && ok || bad "verify-damaged: $(cat "$T/err")"
restore
expect_rc 0 verify-restored "$BA" audit verify --workspace "$W"
expect_rc 0 verify-json "$BA" audit verify --workspace "$W" --json
grep -q '"ok":true' "$T/out" && ok || bad "verify --json"

# an anchor (a head kept elsewhere) catches a log cut back and re-headed consistently
head=$("$BA" audit verify --workspace "$W" | grep -Eo '[0-9a-f]{64}')
[ ${#head} -eq 64 ] && ok || bad "verify prints no head hash"
expect_rc 0 anchor-ok "$BA" audit verify --workspace "$W" --anchor "$head"
first=$(sqlite3 "$DB" 'SELECT hash FROM audit WHERE id = 1')
expect_rc 0 anchor-older-ok "$BA" audit verify --workspace "$W" --anchor "$first"
sqlite3 "$DB" "DELETE FROM audit WHERE id >= 4; UPDATE audit_head SET last_id = 3, last_hash = (SELECT hash FROM audit WHERE id = 3)"
expect_rc 0 recut-plain "$BA" audit verify --workspace "$W"   # undetectable without an anchor
expect_rc 1 recut-anchor "$BA" audit verify --workspace "$W" --anchor "$head"
grep -q "anchor" "$T/err" && ok || bad "anchor failure message: $(cat "$T/err")"
expect_rc 2 anchor-bad "$BA" audit verify --workspace "$W" --anchor xyz
expect_rc 2 anchor-list "$BA" audit list --workspace "$W" --anchor "$head"
restore

# usage errors and bad workspaces
expect_rc 2 no-sub "$BA" audit
expect_rc 2 bad-sub "$BA" audit frob
expect_rc 2 bad-limit "$BA" audit list --limit 0
expect_rc 2 verify-filter "$BA" audit verify --session x
expect_rc 0 help "$BA" audit --help
expect_rc 1 no-workspace "$BA" audit verify --workspace "$T/nope"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
