#!/usr/bin/env bash
# Two hosts on one machine: network namespaces hostA and hostB joined by a veth pair with link-local
# addresses (169.254.77.1 and .2), loopback up in each. Idempotent.
#
#   hosts.sh up      create them (again) and check they reach each other
#   hosts.sh down    remove them
set -euo pipefail

A=${HAUL_HOST_A:-hostA}
B=${HAUL_HOST_B:-hostB}
A_IP=${HAUL_HOST_A_IP:-169.254.77.1}
B_IP=${HAUL_HOST_B_IP:-169.254.77.2}
VETH_A=haul-${A}
VETH_B=haul-${B}

up() {
    down
    ip netns add "$A"
    ip netns add "$B"
    ip link add "$VETH_A" type veth peer name "$VETH_B"
    ip link set "$VETH_A" netns "$A"
    ip link set "$VETH_B" netns "$B"
    ip -n "$A" addr add "$A_IP/30" dev "$VETH_A"
    ip -n "$B" addr add "$B_IP/30" dev "$VETH_B"
    for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
    ip -n "$A" link set "$VETH_A" up
    ip -n "$B" link set "$VETH_B" up
    echo "hosts: $A ($A_IP) and $B ($B_IP) are up"
}

down() {
    for ns in "$A" "$B"; do
        if ip netns list | grep -qw "$ns"; then ip netns delete "$ns"; fi
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) echo "usage: hosts.sh up|down" >&2; exit 64 ;;
esac
