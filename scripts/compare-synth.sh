#!/usr/bin/env bash
# Proves that a change leaves the synthesized YAML byte for byte the same: synthesizes
# scripts/synth-golden.ts (both examples and a fixed set of varied deployments) at REV and in the
# working tree, and diffs them. Usage: bash scripts/compare-synth.sh [REV]   (default: HEAD)
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-HEAD}"
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$rev" >/dev/null
ln -s "$PWD/node_modules" "$work/base/node_modules"
# The cases script of the working tree runs against the library of REV.
cp scripts/synth-golden.ts "$work/base/scripts/synth-golden.ts"
run() { (cd "$1" && npx ts-node --prefer-ts-exts --transpile-only --project test/tsconfig.json scripts/synth-golden.ts "$2" >/dev/null); }
run "$work/base" "$work/before"
run "$PWD" "$work/after"
if diff -r "$work/before" "$work/after"; then
  echo "compare-synth: identical to $rev ($(ls "$work/after" | wc -l) charts, $(cat "$work/after"/*.yaml | wc -c) bytes)"
else
  echo "compare-synth: the synthesized YAML differs from $rev" >&2
  exit 1
fi
