#!/usr/bin/env bash
# Proves that a running test cluster (scripts/cluster/up.sh) does what the tests need:
#   - Pod Security admission: a namespace labelled enforce=restricted admits restricted pods and
#     refuses a pod with an inline nfs volume;
#   - a StatefulSet (headless Service, 2 replicas, uid 42415 with fsGroup) whose claims bind to
#     the default StorageClass's local PVs and are writable;
#   - DNS: <sts>-1.<sts>.<ns>.svc.cluster.local and the short <sts>-1.<sts>.<ns>.svc (search path)
#     from the other pod; a name outside the cluster gets NXDOMAIN (nothing is forwarded);
#   - a ClusterIP Service (kube-proxy);
#   - NetworkPolicy (kube-router): allowed from one namespace, denied from another.
# Usage: bash scripts/cluster/smoke.sh [--keep]   (--keep leaves the smoke namespaces in place)
# Its test image (busybox-static: sh, nc, nslookup, httpd) is built with oci-image.py and
# imported into the cluster's containerd.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=config.sh
source "$here/config.sh"

keep=${1:-}
NS=smoke NS_ALLOWED=smoke-allowed NS_DENIED=smoke-denied
IMAGE=localhost/cdk8s-glance/smoke-busybox:1
t0=$EPOCHREALTIME
elapsed() { awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }
log() { echo "smoke [$(elapsed)]: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }
k() { "$here/kubectl" "$@"; }
# retry SECONDS CMD...: until CMD succeeds.
retry() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 1; done
}

# --- test image -------------------------------------------------------------------------------
hash=$( { cat "${BASH_SOURCE[0]}" "$here/oci-image.py" /bin/busybox; } | sha256sum | cut -c1-16)
tar=$IMAGE_CACHE/smoke-busybox-$hash.tar
if [ ! -f "$tar" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc" "$work/rootfs/data"
  cp /bin/busybox "$work/rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$work/rootfs/bin/$a"; done
  chmod 1777 "$work/rootfs/tmp"
  printf 'root:x:0:0:root:/:/bin/sh\nsmoke:x:42415:42415:smoke:/tmp:/bin/sh\n' >"$work/rootfs/etc/passwd"
  printf 'root:x:0:\nsmoke:x:42415:\n' >"$work/rootfs/etc/group"
  mkdir -p "$IMAGE_CACHE"
  rm -f "$IMAGE_CACHE"/smoke-busybox-*.tar   # archives of earlier versions of this script
  python3 "$here/oci-image.py" --root "$work/rootfs" --name "$IMAGE" --out "$tar" --cmd /bin/sh >/dev/null
fi
ctr -a "$CONTAINERD_SOCK" -n "$CONTAINERD_NAMESPACE" images import "$tar" >/dev/null
log "image $IMAGE imported"

# --- namespaces and workloads -----------------------------------------------------------------
k delete namespace "$NS" "$NS_ALLOWED" "$NS_DENIED" --ignore-not-found --wait=true >/dev/null
security='
      securityContext:
        runAsNonRoot: true
        runAsUser: 42415
        runAsGroup: 42415
        fsGroup: 42415
        seccompProfile: {type: RuntimeDefault}'
csecurity='
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}'
clientpod() {
  cat <<EOF
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: $1, labels: {app: client}}
spec:
  terminationGracePeriodSeconds: 0
  securityContext:
    runAsNonRoot: true
    runAsUser: 42415
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: client
    image: $IMAGE
    imagePullPolicy: Never
    args: ["-c", "exec sleep 100000"]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
EOF
}
{
  for n in "$NS" "$NS_ALLOWED" "$NS_DENIED"; do
    cat <<EOF
---
apiVersion: v1
kind: Namespace
metadata:
  name: $n
  labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/warn: restricted}
EOF
  done
  cat <<EOF
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $NS}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-svc, namespace: $NS}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: $NS}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0$security
      containers:
      - name: web
        image: $IMAGE
        imagePullPolicy: Never
        # Writes its name to the claim and serves the claim over HTTP.
        args: ["-c", "hostname > /data/index.html && exec httpd -f -p 8080 -h /data"]
        ports: [{containerPort: 8080}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1$csecurity
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
EOF
  # A ReadWriteMany claim must bind too (one node: the local PVs declare RWX).
  cat <<EOF
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: $NS}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: rwx, namespace: $NS}
spec:
  terminationGracePeriodSeconds: 0
  securityContext:
    runAsNonRoot: true
    runAsUser: 42415
    fsGroup: 42415
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: rwx
    image: $IMAGE
    imagePullPolicy: Never
    args: ["-c", "echo shared > /shared/probe && exec sleep 100000"]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
    volumeMounts: [{name: shared, mountPath: /shared}]
  volumes:
  - name: shared
    persistentVolumeClaim: {claimName: shared}
EOF
  clientpod "$NS_ALLOWED"
  clientpod "$NS_DENIED"
} | k apply -f - >/dev/null
log "namespaces (enforce=restricted), StatefulSet web, client pods created"

k -n "$NS" rollout status statefulset/web --timeout=120s >/dev/null || die "StatefulSet web not ready"
k -n "$NS_ALLOWED" wait pod/client --for=condition=Ready --timeout=60s >/dev/null
k -n "$NS_DENIED" wait pod/client --for=condition=Ready --timeout=60s >/dev/null
k -n "$NS" wait pod/rwx --for=condition=Ready --timeout=60s >/dev/null || die "pod rwx (ReadWriteMany claim) not ready"
log "StatefulSet web: 2/2 ready; clients ready; pod with a ReadWriteMany claim ready"

