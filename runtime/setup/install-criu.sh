#!/usr/bin/env bash
# Installs CRIU (>= 4.2, from Debian testing) into a private prefix for Haul.
#
# Debian 12's criu (3.17) fails on current kernels ("vdso: Unexpected rt vDSO area bounds") and
# Debian 13's (4.1.1) cannot dump TCP/UDP sockets on them. Debian testing's build works but needs a
# newer glibc, so it runs with its own dynamic loader and libraries from a private prefix; nothing
# is installed over the system's libc:
#   1. a private apt state (sources list for the testing suite, using the URI of the machine's own
#      Debian source, read at run time; empty dpkg status; private lists and cache),
#   2. apt-get update + install --download-only of criu (the whole dependency closure, libc6
#      included, as for an empty system), signatures checked against the machine's Debian keyring,
#   3. dpkg -x of every downloaded .deb into the prefix,
#   4. a wrapper $PREFIX/bin/criu that runs the prefix's criu through the prefix's ld.so.
# Put $PREFIX/bin ahead of /usr/sbin in PATH for everything that execs `criu` (runc execs `criu swrk`).
#
# Idempotent: returns at once when "$PREFIX/bin/criu check" already says "Looks good".
#
# Environment:
#   HAUL_CRIU_PREFIX   install prefix (default /opt/haul/criu)
#   HAUL_CRIU_SUITES   suites to try in order (default "testing forky")
#   HAUL_CRIU_APT_URI  Debian archive URI (default: read from the machine's apt sources)
#   HAUL_CRIU_KEYRING  keyring that signs that archive (default /usr/share/keyrings/debian-archive-keyring.gpg)
set -euo pipefail

PREFIX="${HAUL_CRIU_PREFIX:-/opt/haul/criu}"
PREFIX="${PREFIX%/}"
SUITES="${HAUL_CRIU_SUITES:-testing forky}"
KEYRING="${HAUL_CRIU_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
MIN_VERSION=4.2
MULTIARCH=x86_64-linux-gnu
export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'install-criu: %s\n' "$*"; }
die() { printf 'install-criu: ERROR: %s\n' "$*" >&2; exit 1; }

# True when "$1/bin/criu check" says "Looks good".
criu_check_ok() {
    local out
    [ -x "$1/bin/criu" ] || return 1
    out=$(timeout -s KILL 60 "$1/bin/criu" check 2>&1) || true
    grep -q 'Looks good' <<<"$out"
}

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# Runtime dependencies of CRIU from the machine's normal sources: CRIU locks the network with
# iptables-restore. apt-get update runs once, only when the package cannot be installed as is.
ensure_runtime_deps() {
    local missing=() p
    for p in iptables; do
        pkg_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} from the system's apt sources"
    local out
    if ! out=$(apt-get install -q -y --no-install-recommends "${missing[@]}" 2>&1); then
        log "not installable as is; running apt-get update once and retrying"
        apt-get update -q >/dev/null || die "apt-get update failed"
        out=$(apt-get install -q -y --no-install-recommends "${missing[@]}" 2>&1) ||
            { printf '%s\n' "$out" >&2; die "apt-get install ${missing[*]} failed"; }
    fi
    for p in "${missing[@]}"; do
        pkg_installed "$p" || { printf '%s\n' "$out" >&2; die "$p still not installed"; }
    done
}

# shellcheck source=runtime/setup/debian-source.sh
. "$(dirname "$0")/debian-source.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root"
[ "$(dpkg --print-architecture)" = amd64 ] || die "only amd64 is supported"

mkdir -p "$(dirname "$PREFIX")"
exec 9>"$PREFIX.lock"
flock 9

# Fast path.
if criu_check_ok "$PREFIX"; then
    ensure_runtime_deps
    log "already installed: $PREFIX/bin/criu ($(head -n1 "$PREFIX/VERSION" 2>/dev/null || echo '?')); criu check: Looks good"
    exit 0
fi

start=$SECONDS
ensure_runtime_deps

[ -r "$KEYRING" ] || die "Debian archive keyring $KEYRING not found (package debian-archive-keyring)"
URI="${HAUL_CRIU_APT_URI:-}"
if [ -z "$URI" ]; then
    URI=$(debian_archive_uri) || die "no Debian source for this release found in /etc/apt/sources.list{,.d}; set HAUL_CRIU_APT_URI"
fi

WORK=$(mktemp -d /tmp/haul-criu.XXXXXX)
STAGE="$PREFIX.new.$$"
cleanup() { rm -rf "$WORK" "$STAGE"; }
trap cleanup EXIT

