#!/usr/bin/env bash
# Proves that a change leaves the synthesized output byte for byte the same: synthesizes the golden
# set of scripts/synth-golden.ts (the examples, hand-written deployments and compositions, and
# several hundred generated deployments from scripts/golden-cases.ts; a refused case is its error
# text) at REV and in the working tree, and diffs them file by file.
# Usage: bash scripts/compare-synth.sh [REV]   (default: HEAD)
# GOLDEN_SEED and GOLDEN_COUNT (generated deployments, default 1000) explore other sets.
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-HEAD}"
start=$(date +%s.%N)
work=$(mktemp -d)
keep=
cleanup() {
  git worktree remove --force "$work/base" >/dev/null 2>&1 || true
  if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
git worktree add --quiet --detach "$work/base" "$rev"
ln -s "$PWD/node_modules" "$work/base/node_modules"
# The cases scripts (and examples) of the working tree run against the library of REV.
cp scripts/synth-golden.ts scripts/golden-*.ts "$work/base/scripts/"
# The examples are cases too (a new example runs against REV's library as well).
cp examples/*.ts "$work/base/examples/"
run() { (cd "$1" && npx ts-node --prefer-ts-exts --transpile-only --project test/tsconfig.json scripts/synth-golden.ts "$2" >"$2.log" 2>&1); }
# Both trees at once: the machine has two cores.
run "$work/base" "$work/before" & base_pid=$!
status=0
run "$PWD" "$work/after" || status=$?
wait "$base_pid" || { echo "compare-synth: synth-golden failed at $rev:" >&2; cat "$work/before.log" >&2; exit 1; }
if [ "$status" != 0 ]; then echo "compare-synth: synth-golden failed in the working tree:" >&2; cat "$work/after.log" >&2; exit 1; fi
# A group one side skips (a public form removed on purpose) is compared on neither side.
for skipped in "$work"/before/*.skipped "$work"/after/*.skipped; do
  [ -e "$skipped" ] || continue
  group=$(basename "$skipped" .skipped)
  echo "compare-synth: group '$group' not compared: $(cat "$skipped")"
  rm -rf "$work/before/$group" "$work/after/$group" "$work/before/$group.skipped" "$work/after/$group.skipped"
done
seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
files=$(find "$work/after" -name '*.yaml' | wc -l)
charts=$(find "$work/after" -name '*.yaml' -exec cat {} + | grep -c '^# chart: ' || true)
refused=$(find "$work/after" -name '*.yaml' -exec grep -l '^# error: ' {} + | wc -l || true)
bytes=$(find "$work/after" -name '*.yaml' -exec cat {} + | wc -c)
summary="$files cases, $charts charts, $bytes bytes, $refused refused by validation; ${seconds}s"
if diff -rq "$work/before" "$work/after" >"$work/differ.txt"; then
  echo "compare-synth: identical to $rev ($summary)"
else
  keep=1
  echo "compare-synth: the synthesized output differs from $rev in $(wc -l <"$work/differ.txt") of $files cases ($summary):" >&2
  head -20 "$work/differ.txt" >&2
  # The first three differences in full, shortened.
  { grep '^Files ' "$work/differ.txt" | head -3 | while read -r _ before _ after _; do
    diff -u "$before" "$after" | head -40 >&2
  done; } || true
  echo "compare-synth: both outputs kept in $work/before and $work/after" >&2
  exit 1
fi
