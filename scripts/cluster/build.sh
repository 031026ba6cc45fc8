#!/usr/bin/env bash
# Installs what the test cluster needs and builds (or finds cached) its binaries:
#   packages     Debian packages: etcd, containerd, runc, CNI plugins, iptables, ipset, ...
#   k8s          kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
#                kubectl at K8S_VERSION, built from the Go module proxy (~16 min cold on 2 cores)
#   coredns      CoreDNS with only the plugins the cluster uses (no forward: no query leaves)
#   kube-router  kube-router, of which the cluster runs only the NetworkPolicy firewall
#
# Usage: bash scripts/cluster/build.sh [COMPONENT...]     (default: all four, in that order)
#
# Each built component goes to a temporary folder, is checked, and only then is renamed into
# its config.sh path with a stamp file beside its binaries; a run that finds the stamp returns
# at once. A flock per component makes a second run wait for the first instead of building too.
# Build logs: $CLUSTER_CACHE/logs/<component>.log. Needs root (apt-get).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=config.sh
source "$here/config.sh"

# Bump a recipe string when the way a component is built changes: that (not an edit elsewhere
# in this file) is what invalidates its cache.
K8S_RECIPE="k8s-$K8S_VERSION-staging-$K8S_STAGING_VERSION-r1"
COREDNS_RECIPE="coredns-$COREDNS_VERSION-r2"
KUBE_ROUTER_RECIPE="kube-router-$KUBE_ROUTER_VERSION-r1"
STAMP_NAME=.build-stamp

# Debian packages (bookworm): what runs the cluster and what its scripts and image builders use.
PACKAGES=(etcd-server containerd runc containernetworking-plugins iptables ipset conntrack
  iproute2 kmod openssl util-linux busybox-static gcc libc6-dev jq ethtool socat)

log() { echo "build: $*" >&2; }
mkdir -p "$CLUSTER_CACHE/logs"
# The Go toolchain of this machine kind lives in /usr/local/go; a bare environment may lack it.
command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin

# Runs "$@" with output to the component's log; on failure shows the log's tail.
run_logged() {
  local logf=$1; shift
  if ! "$@" >>"$logf" 2>&1; then
    log "failed: $*"; tail -n 40 "$logf" >&2; log "full log: $logf"; return 1
  fi
}

stamp_ok() { [ -f "$1/$STAMP_NAME" ] && [ "$(cat "$1/$STAMP_NAME")" = "$2" ]; }

# with_lock NAME FUNCTION...: one builder per component at a time.
with_lock() {
  local name=$1; shift
  exec {lockfd}>"$CLUSTER_CACHE/.$name.lock"
  if ! flock -n "$lockfd"; then log "another build of $name is running; waiting"; flock "$lockfd"; fi
  "$@"
  exec {lockfd}>&-
}

