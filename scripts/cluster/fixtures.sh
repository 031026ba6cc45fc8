#!/usr/bin/env bash
# Keeps what an earlier commit synthesized, for the cluster e2e's upgrade checks: the examples and
# the generated deployments of test/cluster/deployments.ts, synthesized by the library as it was
# at REV, into test/fixtures/upgrade/<REV's short hash>/. The e2e applies them, then today's
# output over them. Usage: bash scripts/cluster/fixtures.sh REV
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=${1:?usage: fixtures.sh REV}
short=$(git rev-parse --short=7 "$rev")
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$rev" >/dev/null
ln -s "$PWD/node_modules" "$work/base/node_modules"
# Today's deployment list and synth script run against the library of REV.
mkdir -p "$work/base/test/cluster"
cp test/cluster/deployments.ts test/cluster/synth-fixtures.ts "$work/base/test/cluster/"
out=$PWD/test/fixtures/upgrade/$short
rm -rf "$out"
(cd "$work/base" && npx ts-node --prefer-ts-exts --transpile-only --project test/tsconfig.json test/cluster/synth-fixtures.ts "$out")
echo "fixtures of $short in $out: $(ls "$out" | tr '\n' ' ')"
