#!/usr/bin/env bash
# Makes the test cluster's PKI and kubeconfigs under $CLUSTER_STATE/pki (called by up.sh).
# One CA signs everything; every client identity gets its own certificate and kubeconfig:
#   admin             CN=admin, O=system:masters         (KUBECONFIG_FILE, used by the tests)
#   controller-manager, scheduler, kube-proxy             (built-in RBAC bindings know these CNs)
#   kubelet           CN=system:node:$NODE_NAME, O=system:nodes (Node authorizer)
#   kube-router, coredns                                  (up.sh binds them to ClusterRoles)
#   apiserver-kubelet-client                              (apiserver -> kubelet: logs, exec)
#   front-proxy-client                                    (apiserver -> aggregated APIs)
# plus the apiserver's and the kubelet's serving certificates and the service-account key pair.
# ECDSA P-256 keys: fast to make, so a fresh cluster gets fresh keys every time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=config.sh
source "$here/config.sh"

pki=$CLUSTER_STATE/pki
mkdir -p "$pki"
chmod 700 "$pki"
cd "$pki"

newkey() { openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null; }

openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=cdk8s-glance-test-ca" -out ca.crt 2>/dev/null

# cert NAME SUBJECT EXTENSIONS
cert() {
  local name=$1 subj=$2 ext=$3
  newkey "$name"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}
client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'

cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$APISERVER_SERVICE_IP,IP:$POD_GATEWAY,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
cert kubelet-serving "/CN=system:node:$NODE_NAME/O=system:nodes" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$POD_GATEWAY,IP:127.0.0.1,DNS:$NODE_NAME"

cert admin "/O=system:masters/CN=admin" "$client_ext"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client_ext"
cert controller-manager "/CN=system:kube-controller-manager" "$client_ext"
cert scheduler "/CN=system:kube-scheduler" "$client_ext"
cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$client_ext"
cert kube-proxy "/CN=system:kube-proxy" "$client_ext"
cert kube-router "/CN=kube-router" "$client_ext"
cert coredns "/CN=coredns" "$client_ext"
# The apiserver's identity towards aggregated APIs (front proxy); only this CN may send the
# X-Remote-* headers.
cert front-proxy-client "/CN=front-proxy-client" "$client_ext"

# Service-account tokens: RSA, the algorithm every token consumer accepts.
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null

# kubeconfig NAME: $CLUSTER_STATE/NAME.kubeconfig with the NAME client certificate.
kubeconfig() {
  cat >"$CLUSTER_STATE/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cdk8s-glance
  cluster:
    certificate-authority: $pki/ca.crt
    server: https://127.0.0.1:6443
users:
- name: $1
  user:
    client-certificate: $pki/$1.crt
    client-key: $pki/$1.key
contexts:
- name: cdk8s-glance
  context: {cluster: cdk8s-glance, user: $1}
current-context: cdk8s-glance
EOF
}
for n in admin controller-manager scheduler kubelet kube-proxy kube-router coredns; do kubeconfig "$n"; done
[ "$KUBECONFIG_FILE" = "$CLUSTER_STATE/admin.kubeconfig" ] || cp "$CLUSTER_STATE/admin.kubeconfig" "$KUBECONFIG_FILE"
