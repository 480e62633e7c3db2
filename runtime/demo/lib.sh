# Helpers shared by runtime/demo/demo.sh and runtime/bench/bench.sh: agents on namespace hosts, polling,
# the control client, the workload, and the pieces of a clean teardown. Sourced, not run.
#
# The sourcing script sets:
#   HAUL_HOME      the checkout
#   WORK           its scratch folder (one state folder per agent in it: WORK/NAME)
#   A_IP, B_IP     the two hosts' addresses (each agent lists both as cluster members)
#   SCRIPT_NAME    the prefix of its error messages (default: demo)
#   ENGINE_SETTINGS optional lines added to each agent's haul.engine.cfg (KEY=VALUE, each ending in a newline)
#   CLUSTER_SETTINGS optional lines added to each agent's haul.cluster.cfg, likewise

say() { printf '\n== %s\n' "$*"; }

# usage [STATUS]: the running script's header comment (line 2 to its `set -euo`), on stdout for --help (STATUS 0),
# on stderr after a wrong option; then exits with STATUS (default 64).
usage() {
    local status=${1:-64}
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&"$(( status == 0 ? 1 : 2 ))"
    exit "$status"
}
die() { echo "${SCRIPT_NAME:-demo}: $*" >&2; exit 1; }

# prepare_agent NAME IP: writes an agent's state folder: its name, cluster membership, where it accepts
# migrations, certificates from the cluster CA in WORK/ca (made on first use).
prepare_agent() {
    local name=$1 ip=$2 state="$WORK/$1"
    mkdir -p "$state/etc"
    printf 'name=%s\nlogLevel=INFO\n' "$name" > "$state/etc/haul.agent.cfg"
    printf 'bindAddress=%s\nmembers=%s,%s\n%s' "$ip" "$A_IP" "$B_IP" "${CLUSTER_SETTINGS:-}" > "$state/etc/haul.cluster.cfg"
    printf 'listen=%s:7077\n%s' "$ip" "${ENGINE_SETTINGS:-}" > "$state/etc/haul.engine.cfg"
    HAUL_CERT_IPS="$ip" "$HAUL_HOME/runtime/setup/make-certs.sh" "$WORK/ca" "$name" "$state/tls" >/dev/null
}

# start_agent NAME: starts the agent of WORK/NAME headless in the host namespace NAME; prints its pid.
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

# client NAME ARGS...: ./haul ARGS against the agent of WORK/NAME.
client() { local state="$WORK/$1"; shift; HAUL_STATE="$state" "$HAUL_HOME/haul" "$@"; }

# wait_agent NAME PID: waits up to 90 s for the control socket of the agent started as PID (nsenter, env,
# ./haul and java exec each other: one pid throughout); stops at once if the agent ended.
wait_agent() {
    local name=$1 pid=$2 i=0
    until [ -S "$WORK/$name/control.sock" ]; do
        kill -0 "$pid" 2>/dev/null || die "the agent $name ended while starting: $(tail -3 "$WORK/$name.out" | tr '\n' ' ')"
        [ $i -lt 900 ] || die "no control socket of $name after 90 s (logs in $WORK/*.out, $WORK/*/log/haul.log)"
        sleep 0.1; i=$((i + 1))
    done
}

# start_agents A B: prepares and starts both agents, waits for their control sockets and for the cluster
# of both; sets AGENT_A and AGENT_B to their pids.
start_agents() {
    local a=$1 b=$2
    prepare_agent "$a" "$A_IP"
    prepare_agent "$b" "$B_IP"
    AGENT_A=$(start_agent "$a")
    AGENT_B=$(start_agent "$b")
    wait_agent "$a" "$AGENT_A"
    wait_agent "$b" "$AGENT_B"
    wait_for 60 "cluster of both agents" sh -c "HAUL_STATE='$WORK/$a' '$HAUL_HOME/haul' agents | grep -q '$b'"
}

