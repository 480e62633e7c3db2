#!/usr/bin/env bash
# ./haul chaos (issue #11): the fault matrix. One migration per cell, from chaosA to chaosB (network namespaces,
# 169.254.90.1/.2, made by hosts.sh), of a fresh workload (runtime/demo/workload.pl, its own PID namespace, MIB
# MiB of checked pages) with its own working folder, and one fault injected as the migration enters the cell's
# phase (seen in migrate's progress):
#
#   source-agent       kill -9 of the source agent (started again after the migration ended: recovery)
#   destination-agent  kill -9 of the destination agent (started again likewise)
#   source-criu        kill -9 of the CRIU the source agent runs (none in PRECOPY: the cell says so)
#   destination-criu   kill -9 of the CRIU the destination agent runs
#   lazy-pages         kill -9 of the destination's lazy-pages daemon
#   link               the veth between the hosts down, up again after the migration ended
#
# The transfers are capped (100 Mbit/s, htb on the migration port only) so that each phase lasts long enough to
# be hit; PRECOPY cells pre-copy with vmread, the others stop and copy (strategy none), which puts the whole
# memory in the frozen TRANSFER. Once the migration has ended and the agents are back, each cell checks:
# exactly one copy of the workload runs (its tasks found by their working folder, which /proc shows even for a
# task restored lazily), on which host, its counter moving on from where it was and every page it checks OK;
# the record's outcome and error code; how long the workload stood still from the fault on; and what is left
# behind on either host (images, CRIU processes, lazy-pages daemons, CRIU's lock rules). Anything left, no copy,
# two copies or a broken state fails the cell. It prints the matrix and the line
# "chaos: N of M cells ended with exactly one running copy, state intact, nothing left behind".
#
#   ./haul chaos [--faults F1,F2...] [--phases PRECOPY,FINAL_DUMP,TRANSFER,RESTORE] [--mib 64] [--out DIR]
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
SCRIPT_NAME=chaos
# shellcheck source=../demo/lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

FAULTS=source-agent,destination-agent,source-criu,destination-criu,lazy-pages,link
PHASES=PRECOPY,FINAL_DUMP,TRANSFER,RESTORE
MIB=64 CAP=100mbit
OUT="/tmp/haul-chaos-$(date +%Y%m%d-%H%M%S)"

while [ $# -gt 0 ]; do
    case "$1" in
        --faults) FAULTS=${2:?}; shift 2 ;;
        --phases) PHASES=${2:?}; shift 2 ;;
        --mib) MIB=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "chaos: unknown option $1" >&2; usage ;;
    esac
done
[[ $MIB =~ ^[1-9][0-9]*$ ]] || die "--mib wants a size in MiB, not $MIB"
IFS=, read -r -a FAULT_LIST <<< "$FAULTS"
IFS=, read -r -a PHASE_LIST <<< "$PHASES"
for fault in "${FAULT_LIST[@]}"; do
    [[ ,source-agent,destination-agent,source-criu,destination-criu,lazy-pages,link, == *",$fault,"* ]] \
        || die "no fault named '$fault' (see --help)"
done
for phase in "${PHASE_LIST[@]}"; do
    [[ ,PRECOPY,FINAL_DUMP,TRANSFER,RESTORE, == *",$phase,"* ]] || die "no phase '$phase' here (see --help)"
done
[ "$(id -u)" = 0 ] || die "chaos runs as root (CRIU, namespaces)"

A=chaosA B=chaosB A_IP=169.254.90.1 B_IP=169.254.90.2
export HAUL_HOST_A=$A HAUL_HOST_B=$B HAUL_HOST_A_IP=$A_IP HAUL_HOST_B_IP=$B_IP
VETH_A=haul-$A
WORK=$(mktemp -d /tmp/haul-chaos-work.XXXXXX)
AGENT_A="" AGENT_B="" TREE_LAUNCHER="" TREE_ROOT="" MIGRATE=""
# CRIU's command line (install-criu.sh's wrapper runs it through its own loader: its comm is not "criu")
CRIU_CMDLINE='/s?bin/criu( |$)'

