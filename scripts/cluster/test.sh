#!/usr/bin/env bash
# The cluster e2e (test/cluster): brings the test cluster up (building what is not cached), imports
# the images, runs the tests, and always tears the cluster down, killing only what up.sh started.
# Usage: bash scripts/cluster/test.sh [jest arguments]   (root; npx projen test:cluster runs it)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$here/../.."
[ "$(id -u)" -eq 0 ] || { echo "cluster e2e: needs root (it runs a Kubernetes node)" >&2; exit 1; }
start=$SECONDS
# Built (or found cached) before the cluster starts: the images take the CPUs for a while cold.
bash "$here/build.sh"
bash "$here/images.sh" build >/dev/null
trap 'bash "$here/down.sh"' EXIT
bash "$here/up.sh"
bash "$here/images.sh" import
echo "cluster e2e: cluster up with images in $((SECONDS - start)) s"
npx jest test/cluster --ci --runInBand --passWithNoTests=false "$@" --reporters=default --reporters="$PWD/test/cluster/table-reporter.js"
