#!/usr/bin/env bash
# redteam_wasm.sh — hostile WebAssembly modules against the engine and the WASI host through
# `boxagent run-wasm` (ASan+UBSan build): bulk-memory and table operations at the edges,
# call_indirect type confusion, unbounded recursion, deep nesting, huge declared counts,
# memory growth past the limit, start-function traps; guests that try to outlast their limits
# (sleep, blocked stdin, yield/zero-write/random loops), flood the output, or look for the
# host environment and directories they were not given. A crash or sanitizer report fails.
. "$(dirname "$0")/../redteam/lib.sh"

command -v wat2wasm >/dev/null || { echo "wat2wasm missing"; echo "0 passed, 1 failed"; exit 1; }
M=$T/m; mkdir -p "$M"
wat() { printf '%s\n' "$2" >"$M/$1.wat"; wat2wasm --enable-all "$M/$1.wat" -o "$M/$1.wasm" 2>"$M/$1.err" || echo "wat2wasm $1: $(cat "$M/$1.err")"; }
rw() { run o e rc "$BA" run-wasm "$@"; }
# trap NAME FILE MESSAGE: the module must stop with MESSAGE and nothing worse
traps() { rw --memory 67108864 --timeout 10000 "$M/$2.wasm"; check "$1: trap reported" has "$3" "$e"; check "$1: clean" clean; }

wat copy_hi '(module (memory 1) (func (export "_start") (memory.copy (i32.const 0xffffffff) (i32.const 0) (i32.const 1))))'
traps "memory.copy to 2^32-1" copy_hi "out of bounds memory access"
wat copy_wrap '(module (memory 1) (func (export "_start") (memory.copy (i32.const 1) (i32.const 0) (i32.const 0xffffffff))))'
traps "memory.copy length wraps" copy_wrap "out of bounds memory access"
wat fill_end '(module (memory 1) (func (export "_start") (memory.fill (i32.const 65536) (i32.const 0) (i32.const 0)) (memory.fill (i32.const 65537) (i32.const 0) (i32.const 0))))'
traps "memory.fill past the end with length 0" fill_end "out of bounds memory access"
wat fill_big '(module (memory 1) (func (export "_start") (memory.fill (i32.const 0) (i32.const 7) (i32.const 65537))))'
traps "memory.fill one byte too long" fill_big "out of bounds memory access"
wat init_drop '(module (memory 1) (data $d "hello") (func (export "_start") (memory.init $d (i32.const 65535) (i32.const 5) (i32.const 0)) (data.drop $d) (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1))))'
traps "memory.init after data.drop" init_drop "out of bounds memory access"
wat init_src '(module (memory 1) (data $d "hello") (func (export "_start") (memory.init $d (i32.const 0) (i32.const 3) (i32.const 0xfffffffe))))'
traps "memory.init source overflow" init_src "out of bounds memory access"
wat load_off '(module (memory 1) (func (export "_start") (i64.store offset=0xffffffff (i32.const 0xffffffff) (i64.const 1))))'
traps "store at offset 2^32-1 + 2^32-1" load_off "out of bounds memory access"
wat load_edge '(module (memory 1) (func (export "_start") (drop (i64.load offset=65530 (i32.const 0)))))'
traps "8-byte load straddling the end" load_edge "out of bounds memory access"
wat mem0 '(module (memory 0) (func (export "_start") (i32.store8 (i32.const 0) (i32.const 1))))'
traps "store into an empty memory" mem0 "out of bounds memory access"
wat ci_type '(module (table 2 funcref) (type $t (func (param i32) (result i32))) (func $f (result i64) (i64.const 7)) (elem (i32.const 0) $f) (func (export "_start") (drop (call_indirect (type $t) (i32.const 0) (i32.const 0)))))'
traps "call_indirect type confusion" ci_type "indirect call type mismatch"
wat ci_null '(module (table 2 funcref) (type $t (func)) (func (export "_start") (call_indirect (type $t) (i32.const 1))))'
traps "call_indirect on a null entry" ci_null "uninitialized element"
wat ci_oob '(module (table 2 funcref) (type $t (func)) (func (export "_start") (call_indirect (type $t) (i32.const 0xffffffff))))'
traps "call_indirect past the table" ci_oob "undefined element\|out of bounds table"
wat tfill '(module (table 2 funcref) (func (export "_start") (table.fill 0 (i32.const 2) (ref.null func) (i32.const 0)) (table.fill 0 (i32.const 1) (ref.null func) (i32.const 0xffffffff))))'
traps "table.fill overflow" tfill "out of bounds table access"
wat tcopy '(module (table 2 10 funcref) (func (export "_start") (drop (table.grow 0 (ref.null func) (i32.const 0xffffffff))) (drop (table.grow 0 (ref.null func) (i32.const 8))) (table.copy (i32.const 9) (i32.const 0) (i32.const 2))))'
traps "table.grow huge then table.copy past the end" tcopy "out of bounds table access"
wat tinit '(module (table 4 funcref) (func $f) (elem $e func $f $f) (func (export "_start") (elem.drop $e) (table.init $e (i32.const 0) (i32.const 0) (i32.const 1))))'
traps "table.init after elem.drop" tinit "out of bounds table access"
wat tget '(module (table 1 externref) (func (export "_start") (drop (table.get 0 (i32.const 1)))))'
traps "table.get past the end" tget "out of bounds table access"
wat recur '(module (func $r (param i32) (result i32) (call $r (i32.add (local.get 0) (i32.const 1)))) (func (export "_start") (drop (call $r (i32.const 0)))))'
traps "unbounded recursion" recur "stack"
wat recur_ind '(module (type $t (func)) (table 1 funcref) (elem (i32.const 0) $r) (func $r (call_indirect (type $t) (i32.const 0))) (func (export "_start") (call $r)))'
traps "unbounded indirect recursion" recur_ind "stack"
wat start_trap '(module (start $s) (func $s unreachable) (func (export "_start")))'
rw "$M/start_trap.wasm"; check "start function trap reported" has "unreachable" "$e"; check "start trap clean" clean
wat div '(module (func (export "_start") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))))'
traps "INT_MIN / -1" div "integer overflow"
wat trunc '(module (func (export "_start") (drop (i64.trunc_f64_s (f64.const nan)))))'
traps "trunc of NaN" trunc "invalid conversion"

