#!/usr/bin/env bash
# The container images the real-cluster tests run, built here from Debian roots (no registry,
# no docker): GLANCE_IMAGE_BOOKWORM (Glance 25.1.0) and GLANCE_IMAGE_TRIXIE (Glance 30.0.0), from
# config.sh.
#
# Usage: bash scripts/cluster/images.sh build [SUITE...]   builds (or finds cached) the image
#                                                           tars; prints their paths, one a line
#        bash scripts/cluster/images.sh import [SUITE...]  builds if needed, then imports into the
#                                                           cluster's containerd, skipping an image
#                                                           it already has with the same digest
#        bash scripts/cluster/images.sh selftest [SUITE...] imports into a private containerd on a
#                                                           temporary socket and runs each image's
#                                                           commands with ctr run; removes it after
# SUITE is bookworm or trixie; the default is both (built in parallel).
#
# Each image is the root of scripts/glance-rootfs.sh SUITE (.cache/rootfs-SUITE, left untouched:
# copied; it has Glance, the store libraries and apache2, the TLS terminator) plus, installed with apt on top: python3-glanceclient
# (`glance`), python3-openstackclient, curl, procps, and what a Keystone and a MariaDB pod need
# so that the tests run them from the same image: python3-keystone (keystone-manage,
# keystone-wsgi-public), uwsgi with its python3 plugin, mariadb-server, mariadb-client,
# ceph-mon (a monitor for the rbd examples' cluster: Glance reads its fsid at start),
# rabbitmq-server and memcached (the notifications bus and the token cache of the cloud-member
# checks). No maintainer script starts a service (policy-rc.d exits 101); glance-common's database, RabbitMQ
# and Keystone questions were preseeded false by glance-rootfs.sh, the keystone package (whose
# postinst bootstraps a database) is not installed, and mariadb-server's postinst only makes the
# system tables in /var/lib/mysql. The user glance has uid and gid 42415 (as in the upstream
# images; the pods run as runAsUser 42415), home /var/lib/glance; the files the packages gave the
# old ids are chowned. mysql keeps the ids its package gave it; there is no keystone user.
# /etc/resolv.conf, /etc/hosts and /etc/hostname are plain files, the kubelet bind-mounts over
# them. Image config: Cmd ["/bin/bash"], no User, WorkingDir /, Env PATH and LANG=C.UTF-8.
#
# The tar (an OCI image layout with one uncompressed layer; IMAGE_GZIP=1 gzips it, which made
# packing 3x and importing about 1.8x slower here) is cached as $IMAGE_CACHE/<name>_<tag>-<hash>.tar,
# the hash over build_one, the packages, oci-image.py, the root's stamp and the options; its
# manifest digest is in <tar>.digest. Built in a temporary folder next to it and renamed at the
# end, one builder at a time per image (flock); older tars of the image are removed. Building
# needs root (cp -a of a root-owned tree, apt in bwrap); finding a cached tar does not.
#
# Overrides: CTR_ADDRESS (default $CONTAINERD_SOCK), CTR_NAMESPACE (default $CONTAINERD_NAMESPACE),
# CONTAINERD_SNAPSHOTTER (read by ctr import; default overlayfs).
set -euo pipefail

script=$(readlink -f "${BASH_SOURCE[0]}")
here=$(dirname "$script")
repo=$(cd "$here/../.." && pwd -P)
# shellcheck source=scripts/cluster/config.sh
source "$here/config.sh"
# shellcheck source=../in-root.sh
source "$repo/scripts/in-root.sh"

GLANCE_UID=42415
GLANCE_GID=42415
EXTRA_PACKAGES=(python3-glanceclient python3-openstackclient curl procps
  python3-keystone uwsgi uwsgi-core uwsgi-plugin-python3 mariadb-server mariadb-client ceph-mon rabbitmq-server memcached)
IMAGE_GZIP=${IMAGE_GZIP:-0}
CTR_ADDRESS=${CTR_ADDRESS:-$CONTAINERD_SOCK}
CTR_NAMESPACE=${CTR_NAMESPACE:-$CONTAINERD_NAMESPACE}

log() { echo "images: $*" >&2; }

image_of() {
  case "$1" in
    bookworm) echo "$GLANCE_IMAGE_BOOKWORM" ;;
    trixie) echo "$GLANCE_IMAGE_TRIXIE" ;;
    *) log "unknown suite '$1' (bookworm or trixie)"; return 2 ;;
  esac
}

# Expected `glance-api --version` per suite.
glance_version_of() {
  case "$1" in bookworm) echo 25.1.0 ;; trixie) echo 30.0.0 ;; esac
}