# --- storage ----------------------------------------------------------------------------------
for i in 0 1; do
  pv=$(k -n "$NS" get pvc "data-web-$i" -o jsonpath='{.spec.volumeName}')
  sc=$(k -n "$NS" get pvc "data-web-$i" -o jsonpath='{.spec.storageClassName}')
  [ "$sc" = "$STORAGE_CLASS" ] || die "claim data-web-$i has StorageClass '$sc', not the default $STORAGE_CLASS"
  k get pv "$pv" -o jsonpath='{.spec.local.path}' | grep -q "^$CLUSTER_STATE/pv/" || die "claim data-web-$i is not on a local PV"
  out=$(k -n "$NS" exec "web-$i" -- sh -c 'id -u; echo written > /data/probe && cat /data/probe && cat /data/index.html')
  [ "$out" = "$(printf '42415\nwritten\nweb-%s' "$i")" ] || die "web-$i cannot write its claim: $out"
done
[ "$(k -n "$NS" exec rwx -- cat /shared/probe)" = shared ] || die "pod rwx cannot write its ReadWriteMany claim"
log "claims bound to local PVs of StorageClass $STORAGE_CLASS, writable by uid 42415 (fsGroup)"

# --- DNS and services -------------------------------------------------------------------------
# get NS POD HOST PORT: the body of http://HOST:PORT/ as fetched from inside POD. nc, not wget:
# Debian bookworm's busybox-static wget segfaults.
get() {
  k -n "$1" exec "$2" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $3 $4 | tail -n 1" 2>/dev/null
}
answers() { [ "$(get "$1" "$2" "$3" "$4")" = "$5" ]; }
answers_web() { get "$1" "$2" "$3" "$4" | grep -q '^web-[01]$'; }
for name in "web-1.web.$NS.svc.$CLUSTER_DOMAIN" "web-1.web.$NS.svc"; do
  retry 20 answers "$NS" web-0 "$name" 8080 web-1 || die "web-0 cannot fetch http://$name:8080/"
  log "web-0 -> http://$name:8080/ answers web-1 (DNS)"
done
k -n "$NS" exec web-0 -- cat /etc/resolv.conf | grep -q "search $NS.svc.$CLUSTER_DOMAIN" || die "unexpected resolv.conf"
if k -n "$NS" exec web-0 -- nslookup example.com >/dev/null 2>&1; then die "example.com resolved: DNS must not forward"; fi
log "names outside $CLUSTER_DOMAIN do not resolve (no forwarding)"
svcip=$(k -n "$NS" get service web-svc -o jsonpath='{.spec.clusterIP}')
retry 20 answers_web "$NS" web-0 "$svcip" 80 || die "ClusterIP $svcip unreachable"
retry 20 answers_web "$NS_DENIED" client "web-svc.$NS.svc.$CLUSTER_DOMAIN" 80 \
  || die "Service web-svc unreachable by name from $NS_DENIED"
log "ClusterIP Service web-svc ($svcip) answers (kube-proxy)"

# --- NetworkPolicy ----------------------------------------------------------------------------
can_reach() { answers "$1" client "web-0.web.$NS.svc.$CLUSTER_DOMAIN" 8080 web-0; }
cannot_reach() { ! can_reach "$1"; }
retry 20 can_reach "$NS_DENIED" || die "$NS_DENIED cannot reach web-0 even before any policy"
k apply -f - >/dev/null <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: $NS}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $NS_ALLOWED}}
    - podSelector: {}
    ports: [{port: 8080}]
EOF
# kube-router applies a policy (and a new pod's address) within a few seconds: retry.
retry 30 cannot_reach "$NS_DENIED" || die "$NS_DENIED still reaches web-0 under the NetworkPolicy"
retry 30 can_reach "$NS_ALLOWED" || die "$NS_ALLOWED cannot reach web-0 under the NetworkPolicy"
sleep 2
cannot_reach "$NS_DENIED" || die "$NS_DENIED reached web-0 again"
can_reach "$NS_ALLOWED" || die "$NS_ALLOWED lost web-0"
log "NetworkPolicy: $NS_ALLOWED allowed, $NS_DENIED denied (kube-router)"

# --- Pod Security: an inline nfs volume is refused ----------------------------------------------
nfspod="apiVersion: v1
kind: Pod
metadata: {name: nfs-pod, namespace: $NS}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 42415, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: $IMAGE
    imagePullPolicy: Never
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
    volumeMounts: [{name: share, mountPath: /share}]
  volumes:
  - name: share
    nfs: {server: 192.0.2.1, path: /export}"
if out=$(echo "$nfspod" | k apply --dry-run=server -f - 2>&1); then die "a pod with an nfs volume was admitted: $out"; fi
echo "$out" | grep -q 'violates PodSecurity "restricted:latest"' && echo "$out" | grep -q 'nfs' \
  || die "unexpected refusal of the nfs pod: $out"
log "Pod Security refuses an inline nfs volume: $(echo "$out" | grep -o 'restricted volume types.*' | head -1)"

if [ "$keep" != --keep ]; then
  k delete namespace "$NS" "$NS_ALLOWED" "$NS_DENIED" --wait=false >/dev/null
fi
log "all checks passed"
