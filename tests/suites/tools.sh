#!/usr/bin/env bash
# tools.sh — the built-in tools end to end through `boxagent tool call`, exactly as the agent
# loop calls them: normal use of every file tool and the hostile cases (paths outside the
# grant, symlinks out, writing through a read: grant, protected paths, huge and binary files,
# regex bombs stopped by fuel, output beyond the limit), access levels and their audit records.
# Env: BOXAGENT (CLI under test). Prints "N passed, N failed".
set -uo pipefail
BOXAGENT=${BOXAGENT:-build/asan/boxagent}
pass=0 fail=0
WS=$(mktemp -d /tmp/boxagent-tools-suite.XXXXXX)
OUTSIDE=$(mktemp -d /tmp/boxagent-tools-outside.XXXXXX)
trap 'rm -rf "$WS" "$OUTSIDE"' EXIT
# Run a private copy: the shared build may relink the binary while this suite runs.
cp "$BOXAGENT" "$OUTSIDE/boxagent" && BOXAGENT="$OUTSIDE/boxagent"

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' <<<"$2" | head -n 20; }

# call NAME ARGS [options...] -> sets OUT (stdout+stderr) and RC
call() {
  local name=$1 args=$2
  shift 2
  OUT=$(timeout 120 "$BOXAGENT" tool call "$name" --workspace "$WS" --args "$args" "$@" 2>&1)
  RC=$?
}
expect_ok() { # DESC PATTERN
  if [ "$RC" -eq 0 ] && grep -qE -- "$2" <<<"$OUT"; then ok "$1"; else bad "$1 (rc=$RC)" "$OUT"; fi
}
expect_fail() { # DESC PATTERN [FORBIDDEN]
  if [ "$RC" -eq 1 ] && grep -qE -- "$2" <<<"$OUT" && { [ -z "${3:-}" ] || ! grep -qE -- "$3" <<<"$OUT"; }; then
    ok "$1"
  else bad "$1 (rc=$RC)" "$OUT"; fi
}

# ---- workspace
mkdir -p "$WS/src/sub" "$WS/docs" "$WS/.git/hooks" "$WS/.boxagent" "$WS/out"
printf 'int main(void)\n{\n    return 0;\n}\n' >"$WS/src/main.c"
printf '#include "x.h"\nint helper(void) { return 42; }\n' >"$WS/src/sub/helper.c"
printf 'int x;\n' >"$WS/src/x.h"
printf '# Readme\nHello World\nhello again\nthird line\n' >"$WS/docs/readme.md"
printf 'secret-token-123\n' >"$WS/.boxagent/token"
printf 'ELF\0\1\2binary' >"$WS/blob.bin"
printf 'root:x:0:0:outside-secret\n' >"$OUTSIDE/passwd"
ln -s "$OUTSIDE/passwd" "$WS/link_out"
ln -s "$OUTSIDE" "$WS/dir_out"
seq 1 300000 | sed 's/$/ some text on this line/' >"$WS/huge.txt"
python3 -c "print('a' * 100000)" >"$WS/longline.txt"

# ---- read_file
call read_file '{"path": "src/main.c"}' --cap read:.
expect_ok "read_file: numbered lines and total" $'^     1\tint main\\(void\\)$'
grep -q '(lines 1-4 of 4)' <<<"$OUT" && ok "read_file: reports total lines" || bad "read_file total" "$OUT"
call read_file '{"path": "docs/readme.md", "offset": 2, "limit": 2}' --cap read:.
expect_ok "read_file: offset and limit" $'^     2\tHello World$'
grep -q 'of 4; use offset=4' <<<"$OUT" && ! grep -q 'third' <<<"$OUT" && ok "read_file: says how to continue" || bad "read_file continue" "$OUT"
call read_file '{"path": "blob.bin"}' --cap read:.
expect_fail "read_file: binary file refused" "binary file"
call read_file '{"path": "huge.txt"}' --cap read:.
expect_ok "read_file: huge file gives 2000 lines" "of 300000; use offset=2001"
[ "$(grep -c 'some text' <<<"$OUT")" -eq 2000 ] && ok "read_file: default 2000 lines" || bad "read_file 2000" "$(tail -3 <<<"$OUT")"
call read_file '{"path": "longline.txt"}' --cap read:.
expect_ok "read_file: long line cut" "line truncated"
[ "${#OUT}" -lt 10000 ] && ok "read_file: long line bounded" || bad "read_file long line size ${#OUT}"
call read_file '{"path": "nope.txt"}' --cap read:.
expect_fail "read_file: missing file" "no such file"
call read_file '{"path": "src"}' --cap read:.
expect_fail "read_file: directory" "is a directory"

