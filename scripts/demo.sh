#!/usr/bin/env bash
# demo.sh — the README's main command (placeholder until the agent lands: prints the version).
set -euo pipefail
cd "$(dirname "$0")/.."
build/boxagent --version
