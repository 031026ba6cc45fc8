# Shared settings of the test cluster (sourced by every script in scripts/cluster/ and read by
# test/cluster/*.ts through `bash -c 'source config.sh; echo $VAR'`). One place for each path.
# shellcheck shell=bash

# Versions. 1.35+ kubelets refuse cgroup v1 and containerd 1.x by default: stay on 1.34.
K8S_VERSION=${K8S_VERSION:-v1.34.4}
K8S_STAGING_VERSION=${K8S_STAGING_VERSION:-v0.34.4}
COREDNS_VERSION=${COREDNS_VERSION:-v1.14.1}
# kube-router: the Go module proxy serves only v2.1.0 of .../kube-router/v2 (later tags answer
# "403 This module version is not available"); its NetworkPolicy firewall is all we use.
KUBE_ROUTER_VERSION=${KUBE_ROUTER_VERSION:-v2.1.0}

# Built artefacts (binaries, image tars), kept across runs and work trees, keyed by version.
CLUSTER_CACHE=${CDK8S_GLANCE_CACHE:-$HOME/.cache/cdk8s-glance}
K8S_BIN=$CLUSTER_CACHE/k8s-$K8S_VERSION/bin
COREDNS_BIN=$CLUSTER_CACHE/coredns-$COREDNS_VERSION/coredns
KUBE_ROUTER_BIN=$CLUSTER_CACHE/kube-router-$KUBE_ROUTER_VERSION/kube-router
IMAGE_CACHE=$CLUSTER_CACHE/images

# Runtime state of one running cluster: removed by down.sh.
CLUSTER_STATE=${CDK8S_GLANCE_CLUSTER_STATE:-/var/lib/cdk8s-glance-cluster}
CLUSTER_RUN=/run/cdk8s-glance-cluster
KUBECONFIG_FILE=$CLUSTER_STATE/admin.kubeconfig
CONTAINERD_SOCK=$CLUSTER_RUN/containerd/containerd.sock
CONTAINERD_NAMESPACE=k8s.io

# Every daemon and pod lives in this network namespace: lo and the pod bridge, no default route.
CLUSTER_NETNS=cdk8s-glance-k8s
POD_CIDR=10.244.0.0/24
POD_BRIDGE=cni0
POD_GATEWAY=10.244.0.1
SERVICE_CIDR=10.96.0.0/24
APISERVER_SERVICE_IP=10.96.0.1
CLUSTER_DNS_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
NODE_NAME=node0

# Images built here (no registry): pods use imagePullPolicy Never.
PAUSE_IMAGE=localhost/cdk8s-glance/pause:3.10
GLANCE_IMAGE_BOOKWORM=localhost/cdk8s-glance/glance:25.1.0-bookworm
GLANCE_IMAGE_TRIXIE=localhost/cdk8s-glance/glance:30.0.0-trixie

# The default StorageClass with static local volumes.
STORAGE_CLASS=local
# Static local PersistentVolumes that up.sh creates for STORAGE_CLASS (Retain: a released one is
# not reused within a cluster's life), each a folder under $CLUSTER_STATE/pv.
PV_COUNT=${PV_COUNT:-48}
PV_CAPACITY=${PV_CAPACITY:-500Gi}

# The kubelet's cgroup root, made by up.sh in every cgroup v1 hierarchy and removed by down.sh.
CLUSTER_CGROUP=cdk8s-glance-k8s
# Where the cluster's daemons keep their pid files (down.sh stops exactly these).
CLUSTER_PIDS=$CLUSTER_RUN/pids
