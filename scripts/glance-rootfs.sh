#!/usr/bin/env bash
# Builds a Debian root filesystem that holds real OpenStack Glance, for the end-to-end tests'
# pod sandboxes: `debootstrap --variant=minbase SUITE` from deb.debian.org, then glance-api,
# python3-pymysql, qemu-utils, the store libraries and apache2 (the API pods' TLS terminator)
# installed with apt (no recommends, no services started, no debconf questions, no database or
# Keystone set up by the packages' maintainer scripts).
# The default suite, trixie, gives Glance 30.0.0 (OpenStack 2025.1).
#
# Usage: bash scripts/glance-rootfs.sh [SUITE] [DEST | --stamp]
#   SUITE defaults to trixie, DEST to <repo>/.cache/rootfs-SUITE. With --stamp it prints the
#   stamp a finished build of SUITE carries, and builds nothing.
# The last line of stdout is the absolute path of the finished root filesystem; progress goes to
# stderr and the build's full log to DEST.log, so a test can do
#   root=$(bash scripts/glance-rootfs.sh | tail -1)
#
# Cached: DEST holds a stamp with a hash of this script and of the suite, written only when a
# build has finished and passed its checks. A run that finds a matching stamp prints DEST and
# exits at once (no root needed). Otherwise it builds into a temporary sibling folder and
# renames it to DEST at the very end, so an interrupted build is never taken as finished.
# Building needs root (debootstrap, and apt-get on the host for debootstrap and bubblewrap).
set -euo pipefail

MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
STAMP_NAME=.glance-rootfs-stamp
# What the root filesystem gets on top of minbase. glance-api pulls glance-common and
# python3-glance, which depend on python3-pymysql, python3-xattr (the xattr cache driver),
# python3-sqlalchemy, alembic and qemu-utils; they are named here so that a packaging change
# that drops one fails the build instead of a test. The store libraries (swift, s3, cinder with
# os-brick, rbd) are only recommended by glance_store, and glance_store reports a missing one only
# when its store is configured: they are named for the same reason. apache2 is Debian's Apache
# httpd (/usr/sbin/apache2, mod_ssl, mod_proxy_http, mod_headers in /usr/lib/apache2/modules), the
# TLS terminator in front of glance-api, as the glance-operator's image has httpd and mod_ssl; its
# postinst would start it on :80, which policy-rc.d refuses. The stamp covers this list, so a
# changed list rebuilds the root.
PACKAGES=(glance-api python3-pymysql qemu-utils python3-xattr
  python3-swiftclient python3-boto3 python3-cinderclient python3-os-brick python3-rbd python3-rados apache2)