cleanup() {
    local status=$?
    [ -n "$MIGRATE" ] && kill "$MIGRATE" 2>/dev/null || true
    kill_pids $(tree_pids) "$TREE_LAUNCHER"
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" "$A" "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CONTROL_CLIENT=("${HAUL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -cp "$WORK/control.jar" io.haul.control.ControlClient)
cclient() { local name=$1; shift; "${CONTROL_CLIENT[@]}" "$WORK/$name/control.sock" "$@"; }

TREE_DIR=""
# tree_pids: every task whose working folder is the cell's tree folder: the workload, wherever it runs.
tree_pids() {
    [ -n "$TREE_DIR" ] || return 0
    local link pid
    for link in /proc/[0-9]*/cwd; do
        [ "$(readlink "$link" 2>/dev/null)" = "$TREE_DIR" ] || continue
        pid=${link#/proc/}; echo "${pid%/cwd}"
    done
}

# copies: "HOST:ROOT" for each copy of the workload (a task whose parent is not one of its tasks), HOST the
# host namespace it runs in (A, B, or ? for neither).
copies() {
    local pids pid ppid netns ns_a ns_b
    ns_a=$(stat -L -c %i "/run/netns/$A") ns_b=$(stat -L -c %i "/run/netns/$B")
    pids=" $(tree_pids | tr '\n' ' ') "
    for pid in $pids; do
        ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || continue
        [[ $pids == *" $ppid "* ]] && continue
        netns=$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) || continue
        if [ "$netns" = "$ns_a" ]; then echo "A:$pid"; elif [ "$netns" = "$ns_b" ]; then echo "B:$pid"; else echo "?:$pid"; fi
    done
}

# agent_alive PID: it runs (a killed agent nobody reaps yet stays a zombie: that is dead too)
agent_alive() { [ -n "$1" ] && [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# agents_up: starts whichever agent is not running, waits for both and for their cluster.
agents_up() {
    agent_alive "$AGENT_A" || restart_agent "$A"
    agent_alive "$AGENT_B" || restart_agent "$B"
    wait_for 90 "cluster of both agents" each_sees_the_other
}

# restart_agent NAME: starts the agent of host NAME again (its old control socket removed first, so that the
# wait is for the new one); its earlier output is kept beside.
restart_agent() {
    local name=$1 pid
    echo "   (starting the agent of $name again)"
    rm -f "$WORK/$name/control.sock"
    cat "$WORK/$name.out" >> "$WORK/$name.out.earlier" 2>/dev/null || true
    pid=$(start_agent "$name")
    if [ "$name" = "$A" ]; then AGENT_A=$pid; else AGENT_B=$pid; fi
    wait_agent "$name" "$pid"
}

each_sees_the_other() { cclient "$A" agents 2>/dev/null | grep -q "$B" && cclient "$B" agents 2>/dev/null | grep -q "$A"; }

# ended ID: the record of migration ID, as the source agent has it, says it ended.
ended() { local record; record=$(cclient "$A" migration --json "$1" 2>/dev/null) && [ -n "$record" ] \
    && ! grep -q IN_PROGRESS <<< "$record"; }

cap_transfers() { # htb: the migration port capped, the rest (Hazelcast, control) not
    tc -n "$A" qdisc del dev "$VETH_A" root 2>/dev/null || true
    tc -n "$A" qdisc add dev "$VETH_A" root handle 1: htb default 10
    tc -n "$A" class add dev "$VETH_A" parent 1: classid 1:10 htb rate 10gbit quantum 60000 2>/dev/null
    tc -n "$A" class add dev "$VETH_A" parent 1: classid 1:30 htb rate "$CAP" ceil "$CAP" burst 256kb
    tc -n "$A" qdisc add dev "$VETH_A" parent 1:30 handle 30: pfifo limit 200
    tc -n "$A" filter add dev "$VETH_A" parent 1: protocol ip prio 1 u32 match ip dport 7077 0xffff flowid 1:30
}

# victim FAULT: the pid the fault kills now, empty when there is none (no CRIU runs in this phase...).
victim() {
    case "$1" in
        source-agent) echo "$AGENT_A" ;;
        destination-agent) echo "$AGENT_B" ;;
        source-criu) pgrep -P "$AGENT_A" -f "$CRIU_CMDLINE" | head -1 || true ;;
        destination-criu) pgrep -P "$AGENT_B" -f "$CRIU_CMDLINE" | head -1 || true ;;
        lazy-pages) pgrep -f "$CRIU_CMDLINE"' lazy-pages' | head -1 || true ;;
    esac
}

