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

say() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

cleanup() {
    local status=$? pid
    for pid in "$TREE_ROOT" "$TREE_LAUNCHER"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
    if [ -f "$WORK/status" ]; then   # the migrated copy, wherever it runs now
        pid=$(awk '{print $2}' "$WORK/status" 2>/dev/null || true)
        [ -n "$pid" ] && [ -n "${NEW_ROOT:-}" ] && kill -KILL "$NEW_ROOT" 2>/dev/null || true
    fi
    for pid in "$AGENT_A" "$AGENT_B"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
    done
    "$HOSTS" down || true
    if [ "$status" = 0 ]; then
        rm -rf "$WORK"
    else
        rm -rf "$WORK/hostA/felix-cache" "$WORK/hostB/felix-cache" "$WORK"/*/migrations/*/images
        echo "demo: failed; the agents' logs are kept in $WORK" >&2
    fi
}
trap cleanup EXIT

# Writes an agent's state folder: its name, cluster membership, where it accepts migrations, certificates.
prepare_agent() {
    local name=$1 ip=$2 state="$WORK/$1"
    mkdir -p "$state/etc"
    printf 'name=%s\nlogLevel=INFO\n' "$name" > "$state/etc/haul.agent.cfg"
    printf 'bindAddress=%s\nmembers=%s,%s\n' "$ip" "$A_IP" "$B_IP" > "$state/etc/haul.cluster.cfg"
    printf 'listen=%s:7077\n' "$ip" > "$state/etc/haul.engine.cfg"
    HAUL_CERT_IPS="$ip" "$HAUL_HOME/runtime/setup/make-certs.sh" "$WORK/ca" "$name" "$state/tls" >/dev/null
}

start_agent() {
    local name=$1 state="$WORK/$1"
    # nsenter --net, not ip netns exec: the latter also makes a mount namespace of its own, and a tree
    # started in one cannot be dumped (its mounts of /run/netns reach outside it)
    nsenter --net="/run/netns/$name" env HAUL_STATE="$state" "$HAUL_HOME/haul" agent </dev/null >"$state.out" 2>&1 &
    echo $!
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: polls a condition that has no event to wait on
    local limit=$(( $1 * 10 )) what=$2 i=0; shift 2
    until "$@" >/dev/null 2>&1; do
        [ $i -lt $limit ] || die "no $what after $(( limit / 10 )) s (logs in $WORK/*.out, $WORK/*/log/haul.log)"
        sleep 0.1; i=$((i + 1))
    done
}

client() { local state="$WORK/$1"; shift; HAUL_STATE="$state" "$HAUL_HOME/haul" "$@"; }

[ "$(id -u)" = 0 ] || die "the demo runs as root (CRIU, namespaces)"
"$HAUL_HOME/haul" setup
"$HAUL_HOME/haul" build

say "two hosts: network namespaces hostA ($A_IP) and hostB ($B_IP)"
"$HOSTS" up

say "an agent on each, with certificates from a cluster CA made for this demo"
prepare_agent hostA "$A_IP"
prepare_agent hostB "$B_IP"
AGENT_A=$(start_agent hostA)
AGENT_B=$(start_agent hostB)
wait_for 90 "control socket of hostA" test -S "$WORK/hostA/control.sock"
wait_for 90 "control socket of hostB" test -S "$WORK/hostB/control.sock"
wait_for 60 "cluster of both agents" sh -c "HAUL_STATE='$WORK/hostA' '$HAUL_HOME/haul' agents | grep -q hostB"
client hostA agents

say "a workload on hostA: its own PID namespace, a counter, $MIB MiB of numbered pages"
nsenter --net=/run/netns/hostA unshare -p -f setsid perl "$HAUL_HOME/runtime/demo/workload.pl" "$MIB" "$WORK/status" \
    </dev/null >/dev/null 2>&1 &
TREE_LAUNCHER=$!
wait_for 60 "workload status" test -s "$WORK/status"
TREE_ROOT=$(awk '{print $1}' "/proc/$TREE_LAUNCHER/task/$TREE_LAUNCHER/children")
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
