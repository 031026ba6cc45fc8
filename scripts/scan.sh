#!/usr/bin/env bash
# Strict schema validation and security scan of what the library synthesizes (README, "Validation"
# and "Security"):
#   1. test/scan/dump.ts writes the three examples and SCAN_FUZZ_COUNT (40) generated deployments
#      that the library accepts, as YAML, to a temporary directory;
#   2. kubernetes-validate checks every object of both against the Kubernetes 1.28 schemas with
#      unknown fields rejected (test/scan/validate.py);
#   3. checkov runs its Kubernetes checks over the examples; a failure passes only when
#      test/scan/checkov-skips.yaml skips it, with its reason (test/scan/checkov_report.py).
# The Python tools, pinned in test/scan/requirements.txt, live in a virtualenv cached under
# ${XDG_CACHE_HOME:-~/.cache}/cdk8s-glance/venv-<hash of the requirements and the Python version>:
# the first run installs it from PyPI, later runs reuse it.
# Prints one summary line per check and exits non-zero when either fails.
# SCAN_OUT=<dir> keeps the YAML, checkov's report and the virtualenv's path (venv) there;
# SCAN_PYTHON picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${SCAN_PYTHON:-python3}
KUBERNETES_VERSION=1.28.0
FUZZ_COUNT=${SCAN_FUZZ_COUNT:-40}
FUZZ_SEED=${SCAN_FUZZ_SEED:-20261201}
REQUIREMENTS=test/scan/requirements.txt
SKIPS=test/scan/checkov-skips.yaml

# The virtualenv: built once per requirements and interpreter, under a lock (concurrent runs wait).
cache=${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-glance
hash=$({ cat "$REQUIREMENTS"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)
venv=$cache/venv-$hash
mkdir -p "$cache"
(
  flock 9
  if [ ! -f "$venv/.complete" ]; then
    started=$SECONDS
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install --quiet --no-input -r "$REQUIREMENTS"
    touch "$venv/.complete"
    echo "scan: installed test/scan/requirements.txt into $venv in $((SECONDS - started)) s"
  fi
) 9>"$cache/venv.lock"

out=${SCAN_OUT:-$(mktemp -d)}
[ -n "${SCAN_OUT:-}" ] || trap 'rm -rf "$out"' EXIT
rm -rf "$out/examples" "$out/fuzz"
mkdir -p "$out"
echo "$venv" >"$out/venv"

node_modules/.bin/ts-node --prefer-ts-exts --transpile-only --project test/tsconfig.json \
  test/scan/dump.ts "$out" "$FUZZ_COUNT" "$FUZZ_SEED"

status=0
"$venv/bin/python" test/scan/validate.py "$KUBERNETES_VERSION" "$out/examples" "$out/fuzz" || status=1

# No platform: BC_SKIP_MAPPING and --skip-download keep checkov off the network. Exit code 1 only
# says that some check failed; the report decides, after the skips.
checkov_rc=0
BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" --directory "$out/examples" --framework kubernetes --skip-download \
  --output json >"$out/checkov.json" 2>"$out/checkov.err" || checkov_rc=$?
if [ "$checkov_rc" -gt 1 ]; then
  cat "$out/checkov.err" >&2
  echo "checkov: FAILED: checkov exited with $checkov_rc"
  status=1
else
  "$venv/bin/python" test/scan/checkov_report.py "$SKIPS" "$out/checkov.json" || status=1
fi
exit "$status"
