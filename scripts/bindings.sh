#!/usr/bin/env bash
# The Python, Java and Go packages, built for real by jsii-pacmak from the jsii assembly, and the
# .NET sources (generated only: no .NET SDK or NuGet here). README, "Other languages and API docs".
#
#   bash scripts/bindings.sh                build (run `npx jsii --silence-warnings=reserved-word` first):
#                                           dist/python (wheel, sdist), dist/java (Maven repository
#                                           with the jar), dist/go/cdk8sglance (Go module), dist/dotnet
#   bash scripts/bindings.sh run LANG DIR   LANG = python | java | go: installs the built package with
#                                           that language's cdk8s and cdk8s-plus-28 packages (the npm
#                                           versions), and runs test/bindings/LANG, which synthesizes
#                                           the Ceph example into DIR (test/bindings/bindings.test.ts)
#
# Downloads are cached between runs in $CDK8S_GLANCE_BINDINGS_CACHE, by default
# ~/.cache/cdk8s-glance-bindings: pip's cache and a venv per set of versions, Maven's local
# repository, Go's module and build caches. Delete the folder to start cold.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=${CDK8S_GLANCE_BINDINGS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-glance-bindings}
mkdir -p "$cache"
m2=$cache/m2
export PIP_CACHE_DIR=$cache/pip PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
export GOMODCACHE=$cache/go/mod GOCACHE=$cache/go/build
# -mod=mod: go.mod and go.sum may be completed on the fly. -modcacherw: a cache `rm -rf` can delete.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod -modcacherw"
# As jsii-pacmak does: Maven's short-lived JVMs start faster without the optimizing JIT.
export MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+TieredCompilation -XX:TieredStopAtLevel=1"

fail() { echo "bindings: $*" >&2; exit 1; }
version() { node -p "require('$root/node_modules/$1/package.json').version"; }
glance_version=$(node -p "require('$root/package.json').version")
cdk8s_version=$(version cdk8s)
plus_version=$(version cdk8s-plus-28)
constructs_version=$(version constructs)
jsii_version=$(version jsii-pacmak) # the jsii runtime of each language, as jsii-pacmak requires it
glance_jar=dist/java/io/github/cdk8s-glance/cdk8s-glance/$glance_version/cdk8s-glance-$glance_version.jar

# Each language's toolchain, or a failure that says how to install it.
need() { command -v "$1" >/dev/null 2>&1 || fail "$2"; }
toolchain() {
  need node "node is missing: install Node.js 20 or newer"
  case $1 in
    python)
      need python3 "python3 is missing: install Python 3.10 or newer with venv (Debian: apt-get install python3 python3-venv)"
      python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null ||
        fail "python3 ($(python3 --version 2>&1)) needs to be 3.10 or newer, with venv and ensurepip (Debian: apt-get install python3-venv)" ;;
    java)
      need javac "javac is missing: install a JDK 11 or newer (Debian: apt-get install openjdk-17-jdk-headless)"
      need mvn "mvn is missing: install Maven 3.6 or newer (Debian: apt-get install maven)" ;;
    go)
      need go "go is missing: install Go 1.25 or newer (https://go.dev/doc/install; Debian's golang package is older)"
      local v; v=$(go env GOVERSION)
      [[ $v =~ ^go1\.([0-9]+) ]] && (( BASH_REMATCH[1] >= 25 )) ||
        fail "$v is too old: the generated go.mod says go 1.25, install Go 1.25 or newer (https://go.dev/doc/install)" ;;
    *) fail "unknown language '$1' (python, java or go)" ;;
  esac
}

# Runs a command with its output in a log, shown only when it fails.
quiet() {
  local log; log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    grep -v '^!!' "$log" | tail -40 >&2
    rm -f "$log"
    fail "failed: $*"
  fi
  rm -f "$log"
}
pacmak() { quiet npx jsii-pacmak "$@"; }
# Runs a build step and says how long it took.
step() {
  local name=$1 start=$SECONDS; shift
  "$@"
  echo "bindings: $name: $((SECONDS - start))s"
}