# limits
wat loop '(module (func (export "_start") (loop $l (br $l))))'
rw --timeout 1000 "$M/loop.wasm"; check "infinite loop stopped by timeout" has "timeout" "$e"; check "loop clean" clean
rw --fuel 100000 "$M/loop.wasm"; check "infinite loop stopped by fuel" has "fuel" "$e"
wat grow '(module (import "wasi_snapshot_preview1" "proc_exit" (func $x (param i32))) (memory 1) (func (export "_start") (call $x (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)))))'
rw --memory 1048576 "$M/grow.wasm"; check "memory.grow past the limit returns -1" [ "$rc" = 1 ]
wat grow_loop '(module (memory 1) (func (export "_start") (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))))'
rw --stats --memory 4194304 "$M/grow_loop.wasm"; check "peak memory stays under the limit" [ "$(sed -n 's/.*peak_memory=\([0-9]*\).*/\1/p' <<<"$e")" -le 4194304 ]
wat bigmem '(module (memory 300) (func (export "_start")))'
rw --memory 1048576 "$M/bigmem.wasm"; check "declared minimum above the limit refused" [ "$rc" != 0 ]; check "bigmem clean" clean
wat bigtab '(module (table 0xfffffff funcref) (func (export "_start")))'
rw --memory 1048576 "$M/bigtab.wasm"; check "huge table refused" [ "$rc" != 0 ]; check "bigtab clean" clean

# structure: deep nesting, many locals, wide br_table, big operand stack
deep=$(printf '(block %.0s' $(seq 1 2000)); close=$(printf ')%.0s' $(seq 1 2000))
wat deep "(module (func (export \"_start\") $deep $close))"
rw "$M/deep.wasm"; check "2000 nested blocks" [ "$rc" = 0 ]; check "deep clean" clean
wat locals "(module (func (export \"_start\") (local $(printf 'i64 %.0s' $(seq 1 40000))) (local.set 39999 (i64.const 1))))"
rw "$M/locals.wasm"; check "40000 locals handled" clean
wat brt "(module (func (export \"_start\") (block \$b (br_table $(printf '$b %.0s' $(seq 1 30000))(i32.const 29999)))))"
rw "$M/brt.wasm"; check "30000-entry br_table" [ "$rc" = 0 ]; check "brt clean" clean
wat frames "(module (func \$f (param i32) (local $(printf 'i64 %.0s' $(seq 1 5000))) (if (local.get 0) (then (call \$f (i32.sub (local.get 0) (i32.const 1)))))) (func (export \"_start\") (call \$f (i32.const 100000))))"
rw --memory 67108864 "$M/frames.wasm"; check "big frames x deep recursion stop cleanly" clean; check "big frames trapped" [ "$rc" != 0 ]
# binary-level lies: counts larger than the module, locals overflowing 32 bits
printf '\0asm\1\0\0\0\1\5\377\377\377\377\17' >"$M/hugecount.wasm"
rw "$M/hugecount.wasm"; check "type count 2^32-1 refused" [ "$rc" != 0 ]; check "hugecount clean" clean
printf '\0asm\1\0\0\0\1\4\1\140\0\0\3\2\1\0\7\12\1\6_start\0\0\12\20\1\16\2\200\200\200\200\10\177\200\200\200\200\10\177\13' >"$M/locover.wasm"
rw "$M/locover.wasm"; check "2 x 2^31 locals refused" [ "$rc" != 0 ]; check "locover clean" clean
printf '\0asm\1\0\0\0\5\3\1\0\1\13\12\1\0\101\372\377\3\13\144AAAA' >"$M/dataoob.wasm"
rw "$M/dataoob.wasm"; check "truncated/oob data segment refused" [ "$rc" != 0 ]; check "dataoob clean" clean
head -c 100000 /dev/urandom >"$M/noise.wasm"
rw "$M/noise.wasm"; check "random bytes refused" [ "$rc" != 0 ]; check "noise clean" clean

