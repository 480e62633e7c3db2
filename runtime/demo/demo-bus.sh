#!/usr/bin/env bash
# ./haul demo bus: the event-bus API from a third JVM. The two hosts and agents of ./haul demo, each agent
# configured to let the principal "bus-client" start and cancel migrations (etc/haul.eventbus.cfg); the example
# client (runtime/bus-client) joins their cluster from hostA as a Vert.x member with a certificate of the cluster CA,
# lists the agents, starts the migration of a workload from hostA to hostB over the event bus, prints every progress
# event as it comes and exits with the outcome; then the demo checks the workload went on, and tears everything down.
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
MIB=${HAUL_DEMO_MIB:-256}
WORK=$(mktemp -d /tmp/haul-demo-bus.XXXXXX)
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
A_IP=169.254.77.1 B_IP=169.254.77.2
AGENT_A="" AGENT_B="" TREE_LAUNCHER="" TREE_ROOT="" NEW_ROOT=""
CLIENT_JAR="$HAUL_HOME/runtime/bus-client/target/bus-client.jar"

SCRIPT_NAME="demo bus"
# shellcheck source=lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

cleanup() {
    local status=$?
    kill_pids "$TREE_ROOT" "$TREE_LAUNCHER" "$NEW_ROOT"
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" hostA hostB
}
trap cleanup EXIT

# bus_client ARGS...: the example client in a JVM of its own in hostA's network namespace, a member of the
# agents' cluster (Hazelcast lite member on hostA's address) with the certificate made for it
bus_client() {
    nsenter --net=/run/netns/hostA "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --add-modules java.se \
        --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
        --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED \
        --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
        -jar "$CLIENT_JAR" --cluster haul --members "$A_IP,$B_IP" --bind "$A_IP" --tls "$WORK/bus-client" "$@"
}

[ "$(id -u)" = 0 ] || die "the demo runs as root (CRIU, namespaces)"
"$HAUL_HOME/haul" setup
"$HAUL_HOME/haul" build
[ -f "$CLIENT_JAR" ] || die "no $CLIENT_JAR: build the checkout (./haul build after touching a source, or mvn install)"

say "two hosts: network namespaces hostA ($A_IP) and hostB ($B_IP)"
"$HOSTS" up

say "an agent on each; the principal bus-client may start and cancel migrations over the event bus"
for host in hostA hostB; do
    mkdir -p "$WORK/$host/etc"
    printf 'operators=bus-client\n' > "$WORK/$host/etc/haul.eventbus.cfg"
done
start_agents hostA hostB
HAUL_CERT_IPS="$A_IP" "$HAUL_HOME/runtime/setup/make-certs.sh" "$WORK/ca" bus-client "$WORK/bus-client" >/dev/null
echo "a certificate of the cluster CA for bus-client in $WORK/bus-client"

say "a workload on hostA: its own PID namespace, a counter, $MIB MiB of numbered pages"
start_workload hostA "$MIB" "$WORK/status"
BEFORE=$(awk '{print $1}' "$WORK/status")
echo "process:$TREE_ROOT, counter $BEFORE"

say "a third JVM joins the cluster: bus-client agents"
bus_client agents

say "bus-client migrate process:$TREE_ROOT --from hostA --to hostB (haul.migration.start, then its events)"
bus_client migrate "process:$TREE_ROOT" --from hostA --to hostB | tee "$WORK/migrate.out"
NEW_ROOT=$(sed -n 's/^new root pid *\([0-9]*\).*/\1/p' "$WORK/migrate.out")
[ -n "$NEW_ROOT" ] || die "the client did not report a new root pid"

say "did it go on?"
kill -0 "$TREE_ROOT" 2>/dev/null && die "the tree still runs on hostA as pid $TREE_ROOT"
TREE_ROOT=""
AFTER_MIGRATION=$(awk '{print $1}' "$WORK/status")
wait_for 10 "counter moving on hostB" sh -c "[ \$(awk '{print \$1}' '$WORK/status') -gt $AFTER_MIGRATION ]"
read -r COUNT _ STATE < "$WORK/status"
[ "$COUNT" -ge "$BEFORE" ] || die "the counter went back from $BEFORE to $COUNT: the state was lost"
[ "$STATE" = OK ] || die "the workload reports $STATE after the migration"
echo "counter $BEFORE before, $COUNT now, pages $STATE: the migration the event bus asked for went through"
client hostA migrations | head -3
kill -KILL "$NEW_ROOT"; NEW_ROOT=""
say "done"
