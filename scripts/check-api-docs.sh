#!/usr/bin/env bash
# Regenerates API.md from the jsii assembly and fails when the committed one differs.
set -euo pipefail
cd "$(dirname "$0")/.."
npx jsii-docgen -o API.md
if ! git diff --exit-code --stat -- API.md; then
  echo "API.md is out of date with the public API: commit the regenerated file." >&2
  exit 1
fi