# ---- paths outside the grant, symlinks out, protected paths
call read_file "{\"path\": \"$OUTSIDE/passwd\"}" --cap read:.
expect_fail "read_file: absolute path outside the grant denied" "denied" "outside-secret"
call read_file '{"path": "../../../../../../etc/passwd"}' --cap read:.
expect_fail "read_file: .. escape denied" "denied" "root:"
call read_file '{"path": "link_out"}' --cap read:.
expect_fail "read_file: symlink out of the grant refused" "link_out" "outside-secret"
call list_dir '{"path": "dir_out"}' --cap read:.
expect_fail "list_dir: symlinked directory out refused" "dir_out" "passwd"
call grep '{"pattern": "outside-secret"}' --cap read:.
if [ "$RC" -eq 0 ] && ! grep -q 'root:x' <<<"$OUT"; then ok "grep: does not follow symlinks out"; else bad "grep symlink" "$OUT"; fi
call read_file '{"path": ".boxagent/token"}' --cap read:.
expect_fail "read_file: .boxagent is invisible" "denied|No such|not permitted|outside" "secret-token"
call grep '{"pattern": "secret-token"}' --cap read:.
if [ "$RC" -eq 0 ] && ! grep -q 'secret-token-123' <<<"$OUT"; then ok "grep: never sees .boxagent"; else bad "grep .boxagent" "$OUT"; fi
call read_file '{"path": "docs/readme.md"}' --cap read:src
expect_fail "read_file: sibling of a narrow grant denied" "denied" "Hello"
call list_dir '{}' --cap read:src
expect_fail "list_dir: workspace root outside read:src" "denied"

# ---- grants mapped to another guest path (read:HOST::GUEST)
call read_file '{"path": "/code/main.c"}' --cap 'read:./src::/code'
expect_ok "guest path: read through read:./src::/code" $'^     1\tint main'
call read_file '{"path": "/code/../docs/readme.md"}' --cap 'read:./src::/code'
expect_fail "guest path: .. out of the mapping denied" "denied" "Hello"
call write_file '{"path": "/code/new.c", "content": "x"}' --cap 'read:./src::/code' --access workspace-write
expect_fail "guest path: read mapping is not writable" "denied"