# org.cdk8s:cdk8s-plus-28 is not served by the Maven repository CI reaches. jsii-pacmak builds it
# from the npm package's assembly, as its publisher does, once per version into the cached local
# repository; Maven then resolves it like a download.
plus28_jar() {
  local jar=$m2/org/cdk8s/cdk8s-plus-28/$plus_version/cdk8s-plus-28-$plus_version.jar
  [ -f "$jar" ] && return
  mkdir -p "$m2"
  (
    flock 9
    [ -f "$jar" ] && exit 0
    echo "bindings: java: building org.cdk8s:cdk8s-plus-28:$plus_version from its npm package (once per version)"
    local out; out=$(mktemp -d)
    # No javadoc: only the classes are used.
    pacmak -t java -o "$out" --maven-local-repository "$m2" --mvn-define maven.javadoc.skip=true node_modules/cdk8s-plus-28
    local dir=$out/java/org/cdk8s/cdk8s-plus-28/$plus_version
    quiet mvn -B -Dmaven.repo.local="$m2" install:install-file \
      -Dfile="$dir/cdk8s-plus-28-$plus_version.jar" -DpomFile="$dir/cdk8s-plus-28-$plus_version.pom"
    rm -rf "$out"
  ) 9>"$m2/.cdk8s-plus-28.lock"
}

build() {
  [ -f .jsii ] || fail "no .jsii: run 'npx jsii --silence-warnings=reserved-word' first"
  local changed; changed=$(find lib -name '*.ts' ! -name '*.d.ts' -newer .jsii | head -3)
  [ -z "$changed" ] || fail "changed after .jsii was built: $changed: run 'npx jsii --silence-warnings=reserved-word' first"
  for lang in python java go; do toolchain "$lang"; done
  rm -rf dist/python dist/java dist/go dist/dotnet dist/python-sdist dist/go-deps

  local start=$SECONDS
  step "dotnet sources" pacmak --code-only -t dotnet
  step "cdk8s-plus-28 jar" plus28_jar
  # Python: jsii-pacmak builds the sdist and wheel in a venv of its own and checks them with twine.
  # Java: Maven compiles, packages and deploys the jar with sources and javadoc to dist/java.
  step "python and java packages" pacmak -t python -t java --maven-local-repository "$m2"
  # Go: the generated module, tidied and compiled. The module proxy CI reaches serves neither
  # cdk8s-core-go nor constructs-go v10.4.0, so jsii-pacmak generates both from the npm packages'
  # assemblies into dist/go-deps (not published), where its build and the Go app find them.
  step "go module" pacmak -t go -o dist/go-deps . node_modules/cdk8s node_modules/constructs
  mkdir -p dist/go
  mv dist/go-deps/go/cdk8sglance dist/go/

  echo "bindings: python: $(cd dist/python && echo *)"
  echo "bindings: java: $glance_jar"
  echo "bindings: go: dist/go/cdk8sglance ($(sed -n 's/^module //p' dist/go/cdk8sglance/go.mod))"
  echo "bindings: dotnet: $(find dist/dotnet -type f | wc -l) generated files (not built)"
  echo "bindings: built in $((SECONDS - start))s (cache: $cache)"
}

