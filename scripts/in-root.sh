# shellcheck shell=bash
# in_root DIR SCRIPT: runs a shell script as root inside the Debian root filesystem DIR, with a
# clean environment, for installing packages into it (scripts/glance-rootfs.sh, scripts/cluster/images.sh).
# bwrap instead of chroot: the mounts die with the sandbox, and so would any daemon a package starts.
in_root() {
  bwrap --bind "$1" / --proc /proc --dev /dev --tmpfs /run --ro-bind /etc/resolv.conf /etc/resolv.conf \
    --unshare-pid --unshare-ipc --unshare-uts --die-with-parent --cap-add ALL \
    /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    DEBCONF_NONINTERACTIVE_SEEN=true /bin/sh -euc "$2"
}
