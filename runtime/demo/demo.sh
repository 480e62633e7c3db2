#!/usr/bin/env bash
# ./haul demo: a live migration on one machine. Two hosts on one L2 segment (network namespaces hostA and
# hostB, each with a bridge, hosts.sh), a client machine on it (hostC), an agent on each host forming one
# cluster, TLS certificates from a throw-away cluster CA, and a workload in its own PID and network namespace
# (a veth on hostA's bridge, address 169.254.77.50) holding a counter, MIB mebibytes of numbered pages and a
# TCP echo server. A client on hostC streams numbered lines through the migration and checks every echo. It
# migrates the workload from hostA to hostB with progress shown, proves it went on (counter not reset, pages
# intact, its address and the client's connection with it, its veth now on hostB's bridge, nothing of it left
# on hostA), prints what the client saw (the line starting "client:"), and tears everything down.
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
MIB=${HAUL_DEMO_MIB:-256}
WORK=$(mktemp -d /tmp/haul-demo.XXXXXX)
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
A_IP=169.254.77.1 B_IP=169.254.77.2
TREE_IP=169.254.77.50 TREE_MAC=02:00:a9:fe:4d:32 TREE_PORT=7000 HOST_END=hauldemo0
AGENT_A="" AGENT_B="" TREE_LAUNCHER="" TREE_ROOT="" CLIENT=""

SCRIPT_NAME=demo
# shellcheck source=lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

cleanup() {
    local status=$?
    kill_pids "$CLIENT" "$TREE_ROOT" "$TREE_LAUNCHER" "${NEW_ROOT:-}"   # the tree, wherever it runs now
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" hostA hostB
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || die "the demo runs as root (CRIU, namespaces)"
"$HAUL_HOME/haul" setup
"$HAUL_HOME/haul" build

say "two hosts on one segment: hostA ($A_IP) and hostB ($B_IP), a bridge in each; a client machine hostC"
"$HOSTS" up

say "an agent on each, with certificates from a cluster CA made for this demo"
start_agents hostA hostB
client hostA agents

say "a workload on hostA: its own PID and network namespace ($TREE_IP on a veth on hostA's bridge), a counter, $MIB MiB of numbered pages, an echo server"
start_networked_workload hostA "$MIB" "$WORK/status" "$TREE_PORT" "$HOST_END" "$TREE_IP" "$TREE_MAC"
client hostA ps process
BEFORE=$(awk '{print $1}' "$WORK/status")
echo "counter before: $BEFORE"

say "a client on hostC connects to $TREE_IP:$TREE_PORT and streams numbered lines, checking every echo"
nsenter --net=/run/netns/hostC perl "$HAUL_HOME/runtime/demo/echo-client.pl" "$TREE_IP" "$TREE_PORT" \
    "$WORK/client.status" >"$WORK/client.out" 2>&1 &
CLIENT=$!
wait_for 30 "echoes at the client" sh -c "[ \$(awk '{print \$2}' '$WORK/client.status') -gt 100 ]"

say "./haul migrate process:$TREE_ROOT --to hostB"
client hostA migrate "process:$TREE_ROOT" --to hostB | tee "$WORK/migrate.out"
NEW_ROOT=$(sed -n 's/^new root pid *\([0-9]*\).*/\1/p' "$WORK/migrate.out")
[ -n "$NEW_ROOT" ] || die "the migration did not report a new root pid"

say "did it go on?"
kill -0 "$TREE_ROOT" 2>/dev/null && die "the tree still runs on hostA as pid $TREE_ROOT"
TREE_ROOT=""
AFTER_MIGRATION=$(awk '{print $1}' "$WORK/status")
wait_for 10 "counter moving on hostB" sh -c "[ \$(awk '{print \$1}' '$WORK/status') -gt $AFTER_MIGRATION ]"
read -r COUNT _ STATE < "$WORK/status"
[ "$COUNT" -ge "$BEFORE" ] || die "the counter went back from $BEFORE to $COUNT: the state was lost"
[ "$STATE" = OK ] || die "the workload reports $STATE after the migration"
ECHOED=$(awk '{print $2}' "$WORK/client.status")
wait_for 10 "echoes at the client after the move" sh -c "[ \$(awk '{print \$2}' '$WORK/client.status') -gt $(( ECHOED + 200 )) ]"
kill -TERM "$CLIENT"
CLIENT_STATUS=0
wait "$CLIENT" || CLIENT_STATUS=$?
CLIENT=""
ip -n hostB -o link show "$HOST_END" | grep -q "master haulbr0" || die "the tree's veth $HOST_END is not on hostB's bridge"
ip -n hostA link show "$HOST_END" >/dev/null 2>&1 && die "the tree's veth $HOST_END is still on hostA"
echo "counter $BEFORE before the migration, $COUNT now: it went on, no reset"
echo "all $MIB MiB of pages checked by the workload: $STATE"
echo "pid $NEW_ROOT runs on hostB with its address $TREE_IP; its veth $HOST_END is a port of hostB's bridge; nothing of it is left on hostA"
cat "$WORK/client.out"
[ "$CLIENT_STATUS" = 0 ] || die "the client's stream broke (see the client: line above)"
kill -KILL "$NEW_ROOT"; NEW_ROOT=""
say "done"
