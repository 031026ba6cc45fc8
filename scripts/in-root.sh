# shellcheck shell=bash
# What scripts/glance-rootfs.sh and scripts/cluster/images.sh do to the Debian root filesystems they build.

# in_root DIR SCRIPT: runs a shell script as root inside the root filesystem DIR, with a clean
# environment, for installing packages into it. bwrap instead of chroot: the mounts die with the
# sandbox, and so would any daemon a package starts.
in_root() {
  bwrap --bind "$1" / --proc /proc --dev /dev --tmpfs /run --ro-bind /etc/resolv.conf /etc/resolv.conf \
    --unshare-pid --unshare-ipc --unshare-uts --die-with-parent --cap-add ALL \
    /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    DEBCONF_NONINTERACTIVE_SEEN=true /bin/sh -euc "$2"
}

# remove_tree DIR: removes a build folder. Unmounts whatever an interrupted build left mounted
# inside it (debootstrap's proc and sys), then deletes without ever crossing into another filesystem.
remove_tree() {
  local dir=$1 mnt
  [ -e "$dir" ] || return 0
  while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  rm -rf --one-file-system "$dir"
}