mkdir -p "$WORK/state/lists/partial" "$WORK/cache/archives/partial" "$WORK/etc"
: >"$WORK/state/status"
# Let apt's download sandbox user write into the private partial dirs, as in apt's own dirs.
chmod 755 "$WORK"
if id _apt >/dev/null 2>&1; then
    chown _apt:root "$WORK/state/lists/partial" "$WORK/cache/archives/partial"
    chmod 700 "$WORK/state/lists/partial" "$WORK/cache/archives/partial"
fi
APT_OPTS=(-q
    -o Dir::Etc::SourceList="$WORK/etc/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null
    -o Dir::Etc::PreferencesParts=/dev/null
    -o Dir::State="$WORK/state"
    -o Dir::State::status="$WORK/state/status"
    -o Dir::State::Lists="$WORK/state/lists"
    -o Dir::Cache="$WORK/cache"
    -o Dir::Cache::Archives="$WORK/cache/archives"
    -o Acquire::Languages=none
    -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
    -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false)

suite_ok=
for suite in $SUITES; do
    log "fetching the package index of suite '$suite' into a private apt state"
    printf 'deb [arch=amd64 signed-by=%s] %s %s main\n' "$KEYRING" "$URI" "$suite" >"$WORK/etc/sources.list"
    find "$WORK/state/lists" -type f -delete
    if ! apt-get "${APT_OPTS[@]}" update >"$WORK/update.log" 2>&1; then
        log "suite '$suite' failed: $( { grep '^E:' "$WORK/update.log"; grep '^W:' "$WORK/update.log"; } | head -n3 | tr '\n' ' ')"
        continue
    fi
    cand=$(apt-cache "${APT_OPTS[@]}" policy criu 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
        log "suite '$suite' has no criu"; continue
    fi
    if ! dpkg --compare-versions "$cand" ge "$MIN_VERSION"; then
        log "suite '$suite' has criu $cand, older than $MIN_VERSION"; continue
    fi
    suite_ok=$suite
    break
done
[ -n "$suite_ok" ] || die "no usable criu >= $MIN_VERSION in suites: $SUITES"

log "downloading criu $cand and its dependency closure from '$suite_ok'"
apt-get "${APT_OPTS[@]}" install --download-only --no-install-recommends -y criu >"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log" >&2; die "apt-get install --download-only criu failed"; }
shopt -s nullglob
debs=("$WORK"/cache/archives/*.deb)
[ ${#debs[@]} -gt 0 ] || die "apt downloaded no packages"

log "unpacking ${#debs[@]} packages into $STAGE"
mkdir -p "$STAGE/bin"
for deb in "${debs[@]}"; do
    dpkg -x "$deb" "$STAGE"
    dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb" >>"$STAGE/PACKAGES"
done
sort -o "$STAGE/PACKAGES" "$STAGE/PACKAGES"
[ -e "$STAGE/usr/lib/$MULTIARCH/ld-linux-x86-64.so.2" ] || die "no dynamic loader in the unpacked packages"
[ -x "$STAGE/usr/sbin/criu" ] || die "no usr/sbin/criu in the unpacked packages"

# The wrapper finds its prefix from its own location, so the prefix can be staged and moved.
cat >"$STAGE/bin/criu" <<'EOF'
#!/bin/sh
# Haul: runs CRIU from this private prefix with the prefix's own dynamic loader and libraries
# (written by runtime/setup/install-criu.sh). Child processes CRIU starts use the system's libraries.
P=$(readlink -f "$0") && P=${P%/bin/*}
L="$P/usr/lib/x86_64-linux-gnu"
exec "$L/ld-linux-x86-64.so.2" --library-path "$L" "$P/usr/sbin/criu" "$@"
EOF
chmod 755 "$STAGE/bin/criu"

log "checking the new build: criu check"
if ! criu_check_ok "$STAGE"; then
    timeout -s KILL 60 "$STAGE/bin/criu" check >&2 || true
    die "'criu check' of the new build did not say \"Looks good\" (output above); left $PREFIX unchanged"
fi
"$STAGE/bin/criu" --version >"$STAGE/VERSION"

OLD="$PREFIX.old.$$"
[ -e "$PREFIX" ] && mv "$PREFIX" "$OLD"
mv "$STAGE" "$PREFIX"
rm -rf "$OLD"
criu_check_ok "$PREFIX" || die "'$PREFIX/bin/criu check' did not say \"Looks good\" after moving into place"
log "installed $PREFIX/bin/criu: $(head -n1 "$PREFIX/VERSION") from suite '$suite_ok' in $((SECONDS - start)) s"
log "criu check: Looks good. Put $PREFIX/bin ahead of /usr/sbin in PATH."