script=$(readlink -f "${BASH_SOURCE[0]}")
repo=$(cd "$(dirname "$script")/.." && pwd -P)
# in_root and remove_tree.
# shellcheck source=in-root.sh
source "$repo/scripts/in-root.sh"
suite=${1:-trixie}
dest=${2:-$repo/.cache/rootfs-$suite}
case "$suite" in
  ''|*/*|.*) echo "glance-rootfs: bad suite name '$suite'" >&2; exit 2 ;;
esac
stamp=$( { cat "$script" "$repo/scripts/in-root.sh"; printf 'suite=%s\nmirror=%s\n' "$suite" "$MIRROR"; } | sha256sum | cut -d' ' -f1)
# --stamp as DEST: prints the stamp a finished build has, and builds nothing (images.sh keys its
# cached images by it, so that a cached image needs no root).
if [ "${2:-}" = --stamp ]; then
  echo "$stamp"
  exit 0
fi
mkdir -p "$(dirname "$dest")"
dest=$(cd "$(dirname "$dest")" && pwd -P)/$(basename "$dest")

is_finished() { [ -f "$dest/$STAMP_NAME" ] && [ "$(cat "$dest/$STAMP_NAME")" = "$stamp" ]; }

if is_finished; then
  echo "$dest"
  exit 0
fi

log() { echo "glance-rootfs: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "no finished build at $dest; building one needs root (debootstrap): run it with sudo"
  exit 1
fi

# One builder at a time per DEST; whoever waited finds the other's build finished.
exec 9>"$dest.lock"
if ! flock -n 9; then
  log "another build of $dest is running; waiting for it"
  flock 9
fi
if is_finished; then
  echo "$dest"
  exit 0
fi

buildlog=$dest.log
: >"$buildlog"
# Runs a command with its output in the build log; on failure shows the log's tail.
run() {
  if ! "$@" >>"$buildlog" 2>&1; then
    log "failed: $*"
    tail -n 40 "$buildlog" >&2
    log "full log: $buildlog"
    return 1
  fi
}

# Leftovers of interrupted builds (we hold the lock, so nobody is using them).
for old in "$dest".tmp.* "$dest".old.*; do
  if [ -e "$old" ]; then
    log "removing leftover $old"
    remove_tree "$old"
  fi
done

export DEBIAN_FRONTEND=noninteractive
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v bwrap >/dev/null || missing+=(bubblewrap)
[ -r "$KEYRING" ] || missing+=(debian-archive-keyring)
command -v gpgv >/dev/null || missing+=(gpgv)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing on the host: ${missing[*]}"
  run apt-get update
  run apt-get install -y --no-install-recommends "${missing[@]}"
fi

start=$SECONDS
tmp=$(mktemp -d "$dest.tmp.XXXXXX")
trap 'remove_tree "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
chmod 0755 "$tmp"

# debootstrap checks the suite's Release file against the host's keyring and fails if it cannot
# (bookworm's debian-archive-keyring >= 2023.3+deb12u2 has the trixie keys, and trixie's
# Release is also signed with the bookworm-era archive keys).
log "debootstrap $suite from $MIRROR into $tmp"
# adduser comes with the base: apt preconfigures glance-common, whose debconf config script runs
# addgroup, before it unpacks anything (without it: "glance-common failed to preconfigure").
run env LC_ALL=C debootstrap --variant=minbase --components=main --include=adduser --keyring="$KEYRING" \
  "$suite" "$tmp" "$MIRROR"
grep -m1 'Valid Release signature' "$buildlog" | sed 's/^I: /glance-rootfs: /' >&2 || true

# No service may start from a maintainer script.
printf '#!/bin/sh\n# glance-rootfs: never start services while packages are installed\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod 0755 "$tmp/usr/sbin/policy-rc.d"
cat >"$tmp/etc/apt/apt.conf.d/90glance-rootfs" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
cat >"$tmp/etc/dpkg/dpkg.cfg.d/90glance-rootfs" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
EOF

# glance-common asks whether to set up a database (dbconfig-common), RabbitMQ and keystone_authtoken;
# glance-api asks whether to register an endpoint in Keystone. All default to false, and the
# postinsts act only on true; preseed false all the same, so a changed default cannot turn one on.
log "installing ${PACKAGES[*]}"
run in_root "$tmp" "
debconf-set-selections <<'EOF'
glance-common glance/configure_db boolean false
glance-common glance/configure_rabbit boolean false
glance-common glance/configure_ksat boolean false
glance-common glance-common/dbconfig-install boolean false
glance-api glance/configure_api-endpoint boolean false
EOF
apt-get update
apt-get install -y --no-install-recommends ${PACKAGES[*]}
apt-get clean
"

# Keep it small; apt-get update again before installing anything more into it.
rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/*.bin "$tmp"/var/cache/apt/archives/*.deb \
  "$tmp"/var/cache/debconf/*-old "$tmp"/var/lib/dpkg/*-old "$tmp"/tmp/* "$tmp"/var/tmp/*
mkdir -p "$tmp/var/lib/apt/lists/partial"

# The checks the tests rely on, read-only as the pods will see it.
check() {
  bwrap --ro-bind "$tmp" / --proc /proc --dev /dev --tmpfs /tmp --tmpfs /run --unshare-all --die-with-parent \
    /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"
}
version=$(check glance-api --version 2>&1 | tail -n 1) || true
case "$suite" in trixie) want='30.*' ;; *) want='[0-9]*' ;; esac
# shellcheck disable=SC2254
case "$version" in
  $want) ;;
  *) log "glance-api --version printed '$version', expected $want"; exit 1 ;;
esac
run check glance-manage --version
run check python3 -c '
from glance.image_cache import ImageCache
import glance.image_cache.drivers.sqlite, glance.image_cache.drivers.xattr
import pymysql, sqlalchemy
import swiftclient, boto3, cinderclient, os_brick, oslo_privsep, rbd, rados
'
# The centralized_db cache driver exists from Glance 28 (2024.1): bookworm's 25.1.0 has none.
case "$suite" in bookworm) ;; *) run check python3 -c 'import glance.image_cache.drivers.centralized_db' ;; esac
run check qemu-img --version
# The terminator: the binary and the modules the library's httpd config loads (mpm_event is not built in on Debian).
run check sh -c 'apache2 -v && cd /usr/lib/apache2/modules &&
  ls mod_mpm_event.so mod_ssl.so mod_socache_shmcb.so mod_proxy.so mod_proxy_http.so mod_headers.so mod_setenvif.so mod_authz_core.so'
log "glance-api $version in $suite, built in $((SECONDS - start)) s ($(du -sh "$tmp" | cut -f1))"

echo "$stamp" >"$tmp/$STAMP_NAME"
if [ -e "$dest" ]; then
  mv -T "$dest" "$dest.old.$$"
fi
mv -T "$tmp" "$dest"
trap - EXIT
remove_tree "$dest.old.$$"
echo "$dest"
