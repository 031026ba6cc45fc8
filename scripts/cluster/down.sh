#!/usr/bin/env bash
# Tears down the test cluster that up.sh started, and only that:
#   1. stops the daemons named by the pid files in $CLUSTER_PIDS (the kubelet and the
#      controllers first, so nothing restarts pods; each pid is checked against its command line
#      so that a reused pid is never killed),
#   2. kills every pod process (everything in the kubelet's cgroup root $CLUSTER_CGROUP), then
#      containerd and any process still in the cluster's network namespace (containerd's shims),
#   3. unmounts whatever is mounted under $CLUSTER_STATE and $CLUSTER_RUN (pod rootfs, volumes,
#      pod network namespaces), removes the cgroups, the netns (with all its iptables and ipset
#      state, which live only there) and both folders.
# Usage: bash scripts/cluster/down.sh   (safe when nothing is up; never fails on a missing piece,
# so it can run in a trap; exits 1 only if something could not be removed.)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=config.sh
source "$here/config.sh"

log() { echo "down: $*" >&2; }
status=0

# running PID: true while PID exists and is not a zombie (the daemons' parent is init, which may
# reap them a while after they exit).
running() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# stop NAME...: TERM to each named daemon at once, up to 15 s for all, then KILL. A pid is only
# signalled if its command line still names the daemon (a reused pid is left alone).
stop() {
  local name pid pids=() i
  for name in "$@"; do
    local f=$CLUSTER_PIDS/$name.pid
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null)
    if [ -n "$pid" ] && running "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name"; then
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    fi
    rm -f "$f"
  done
  for i in $(seq 1 150); do
    local left=()
    for pid in "${pids[@]}"; do running "$pid" && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  log "did not stop on TERM, killing: ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null
  sleep 0.2
}

# Every process in the kubelet's cgroup tree: the pods' containers and pause processes.
pod_pids() {
  local h
  for h in /sys/fs/cgroup/*/"$CLUSTER_CGROUP"; do
    [ -d "$h" ] && find "$h" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}
kill_pods() {
  local i pids
  for i in $(seq 1 50); do
    pids=$(pod_pids)
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null
    sleep 0.1
  done
  log "pod processes still alive: $(pod_pids | tr '\n' ' ')"; status=1
}

if [ -d "$CLUSTER_PIDS" ]; then
  stop kubelet kube-controller-manager kube-scheduler kube-router kube-proxy coredns
fi
kill_pods
# Tasks that containerd runs outside the kubelet's cgroups (e.g. started by hand with ctr).
if [ -S "$CONTAINERD_SOCK" ]; then
  for ns in $(timeout 10 ctr -a "$CONTAINERD_SOCK" namespaces ls -q 2>/dev/null); do
    for t in $(timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" tasks ls -q 2>/dev/null); do
      timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" tasks kill -s SIGKILL "$t" >/dev/null 2>&1
    done
  done
fi
if [ -d "$CLUSTER_PIDS" ]; then
  stop containerd
  stop kube-apiserver
  stop etcd
fi

# Whatever is still in the cluster's netns was started there by up.sh or by containerd
# (containerd-shim-runc-v2 survives containerd by design).
if [ -e "/run/netns/$CLUSTER_NETNS" ]; then
  for i in $(seq 1 30); do
    pids=$(ip netns pids "$CLUSTER_NETNS" 2>/dev/null | tr '\n' ' ')
    [ -z "${pids// /}" ] && break
    [ "$i" = 1 ] && log "stopping leftover processes in netns $CLUSTER_NETNS: $pids"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null
    sleep 0.1
  done
fi
kill_pods

# Mounts under the cluster's folders, deepest first (overlay rootfs, volume tmpfs, local PVs'
# bind mounts, pod netns pins).
umount_under() {
  local dir=$1 m
  [ -d "$dir" ] || return 0
  for m in $(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r -u); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || { log "cannot unmount $m"; status=1; }
  done
}
for _ in 1 2; do umount_under "$CLUSTER_STATE"; umount_under "$CLUSTER_RUN"; done

# The kubelet's cgroups, leaves first (a cgroup is removed with rmdir once it has no process).
for h in /sys/fs/cgroup/*/"$CLUSTER_CGROUP"; do
  [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null
  [ -d "$h" ] && { log "cannot remove cgroup $h"; status=1; }
done

if [ -e "/run/netns/$CLUSTER_NETNS" ]; then
  ip netns del "$CLUSTER_NETNS" || { log "cannot delete netns $CLUSTER_NETNS"; status=1; }
fi

# The kubelet links every container's log into the fixed /var/log/containers: drop the links
# that point into this cluster's state.
if [ -d /var/log/containers ]; then
  find /var/log/containers -maxdepth 1 -type l -lname "$CLUSTER_STATE/*" -delete 2>/dev/null
fi

# --one-file-system: never descend into something that could not be unmounted.
for d in "$CLUSTER_STATE" "$CLUSTER_RUN"; do
  [ -e "$d" ] || continue
  rm -rf --one-file-system "$d" 2>/dev/null || { log "cannot remove all of $d"; status=1; }
done
[ "$status" = 0 ] && log "cluster is down"
exit "$status"
