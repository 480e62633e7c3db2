#!/usr/bin/env bash
# Installs the Debian packages Haul needs at run time and in tests, and checks for the JDK.
#   iptables       - CRIU locks the network with iptables-restore
#   iproute2       - ip / ip netns / tc / bridge (test "hosts" in network namespaces; the net handler reads a
#                    container's veths with ip -j)
#   iputils-arping - gratuitous ARP for a moved container, and the destination's check that nobody else has
#                    its address
#   ipv6toolkit    - na6: the unsolicited neighbour advertisement of a moved container's IPv6 addresses
#   ndisc6         - ndisc6: the destination's check that nobody else on the segment has the container's IPv6 addresses
#   iputils-ping   - hosts.sh checks the hosts reach each other
#   util-linux     - unshare, nsenter
#   procps         - ps, pgrep, kill
#   openssl        - the cluster CA and the agents' certificates (make-certs.sh)
#   perl           - the demo's, tests' and benchmark's workload, and the benchmark's reports (JSON::PP)
#   docker.io      - dockerd and the docker client: a Docker engine per namespace host (docker-host.sh)
#   containerd     - what dockerd runs containers with (each engine starts its own)
#   runc           - the OCI runtime under containerd, and the runc backend's containers
#   busybox-static - the root filesystem of test and demo containers (busybox-rootfs.sh)
#   lxc            - LXC 5 (lxc-start, lxc-checkpoint, liblxc and its busybox template): the lxc backend's
#                    containers; its lxc-net service (a bridge lxcbr0 with dnsmasq) must not run: the
#                    backend's containers use the hosts' own bridges
#   debootstrap    - the Debian root file system of the lxc backend's Debian test and demo containers
#                    (debian-rootfs.sh: made once from the machine's Debian source, cached in /var/cache/haul)
# Idempotent: does nothing when all are installed; runs apt-get update (once) only when a missing
# package cannot be installed from the current package lists.
#
# The Docker and runc backends are tested with Debian 12's docker.io 20.10, containerd 1.6 and runc 1.1: where
# the apt sources also offer suites other than the machine's own release (testing, another distribution's),
# packages are installed with -t RELEASE (the codename in /etc/os-release) so that none comes from those, nor
# drags in their libc. Installing docker.io and containerd must leave nothing running: a policy-rc.d that
# refuses every start is put in place for the install when there is none, and any engine or unit of theirs
# that starts all the same is stopped; units the install enabled are disabled (Haul starts its own engines;
# `systemctl enable --now docker` gives the system its own again).
# CRIU itself comes from runtime/setup/install-criu.sh. No JDK is installed: Temurin 25 must be at
# /usr/lib/jvm/temurin-25-jdk-amd64.
set -euo pipefail

PACKAGES=(iptables iproute2 iputils-arping ipv6toolkit ndisc6 iputils-ping util-linux procps openssl perl docker.io containerd runc busybox-static lxc debootstrap)
# the packages whose install may start services
SERVICE_PACKAGES=(docker.io containerd lxc)
SERVICE_UNITS=(docker.service docker.socket containerd.service lxc.service lxc-net.service lxc-monitord.service)
POLICY_RC=/usr/sbin/policy-rc.d
JDK_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'install-packages: %s\n' "$*"; }
die() { printf 'install-packages: ERROR: %s\n' "$*" >&2; exit 1; }

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# "-t CODENAME" when the package lists hold releases other than this machine's own (CODENAME,
# CODENAME-updates, -security, -backports, -proposed-updates) and CODENAME itself; nothing otherwise (a -t
# would also rank CODENAME above CODENAME-security).
apt_target() {
    local codename releases other
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return 0
    releases=$(apt-cache policy 2>/dev/null | sed -n 's/^ *release .*[ ,]n=\([^,]*\),.*/\1/p' | sort -u)
    grep -qx "$codename" <<<"$releases" || return 0
    other=$(grep -vxE "$codename(-updates|-security|-backports|-proposed-updates)?" <<<"$releases" || true)
    if [ -n "$other" ]; then
        log "apt sources also offer $(echo $other | tr ' ' ','): installing from $codename (-t $codename)" >&2
        echo "-t $codename"
    fi
}

