#!/usr/bin/env bash
# deps.sh — install exactly the Debian 12 packages boxagent needs to build, test and benchmark.
# Idempotent: when every package is already installed it only runs dpkg-query and exits.
# Usage: scripts/deps.sh [build|test|all]   (default: all)
set -euo pipefail

build_pkgs=(gcc make pkg-config libc6-dev
  libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev libsqlite3-dev
  libseccomp-dev libssl-dev libedit-dev zlib1g-dev libbsd-dev libmd-dev libncurses-dev
  clang lld wasi-libc libclang-rt-14-dev-wasm32)
test_pkgs=(libcriterion-dev wabt binaryen valgrind libclang-rt-14-dev libfuzzer-14-dev
  iproute2 procps psmisc util-linux curl chromium sqlite3)

want=("${build_pkgs[@]}")
case "${1:-all}" in
  build) ;;
  test|all) want+=("${test_pkgs[@]}") ;;
  *) echo "usage: scripts/deps.sh [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js runs the cross-checks (node:wasi, V8 differential); any recent node will do.
if [ "${1:-all}" != build ] && ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]} — run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/boxagent-deps.log 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y --no-install-recommends "${missing[@]}" || {
    echo "deps.sh: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
fi