# ---- write_file
call write_file '{"path": "new.txt", "content": "x"}' --cap read:. --access workspace-write
expect_fail "write_file: through a read: grant denied" "denied"
[ ! -e "$WS/new.txt" ] && ok "write_file: nothing written through read:" || bad "new.txt exists"
call write_file '{"path": "out/a/b/c.txt", "content": "line1\nline2\n"}' --cap write:out --access workspace-write
expect_ok "write_file: creates parents inside the grant" "created out/a/b/c.txt \\(12 bytes, 2 lines\\)"
[ "$(cat "$WS/out/a/b/c.txt")" = $'line1\nline2' ] && ok "write_file: content" || bad "write_file content"
call write_file '{"path": "out/utf8.txt", "content": "h\u00e9llo \u4e16\u754c\ttab \"q\" back\\slash\n"}' --cap write:out --access workspace-write
[ "$RC" -eq 0 ] && [ "$(cat "$WS/out/utf8.txt")" = $'héllo 世界\ttab "q" back\\slash' ] && ok "write_file: escapes and UTF-8 intact" || bad "write_file utf8" "$OUT $(cat "$WS/out/utf8.txt")"
call write_file '{"path": "src/evil.c", "content": "x"}' --cap write:out --cap read:. --access workspace-write
expect_fail "write_file: outside the write grant denied" "denied"
call write_file '{"path": ".git/hooks/pre-commit", "content": "#!/bin/sh\nrm -rf /"}' --cap write:. --access workspace-write
expect_fail "write_file: .git hooks read-only inside write:" "denied|read-only|not permitted"
[ ! -e "$WS/.git/hooks/pre-commit" ] && ok "write_file: no hook planted" || bad "hook planted"
call write_file '{"path": ".boxagent/config.json", "content": "{}"}' --cap write:. --access workspace-write
expect_fail "write_file: .boxagent protected" "denied|not permitted|No such"
call write_file '{"path": "dir_out/pwned", "content": "x"}' --cap write:. --access workspace-write
expect_fail "write_file: through a symlinked dir out refused" "pwned|dir_out"
[ ! -e "$OUTSIDE/pwned" ] && ok "write_file: nothing written outside" || bad "wrote outside"
call write_file '{"path": "link_out", "content": "overwritten"}' --cap write:. --access workspace-write
grep -q outside-secret "$OUTSIDE/passwd" && ok "write_file: symlink target outside untouched" || bad "symlink target overwritten"
call write_file '{"path": "new.txt", "content": "x"}' --cap write:.
expect_fail "write_file: not offered at read-only" "not offered at access level read-only"

# ---- edit_file
printf 'alpha\nbeta\nalpha\ngamma\n' >"$WS/out/e.txt"
call edit_file '{"path": "out/e.txt", "old_string": "alpha", "new_string": "A"}' --cap write:out --access workspace-write
expect_fail "edit_file: ambiguous match gives the count" "occurs 2 times"
call edit_file '{"path": "out/e.txt", "old_string": "delta", "new_string": "D"}' --cap write:out --access workspace-write
expect_fail "edit_file: absent string" "not found"
call edit_file '{"path": "out/e.txt", "old_string": "beta\n", "new_string": "BETA\n"}' --cap write:out --access workspace-write
expect_ok "edit_file: unique replacement" "replaced 1 occurrence at line 2"
call edit_file '{"path": "out/e.txt", "old_string": "alpha", "new_string": "A", "replace_all": true}' --cap write:out --access workspace-write
expect_ok "edit_file: replace_all" "replaced 2 occurrences"
[ "$(cat "$WS/out/e.txt")" = $'A\nBETA\nA\ngamma' ] && ok "edit_file: content" || bad "edit content" "$(cat "$WS/out/e.txt")"
call edit_file '{"path": "src/main.c", "old_string": "0", "new_string": "1"}' --cap read:. --access workspace-write
expect_fail "edit_file: through a read: grant denied" "denied"
grep -q 'return 0' "$WS/src/main.c" && ok "edit_file: read-only file untouched" || bad "main.c changed"

python3 -c "print('a' * 100000)" >"$WS/out/aa.txt"
python3 -c "import json; print(json.dumps({'path': 'out/aa.txt', 'old_string': 'a', 'new_string': 'b' * 1000, 'replace_all': True}))" >"$OUTSIDE/blowup.json"
OUT=$("$BOXAGENT" tool call edit_file --workspace "$WS" --cap write:out --access workspace-write --args @"$OUTSIDE/blowup.json" 2>&1); RC=$?
expect_fail "edit_file: replacement blow-up refused" "would be larger than"

