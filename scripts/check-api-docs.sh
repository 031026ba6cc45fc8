#!/usr/bin/env bash
# Regenerates API.md from the jsii assembly and fails when the committed one differs.
# jsii-docgen walks the whole working directory: in a checkout where the e2e tier has built its
# Debian root (.cache/rootfs-*), that walk ran it out of memory (4 GB, after 4 minutes). So it runs
# in a folder that holds only what it reads: the assembly, package.json, README.md, node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for file in package.json .jsii README.md node_modules; do ln -s "$PWD/$file" "$work/$file"; done
(cd "$work" && npx jsii-docgen -o API.md)
cp "$work/API.md" API.md
if ! git diff --exit-code --stat -- API.md; then
  echo "API.md is out of date with the public API: commit the regenerated file." >&2
  exit 1
fi
