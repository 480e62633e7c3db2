#!/usr/bin/env bash
# A minimal root filesystem for test and demo containers, made from the host's static busybox (package
# busybox-static): no registry is needed, and the same tarball gives the Docker image (docker import) and
# the rootfs of runc bundles.
#
#   busybox-rootfs.sh DIR
#
# makes DIR/rootfs (bin/busybox, a symlink bin/APPLET -> busybox for every applet it has: sh, sleep, cat,
# echo, nc, ls, mkdir, date..., the usual empty mount points, a root-only /etc/passwd and /etc/group) and
# DIR/rootfs.tar (that tree, owned by 0:0, entries sorted and dated 1970: the same busybox gives the same
# bytes), and prints the tarball's path. Made anew each time (it takes a few milliseconds).
#
# Environment: HAUL_BUSYBOX  the busybox binary (default: the first of /bin/busybox, /usr/bin/busybox); it
# must be statically linked, as nothing else of the host is in the rootfs.
set -euo pipefail

die() { printf 'busybox-rootfs: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: busybox-rootfs.sh DIR" >&2; exit 64; }
DIR=$1

BUSYBOX=${HAUL_BUSYBOX:-}
if [ -z "$BUSYBOX" ]; then
    for candidate in /bin/busybox /usr/bin/busybox; do
        if [ -x "$candidate" ]; then BUSYBOX=$candidate; break; fi
    done
fi
[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] || die "no busybox (install busybox-static: runtime/setup/install-packages.sh)"
# ldd says "not a dynamic executable" (static) or "statically linked" (static-pie); anything else needs libraries
linkage=$(ldd "$BUSYBOX" 2>&1 || true)
case "$linkage" in
    *'not a dynamic executable'* | *'statically linked'*) ;;
    *) die "$BUSYBOX is dynamically linked (package busybox, not busybox-static): $linkage" ;;
esac

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
ROOTFS=$DIR/rootfs
TARBALL=$DIR/rootfs.tar
rm -rf --one-file-system "$ROOTFS" "$TARBALL"

mkdir -p "$ROOTFS"/{bin,dev,etc,proc,sys,tmp,root,run,var/tmp,data}
chmod 1777 "$ROOTFS/tmp" "$ROOTFS/var/tmp"
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
chmod 0755 "$ROOTFS/bin/busybox"
count=0
for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] && continue
    ln -s busybox "$ROOTFS/bin/$applet"
    count=$((count + 1))
done
for needed in sh sleep cat echo nc ls mkdir date; do
    [ -e "$ROOTFS/bin/$needed" ] || die "$BUSYBOX has no applet $needed"
done
ln -s bin "$ROOTFS/sbin"
mkdir -p "$ROOTFS/usr"
ln -s ../bin "$ROOTFS/usr/bin"
ln -s ../bin "$ROOTFS/usr/sbin"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"

tar -C "$ROOTFS" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$TARBALL" .
printf 'busybox-rootfs: %s (%s applets of %s) and %s\n' "$ROOTFS" "$count" "$BUSYBOX" "$TARBALL" >&2
echo "$TARBALL"
