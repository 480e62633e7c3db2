#!/usr/bin/env bash
# ./haul demo: a live migration on one machine. Two hosts (network namespaces hostA and hostB joined by a
# veth pair), an agent on each forming one cluster, TLS certificates from a throw-away cluster CA, and a
# workload in its own PID namespace holding a counter and MIB mebibytes of numbered pages. It migrates
# the workload from hostA to hostB with progress shown, proves it went on (counter not reset, pages
# intact, now in hostB's network namespace, gone from hostA), and tears everything down.
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
MIB=${HAUL_DEMO_MIB:-256}
WORK=$(mktemp -d /tmp/haul-demo.XXXXXX)
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
A_IP=169.254.77.1 B_IP=169.254.77.2
AGENT_A="" AGENT_B="" TREE_LAUNCHER="" TREE_ROOT=""

SCRIPT_NAME=demo
# shellcheck source=lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

cleanup() {
    local status=$?
    kill_pids "$TREE_ROOT" "$TREE_LAUNCHER" "${NEW_ROOT:-}"   # the tree, wherever it runs now
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" hostA hostB
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || die "the demo runs as root (CRIU, namespaces)"
"$HAUL_HOME/haul" setup
"$HAUL_HOME/haul" build

say "two hosts: network namespaces hostA ($A_IP) and hostB ($B_IP)"
"$HOSTS" up

say "an agent on each, with certificates from a cluster CA made for this demo"
start_agents hostA hostB
client hostA agents

say "a workload on hostA: its own PID namespace, a counter, $MIB MiB of numbered pages"
start_workload hostA "$MIB" "$WORK/status"
client hostA ps process
BEFORE=$(awk '{print $1}' "$WORK/status")
echo "counter before: $BEFORE"

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
NET_OF_TREE=$(readlink "/proc/$NEW_ROOT/ns/net")
NET_OF_B=$(nsenter --net=/run/netns/hostB readlink /proc/self/ns/net)
[ "$NET_OF_TREE" = "$NET_OF_B" ] || die "the restored tree is in $NET_OF_TREE, not in hostB's $NET_OF_B"
echo "counter $BEFORE before the migration, $COUNT now: it went on, no reset"
echo "all $MIB MiB of pages checked by the workload: $STATE"
echo "pid $NEW_ROOT lives in hostB's network namespace ($NET_OF_B); nothing of it is left on hostA"
kill -KILL "$NEW_ROOT"; NEW_ROOT=""
say "done"
