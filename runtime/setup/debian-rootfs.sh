#!/usr/bin/env bash
# The root file system of the Debian LXC containers of the tests and the demo: Debian 12 (bookworm) made with
# debootstrap from the machine's own Debian source (debian-source.sh: no host is named here), minbase plus
#   systemd-sysv  - Debian's init, for trying a container booting systemd (see the README's LXC section)
#   redis-server  - the real service the moved container runs: its data lives in memory, its clients hold TCP
#                   connections, and SAVE writes its dump into the root file system
# Built once and cached: debootstrap downloads about 60 MB and takes minutes, so tests and CI reuse the tarball.
#
#   debian-rootfs.sh [DIR]     (default /var/cache/haul/debian-bookworm)
#
# makes DIR/rootfs.tar (the tree owned as debootstrap made it, numeric owners) and prints its path. Returns at
# once when DIR/rootfs.tar exists and DIR/packages names the same packages. Needs root and debootstrap
# (install-packages.sh).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'debian-rootfs: %s\n' "$*" >&2; }
die() { printf 'debian-rootfs: ERROR: %s\n' "$*" >&2; exit 1; }

SUITE=bookworm
PACKAGES=systemd-sysv,redis-server
DIR=${1:-/var/cache/haul/debian-$SUITE}
TARBALL=$DIR/rootfs.tar

[ "$(id -u)" -eq 0 ] || die "must run as root"
command -v debootstrap >/dev/null || die "no debootstrap (install-packages.sh installs it)"
mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
if [ -f "$TARBALL" ] && [ "$(cat "$DIR/packages" 2>/dev/null)" = "$SUITE $PACKAGES" ]; then
    echo "$TARBALL"
    exit 0
fi

# shellcheck source=runtime/setup/debian-source.sh
. "$(dirname "$0")/debian-source.sh"
URI=${HAUL_DEBIAN_URI:-$(debian_archive_uri)} || die "no Debian source in /etc/apt/sources.list{,.d}; set HAUL_DEBIAN_URI"
BUILD=$DIR/rootfs.partial
rm -rf --one-file-system "$BUILD" "$TARBALL"
start=$SECONDS
log "debootstrap $SUITE (minbase, $PACKAGES) into $BUILD: a few minutes, once"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$BUILD" "$URI" >"$DIR/debootstrap.log" 2>&1 \
    || die "debootstrap failed (log: $DIR/debootstrap.log): $(tail -n 3 "$DIR/debootstrap.log")"
rm -rf "$BUILD"/var/cache/apt/archives/*.deb "$BUILD"/var/lib/apt/lists/*
tar -C "$BUILD" --numeric-owner --xattrs -cf "$TARBALL.part" .
mv "$TARBALL.part" "$TARBALL"
rm -rf --one-file-system "$BUILD"
echo "$SUITE $PACKAGES" >"$DIR/packages"
log "$TARBALL ($(du -h "$TARBALL" | cut -f1)) in $((SECONDS - start)) s"
echo "$TARBALL"