# localhost/cdk8s-glance/glance:25.1.0-bookworm -> glance_25.1.0-bookworm
base_of() { local ref=${1##*/}; echo "${ref//:/_}"; }

# The finished Debian root with Glance of a suite (glance-rootfs.sh's, built if not cached); prints its path.
root_of() {
  bash "$repo/scripts/glance-rootfs.sh" "$1" | tail -n 1
}

# The tar of one suite's image, built unless cached; prints its path (last line of stdout).
build_one() {
  local suite=$1 name base root rootstamp hash out lockfd buildlog work start digest
  name=$(image_of "$suite")
  base=$(base_of "$name")
  mkdir -p "$IMAGE_CACHE"
  rootstamp=$(bash "$repo/scripts/glance-rootfs.sh" "$suite" --stamp)
  # What makes the image: this function (with the ones it defines), the packages, the ids, the
  # packer, the root's stamp, the name. Not the rest of this script (import, selftest).
  hash=$( { declare -f build_one in_root; declare -p EXTRA_PACKAGES GLANCE_UID GLANCE_GID; cat "$here/oci-image.py"
    printf 'suite=%s\nname=%s\nroot=%s\ngzip=%s\n' "$suite" "$name" "$rootstamp" "$IMAGE_GZIP"; } | sha256sum | cut -c1-16)
  out=$IMAGE_CACHE/$base-$hash.tar
  if [ -f "$out" ] && [ -f "$out.digest" ]; then
    echo "$out"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    log "no finished build of $name at $out; building one needs root"
    return 1
  fi
  exec {lockfd}>"$IMAGE_CACHE/$base.lock"
  if ! flock -n "$lockfd"; then
    log "another build of $name is running; waiting for it"
    flock "$lockfd"
  fi
  if [ -f "$out" ] && [ -f "$out.digest" ]; then
    echo "$out"
    return 0
  fi
  local old
  for old in "$IMAGE_CACHE/$base".tmp.*; do
    if [ -e "$old" ]; then
      log "removing leftover $old"
      remove_tree "$old"
    fi
  done
  if ! command -v bwrap >/dev/null; then
    log "installing bubblewrap on the host"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 bubblewrap >&2
  fi

  buildlog=$IMAGE_CACHE/$base.log
  : >"$buildlog"
  run() {
    if ! "$@" >>"$buildlog" 2>&1; then
      log "$name: failed: $*"
      tail -n 40 "$buildlog" >&2
      log "full log: $buildlog"
      return 1
    fi
  }
  start=$SECONDS
  work=$(mktemp -d "$IMAGE_CACHE/$base.tmp.XXXXXX")
  # shellcheck disable=SC2064
  trap "remove_tree '$work'" EXIT
  chmod 0755 "$work"
  local tree=$work/root
  root=$(root_of "$suite")
  [ "$(cat "$root/.glance-rootfs-stamp")" = "$rootstamp" ] || { log "$root is not the root of stamp $rootstamp"; return 1; }
  log "$name: copying $root"
  cp -a "$root" "$tree"
  rm -f "$tree/.glance-rootfs-stamp"
  # The root was built with policy-rc.d (exit 101) and without recommends; keep both.
  [ -x "$tree/usr/sbin/policy-rc.d" ] || { log "$tree has no policy-rc.d"; return 1; }
  # Plain files for bwrap's bind here now, and for the kubelet's later.
  rm -f "$tree/etc/resolv.conf" "$tree/etc/hosts" "$tree/etc/hostname"
  : >"$tree/etc/resolv.conf"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tree/etc/hosts"
  echo localhost >"$tree/etc/hostname"

  log "$name: installing ${EXTRA_PACKAGES[*]}"
  # mariadb-server's postinst makes the system tables in /var/lib/mysql (mariadb-install-db, no
  # server started); the tests' MariaDB makes its own datadir. python3-keystone has no postinst
  # of note (the keystone package, which bootstraps a database and a service, is not installed).
  run in_root "$tree" "
apt-get update
apt-get install -y --no-install-recommends ${EXTRA_PACKAGES[*]}
apt-get clean
"
  # glance: uid and gid 42415, home /var/lib/glance; every file of the old ids moves with them.
  run in_root "$tree" "
old_uid=\$(id -u glance); old_gid=\$(getent group glance | cut -d: -f3)
if getent passwd $GLANCE_UID | grep -qv '^glance:'; then echo 'uid $GLANCE_UID taken' >&2; exit 1; fi
if getent group $GLANCE_GID | grep -qv '^glance:'; then echo 'gid $GLANCE_GID taken' >&2; exit 1; fi
groupmod -g $GLANCE_GID glance
usermod -u $GLANCE_UID -g $GLANCE_GID -d /var/lib/glance glance
find / -xdev -uid \$old_uid -exec chown -h $GLANCE_UID {} +
find / -xdev -gid \$old_gid -exec chgrp -h $GLANCE_GID {} +
echo \"glance: \$old_uid:\$old_gid -> \$(id -u glance):\$(id -g glance)\"
ls -ld /var/lib/glance /var/log/glance /etc/glance
"
  rm -rf "$tree"/var/lib/apt/lists/* "$tree"/var/cache/apt/*.bin "$tree"/var/cache/apt/archives/*.deb \
    "$tree"/var/cache/debconf/*-old "$tree"/var/lib/dpkg/*-old "$tree"/var/log/apt/* "$tree"/var/log/dpkg.log \
    "$tree"/tmp/* "$tree"/var/tmp/*
  mkdir -p "$tree/var/lib/apt/lists/partial"
  chmod 1777 "$tree/tmp" "$tree/var/tmp"

  # The checks the tests rely on, read-only, as the glance user (setpriv: bwrap's own --uid would
  # need a user namespace, where the files of uid 42415 would show as nobody's).
  check() {
    bwrap --ro-bind "$tree" / --proc /proc --dev /dev --tmpfs /tmp --tmpfs /run --die-with-parent --cap-add ALL \
      --unshare-pid --unshare-ipc --unshare-uts --unshare-net --unshare-cgroup-try \
      /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/glance LANG=C.UTF-8 \
      /usr/bin/setpriv --reuid $GLANCE_UID --regid $GLANCE_GID --clear-groups "$@"
  }
  local version want
  want=$(glance_version_of "$suite")
  version=$(check glance-api --version 2>&1 | tail -n 1) || true
  if [ "$version" != "$want" ]; then
    log "$name: glance-api --version printed '$version', expected $want"
    return 1
  fi
  run check sh -c '
    set -e
    test "$(id -u):$(id -g)" = "42415:42415"
    test "$(getent passwd glance | cut -d: -f3,4,6)" = "42415:42415:/var/lib/glance"
    test -O /var/lib/glance
    glance --version; openstack --version; keystone-manage --version; test -x /usr/bin/keystone-wsgi-public
    uwsgi --plugins python3 --version; test -f /usr/lib/uwsgi/plugins/python3_plugin.so
    mariadbd --version; mariadb --version; command -v mariadb-install-db; curl --version | head -n 1; qemu-img --version
    test -x /usr/lib/rabbitmq/bin/rabbitmq-server; memcached -V
    apache2 -v; test -f /usr/lib/apache2/modules/mod_ssl.so; test -f /usr/lib/apache2/modules/mod_proxy_http.so
    python3 -c "import glanceclient, keystone, pymysql, glance.image_cache.drivers.sqlite"
    for f in /etc/resolv.conf /etc/hosts /etc/hostname; do test -f "$f" && test ! -L "$f"; done'
  log "$name: root ready in $((SECONDS - start)) s ($(du -sh "$tree" | cut -f1)); packing"

  local pack_start=$SECONDS gzip_flag=()
  [ "$IMAGE_GZIP" = 1 ] && gzip_flag=(--gzip)
  digest=$(python3 "$here/oci-image.py" --root "$tree" --name "$name" --out "$work/image.tar" "${gzip_flag[@]}" \
    --cmd /bin/bash --workdir / --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
    2>>"$buildlog" | tail -n 1)
  case "$digest" in sha256:*) ;; *) log "$name: oci-image.py failed"; tail -n 20 "$buildlog" >&2; return 1 ;; esac
  echo "$digest" >"$out.digest.tmp"
  mv -f "$out.digest.tmp" "$out.digest"
  mv -f "$work/image.tar" "$out"
  remove_tree "$work"
  trap - EXIT
  for old in "$IMAGE_CACHE/$base"-*.tar; do
    [ "$old" = "$out" ] || rm -f "$old" "$old.digest"
  done
  log "$name: $out ($(du -h "$out" | cut -f1), $digest) built in $((SECONDS - start)) s (packing $((SECONDS - pack_start)) s)"
  echo "$out"
}

suites_of() {
  if [ $# -eq 0 ]; then echo bookworm trixie; else echo "$@"; fi
}

# Builds the suites' images in parallel; prints the tars' paths in the order asked.
cmd_build() {
  local suites suite status=0 outdir
  read -ra suites <<<"$(suites_of "$@")"
  for suite in "${suites[@]}"; do image_of "$suite" >/dev/null; done
  outdir=$(mktemp -d)
  local pids=()
  for suite in "${suites[@]}"; do
    ( build_one "$suite" >"$outdir/$suite" ) &
    pids+=($!)
  done
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { status=1; log "building ${suites[$i]} failed"; }
  done
  if [ "$status" -eq 0 ]; then
    for suite in "${suites[@]}"; do tail -n 1 "$outdir/$suite"; done
  fi
  rm -rf "$outdir"
  return "$status"
}

ctr_() { ctr -a "$CTR_ADDRESS" -n "$CTR_NAMESPACE" "$@"; }

# The digest containerd holds for an image name, or nothing.
present_digest() {
  ctr_ images ls "name==$1" 2>/dev/null | awk -v n="$1" 'NR > 1 && $1 == n { print $3 }'
}

cmd_import() {
  local suites suite tars tar name digest have start
  read -ra suites <<<"$(suites_of "$@")"
  [ -S "$CTR_ADDRESS" ] || { log "no containerd socket at $CTR_ADDRESS (is the cluster up?)"; return 1; }
  mapfile -t tars < <(cmd_build "${suites[@]}")
  [ "${#tars[@]}" -eq "${#suites[@]}" ] || return 1
  local i
  for i in "${!suites[@]}"; do
    suite=${suites[$i]} tar=${tars[$i]}
    name=$(image_of "$suite")
    digest=$(cat "$tar.digest")
    have=$(present_digest "$name")
    if [ "$have" = "$digest" ]; then
      log "$name: already in containerd ($digest)"
      continue
    fi
    start=$(date +%s.%N)
    log "$name: importing $tar${have:+ (containerd had $have)}"
    ctr_ images import --platform linux/amd64 "$tar" >&2
    have=$(present_digest "$name")
    if [ "$have" != "$digest" ]; then
      log "$name: after import containerd lists '${have:-nothing}', expected $digest"
      ctr_ images ls >&2 || true
      return 1
    fi
    log "$name: imported in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
  done
}

# A private containerd (its own socket, root and state under a temporary folder; not the
# cluster's), the images imported into it, each run with ctr run as uid 42415.
cmd_selftest() {
  local suites suite name dir pid status=0
  read -ra suites <<<"$(suites_of "$@")"
  command -v containerd >/dev/null && command -v runc >/dev/null || {
    log "installing containerd and runc on the host"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 containerd runc >&2
  }
  # Build first (cached or not), so the daemon does not idle through a build.
  cmd_build "${suites[@]}" >/dev/null
  dir=$(mktemp -d /tmp/ctrtest.XXXXXX)
  # restrict_oom_score_adj: this VM withholds CAP_SYS_RESOURCE, and runc fails setting an
  # oom_score_adj below containerd's own ("can't get final child's PID from pipe: EOF").
  cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
  disable_tcp_service = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = "$dir/net.d"
EOF
  containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  pid=$!
  local n
  for n in $(seq 100); do [ -S "$dir/containerd.sock" ] && break; sleep 0.1; done
  (
    set -e
    export CTR_ADDRESS=$dir/containerd.sock CTR_NAMESPACE=k8s.io
    cmd_import "${suites[@]}"
    log "importing again (must be skipped)"
    cmd_import "${suites[@]}"
    ctr_ images ls
    for suite in "${suites[@]}"; do
      name=$(image_of "$suite")
      # containerd 1.6's ctr run has no --user: the container starts as root and setpriv switches to
      # the pods' runAsUser (the kubelet sets the same uid, gid and no supplementary groups).
      log "$name: ctr run, as $GLANCE_UID:$GLANCE_GID"
      # Its own runc root: the cluster's containerd keeps runc's state in the default one.
      ctr_ run --rm --runc-root "$dir/runc" "$name" "selftest-$suite-$$" /usr/bin/setpriv --reuid "$GLANCE_UID" --regid "$GLANCE_GID" \
        --clear-groups --inh-caps=-all /bin/bash -ec '
        echo "id: $(id)"; echo "glance-api $(glance-api --version 2>&1)"; glance --version
        echo "keystone-manage $(keystone-manage --version 2>&1)"; mariadbd --version; openstack --version
        uwsgi --plugins python3 --version; env | grep -E "^(PATH|LANG|HOME)="; pwd
        test -w /var/lib/glance'
    done
  ) || status=1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$status" -eq 0 ] || { log "selftest failed; containerd log:"; tail -n 30 "$dir/containerd.log" >&2; }
  remove_tree "$dir"
  return "$status"
}

case "${1:-}" in
  build) shift; cmd_build "$@" ;;
  import) shift; cmd_import "$@" ;;
  selftest) shift; cmd_selftest "$@" ;;
  *) echo "usage: $0 build|import|selftest [bookworm|trixie]..." >&2; exit 2 ;;
esac
