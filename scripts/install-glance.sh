#!/usr/bin/env bash
# Installs what the tests need from Debian: real OpenStack Glance for the end-to-end tests
# (Glance 25.1.0 on bookworm, and Glance 30.0.0 in a trixie root filesystem that
# scripts/glance-rootfs.sh makes once and caches in .cache/), the Python libraries of the image
# stores the tests configure (swift, s3, cinder, rbd), bubblewrap for the pod sandboxes they run
# in, MariaDB for the database the pods share, a Ceph monitor for the clusters of the rbd store
# tests, Debian's Apache httpd (apache2: /usr/sbin/apache2, mod_ssl and mod_proxy in
# /usr/lib/apache2/modules) for the API pods' TLS terminator, memcached for the token cache test,
# RabbitMQ (rabbitmq-server) for the notifications test,
# and setuptools for building the Python binding. No service is left running or enabled: the tests start their own processes.
set -euo pipefail
cd "$(dirname "$0")/.."

install_host() {
  if command -v glance-api >/dev/null && command -v glance >/dev/null && command -v qemu-img >/dev/null \
    && command -v bwrap >/dev/null && command -v mariadbd >/dev/null && command -v ceph-mon >/dev/null \
    && command -v keystone-manage >/dev/null && command -v uwsgi >/dev/null && [ -x /usr/bin/memcached ] \
    && [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] \
    && [ -x /usr/sbin/apache2 ] && [ -f /usr/lib/apache2/modules/mod_ssl.so ] \
    && /usr/bin/python3 -c 'import setuptools, pymysql, swiftclient, boto3, cinderclient, os_brick, rbd, rados' 2>/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-glance: needs root for apt-get; run it with sudo" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # python3-setuptools builds the Python binding (scripts/bindings.sh). The store libraries: glance_store
  # imports each lazily and only reports a missing one when the store is configured. python3-keystone
  # (keystone-manage, keystone-wsgi-public) and uWSGI's python3 plugin serve the tests' own Keystone
  # (test/sandbox/keystone.ts); not the keystone package, whose postinst bootstraps a database and
  # starts a Keystone service on :5000. apache2's postinst would start Debian's own httpd on :80:
  # a policy-rc.d that refuses every start is in place while apt runs (the machine's own, if it has
  # one, else a temporary one removed after).
  local policy=/usr/sbin/policy-rc.d temporary_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# install-glance: no service starts while the test packages are installed\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    temporary_policy=$policy
    # shellcheck disable=SC2064
    trap "rm -f '$policy'" EXIT
  fi
  apt-get install -y -qq --no-install-recommends glance-api python3-glanceclient qemu-utils python3-setuptools \
    bubblewrap mariadb-server mariadb-client python3-pymysql \
    python3-swiftclient python3-boto3 python3-cinderclient python3-os-brick python3-rbd python3-rados ceph-mon \
    python3-keystone uwsgi-plugin-python3 apache2 memcached rabbitmq-server >/dev/null
  if [ -n "$temporary_policy" ]; then
    rm -f "$temporary_policy"
    trap - EXIT
  fi
  # The Debian packages enable system services; the tests start their own processes (ceph-mon: one
  # monitor per Ceph cluster the rbd store tests connect to, test/sandbox/ceph-mon.ts; apache2: the
  # TLS terminators of the API pods, each with its own config).
  systemctl disable --now glance-api mariadb ceph.target ceph-mon.target apache2 apache-htcacheclean memcached rabbitmq-server epmd.socket \
    epmd.service >/dev/null 2>&1 || true
  # Debian's own httpd, if a policy let it start anyway (its pid file; the tests' httpds keep theirs elsewhere).
  if [ -s /run/apache2/apache2.pid ] && kill -0 "$(cat /run/apache2/apache2.pid)" 2>/dev/null; then
    echo "install-glance: stopping Debian's apache2 service (pid $(cat /run/apache2/apache2.pid))" >&2
    /usr/sbin/apache2ctl stop || kill "$(cat /run/apache2/apache2.pid)"
  fi
  glance-api --version
  /usr/sbin/apache2 -v | head -n 1
}

install_host
# Glance 30.0.0 in .cache/rootfs-trixie: a cached run returns at once, a cold build takes about 90 s.
bash scripts/glance-rootfs.sh trixie >/dev/null