# ---- list_dir, glob
call list_dir '{"path": "src", "depth": 2}' --cap read:.
expect_ok "list_dir: sorted, dirs marked" $'^main.c\nsub/\n  helper.c\nx.h$'
[ "$OUT" = $'main.c\nsub/\n  helper.c\nx.h' ] && ok "list_dir: exact listing" || bad "list_dir exact" "$OUT"
call glob '{"pattern": "**/*.c"}' --cap read:.
[ "$RC" -eq 0 ] && [ "$OUT" = $'src/main.c\nsrc/sub/helper.c' ] && ok "glob: ** sorted" || bad "glob" "$OUT"
call glob '{"pattern": "*.h", "path": "src"}' --cap read:.
[ "$OUT" = "src/x.h" ] && ok "glob: relative to path" || bad "glob path" "$OUT"
call glob '{"pattern": "**/token"}' --cap read:.
! grep -q '\.boxagent' <<<"$OUT" && ok "glob: never lists .boxagent" || bad "glob .boxagent" "$OUT"

mkdir -p "$WS/many"
(cd "$WS/many" && seq -f 'f%05g.txt' 1 1500 | xargs touch)
call list_dir '{"path": "many"}' --cap read:.
expect_ok "list_dir: capped at 1000 entries" "listing stopped at 1000 entries"
[ "$(grep -c '^f' <<<"$OUT")" -eq 1000 ] && [ "$(head -n1 <<<"$OUT")" = "f00001.txt" ] && ok "list_dir: first 1000, sorted" || bad "list_dir cap" "$(head -3 <<<"$OUT")"
call glob '{"pattern": "many/*.txt"}' --cap read:.
expect_ok "glob: capped at 1000 results" "stopped at 1000 results"
rm -rf "$WS/many"

(cd "$WS" && p=deep; for i in $(seq 200); do p=$p/d; done; mkdir -p "$p" && echo bottom >"$p/f.txt")
call glob '{"pattern": "**/f.txt", "path": "deep"}' --cap read:.
expect_ok "glob: 200-level nesting is bounded and said" "nested more than 128 levels"
call grep '{"pattern": "bottom", "path": "deep"}' --cap read:.
expect_ok "grep: 200-level nesting is bounded and said" "nested more than 128 levels"
rm -rf "$WS/deep"

# ---- grep
call grep '{"pattern": "hello", "case_insensitive": true, "path": "docs"}' --cap read:.
expect_ok "grep: case-insensitive content" $'docs/readme.md:2:Hello World\ndocs/readme.md:3:hello again'
call grep '{"pattern": "return", "output_mode": "files_with_matches"}' --cap read:.
[ "$(head -n 2 <<<"$OUT")" = $'src/main.c\nsrc/sub/helper.c' ] && ok "grep: files_with_matches" || bad "grep files" "$OUT"
call grep '{"pattern": "l", "output_mode": "count", "glob": "*.md"}' --cap read:.
[ "$OUT" = "docs/readme.md:3" ] && ok "grep: count with glob filter" || bad "grep count" "$OUT"
call grep '{"pattern": "World", "context": 1, "path": "docs/readme.md"}' --cap read:.
expect_ok "grep: context lines" $'docs/readme.md-1-# Readme\ndocs/readme.md:2:Hello World\ndocs/readme.md-3-hello again'
call grep '{"pattern": "line", "path": "huge.txt", "max_results": 5}' --cap read:.
expect_ok "grep: result cap" "results capped at 5"
call grep '{"pattern": "(unclosed"}' --cap read:.
expect_fail "grep: invalid regex explained" "invalid regular expression"
call grep '{"pattern": "ELF"}' --cap read:.
expect_ok "grep: binary files skipped" "binary file"
# A regex bomb: bounded repetitions that explode when compiled/matched. Fuel stops it.
call grep '{"pattern": "((((((a{1,40}){1,40}){1,40}){1,40}){1,40}){1,40})$", "path": "src"}' --cap read:. --cap fuel=50000000
expect_fail "grep: regex bomb stopped by fuel or memory" "stopped|memory|fuel"
call grep '{"pattern": "(a|aa|aaa|aaaa)*(b|bb)*\\1*c", "path": "longline.txt"}' --cap read:. --cap fuel=20000000
if [ "$RC" -le 1 ] && [ "$RC" -ne 124 ]; then ok "grep: backtracking pattern finishes or is stopped (rc=$RC)"; else bad "grep bomb 2 rc=$RC" "$OUT"; fi