# ---------------------------------------------------------------------------------------------
build_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local logf=$CLUSTER_CACHE/logs/packages.log
  : >"$logf"
  run_logged "$logf" apt-get update
  # The packages ship services (etcd, containerd) that must not start on the host: with no
  # systemd they would be started through invoke-rc.d, which a policy-rc.d answering 101 stops.
  # Install one for the duration if the machine has none.
  local policy_added=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_added=1
  fi
  DEBIAN_FRONTEND=noninteractive run_logged "$logf" apt-get install -y --no-install-recommends "${missing[@]}" \
    || { [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d; return 1; }
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# ---------------------------------------------------------------------------------------------
# Kubernetes: a throwaway Go module that requires k8s.io/kubernetes and replaces every k8s.io/*
# staging module (which k8s.io/kubernetes's own go.mod points at ./staging/src/...) by its
# published v0.x version; `go build` then compiles the cmd/ packages from the module cache.
build_k8s() {
  local dest=${K8S_BIN%/bin} logf=$CLUSTER_CACHE/logs/k8s.log
  stamp_ok "$K8S_BIN" "$K8S_RECIPE" && return 0
  log "building Kubernetes $K8S_VERSION (about 16 minutes cold on 2 cores; log: $logf)"
  : >"$logf"
  local tmp=$dest.tmp
  rm -rf "$tmp"; mkdir -p "$tmp/src" "$tmp/bin"
  run_logged "$logf" go mod download k8s.io/kubernetes@"$K8S_VERSION"
  local kmod
  kmod=$(go mod download -json k8s.io/kubernetes@"$K8S_VERSION" | jq -r .GoMod)
  {
    echo "module cdk8s-glance.local/k8s-build"
    echo
    echo "go 1.24.0"
    echo
    # k8s.io/kubernetes builds with these GODEBUG defaults; keep them for the same behaviour.
    grep '^godebug ' "$kmod" || true
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    sed -n '/^replace (/,/^)/p' "$kmod" | grep -o 'k8s.io/[a-z0-9-]* =>' | sed 's/ =>//' |
      while read -r m; do echo "	$m => $m $K8S_STAGING_VERSION"; done
    echo ")"
  } >"$tmp/src/go.mod"
  # The version the binaries report (kubectl version, node status): otherwise v0.0.0-master.
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local ldflags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  # -mod=mod lets go fill go.sum from the module proxy; -p 2 keeps peak memory near 2 GB.
  ( cd "$tmp/src" && CGO_ENABLED=0 run_logged "$logf" go build -mod=mod -p 2 -trimpath \
      -ldflags "$ldflags" -o "$tmp/bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
      k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl )
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    [ -x "$tmp/bin/$b" ] || { log "missing $b after the build"; return 1; }
  done
  "$tmp/bin/kubectl" version --client >>"$logf" 2>&1
  echo "$K8S_RECIPE" >"$tmp/bin/$STAMP_NAME"
  rm -rf "$dest"; mv "$tmp" "$dest"
  log "Kubernetes binaries in $K8S_BIN"
}

# ---------------------------------------------------------------------------------------------
# CoreDNS: a main that registers only the plugins the Corefile uses (the full build pulls in
# every cloud SDK). There is deliberately no forward plugin: no query may leave the cluster.
build_coredns() {
  local dest logf=$CLUSTER_CACHE/logs/coredns.log
  dest=$(dirname "$COREDNS_BIN")
  stamp_ok "$dest" "$COREDNS_RECIPE" && return 0
  log "building CoreDNS $COREDNS_VERSION (log: $logf)"
  : >"$logf"
  local tmp=$dest.tmp
  rm -rf "$tmp"; mkdir -p "$tmp/src"
  cat >"$tmp/src/go.mod" <<EOF
module cdk8s-glance.local/coredns-build

go 1.24.0

require github.com/coredns/coredns $COREDNS_VERSION
EOF
  cat >"$tmp/src/main.go" <<'EOF'
// CoreDNS with a fixed, small plugin set (see scripts/cluster/build.sh).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/template"
)

// The order in which plugins see a query (CoreDNS's plugin.cfg has template before kubernetes;
// here it comes after, so that it only answers what kubernetes passes on).
var directives = []string{"bind", "ready", "health", "errors", "log", "cache", "kubernetes", "template"}

func init() { dnsserver.Directives = directives }

func main() { coremain.Run() }
EOF
  ( cd "$tmp/src" && CGO_ENABLED=0 run_logged "$logf" go build -mod=mod -p 2 -trimpath \
      -ldflags "-s -w" -o "$tmp/coredns" . )
  "$tmp/coredns" -plugins >>"$logf" 2>&1
  grep -qx 'kubernetes' "$logf" || { log "CoreDNS lacks the kubernetes plugin"; return 1; }
  echo "$COREDNS_RECIPE" >"$tmp/$STAMP_NAME"
  rm -rf "$dest"; mv "$tmp" "$dest"
  log "CoreDNS in $COREDNS_BIN"
}

# ---------------------------------------------------------------------------------------------
build_kube_router() {
  local dest logf=$CLUSTER_CACHE/logs/kube-router.log
  dest=$(dirname "$KUBE_ROUTER_BIN")
  stamp_ok "$dest" "$KUBE_ROUTER_RECIPE" && return 0
  log "building kube-router $KUBE_ROUTER_VERSION (log: $logf)"
  : >"$logf"
  local tmp=$dest.tmp
  rm -rf "$tmp"; mkdir -p "$tmp/src"
  cat >"$tmp/src/go.mod" <<EOF
module cdk8s-glance.local/kube-router-build

go 1.24.0

require github.com/cloudnativelabs/kube-router/v2 $KUBE_ROUTER_VERSION
EOF
  ( cd "$tmp/src" && CGO_ENABLED=0 run_logged "$logf" go build -mod=mod -p 2 -trimpath \
      -ldflags "-s -w" -o "$tmp/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router )
  "$tmp/kube-router" --version >>"$logf" 2>&1 || true
  echo "$KUBE_ROUTER_RECIPE" >"$tmp/$STAMP_NAME"
  rm -rf "$dest"; mv "$tmp" "$dest"
  log "kube-router in $KUBE_ROUTER_BIN"
}

# ---------------------------------------------------------------------------------------------
components=("$@")
[ ${#components[@]} -eq 0 ] && components=(packages k8s coredns kube-router)
for c in "${components[@]}"; do
  case "$c" in
    packages) with_lock packages build_packages ;;
    k8s) with_lock k8s build_k8s ;;
    coredns) with_lock coredns build_coredns ;;
    kube-router) with_lock kube-router build_kube_router ;;
    *) log "unknown component '$c' (packages, k8s, coredns, kube-router)"; exit 2 ;;
  esac
done
