#!/usr/bin/env bash
# runtime/bench/peer-pause.sh [FREEZE_MS...] (root): where a TCP client's pause beyond a container's freeze goes, and
# what Haul's prompt of the peers (bundles/host's prompt-peers.pl, run by the net handler once a copy runs) takes back
# of it, both in one run (issue #12). Two namespaces (netxpS, the server; netxpC, the client; 169.254.104.201/.202 on
# a veth), a client streaming lines to an echo server as NetworkIT's does; for each freeze, twice: the server's
# traffic dropped for that long as CRIU's lock drops it, then let through (none), and the same followed at once by
# prompt-peers.pl in the server's namespace (prompt). Prints per freeze and mode when the client retransmitted
# during the freeze and its longest gap between two echoes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PROMPT=$HERE/../../bundles/host/src/main/resources/io/haul/host/net/prompt-peers.pl
FREEZES=("${@:-600 900 1300 1700}")
S=netxpS C=netxpC SIP=169.254.104.201 CIP=169.254.104.202 PORT=7100
[[ $(id -u) == 0 ]] || { echo "peer-pause: needs root (namespaces, iptables, raw sockets)" >&2; exit 1; }
for tool in iptables ip perl; do command -v "$tool" >/dev/null || { echo "peer-pause: no $tool" >&2; exit 1; }; done
cleanup() { ip netns del "$S" 2>/dev/null || true; ip netns del "$C" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add "$S"; ip netns add "$C"
ip -n "$S" link add netxp0 type veth peer name netxp1 netns "$C"
ip -n "$S" addr add "$SIP/24" dev netxp0; ip -n "$C" addr add "$CIP/24" dev netxp1
for ns in "$S" "$C"; do ip -n "$ns" link set lo up; done
ip -n "$S" link set netxp0 up; ip -n "$C" link set netxp1 up

trial() { # FREEZE_MS MODE
    ip netns exec "$S" perl "$HERE/peer-pause-server.pl" "$SIP" "$PORT" & local server=$!
    sleep 0.3 # the server listens: nothing tells us when, and this is a bench, not a test
    local out; out=$(mktemp)
    ip netns exec "$C" perl "$HERE/peer-pause-client.pl" "$SIP" "$PORT" $(( $1 / 1000 + 4 )) >"$out" & local client=$!
    sleep 1 # the stream flows
    local freeze; freeze=$(ip netns exec "$S" sh -c 'perl "$0" netxp0 "$1" "$2" "$3" "$4" && if [ "$5" = prompt ]; then
        perl "$6" netxp0 | tr "\n" " "; fi' "$HERE/peer-pause-freeze.pl" "$SIP" "$CIP" "$PORT" "$1" "$2" "$PROMPT")
    wait "$client"
    printf '%-6s %s; %s\n' "$2" "$freeze" "$(cat "$out")"
    kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true
    rm -f "$out"
}
for freeze in ${FREEZES[@]}; do
    trial "$freeze" none
    trial "$freeze" prompt
done