seq 1 400000 | sed 's/$/ some text on this line and more/' >"$WS/slow.txt"
call grep '{"pattern": "(s|t|o)+m{2,}[0-9]{3,9}x", "path": "slow.txt"}' --cap read:. --cap fuel=100000000000 --cap timeout=300ms
expect_fail "grep: a slow search is stopped by the time limit" "exceeded its time limit \\(timeout limit 300 ms\\)"
rm -f "$WS/slow.txt"

# ---- .gitignore: grep and glob skip what it excludes (nested files, negation, anchoring,
# dir-only and ** rules), say how much they skipped, and include_ignored searches everything
G="$WS/gi"
mkdir -p "$G/node_modules/pkg" "$G/src/gen" "$G/build" "$G/docs/build" "$G/logs"
printf 'needle\n' | tee "$G/node_modules/pkg/index.js" "$G/src/a.c" "$G/src/gen/out.c" \
  "$G/build/b.c" "$G/docs/build/page.md" "$G/logs/x.log" "$G/logs/keep.log" "$G/.env" \
  "$G/src/gen/keep.c" "$G/docs/build/draft.md" >/dev/null
printf '# deps\nnode_modules/\n/build\n*.log\n!keep.log\n.env\ndocs/**/draft.md\n' > "$G/.gitignore"
printf 'gen/*\n!gen/keep.c\n' > "$G/src/.gitignore"
call grep '{"pattern": "needle", "path": "gi", "output_mode": "files_with_matches"}' --cap read:.
want=$'gi/docs/build/page.md\ngi/logs/keep.log\ngi/src/a.c\ngi/src/gen/keep.c'
[ "$(grep -v '^\[' <<<"$OUT")" = "$want" ] && ok "grep: .gitignore rules (nested, !, /anchored, dir/, *.log)" || bad "grep .gitignore" "$OUT"
expect_ok "grep: says what .gitignore excluded" "6 paths excluded by .gitignore not searched"
call grep '{"pattern": "needle", "path": "gi", "output_mode": "files_with_matches", "include_ignored": true}' --cap read:.
[ "$(grep -vc '^\[' <<<"$OUT")" = 10 ] && ! grep -q 'excluded by' <<<"$OUT" && ok "grep: include_ignored searches everything" || bad "grep include_ignored" "$OUT"
call glob '{"pattern": "**/*.c", "path": "gi"}' --cap read:.
[ "$(grep -v '^\[' <<<"$OUT")" = $'gi/src/a.c\ngi/src/gen/keep.c' ] && ok "glob: .gitignore rules" || bad "glob .gitignore" "$OUT"
call glob '{"pattern": "**/*.c", "path": "gi", "include_ignored": true}' --cap read:.
[ "$(grep -vc '^\[' <<<"$OUT")" = 4 ] && ok "glob: include_ignored" || bad "glob include_ignored" "$OUT"
# a walk that starts below a .gitignore still obeys it (anchored rules seen from their own dir)
call grep '{"pattern": "needle", "path": "gi/logs", "output_mode": "files_with_matches"}' --cap read:.
[ "$(grep -v '^\[' <<<"$OUT")" = "gi/logs/keep.log" ] && ok "grep: parent .gitignore applies below it" || bad "grep parent .gitignore" "$OUT"
call glob '{"pattern": "**/*.md", "path": "gi/docs"}' --cap read:.
[ "$(grep -v '^\[' <<<"$OUT")" = "gi/docs/build/page.md" ] && ok "glob: parent's anchored ** rule applies below it" || bad "glob parent anchored" "$OUT"
call list_dir '{"path": "gi/build"}' --cap read:.
expect_ok "list_dir: lists ignored directories when asked by name" "b.c"
rm -rf "$G"