leftovers() { # what is left of the migrations on either host
    local what=()
    [ -n "$(find "$WORK/$A/migrations" "$WORK/$B/migrations" -path '*/images/*' -type f 2>/dev/null | head -1)" ] \
        && what+=("images")
    pgrep -f "$CRIU_CMDLINE" >/dev/null && what+=("CRIU processes")
    for host in "$A" "$B"; do
        ip netns exec "$host" iptables -S 2>/dev/null | grep -qiE 'CRIU|0xc114' && what+=("lock rules on $host")
    done
    (IFS=,; echo "${what[*]:-}")
}

count_now() { awk '{print $1}' "$TREE_DIR/status" 2>/dev/null || echo 0; }

RESULTS="$OUT/cells.csv"
"$HAUL_HOME/haul" setup >/dev/null
"$HAUL_HOME/haul" build
mkdir -p "$OUT"
cp "$(ls "$HAUL_HOME"/bundles/control/target/control-*.jar | head -1)" "$WORK/control.jar"
echo "fault,phase,verdict,copy,outcome,code,stood_still_s,left_behind,detail" > "$RESULTS"

say "two hosts $A ($A_IP) and $B ($B_IP), an agent on each"
"$HOSTS" up >/dev/null
start_agents "$A" "$B"

cell=0 good=0 total=0
for fault in "${FAULT_LIST[@]}"; do
    for phase in "${PHASE_LIST[@]}"; do
        cell=$((cell + 1))
        agents_up
        ip -n "$A" link set "$VETH_A" up
        TREE_DIR="$WORK/tree-$cell"
        mkdir -p "$TREE_DIR"
        cd "$TREE_DIR"
        start_workload "$A" "$MIB" "$TREE_DIR/status" 1
        cd "$WORK"
        wait_for 30 "workload counting" sh -c "[ \$(awk '{print \$1}' '$TREE_DIR/status') -gt 2 ]"
        cap_transfers
        strategy=none; [ "$phase" = PRECOPY ] && strategy=vmread
        cclient "$A" migrate "process:$TREE_ROOT" --to "$B" --strategy "$strategy" > "$TREE_DIR/migrate.out" 2>&1 &
        MIGRATE=$!
        # the phase's first progress line: no event reaches a shell sooner
        i=0
        until grep -qE "^ +[0-9.]+s +$phase " "$TREE_DIR/migrate.out" || ! kill -0 "$MIGRATE" 2>/dev/null || [ $i -ge 1800 ]; do
            sleep 0.05; i=$((i + 1))
        done
        detail="" victim_pid="" injected=""
        if ! grep -qE "^ +[0-9.]+s +$phase " "$TREE_DIR/migrate.out"; then
            detail="the migration ended before $phase"
        elif [ "$fault" = link ]; then
            ip -n "$A" link set "$VETH_A" down; injected=1
        else
            victim_pid=$(victim "$fault")
            if [ -n "$victim_pid" ]; then kill -KILL "$victim_pid"; injected=1; else detail="nothing to kill in $phase"; fi
        fi
        at_fault=$(count_now) faulted=$EPOCHREALTIME stood="" 
        i=0
        while [ $i -lt 3600 ]; do # up to 3 minutes for the migration to end and the workload to move on
            [ -z "$stood" ] && [ "$(count_now)" -gt "$at_fault" ] && stood=$(awk -v a="$faulted" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
            kill -0 "$MIGRATE" 2>/dev/null || [ -z "$stood" ] || break
            sleep 0.05; i=$((i + 1))
        done
        kill "$MIGRATE" 2>/dev/null || true
        wait "$MIGRATE" 2>/dev/null || true
        MIGRATE=""
        tc -n "$A" qdisc del dev "$VETH_A" root 2>/dev/null || true
        ip -n "$A" link set "$VETH_A" up
        agents_up
        id=$(sed -n 's/^migration \([0-9a-f-]\{36\}\):.*/\1/p' "$TREE_DIR/migrate.out" | head -1)
        outcome="" code=""
        if [ -n "$id" ]; then
            wait_for 120 "migration $id settled" ended "$id"
            record=$(cclient "$A" migration --json "$id")
            outcome=$(echo "$record" | grep -o '"outcome" *: *"[A-Z_]*"' | head -1 | sed 's/.*"\([A-Z_]*\)"$/\1/' || true)
            code=$(echo "$record" | grep -o '"code" *: *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/' || true)
        fi
        # the destination's images go once its lazy-pages daemon is done: give it the time it takes
        i=0; while [ -n "$(leftovers)" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
        left=$(leftovers)
        mapfile -t found < <(copies)
        copy="none"; [ ${#found[@]} = 1 ] && copy=${found[0]%%:*}; [ ${#found[@]} -gt 1 ] && copy="${#found[@]} copies"
        state=$(awk '{print $3}' "$TREE_DIR/status" 2>/dev/null || echo "?")
        moving=""
        if [ ${#found[@]} = 1 ]; then
            now=$(count_now)
            wait_for 10 "the workload counting after the cell" sh -c "[ \$(awk '{print \$1}' '$TREE_DIR/status') -gt $now ]" && moving=1
        fi
        verdict=FAILED
        if [ -z "$injected" ]; then
            verdict="n/a"
        elif [ ${#found[@]} = 1 ] && [ -n "$moving" ] && [ "$state" = OK ] && [ -z "$left" ] \
            && [ "$(count_now)" -ge "$at_fault" ]; then
            verdict=ok
        fi
        [ "$verdict" = ok ] && good=$((good + 1))
        [ "$verdict" = "n/a" ] || total=$((total + 1))
        printf '%-18s %-10s %-6s copy %-3s %-11s %-22s still %5ss  left: %s %s\n' "$fault" "$phase" "$verdict" \
            "$copy" "${outcome:-?}" "${code:--}" "${stood:-?}" "${left:-nothing}" "$detail"
        echo "$fault,$phase,$verdict,$copy,$outcome,$code,$stood,${left// /_},${detail// /_}" >> "$RESULTS"
        kill_pids $(tree_pids) "$TREE_LAUNCHER"
        wait "$TREE_LAUNCHER" 2>/dev/null || true
        TREE_ROOT="" TREE_LAUNCHER=""
    done
done

say "the matrix (copy that runs, or n/a where the fault cannot happen in the phase; FAILED cells above)"
awk -F, -v phases="$PHASES" 'BEGIN { n = split(phases, p, ","); printf "%-18s", "fault"; for (i = 1; i <= n; i++) printf " %-12s", p[i]; print "" }
    NR > 1 { cell[$1, $2] = ($3 == "ok" ? $4 " ok" : $3); if (!($1 in seen)) { seen[$1] = 1; order[++f] = $1 } }
    END { for (j = 1; j <= f; j++) { printf "%-18s", order[j]; for (i = 1; i <= n; i++) printf " %-12s", cell[order[j], p[i]]; print "" } }' "$RESULTS"
echo "chaos: $good of $total cells ended with exactly one running copy, state intact, nothing left behind"
[ "$good" = "$total" ]
