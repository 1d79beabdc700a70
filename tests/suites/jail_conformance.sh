#!/usr/bin/env bash
# jail_conformance.sh — the cross-backend conformance table (tests/conformance/paths.tsv):
# each manifest is applied to the native jail (`boxagent exec` + the native probe) and to the
# WebAssembly backend (`boxagent run-wasm` + the same probe built for wasm32-wasi); every case
# must give the expected allow/deny in both, so one manifest means the same in both.
set -u
B=${B:-build}
BOXAGENT=${BOXAGENT:-$B/asan/boxagent}
TABLE=tests/conformance/paths.tsv
NATIVE=$B/jail/probe
WASM=$PWD/$B/wasm/tests/conformance/probe.wasm
pass=0 fail=0 skipped=0 xfails=0
if [ ! -x "$NATIVE" ] || [ ! -f "$TABLE" ]; then
  echo "missing $NATIVE or $TABLE"; echo "0 passed, 1 failed"; exit 1
fi
R=$(mktemp -d /tmp/jail-conf.XXXXXX)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R/ws/sub/deep" "$R/ws/out" "$R/ws/.git" "$R/ws/.boxagent" "$R/outside" "$R/other" "$R/bin"
echo a >"$R/ws/a.txt"; echo b >"$R/ws/sub/b.txt"; echo c >"$R/ws/sub/deep/c.txt"
echo o >"$R/ws/out/o.txt"; echo "[core]" >"$R/ws/.git/config"; echo tok >"$R/ws/.boxagent/token"
echo secret >"$R/outside/secret.txt"; echo x >"$R/other/x.txt"
ln -s "$R/outside/secret.txt" "$R/ws/link_out"
ln -s sub/b.txt "$R/ws/link_in"
ln -s ../outside "$R/ws/link_dotdot"
cp "$NATIVE" "$R/bin/probe"
# A private copy of the CLI: the shared build tree may be relinked while this suite runs.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  cp "$BOXAGENT" "$R/boxagent.bin" 2>/dev/null && "$R/boxagent.bin" --version >/dev/null 2>&1 && break
  sleep 3
done
BOXAGENT=$R/boxagent.bin

wasm_ok=0
if [ -f "$WASM" ] && (cd "$R/ws" && "$BOXAGENT" run-wasm --cap "read:$R/ws" "$WASM" read "$R/ws/a.txt") 2>/dev/null | grep -q '^allow$'; then
  wasm_ok=1
fi

# Group the cases by manifest, in table order.
declare -a groups=()
declare -A ops=() ids=() exps=() xfail=()
while IFS=$'\t' read -r id caps op path exp note; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  caps=${caps//\$R/$R}; path=${path//\$R/$R}
  if [ -z "${ops[$caps]+x}" ]; then groups+=("$caps"); ops[$caps]=""; ids[$caps]=""; exps[$caps]=""; fi
  ops[$caps]+="$op"$'\t'"$path"$'\t'
  ids[$caps]+="$id"$'\t'
  exps[$caps]+="$exp"$'\t'
  [[ "$note" == *"[xfail:wasm"* ]] && xfail[$id]=1
done <"$TABLE"

ncases=0
for caps in "${groups[@]}"; do
  IFS=$'\t' read -r -a args <<<"${ops[$caps]}"
  IFS=$'\t' read -r -a cid <<<"${ids[$caps]}"
  IFS=$'\t' read -r -a cexp <<<"${exps[$caps]}"
  capargs=()
  IFS=',' read -r -a cl <<<"$caps"
  for c in "${cl[@]}"; do capargs+=(--cap "$c"); done
  jail_out=$("$BOXAGENT" exec --workspace "$R/ws" "${capargs[@]}" --cap "read:$R/bin" --cap "exec:$R/bin/probe" \
    -- "$R/bin/probe" "${args[@]}" 2>"$R/jail.err")
  mapfile -t jres <<<"$jail_out"
  wres=()
  if [ $wasm_ok = 1 ]; then
    wasm_out=$(cd "$R/ws" && "$BOXAGENT" run-wasm "${capargs[@]}" "$WASM" "${args[@]}" 2>"$R/wasm.err")
    mapfile -t wres <<<"$wasm_out"
  fi
  for i in "${!cid[@]}"; do
    ncases=$((ncases + 1))
    want=${cexp[$i]}
    got=${jres[$i]:-none}; got=${got%% *}
    desc="${cid[$i]} [$caps] ${args[$((2 * i))]} ${args[$((2 * i + 1))]}"
    if [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL jail  $desc: got ${jres[$i]:-nothing} want $want"; [ -s "$R/jail.err" ] && sed 's/^/    /' "$R/jail.err" | head -3; fi
    if [ $wasm_ok = 1 ]; then
      got=${wres[$i]:-none}; got=${got%% *}
      if [ -n "${xfail[${cid[$i]}]:-}" ]; then
        if [ "$got" = "$want" ]; then pass=$((pass + 1)); echo "XPASS wasm $desc (remove its xfail mark)";
        else xfails=$((xfails + 1)); echo "XFAIL wasm $desc: got ${wres[$i]:-nothing} want $want (known divergence)"; fi
      elif [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL wasm  $desc: got ${wres[$i]:-nothing} want $want"; [ -s "$R/wasm.err" ] && sed 's/^/    /' "$R/wasm.err" | head -3; fi
    else
      skipped=$((skipped + 1))
    fi
  done
done
echo "$ncases cases x $([ $wasm_ok = 1 ] && echo 2 || echo 1) backends, $xfails known wasm divergences$([ $skipped -gt 0 ] && echo ", $skipped wasm cases skipped: run-wasm unavailable")"
[ "$ncases" -ge 50 ] || { echo "FAIL table has only $ncases cases (need >= 50)"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