# start_workload HOST MIB STATUS_FILE [WRITE_MIB_PER_S]: runtime/demo/workload.pl in its own PID namespace
# in the host namespace HOST; sets TREE_LAUNCHER (unshare, in this shell's namespaces) and TREE_ROOT (the
# tree's root, the pid to migrate) once the workload has written its status.
start_workload() {
    local host=$1 mib=$2 status=$3 rate=${4:-0}
    rm -f "$status"
    nsenter --net="/run/netns/$host" unshare -p -f setsid perl "$HAUL_HOME/runtime/demo/workload.pl" "$mib" "$status" "$rate" \
        </dev/null >/dev/null 2>&1 &
    TREE_LAUNCHER=$!
    wait_for 60 "workload status" test -s "$status"
    TREE_ROOT=$(awk '{print $1}' "/proc/$TREE_LAUNCHER/task/$TREE_LAUNCHER/children")
}

# start_networked_workload HOST MIB STATUS_FILE PORT HOST_END ADDRESS MAC [WRITE_MIB_PER_S]: the workload with an
# echo server on PORT, in a network namespace of its own too, joined to HOST's bridge (haulbr0, hosts.sh's) by a
# veth whose inside end eth0 has ADDRESS/24 and MAC and whose host end is HOST_END, as LXC or the CNI bridge
# plugin would make it; sets TREE_LAUNCHER and TREE_ROOT.
start_networked_workload() {
    local host=$1 mib=$2 status=$3 port=$4 host_end=$5 address=$6 mac=$7 rate=${8:-0}
    rm -f "$status"
    nsenter --net="/run/netns/$host" unshare -p -f -n setsid perl "$HAUL_HOME/runtime/demo/workload.pl" \
        "$mib" "$status" "$rate" "$port" </dev/null >/dev/null 2>&1 &
    TREE_LAUNCHER=$!
    wait_for 60 "workload status" test -s "$status"
    TREE_ROOT=$(awk '{print $1}' "/proc/$TREE_LAUNCHER/task/$TREE_LAUNCHER/children")
    ip -n "$host" link add "$host_end" type veth peer name eth0 netns "$TREE_ROOT"
    ip -n "$host" link set "$host_end" master haulbr0 up
    nsenter --net="/proc/$TREE_ROOT/ns/net" sh -c "ip link set lo up && ip link set eth0 address $mac &&
        ip addr add $address/24 dev eth0 && ip link set eth0 up"
}

# tasks_in_folder DIR: every task whose working folder is DIR: a program run in a folder of its own, wherever it
# runs now (the folder is on storage both hosts see, and /proc shows it even for a task restored lazily).
tasks_in_folder() {
    local link pid
    for link in /proc/[0-9]*/cwd; do
        [ "$(readlink "$link" 2>/dev/null)" = "$1" ] || continue
        pid=${link#/proc/}; echo "${pid%/cwd}"
    done
}

# kill_pids PID...: SIGKILL to each given pid still there; empty arguments are skipped.
kill_pids() {
    local pid
    for pid in "$@"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
}

# stop_agents PID...: SIGTERM (a clean stop) to each agent, then waits up to 30 s for each to end (they are
# not children of the caller: start_agent ran in a command substitution), SIGKILL after that.
stop_agents() {
    local pid i
    for pid in "$@"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        [ -n "$pid" ] || continue
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

# keep_logs NAME...: on a failure, leaves the agents' logs in WORK and removes what is large (the framework
# caches, the migrations' images).
keep_logs() {
    local name
    for name in "$@"; do rm -rf "${WORK:?}/$name/felix-cache" "$WORK/$name"/migrations/*/images; done
}

# end_work STATUS NAME...: the end of a run whose exit status is STATUS: the two hosts go (HOSTS, the sourcing
# script's hosts.sh); after a success WORK goes too, after a failure the logs of the agents NAME... stay there.
end_work() {
    local status=$1; shift
    "$HOSTS" down || true
    if [ "$status" = 0 ]; then
        rm -rf "$WORK"
    else
        keep_logs "$@"
        echo "${SCRIPT_NAME:-demo}: failed; the logs are kept in $WORK" >&2
    fi
}
