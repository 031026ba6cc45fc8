#!/usr/bin/env bash
# Generates the Python, Java, Go and .NET bindings from the jsii assembly (run `jsii` first),
# and builds what this machine can build. Java, Go and .NET need the jsii runtime from
# Maven Central, the Go module proxy and NuGet, which are out of reach here: for those the
# generated sources are the result, and jsii-pacmak fails if the API cannot be expressed.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist/python dist/java dist/go dist/dotnet
npx jsii-pacmak --code-only -t python -t java -t go -t dotnet

# Python: a real sdist with Debian's setuptools, and every module byte-compiled.
build=$(mktemp -d)
cp -r dist/python/. "$build"
(cd "$build" && /usr/bin/python3 setup.py -q sdist --dist-dir "$OLDPWD/dist/python-sdist" 2>/dev/null)
/usr/bin/python3 -m compileall -q "$build/src"
rm -rf "$build"

for lang in python java go dotnet; do
  echo "bindings: $lang: $(find "dist/$lang" -type f | wc -l) files"
done
echo "bindings: python sdist: $(ls dist/python-sdist)"
