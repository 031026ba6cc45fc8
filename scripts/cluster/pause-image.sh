#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image PAUSE_IMAGE from a few lines of C compiled statically:
# there is no registry to pull registry.k8s.io/pause from.
#
# Usage: bash scripts/cluster/pause-image.sh [--import]
#   Prints the path of the image archive ($IMAGE_CACHE/pause-<hash>.tar) on its last stdout line.
#   Cached: the archive's name holds a hash of this script and PAUSE_IMAGE, so a second run
#   only prints the path. With --import it also imports the image into the cluster's containerd
#   (CONTAINERD_SOCK, namespace CONTAINERD_NAMESPACE), which must be running.
# Needs gcc and libc6-dev (build.sh packages installs them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=config.sh
source "$here/config.sh"

hash=$( { cat "${BASH_SOURCE[0]}" "$here/oci-image.py"; echo "$PAUSE_IMAGE"; } | sha256sum | cut -c1-16)
out=$IMAGE_CACHE/pause-$hash.tar
mkdir -p "$IMAGE_CACHE"

if [ ! -f "$out" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Sleeps until SIGINT/SIGTERM; as PID 1 of a pod with a shared PID namespace it reaps zombies.
  cat >"$work/pause.c" <<'EOF'
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void quit(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGINT, quit);
  signal(SIGTERM, quit);
  signal(SIGCHLD, reap);
  for (;;) pause();
  return 1;
}
EOF
  mkdir -p "$work/rootfs"
  gcc -static -Os -s -o "$work/rootfs/pause" "$work/pause.c"
  rm -f "$IMAGE_CACHE"/pause-*.tar   # archives of earlier versions of this script
  # 65535: the user the upstream pause image runs as (pods' runAsNonRoot does not apply to it).
  python3 "$here/oci-image.py" --root "$work/rootfs" --name "$PAUSE_IMAGE" --out "$out" --cmd /pause --user 65535:65535 >/dev/null
fi

if [ "${1:-}" = "--import" ]; then
  ctr -a "$CONTAINERD_SOCK" -n "$CONTAINERD_NAMESPACE" images import "$out" >/dev/null
fi
echo "$out"
