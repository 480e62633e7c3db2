#!/usr/bin/env bash
# Installs the Debian packages Haul needs at run time and in tests, and checks for the JDK.
#   iptables   - CRIU locks the network with iptables-restore
#   iproute2   - ip / ip netns / tc (test "hosts" in network namespaces)
#   util-linux - unshare, nsenter
#   procps     - ps, pgrep, kill
#   openssl    - the cluster CA and the agents' certificates (make-certs.sh)
#   perl       - the demo's, tests' and benchmark's workload, and the benchmark's reports (JSON::PP)
# Idempotent: does nothing when all are installed; runs apt-get update (once) only when a missing
# package cannot be installed from the current package lists.
# CRIU itself comes from runtime/setup/install-criu.sh. No JDK is installed: Temurin 25 must be at
# /usr/lib/jvm/temurin-25-jdk-amd64.
set -euo pipefail

PACKAGES=(iptables iproute2 util-linux procps openssl perl)
JDK_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'install-packages: %s\n' "$*"; }
die() { printf 'install-packages: ERROR: %s\n' "$*" >&2; exit 1; }

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

[ "$(id -u)" -eq 0 ] || die "must run as root"

missing=()
for p in "${PACKAGES[@]}"; do
    pkg_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    log "already installed: ${PACKAGES[*]}"
else
    log "installing ${missing[*]}"
    if ! out=$(apt-get install -q -y --no-install-recommends "${missing[@]}" 2>&1); then
        log "not installable from the current package lists; running apt-get update once and retrying"
        apt-get update -q >/dev/null || die "apt-get update failed"
        out=$(apt-get install -q -y --no-install-recommends "${missing[@]}" 2>&1) ||
            { printf '%s\n' "$out" >&2; die "apt-get install ${missing[*]} failed"; }
    fi
    for p in "${missing[@]}"; do
        pkg_installed "$p" || { printf '%s\n' "$out" >&2; die "$p is still not installed"; }
    done
    log "installed ${missing[*]}"
fi

for cmd in iptables-restore ip unshare nsenter ps pgrep openssl perl tc; do
    command -v "$cmd" >/dev/null || die "command '$cmd' not found after installing ${PACKAGES[*]}"
done

if [ ! -x "$JDK_HOME/bin/java" ]; then
    die "Temurin 25 JDK not found at $JDK_HOME (expected $JDK_HOME/bin/java); install it there, this script does not install a JDK"
fi
jver=$("$JDK_HOME/bin/java" -version 2>&1 | head -n1)
case "$jver" in
    *'"25'*) log "JDK ok: $JDK_HOME ($jver)" ;;
    *) die "$JDK_HOME/bin/java is not Java 25: $jver" ;;
esac