run_python() {
  local out=$1 wheel
  wheel=$(ls dist/python/*.whl 2>/dev/null) || fail "no wheel in dist/python: run 'bash scripts/bindings.sh'"
  # The dependencies, from PyPI at the npm versions, in a venv kept per set of versions.
  local key venv
  key=py$(python3 -c 'import platform; print(platform.python_version())')-cdk8s$cdk8s_version-plus28-$plus_version-constructs$constructs_version-jsii$jsii_version
  venv=$cache/python/$key
  mkdir -p "$cache/python"
  (
    flock 9
    if [ ! -x "$venv/bin/python" ]; then
      rm -rf "$venv.new"
      python3 -m venv "$venv.new"
      quiet "$venv.new/bin/python" -m pip install "cdk8s==$cdk8s_version" "cdk8s-plus-28==$plus_version" \
        "constructs==$constructs_version" "jsii==$jsii_version"
      mv "$venv.new" "$venv"
    fi
  ) 9>"$venv.lock"
  # The wheel itself goes into a folder of this run, so that the shared venv never holds a
  # stale build; pip check then holds the wheel's requirements against the venv.
  local site; site=$(mktemp -d)
  quiet "$venv/bin/python" -m pip install --no-deps --no-index --target "$site" "$wheel"
  PYTHONPATH=$site quiet "$venv/bin/python" -m pip check
  PYTHONPATH=$site "$venv/bin/python" test/bindings/python/app.py "$out"
  rm -rf "$site"
}

run_java() {
  local out=$1
  [ -f "$glance_jar" ] || fail "no $glance_jar: run 'bash scripts/bindings.sh'"
  [ -f "$m2/org/cdk8s/cdk8s-plus-28/$plus_version/cdk8s-plus-28-$plus_version.jar" ] ||
    fail "no cdk8s-plus-28 $plus_version in $m2: run 'bash scripts/bindings.sh'"
  local tmp; tmp=$(mktemp -d)
  (
    # One run at a time: each replaces the cached copy of the jar (below).
    flock 9
    # Maven copies a release from dist/java into its local repository once and keeps it: drop that
    # copy so that this run resolves the jar just built.
    rm -rf "$m2/io/github/cdk8s-glance/cdk8s-glance/$glance_version"
    quiet mvn -B -f test/bindings/java/pom.xml -Dmaven.repo.local="$m2" -Dglance.repo="file://$root/dist/java" \
      -Dglance.version="$glance_version" -Dcdk8s.version="$cdk8s_version" -Dcdk8s-plus.version="$plus_version" \
      -Dconstructs.version="$constructs_version" \
      dependency:build-classpath -Dmdep.outputFile="$tmp/classpath" -Dmdep.includeScope=runtime
    # Java 11+ compiles and runs a single source file.
    java -Djava.io.tmpdir="$TMPDIR" -cp "$(cat "$tmp/classpath")" test/bindings/java/ImageCacheCeph.java "$out"
  ) 9>"$m2/.cdk8s-glance.lock"
  rm -rf "$tmp"
}

run_go() {
  local out=$1
  [ -f dist/go/cdk8sglance/go.mod ] || fail "no dist/go/cdk8sglance: run 'bash scripts/bindings.sh'"
  # A copy of the app: replace directives point it at the built module (and at the two modules
  # generated next to it, see build), and the versions follow the npm ones.
  local tmp; tmp=$(mktemp -d)
  cp test/bindings/go/go.mod test/bindings/go/go.sum test/bindings/go/main.go "$tmp/"
  (
    cd "$tmp"
    go mod edit \
      -replace "github.com/cdk8s-glance/cdk8s-glance-go/cdk8sglance=$root/dist/go/cdk8sglance" \
      -replace "github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2=$root/dist/go-deps/go/cdk8s" \
      -replace "github.com/aws/constructs-go/constructs/v10=$root/dist/go-deps/go/constructs" \
      -require "github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2@v$cdk8s_version" \
      -require "github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2@v$plus_version" \
      -require "github.com/aws/constructs-go/constructs/v10@v$constructs_version" \
      -require "github.com/aws/jsii-runtime-go@v$jsii_version"
    quiet go build -o app .
    ./app "$out"
  )
  rm -rf "$tmp"
}

case ${1:-build} in
  build) build ;;
  run)
    [ $# -eq 3 ] || fail "usage: bash scripts/bindings.sh run python|java|go OUTDIR"
    toolchain "$2"
    mkdir -p "$3"
    out=$(cd "$3" && pwd)
    # The runtimes' scratch files (jsii unpacks its kernel there; Java's stays behind) go into a
    # folder of this run, removed at the end.
    TMPDIR=$(mktemp -d)
    export TMPDIR
    trap 'rm -rf "$TMPDIR"' EXIT
    "run_$2" "$out" ;;
  *) fail "usage: bash scripts/bindings.sh [build | run python|java|go OUTDIR]" ;;
esac