# ---------------------------------------------------------------- WASI guests against their limits
H=$RT_GUESTS/hang.wasm
if [ -f "$H" ]; then
  for mode in sleep stdin pollread yield zerowrite random; do
    # stdin is a pipe that stays open (the writer sleeps) so a read really blocks
    o=$(timeout 20 "$BA" run-wasm --timeout 1000 "$H" "$mode" 2>"$T/err" < <(sleep 8)); rc=$?; e=$(cat "$T/err")
    check "guest '$mode' stopped by the timeout" has "timeout" "$e"
    check "guest '$mode' did not finish" hasnt "END $mode" "$o"
  done
  rw --cap output=1000 --timeout 20000 "$H" out
  check "stdout flood cut at the output limit" [ "${#o}" -le 1000 ]
  rw --cap output=1000 --timeout 20000 "$H" err
  check "stderr flood cut too" [ "${#e}" -le 1500 ]
  OPENAI_API_KEY=sk-host-777 HOME=/root rw "$H" env
  check "host environment invisible to a guest" hasnt "sk-host-777\|HOME=" "$o"
  rw --env A=1 "$H" env
  check "--env gives exactly that variable" [ "$(grep -c '^ENV' <<<"$o")" = 1 ]
  mkdir -p "$T/ws/g"
  cd "$T/ws"; run o e rc "$BA" run-wasm --cap read:g "$H" prestats; cd - >/dev/null
  check "only the granted directory is preopened" [ -z "$(grep '^PRESTAT' <<<"$o" | grep -v '[ /]g$')" ]
else
  bad "missing $H (make redteam-guests)"
fi
OP=$RT_GUESTS/op.wasm
if [ -f "$OP" ]; then
  mkdir -p "$T/ws/src" "$T/ws/.boxagent"; echo TOK-secret >"$T/ws/.boxagent/token"
  cd "$T/ws"
  for p in ../.boxagent/token /.boxagent/token ../../../../etc/passwd; do
    rw --cap 'read:src::/' "$OP" 3 read "$p"
    check "mapped root: $p refused" hasnt "TOK-secret\|root:x" "$o"
  done
  rw --cap 'read:.::/g' --cap 'read:src::/g/.boxagent' "$OP" 3 ls .boxagent
  check "guest mapping cannot re-expose .boxagent" hasnt token "$o"
  rw --cap 'write:.' "$OP" 3 symlink lnk .boxagent
  rw --cap 'read:.' "$OP" 3 readf lnk/token
  check "guest-made symlink to .boxagent leads nowhere" hasnt TOK-secret "$o"
  for op in ".bashrc" ".git/config" "sub/.zshenv"; do
    mkdir -p sub .git
    rw --cap 'write:.' "$OP" 3 write "$op"
    check "guest cannot create $op" [ ! -s "$T/ws/$op" ]
  done
  echo data >"$T/ws/a.txt"
  rw --cap 'write:.' "$OP" 3 rename a.txt .profile
  check "guest cannot rename into .profile" [ ! -e "$T/ws/.profile" ]
  rw --cap 'write:.' "$OP" 3 link a.txt .zshrc
  check "guest cannot hard-link into .zshrc" [ ! -e "$T/ws/.zshrc" ]
  cd - >/dev/null
fi

finish
