#!/usr/bin/env bash
# The busybox root file system (busybox-rootfs.sh) with the host's perl and just the modules the workload
# runtime/demo/workload.pl loads, and the workload itself as /workload.pl: a container image (docker import) or a
# runc bundle's rootfs whose process checks its own pages the way a process tree's does (./haul chaos
# --backend docker|runc). No registry is needed: the files are the host's own perl-base and perl packages'.
#
#   perl-rootfs.sh DIR
#
# makes DIR/rootfs and DIR/rootfs.tar as busybox-rootfs.sh does, plus /bin/perl, the libraries it and the
# modules' shared objects link to (by ldd), the modules' .pm and .so files at their own paths (perl's @INC is
# compiled in), and /workload.pl; prints the tarball's path. Made anew each time (well under a second).
set -euo pipefail

die() { printf 'perl-rootfs: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: perl-rootfs.sh DIR" >&2; exit 64; }
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
WORKLOAD="$HERE/../demo/workload.pl"
PERL=$(command -v perl) || die "no perl on this host"
TARBALL=$("$HERE/busybox-rootfs.sh" "$1")
ROOTFS="$(dirname "$TARBALL")/rootfs"

# the files the workload's modules load: what perl itself reports after loading them (no guessed list)
mapfile -t modules < <(cd / && "$PERL" -e 'use strict; use warnings; use IO::Select; use IO::Socket::INET;
    use Time::HiRes; print "$_\n" for values %INC, @DynaLoader::dl_shared_objects')
[ ${#modules[@]} -gt 0 ] || die "$PERL reported no module files"
# copies FILE to the same path in the rootfs (its links resolved: the rootfs has none of the host's)
copy() { mkdir -p "$ROOTFS$(dirname "$1")"; cp -L "$1" "$ROOTFS$1"; }
cp -L "$PERL" "$ROOTFS/bin/perl"
for file in "${modules[@]}"; do copy "$file"; done
for object in "$PERL" "${modules[@]}"; do
    case "$object" in *.so|"$PERL") ;; *) continue ;; esac
    # ldd's lines: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
    for library in $(ldd "$object" | grep -o '/[^ ]*'); do copy "$library"; done
done
cp "$WORKLOAD" "$ROOTFS/workload.pl"
chroot "$ROOTFS" /bin/perl -c /workload.pl >/dev/null 2>&1 || die "the workload does not compile in $ROOTFS"

tar -C "$ROOTFS" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$TARBALL" .
printf 'perl-rootfs: %s with %s and %s module files\n' "$ROOTFS" "$PERL" "${#modules[@]}" >&2
echo "$TARBALL"
