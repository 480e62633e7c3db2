#!/usr/bin/env bash
# Hosts on one machine that share one L2 segment, as hypervisors on one VLAN do: network namespaces hostA and
# hostB, each with a bridge (haulbr0) that holds the host's own address (169.254.77.1 and .2, a /24), and a
# veth between the hosts that is a port of both bridges; a third namespace, hostC (.3), hangs off hostB's
# bridge and plays a client machine. A container's veth whose host end is a port of its host's bridge is on
# the same segment, so its address (e.g. 169.254.77.50) is reachable from every host, wherever it runs.
# Nothing leaves these namespaces: the addresses are link-local and no link goes to the machine's own.
# Idempotent.
#
#   hosts.sh up      create them (again) and check they reach each other
#   hosts.sh down    remove them
#
# Environment (every script and test passes its own, so that they can run side by side):
#   HAUL_HOST_A, HAUL_HOST_B, HAUL_HOST_C            namespace names (C defaults to A's with a C for its last A)
#   HAUL_HOST_A_IP, HAUL_HOST_B_IP, HAUL_HOST_C_IP   addresses (C defaults to A's /24 with .3)
#   HAUL_BRIDGE                                      the bridge's name in each host (default haulbr0)
set -euo pipefail

A=${HAUL_HOST_A:-hostA}
B=${HAUL_HOST_B:-hostB}
if [[ "$A" == *A ]]; then DEFAULT_C="${A%A}C"; else DEFAULT_C="${A}c"; fi
C=${HAUL_HOST_C:-$DEFAULT_C}
A_IP=${HAUL_HOST_A_IP:-169.254.77.1}
B_IP=${HAUL_HOST_B_IP:-169.254.77.2}
C_IP=${HAUL_HOST_C_IP:-${A_IP%.*}.3}
BRIDGE=${HAUL_BRIDGE:-haulbr0}
PREFIX=24
# the veth ends keep the names tests and benches know: haul-<host>, in that host's namespace
VETH_A=haul-${A}
VETH_B=haul-${B}
VETH_C=haul-${C}
VETH_BC=haulc-${B}   # hostC's link, the port on hostB's bridge

up() {
    down
    for ns in "$A" "$B" "$C"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    for ns in "$A" "$B"; do
        ip -n "$ns" link add "$BRIDGE" type bridge
        ip -n "$ns" link set "$BRIDGE" up
    done
    ip -n "$A" addr add "$A_IP/$PREFIX" dev "$BRIDGE"
    ip -n "$B" addr add "$B_IP/$PREFIX" dev "$BRIDGE"

    ip link add "$VETH_A" netns "$A" type veth peer name "$VETH_B" netns "$B"
    ip -n "$A" link set "$VETH_A" master "$BRIDGE" up
    ip -n "$B" link set "$VETH_B" master "$BRIDGE" up

    ip link add "$VETH_C" netns "$C" type veth peer name "$VETH_BC" netns "$B"
    ip -n "$B" link set "$VETH_BC" master "$BRIDGE" up
    ip -n "$C" addr add "$C_IP/$PREFIX" dev "$VETH_C"
    ip -n "$C" link set "$VETH_C" up

    for target in "$B_IP" "$C_IP"; do
        ip netns exec "$A" ping -q -c 1 -W 5 "$target" >/dev/null \
            || { echo "hosts: $A cannot reach $target" >&2; exit 1; }
    done
    echo "hosts: $A ($A_IP) and $B ($B_IP) on bridge $BRIDGE, client $C ($C_IP), are up"
}

down() {
    for ns in "$A" "$B" "$C"; do
        if ip netns list | grep -qw "$ns"; then ip netns delete "$ns"; fi
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) echo "usage: hosts.sh up|down" >&2; exit 64 ;;
esac