# ---- output limit
call read_file '{"path": "huge.txt"}' --cap read:. --cap output=1K
expect_ok "output beyond the limit is truncated" "output truncated: showing 1024 of"
[ "${#OUT}" -lt 1400 ] && ok "truncated output is bounded" || bad "truncated size ${#OUT}"

# ---- arguments
call read_file '{"path": "src/main.c", "limit": "10"}' --cap read:.
expect_fail "invalid arguments named" 'argument "limit": expected integer, got string'
call read_file '{"path": "src/main.c", "evil": 1}' --cap read:.
expect_fail "unknown argument refused" 'argument "evil": unknown field'
call reed_file '{}' --cap read:.
expect_fail "unknown tool suggests names" "did you mean: read_file"

# ---- large arguments from a file or stdin (beyond the kernel's argument size)
python3 -c "import json; print(json.dumps({'path': 'out/big.txt', 'content': 'y' * 1000000 + '\\n'}))" >"$OUTSIDE/args.json"
OUT=$("$BOXAGENT" tool call write_file --workspace "$WS" --cap write:out --access workspace-write --args @"$OUTSIDE/args.json" 2>&1); RC=$?
expect_ok "--args @FILE: 1 MB write" "created out/big.txt \\(1000001 bytes, 1 lines\\)"
OUT=$("$BOXAGENT" tool call grep --workspace "$WS" --cap read:. --args - <<<'{"pattern": "^y+$", "output_mode": "count", "path": "out"}' 2>&1); RC=$?
expect_ok "--args -: from stdin" "out/big.txt:1"

# ---- access levels
lst() { "$BOXAGENT" tool list --workspace "$WS" "$@" 2>&1 | awk 'NR > 1 {print $1}' | tr '\n' ' '; }
[ "$(lst --access search-only)" = "list_dir glob grep tool_search " ] && ok "list: search-only" || bad "list search-only" "$(lst --access search-only)"
r=$(lst --access read-only)
[[ $r == *read_file* && $r != *write_file* && $r != *edit_file* ]] && ok "list: read-only" || bad "list read-only" "$r"
r=$(lst --access workspace-write)
[[ $r == *write_file*edit_file* || $r == *edit_file* && $r == *write_file* ]] && [[ $r != *bash* ]] && ok "list: workspace-write" || bad "list workspace-write" "$r"
"$BOXAGENT" tool list --workspace "$WS" --access root >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown access level is a usage error" || bad "unknown access accepted"
call read_file '{"path": "src/main.c"}' --cap read:. --access search-only
expect_fail "read_file denied at search-only even when named" "not offered at access level search-only"
call tool_search '{"query": "write"}' --cap read:. --access read-only
if [ "$RC" -eq 0 ] && ! grep -q 'write_file' <<<"$OUT"; then ok "tool_search: only offered tools"; else bad "tool_search" "$OUT"; fi

# ---- jail tools (bash/run): execute permission, exec: capability
call bash '{"command": "cat src/x.h; echo $((6*7))"}' --cap read:. --cap exec:bash --access full
expect_ok "bash: runs in the jail with exec:bash" $'int x;\n42'
call bash '{"command": "echo hi"}' --cap read:. --access full
expect_fail "bash: denied without exec:bash" "denied: .*exec"
call bash '{"command": "echo hi"}' --cap read:. --cap exec:bash --access workspace-write
expect_fail "bash: not offered below full" "not offered at access level workspace-write"
call bash '{"command": "echo pwned > src/x.h"}' --cap read:. --cap exec:bash --access full
grep -q 'int x;' "$WS/src/x.h" && ok "bash: read: grant stays read-only in the jail" || bad "bash wrote through read:"
call run '{"argv": ["cat", "docs/readme.md"]}' --cap read:. --cap exec:cat --access full
expect_ok "run: argv without a shell" "Hello World"
call run '{"argv": ["bash", "-c", "id"]}' --cap read:. --cap exec:cat --access full
expect_fail "run: program not granted" "denied"