# Pids of dockerd and containerd processes that are not engines of docker-host.sh (those have an --exec-root,
# and their containerd's configuration is under it).
system_engines() {
    local entry comm line
    for entry in /proc/[0-9]*; do
        comm=""
        { read -r comm <"$entry/comm"; } 2>/dev/null || continue
        case "$comm" in dockerd | containerd) ;; *) continue ;; esac
        line=$(tr '\0' ' ' <"$entry/cmdline" 2>/dev/null) || continue
        case "$line" in *--exec-root* | */exec/containerd/containerd.toml*) continue ;; esac
        echo "${entry#/proc/}"
    done
    return 0
}

systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }

install_missing() {
    local target
    target=$(apt_target)
    # shellcheck disable=SC2086
    apt-get install -q -y --no-install-recommends $target "$@" 2>&1
}

[ "$(id -u)" -eq 0 ] || die "must run as root"

missing=()
for p in "${PACKAGES[@]}"; do
    pkg_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    log "already installed: ${PACKAGES[*]}"
else
    services=false
    for p in "${missing[@]}"; do
        for s in "${SERVICE_PACKAGES[@]}"; do [ "$p" = "$s" ] && services=true; done
    done
    engines_before=""
    units_before=""
    if $services; then
        engines_before=" $(system_engines | tr '\n' ' ') "
        if systemd_running; then
            for u in "${SERVICE_UNITS[@]}"; do
                systemctl is-active --quiet "$u" 2>/dev/null && units_before+=" $u"
            done
        fi
        if [ ! -e "$POLICY_RC" ]; then
            printf '#!/bin/sh\n# put by Haul install-packages.sh for the time of an install: no service starts\nexit 101\n' \
                >"$POLICY_RC"
            chmod 0755 "$POLICY_RC"
            trap 'rm -f "$POLICY_RC"' EXIT
        fi
    fi

    log "installing ${missing[*]}"
    if ! out=$(install_missing "${missing[@]}"); then
        log "not installable from the current package lists; running apt-get update once and retrying"
        apt-get update -q >/dev/null || die "apt-get update failed"
        out=$(install_missing "${missing[@]}") ||
            { printf '%s\n' "$out" >&2; die "apt-get install ${missing[*]} failed"; }
    fi
    for p in "${missing[@]}"; do
        pkg_installed "$p" || { printf '%s\n' "$out" >&2; die "$p is still not installed"; }
    done
    log "installed ${missing[*]}"

    if $services; then
        if systemd_running; then
            for u in "${SERVICE_UNITS[@]}"; do
                [[ "$units_before" == *" $u"* ]] && continue
                if systemctl is-active --quiet "$u" 2>/dev/null; then
                    log "stopping $u, started by the install"
                    systemctl stop "$u" || log "warning: systemctl stop $u failed"
                fi
                if systemctl is-enabled --quiet "$u" 2>/dev/null; then
                    log "disabling $u (Haul starts engines of its own)"
                    systemctl disable --quiet "$u" 2>/dev/null || log "warning: systemctl disable $u failed"
                fi
            done
        fi
        for pid in $(system_engines); do
            [[ "$engines_before" == *" $pid "* ]] && continue
            log "stopping $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || echo "pid $pid"), started by the install"
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
            [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
        done
    fi
fi

for cmd in iptables-restore ip unshare nsenter ps pgrep openssl perl tc \
        dockerd docker containerd containerd-shim-runc-v2 runc busybox lxc-start lxc-checkpoint lxc-create; do
    command -v "$cmd" >/dev/null || die "command '$cmd' not found after installing ${PACKAGES[*]}"
done
# the container rootfs takes busybox as is: it must not need the host's libraries
case "$(ldd "$(command -v busybox)" 2>&1 || true)" in
    *'not a dynamic executable'* | *'statically linked'*) ;;
    *) die "$(command -v busybox) is not statically linked (package busybox instead of busybox-static?)" ;;
esac

if [ ! -x "$JDK_HOME/bin/java" ]; then
    die "Temurin 25 JDK not found at $JDK_HOME (expected $JDK_HOME/bin/java); install it there, this script does not install a JDK"
fi
jver=$("$JDK_HOME/bin/java" -version 2>&1 | head -n1)
case "$jver" in
    *'"25'*) log "JDK ok: $JDK_HOME ($jver)" ;;
    *) die "$JDK_HOME/bin/java is not Java 25: $jver" ;;
esac
