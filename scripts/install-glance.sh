#!/usr/bin/env bash
# Installs what the tests need from Debian: real OpenStack Glance for the end-to-end tests
# (Glance 25.1.0 on bookworm, and Glance 30.0.0 in a trixie root filesystem that
# scripts/glance-rootfs.sh makes once and caches in .cache/), bubblewrap for the pod sandboxes
# they run in, MariaDB for the database the pods share, and setuptools for building the Python
# binding.
set -euo pipefail
cd "$(dirname "$0")/.."

install_host() {
  if command -v glance-api >/dev/null && command -v glance >/dev/null && command -v qemu-img >/dev/null \
    && command -v bwrap >/dev/null && command -v mariadbd >/dev/null && /usr/bin/python3 -c 'import setuptools, pymysql' 2>/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-glance: needs root for apt-get; run it with sudo" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # python3-setuptools builds the Python binding (scripts/bindings.sh).
  apt-get install -y -qq --no-install-recommends glance-api python3-glanceclient qemu-utils python3-setuptools \
    bubblewrap mariadb-server mariadb-client python3-pymysql >/dev/null
  # The Debian packages enable system services; the tests start their own processes.
  systemctl disable --now glance-api mariadb >/dev/null 2>&1 || true
  glance-api --version
}

install_host
# Glance 30.0.0 in .cache/rootfs-trixie: a cached run returns at once, a cold build takes about 90 s.
bash scripts/glance-rootfs.sh trixie >/dev/null