# ---- web_fetch through egress (a loopback server named by the capability)
PORT=$((20000 + RANDOM % 20000))
mkdir -p "$OUTSIDE/site"
printf '<html><body><h1>Title</h1><p>Hello <b>web</b></p></body></html>' >"$OUTSIDE/site/index.html"
(cd "$OUTSIDE/site" && exec timeout 120 python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SRV=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
call web_fetch "{\"url\": \"http://127.0.0.1:$PORT/index.html\"}" --cap read:. --cap "fetch:http://127.0.0.1:$PORT"
expect_ok "web_fetch: HTML as Markdown, marked external" "external content"
grep -q '# Title' <<<"$OUT" && ok "web_fetch: converted" || bad "web_fetch markdown" "$OUT"
call web_fetch "{\"url\": \"http://127.0.0.1:$PORT/index.html\"}" --cap read:.
expect_fail "web_fetch: denied without fetch:" "denied: no fetch: capability"
call web_fetch "{\"url\": \"http://127.0.0.1:$PORT/index.html\"}" --cap read:. --cap 'fetch:http://*'
expect_fail "web_fetch: loopback refused unless named" "denied"
call web_fetch '{"url": "http://169.254.169.254/latest/meta-data/"}' --cap read:. --cap 'fetch:http://*'
expect_fail "web_fetch: metadata address refused" "denied"
call web_fetch "{\"url\": \"http://127.0.0.1:$PORT/\"}" --cap read:. --cap "fetch:http://127.0.0.1:$PORT" --access search-only
expect_fail "web_fetch: not offered at search-only" "not offered"
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null

# ---- agent configuration
cat >"$WS/.boxagent/config.json" <<'EOF'
{"default_agent": "reader",
 "agents": {"reader": {"access": "read-only", "capabilities": ["read:src"]},
            "writer": {"access": "workspace-write", "capabilities": ["write:out", "read:."]}}}
EOF
call read_file '{"path": "src/x.h"}' --agent reader
expect_ok "--agent: reads inside its grant" "int x;"
call read_file '{"path": "docs/readme.md"}' --agent reader
expect_fail "--agent: denied outside its grant" "denied"
call write_file '{"path": "out/w.txt", "content": "w"}' --agent reader
expect_fail "--agent: level from config" "not offered"
call write_file '{"path": "out/w.txt", "content": "w"}' --agent writer
expect_ok "--agent writer writes" "created out/w.txt"
call write_file '{"path": "out/w2.txt", "content": "w"}' --agent writer --access read-only
expect_fail "--access narrows an agent" "not offered"
call write_file '{"path": "src/w.txt", "content": "w"}' --agent writer --cap write:.
expect_fail "--cap cannot widen an agent" "denied"
r=$("$BOXAGENT" tool list --workspace "$WS" --agent reader 2>&1)
[[ $r == *read_file* && $r != *write_file* ]] && ok "list --agent" || bad "list --agent" "$r"
rm "$WS/.boxagent/config.json"

# ---- audit: denials and calls recorded (once the audit CLI exists)
if "$BOXAGENT" audit list --workspace "$WS" --json >/dev/null 2>&1 || "$BOXAGENT" audit list --json >/dev/null 2>&1; then
  call write_file '{"path": "zz.txt", "content": "x"}' --cap write:. --access read-only --session suite-deny
  a=$(cd "$WS" && "$BOXAGENT" audit list --session suite-deny --json 2>&1)
  if grep -q write_file <<<"$a" && grep -q denied <<<"$a" && grep -q 'not offered' <<<"$a"; then
    ok "denied call is audited"
  else bad "denied call audited" "$a"; fi
  (cd "$WS" && "$BOXAGENT" audit verify >/dev/null 2>&1) && ok "audit chain verifies" || bad "audit verify"
else
  echo "skip audit checks (audit CLI not available)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
