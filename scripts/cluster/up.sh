#!/usr/bin/env bash
# Brings up the single-node test cluster (node $NODE_NAME) from cached binaries, all of it inside
# the network namespace $CLUSTER_NETNS, which holds only lo and the pod bridge and has no route
# out: no packet from the cluster can leave the machine, and its DNS never reaches the host's.
#
# Usage: bash scripts/cluster/up.sh
#   Runs build.sh first (returns at once when everything is cached), tears down a cluster left
#   from an earlier run, starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
#   containerd, kubelet, kube-proxy, kube-router (firewall only) and CoreDNS, and returns when
#   the node is Ready, CoreDNS answers, and the StorageClass and PVs exist.
#   Then: scripts/cluster/kubectl ...   (or ip netns exec $CLUSTER_NETNS kubectl --kubeconfig
#   $KUBECONFIG_FILE ...). Stop it with scripts/cluster/down.sh.
# Daemon logs: $CLUSTER_STATE/logs/<daemon>.log; pid files: $CLUSTER_PIDS/<daemon>.pid.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=config.sh
source "$here/config.sh"

t0=$EPOCHREALTIME
elapsed() { awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }
log() { echo "up [$(elapsed)]: $*" >&2; }
die() { log "FAILED: $*"; log "logs: $CLUSTER_STATE/logs/"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root"
bash "$here/build.sh"
export PATH=$K8S_BIN:$PATH
log "binaries ready"

if [ -e "/run/netns/$CLUSTER_NETNS" ] || [ -d "$CLUSTER_STATE" ] || [ -d "$CLUSTER_RUN" ]; then
  log "a cluster from an earlier run is left over: tearing it down"
  bash "$here/down.sh"
fi

LOGS=$CLUSTER_STATE/logs
mkdir -p "$CLUSTER_STATE" "$LOGS" "$CLUSTER_RUN" "$CLUSTER_PIDS"
NETNS_PATH=/run/netns/$CLUSTER_NETNS

# innetns CMD...: runs CMD in the cluster's network namespace. nsenter --net (unlike `ip netns
# exec`, which also makes a private mount namespace) keeps the host's mount namespace, so the
# kubelet's volume mounts and containerd's rootfs mounts see each other.
innetns() { nsenter --net="$NETNS_PATH" "$@"; }

# start NAME CMD...: a daemon in the netns, in its own session (a Ctrl-C or the end of this
# script does not reach it), output to $LOGS/NAME.log, pid to $CLUSTER_PIDS/NAME.pid.
start() {
  local name=$1; shift
  setsid nsenter --net="$NETNS_PATH" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_PIDS/$name.pid"
}
alive() { kill -0 "$(cat "$CLUSTER_PIDS/$1.pid")" 2>/dev/null; }

# wait_for WHAT SECONDS DAEMON CMD...: polls CMD until it succeeds; fails early if DAEMON died.
wait_for() {
  local what=$1 secs=$2 daemon=$3; shift 3
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [ "$daemon" != - ] && ! alive "$daemon"; then
      tail -n 30 "$LOGS/$daemon.log" >&2; die "$daemon exited while waiting for $what"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || { [ "$daemon" != - ] && tail -n 30 "$LOGS/$daemon.log" >&2; die "timed out waiting for $what"; }
    sleep 0.3
  done
  log "$what"
}
kc() { innetns kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# --- network namespace ------------------------------------------------------------------------
ip netns add "$CLUSTER_NETNS"
innetns ip link set lo up
# The pod bridge is made here, not left to the CNI bridge plugin at the first pod, because its
# address is the node's IP: the apiserver advertises it and the kubelet registers it, and both
# start before any pod. The bridge plugin takes over the existing bridge.
innetns ip link add "$POD_BRIDGE" type bridge
innetns ip addr add "$POD_GATEWAY/${POD_CIDR#*/}" dev "$POD_BRIDGE"
innetns ip link set "$POD_BRIDGE" up
# Service IPs from the netns itself (up.sh's DNS check, hostNetwork): without a route (there is
# no default route) the kernel refuses them before kube-proxy's DNAT in OUTPUT can apply.
innetns ip route add "$SERVICE_CIDR" dev "$POD_BRIDGE"
# Per-netns settings: routing between pods and the node, and bridged pod-to-pod traffic through
# iptables (kube-proxy's DNAT replies and kube-router's policies need it; br_netfilter is built in).
innetns sysctl -qw net.ipv4.ip_forward=1
innetns sysctl -qw net.bridge.bridge-nf-call-iptables=1
innetns sysctl -qw net.bridge.bridge-nf-call-ip6tables=1
log "netns $CLUSTER_NETNS: lo, $POD_BRIDGE $POD_GATEWAY, no default route"

# --- PKI --------------------------------------------------------------------------------------
bash "$here/certs.sh"
PKI=$CLUSTER_STATE/pki
log "certificates"

# --- etcd and control plane -------------------------------------------------------------------
# Plain HTTP on 127.0.0.1 of the netns: nothing else can reach it.
start etcd etcd --name "$NODE_NAME" --data-dir "$CLUSTER_STATE/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls "" \
  --snapshot-count 10000 --log-level warn

# --advertise-address: the kubernetes Service's endpoint must not be a loopback address, so the
# apiserver listens on all of the netns's addresses (lo and the bridge) and advertises the node IP.
start kube-apiserver kube-apiserver \
  --etcd-servers http://127.0.0.1:2379 \
  --bind-address 0.0.0.0 --secure-port 6443 --advertise-address "$POD_GATEWAY" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
  --requestheader-client-ca-file "$PKI/ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
  --allow-privileged=true --profiling=false --v=1
wait_for "etcd is up" 30 etcd innetns curl -sf http://127.0.0.1:2379/health
wait_for "kube-apiserver is ready" 90 kube-apiserver kc get --raw /readyz

start kube-controller-manager kube-controller-manager \
  --kubeconfig "$CLUSTER_STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_STATE/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --use-service-account-credentials=true \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --allocate-node-cidrs=true --cluster-cidr "$POD_CIDR" --node-cidr-mask-size "${POD_CIDR#*/}" \
  --profiling=false --v=1
start kube-scheduler kube-scheduler \
  --kubeconfig "$CLUSTER_STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_STATE/scheduler.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_STATE/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1

# --- containerd -------------------------------------------------------------------------------
# Own socket, root and state dirs (no clash with a system containerd). Notable settings:
# - restrict_oom_score_adj: this VM withholds CAP_SYS_RESOURCE, so runc cannot lower a
#   container's oom_score_adj below containerd's own and every pod fails with "can't get final
#   child's PID from pipe: EOF"; with it, containerd clamps the kubelet's values.
# - netns_mounts_under_state_dir: pod network namespaces are pinned under $CLUSTER_RUN instead of
#   the host's /run/netns, so down.sh finds (and removes) exactly the cluster's.
# - the cgroupfs driver (no systemd here), the locally built pause image, CNI config of our own.
mkdir -p "$CLUSTER_STATE/containerd" "$CLUSTER_STATE/cni/net.d" "$CLUSTER_RUN/containerd"
cat >"$CLUSTER_STATE/containerd/config.toml" <<EOF
version = 2
root = "$CLUSTER_STATE/containerd/root"
state = "$CLUSTER_RUN/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CLUSTER_RUN/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_tcp_service = true
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_STATE/cni/net.d"
EOF
# The pod network: the bridge made above; pods route everything via the node (isGateway), and no
# masquerading (nothing leaves the netns). hairpinMode lets a pod reach itself via a ClusterIP.
cat >"$CLUSTER_STATE/cni/net.d/10-cdk8s-glance.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "cdk8s-glance",
  "plugins": [
    {
      "type": "bridge", "bridge": "$POD_BRIDGE", "isGateway": true, "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$CLUSTER_STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
start containerd containerd --config "$CLUSTER_STATE/containerd/config.toml"
wait_for "containerd is up" 30 containerd ctr -a "$CONTAINERD_SOCK" version
pause_tar=$(bash "$here/pause-image.sh" | tail -1)
ctr -a "$CONTAINERD_SOCK" -n "$CONTAINERD_NAMESPACE" images import "$pause_tar" >/dev/null
log "pause image $PAUSE_IMAGE imported"

# --- kubelet ----------------------------------------------------------------------------------
# cgroup v1 with the cgroupfs driver: the kubelet's cgroup root must exist in every hierarchy
# (name=systemd too, which the kubelet checks although no systemd runs).
for h in /sys/fs/cgroup/*/; do
  [ -d "$h" ] && [ "$(basename "$h")" != unified ] && mkdir -p "$h$CLUSTER_CGROUP"
done
mkdir -p "$CLUSTER_STATE/kubelet" "$CLUSTER_STATE/pod-logs"
# Pods' resolv.conf is made from the cluster DNS and this file's search/options: it names only
# the cluster DNS, so no pod (even with dnsPolicy Default) is pointed at the host's resolver.
echo "nameserver $CLUSTER_DNS_IP" >"$CLUSTER_STATE/resolv.conf"
cat >"$CLUSTER_STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 is in maintenance mode: 1.34 kubelets refuse it unless told not to.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /$CLUSTER_CGROUP
# The kubelet's own oom_score_adj: lowering it (default -999) needs CAP_SYS_RESOURCE.
oomScoreAdj: 0
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $POD_GATEWAY
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $CLUSTER_STATE/resolv.conf
podLogsDir: $CLUSTER_STATE/pod-logs
volumePluginDir: $CLUSTER_STATE/kubelet/volume-plugins
failSwapOn: false
# Images are imported by hand (no registry to pull them again): never garbage-collect them, and
# evict nothing for disk pressure on a shared development disk.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
maxPods: 110
serializeImagePulls: false
EOF
start kubelet kubelet --config "$CLUSTER_STATE/kubelet/config.yaml" \
  --kubeconfig "$CLUSTER_STATE/kubelet.kubeconfig" --root-dir "$CLUSTER_STATE/kubelet" \
  --cert-dir "$CLUSTER_STATE/kubelet/pki" --hostname-override "$NODE_NAME" --node-ip "$POD_GATEWAY" \
  --v=1
wait_for "node $NODE_NAME registered" 60 kubelet kc get node "$NODE_NAME"

# --- cluster objects --------------------------------------------------------------------------
# RBAC for the two add-ons that authenticate by certificate; the kube-dns Service at
# CLUSTER_DNS_IP with a hand-made EndpointSlice pointing at CoreDNS on the node IP; the default
# StorageClass and its static local PersistentVolumes.
{
  cat <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "cdk8s-glance:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "cdk8s-glance:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "cdk8s-glance:coredns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: coredns}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "cdk8s-glance:kube-router"}
rules:
- apiGroups: [""]
  resources: [namespaces, pods, services, nodes, endpoints]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "cdk8s-glance:kube-router"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "cdk8s-glance:kube-router"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-router}]
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  clusterIP: $CLUSTER_DNS_IP
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-node
  namespace: kube-system
  labels:
    kubernetes.io/service-name: kube-dns
    endpointslice.kubernetes.io/managed-by: cdk8s-glance-up.sh
addressType: IPv4
endpoints:
- addresses: ["$POD_GATEWAY"]
  conditions: {ready: true}
  nodeName: $NODE_NAME
ports:
- {name: dns, port: 53, protocol: UDP}
- {name: dns-tcp, port: 53, protocol: TCP}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $STORAGE_CLASS
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
EOF
  # Local volumes (not hostPath): the kubelet applies a pod's fsGroup to them, so restricted
  # pods running as non-root can write. ReadWriteMany is declared too: on one node it holds.
  for i in $(seq -w 1 "$PV_COUNT"); do
    mkdir -p "$CLUSTER_STATE/pv/pv-$i"
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv-$i
spec:
  capacity: {storage: $PV_CAPACITY}
  accessModes: [ReadWriteOnce, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $STORAGE_CLASS
  volumeMode: Filesystem
  local: {path: $CLUSTER_STATE/pv/pv-$i}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [$NODE_NAME]}
EOF
  done
} >"$CLUSTER_STATE/cluster-objects.yaml"
# kube-system exists once the apiserver has made it.
wait_for "namespace kube-system exists" 30 kube-apiserver kc get namespace kube-system
kc apply -f "$CLUSTER_STATE/cluster-objects.yaml" >"$LOGS/cluster-objects.log"
log "RBAC, kube-dns Service, StorageClass $STORAGE_CLASS, $PV_COUNT PVs"

# --- kube-proxy, kube-router, CoreDNS ---------------------------------------------------------
# kube-proxy exits when its config file changes: it is written once, before it starts.
# conntrack: 0 = leave the (host-global) conntrack sysctls alone.
cat >"$CLUSTER_STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $CLUSTER_STATE/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
start kube-proxy kube-proxy --config "$CLUSTER_STATE/kube-proxy.yaml" --v=1

# Only the NetworkPolicy firewall: routing is the bridge's, services are kube-proxy's.
start kube-router "$KUBE_ROUTER_BIN" --kubeconfig "$CLUSTER_STATE/kube-router.kubeconfig" \
  --run-firewall=true --run-router=false --run-service-proxy=false \
  --hostname-override "$NODE_NAME" --service-cluster-ip-range "$SERVICE_CIDR" \
  --enable-ipv4=true --enable-ipv6=false --health-port 20244 --metrics-port 0 --v=1

# CoreDNS on the node IP (the kube-dns EndpointSlice's address). No forward: the cluster's zones
# are answered by the kubernetes plugin, every other name gets NXDOMAIN from the "." block, so no
# query ever leaves.
cat >"$CLUSTER_STATE/Corefile" <<EOF
$CLUSTER_DOMAIN:53 in-addr.arpa:53 ip6.arpa:53 {
  bind $POD_GATEWAY
  errors
  health 127.0.0.1:18080
  ready 127.0.0.1:18181
  cache 5
  kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
    kubeconfig $CLUSTER_STATE/coredns.kubeconfig
    pods insecure
    ttl 5
  }
}
.:53 {
  bind $POD_GATEWAY
  errors
  template ANY ANY {
    rcode NXDOMAIN
  }
}
EOF
start coredns "$COREDNS_BIN" -conf "$CLUSTER_STATE/Corefile"

# --- readiness --------------------------------------------------------------------------------
node_ready() { [ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
wait_for "node $NODE_NAME is Ready" 90 kubelet node_ready
wait_for "CoreDNS is ready" 60 coredns innetns curl -sf http://127.0.0.1:18181/ready
dns_answers() { innetns busybox nslookup "kubernetes.default.svc.$CLUSTER_DOMAIN" "$CLUSTER_DNS_IP" | grep -q "$APISERVER_SERVICE_IP"; }
wait_for "CoreDNS answers on $CLUSTER_DNS_IP (via kube-proxy)" 60 kube-proxy dns_answers
wait_for "kube-proxy is healthy" 30 kube-proxy innetns curl -sf http://127.0.0.1:10256/healthz
wait_for "kube-router is healthy" 30 kube-router innetns curl -sf http://127.0.0.1:20244/healthz
sc_and_pvs() { [ "$(kc get pv -o name | wc -l)" -ge "$PV_COUNT" ] && kc get storageclass "$STORAGE_CLASS"; }
wait_for "StorageClass and PVs exist" 10 - sc_and_pvs
sa_ready() { kc -n default get serviceaccount default; }
wait_for "default ServiceAccount exists" 30 kube-controller-manager sa_ready
log "cluster is up: $here/kubectl get nodes"
