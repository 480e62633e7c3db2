#!/usr/bin/env bash
# ./haul chaos (issue #11): the fault matrix. One migration per cell, from chaosA to chaosB (network namespaces,
# 169.254.90.1/.2, made by hosts.sh), of a fresh workload (runtime/demo/workload.pl, its own PID namespace, MIB
# MiB of checked pages) with its own working folder. The agents hold every migration at each step (the engine's
# test setting testHoldAt: a held migration waits for a file release-hold in its folder on chaosA), so that the
# fault hits the cell's phase exactly: the script injects it while the migration is held there, then lets it go on.
# Faults:
#
#   source-agent       kill -9 of the source agent (started again after the migration ended: recovery)
#   destination-agent  kill -9 of the destination agent (started again likewise)
#   source-criu        kill -9 of a CRIU the source agent runs, the first seen in the phase (n/a where none runs)
#   destination-criu   kill -9 of a CRIU the destination agent runs (not its lazy-pages daemon), likewise
#   lazy-pages         kill -9 of the destination's lazy-pages daemon, likewise (these cells move 80 MiB: below
#                      64 MiB of page images the destination restores eagerly, with no daemon)
#   link               the veth between the hosts down, up again after the migration ended
#   state-full         the destination's migrations folder (a tmpfs of 4 x 80 + 64 MiB, mounted for the run)
#                      filled to the last byte, emptied after the migration ended
#   source-restart     the source agent stopped cleanly (SIGTERM) and started again: recovery from the record
#   both-restart       kill -9 of both agents, both started again
#
# Phases, each a hold point of the source: HANDSHAKE, CHECKS, FILESYSTEM, PRECOPY (its first round),
# PRECOPY_LATER (before the second round), FINAL_DUMP, TRANSFER, RESTORE (each at its entry), BEFORE_COMMIT and
# AFTER_COMMIT (either side of the commit point), CLEANUP (its entry, after the commit). PRECOPY cells pre-copy
# with vmread, the others stop and copy (strategy none), which puts the whole memory in the frozen TRANSFER. The
# link is not capped: the holds, not a slow transfer, make each phase last until the fault is in.
#
# Once the migration has ended and the agents are back, each cell checks: exactly one copy of the workload runs
# (its tasks found by their working folder, which /proc shows even for a task restored lazily), on which host, its
# counter moving on from where it was and every page it checks OK; the record's outcome and error code; how long
# the workload stood still from the fault on; and what is left behind on either host: images, files sent ahead,
# page recipes, page store files, hold files, CRIU processes, lazy-pages daemons, iptables or nftables rules,
# mounts under the run's folder, network namespaces of the run's prefix, open connections on the migration port.
# Anything left, no copy, two copies or a broken state fails the cell. It prints the matrix and the line
# "chaos: N of M cells ended with exactly one running copy, state intact, nothing left behind" (n/a cells, where
# the fault cannot happen in the phase, are not counted; each says why).
#
# Backends (--backend): process (the default: the tree above, the whole matrix), docker or runc (a container of
# that runtime: runtime/chaos/runtimes.sh says how it is run and checked; on top of the checks above, what the
# runtime keeps is left behind too: its containers on either host, Docker's checkpoints in the containers' folders,
# containerd's /tmp/ctrd-checkpoint* copies, runc's moved bundles, Haul's runtime holds, lock rules in the copy).
# For docker and runc, without --faults, --phases or --cells, the run is the subset of cells that hit the
# runtime's own machinery (RUNTIME_CELLS below: the hold at post-dump and post-restore, and the files sent ahead).
# --cells F:P,F:P... runs just those cells (of any backend). The hosts are chaosA/chaosB on 169.254.90.0/24, or
# HAUL_CHAOS_HOST_A, HAUL_CHAOS_HOST_B and HAUL_CHAOS_NET (the /24's first three numbers) to run beside another.
#
#   ./haul chaos [--backend process|docker|runc] [--faults F1,F2...] [--phases P1,P2...] [--cells F:P,...]
#                [--mib 16] [--step-timeout 20] [--out DIR]
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
SCRIPT_NAME=chaos
# shellcheck source=../demo/lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

ALL_FAULTS=source-agent,destination-agent,source-criu,destination-criu,lazy-pages,link,state-full,source-restart,both-restart
ALL_PHASES=HANDSHAKE,CHECKS,FILESYSTEM,PRECOPY,PRECOPY_LATER,FINAL_DUMP,TRANSFER,RESTORE,BEFORE_COMMIT,AFTER_COMMIT,CLEANUP
# The runtimes' subset: their CRIU held at post-dump (source-criu) and at post-restore (destination-criu), killed
# during the restore and at the commit point's door; the files sent ahead (layer, volumes, root file system) hit
# where they travel: the destination agent, the link and the destination's disk at FILESYSTEM and TRANSFER; the
# destination agent at BEFORE_COMMIT (its restore held, waiting for the restarted agent's verdict); the source agent
# just after the commit point (its held dump must not resume).
RUNTIME_CELLS=source-criu:RESTORE,source-criu:BEFORE_COMMIT,destination-criu:RESTORE,destination-criu:BEFORE_COMMIT
RUNTIME_CELLS+=,destination-agent:FILESYSTEM,destination-agent:TRANSFER,destination-agent:BEFORE_COMMIT
RUNTIME_CELLS+=,link:FILESYSTEM,link:TRANSFER,state-full:FILESYSTEM,state-full:TRANSFER,source-agent:AFTER_COMMIT
FAULTS="" PHASES="" CELLS="" BACKEND=process
MIB=16 STEP_TIMEOUT=20
# the lazy-pages cells' workload: the destination restores page images under 64 MiB eagerly, with no daemon
LAZY_MIB=80
OUT="/tmp/haul-chaos-$(date +%Y%m%d-%H%M%S)"

while [ $# -gt 0 ]; do
    case "$1" in
        --backend) BACKEND=${2:?}; shift 2 ;;
        --cells) CELLS=${2:?}; shift 2 ;;
        --faults) FAULTS=${2:?}; shift 2 ;;
        --phases) PHASES=${2:?}; shift 2 ;;
        --mib) MIB=${2:?}; shift 2 ;;
        --step-timeout) STEP_TIMEOUT=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "chaos: unknown option $1" >&2; usage ;;
    esac
done
[[ $MIB =~ ^[1-9][0-9]*$ ]] || die "--mib wants a size in MiB, not $MIB"
[[ $STEP_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--step-timeout wants seconds, not $STEP_TIMEOUT"
case "$BACKEND" in process|docker|runc) ;; *) die "no backend '$BACKEND' here: process, docker or runc" ;; esac
# the cells, FAULT:PHASE each: --cells; else the runtimes' subset unless faults or phases were given; else the
# given faults by the given phases (each list whole when not given)
if [ -z "$CELLS" ]; then
    if [ "$BACKEND" != process ] && [ -z "$FAULTS$PHASES" ]; then
        CELLS=$RUNTIME_CELLS
    else
        faults=${FAULTS:-$ALL_FAULTS} phases=${PHASES:-$ALL_PHASES}
        CELLS=$(for fault in ${faults//,/ }; do for phase in ${phases//,/ }; do
            echo "$fault:$phase"; done; done | paste -sd,)
    fi
fi
IFS=, read -r -a CELL_LIST <<< "${CELLS//$'\n'/,}"
for entry in "${CELL_LIST[@]}"; do
    [[ ,$ALL_FAULTS, == *",${entry%%:*},"* ]] || die "no fault named '${entry%%:*}' (see --help)"
    [[ ,$ALL_PHASES, == *",${entry#*:},"* ]] || die "no phase '${entry#*:}' here (see --help)"
done
PHASES_SEEN=$(for entry in "${CELL_LIST[@]}"; do echo "${entry#*:}"; done | awk '!seen[$0]++' | paste -sd,)
[ "$(id -u)" = 0 ] || die "chaos runs as root (CRIU, namespaces)"

# hold_point PHASE: the source's fault point a cell of PHASE holds at
hold_point() {
    case "$1" in
        PRECOPY_LATER) echo source:PRECOPY_ROUND_2 ;;
        BEFORE_COMMIT) echo source:COMMIT ;;
        AFTER_COMMIT) echo source:COMMITTED ;;
        *) echo "source:$1" ;;
    esac
}
HOLDS=$(for phase in ${ALL_PHASES//,/ }; do hold_point "$phase"; done | paste -sd,)

A=${HAUL_CHAOS_HOST_A:-chaosA} B=${HAUL_CHAOS_HOST_B:-chaosB} NET=${HAUL_CHAOS_NET:-169.254.90}
A_IP=$NET.1 B_IP=$NET.2
# the run's network namespaces: hosts.sh's three (A, B and the client C), of A's name less its last letter
NETNS_PREFIX=${A%?}
export HAUL_HOST_A=$A HAUL_HOST_B=$B HAUL_HOST_A_IP=$A_IP HAUL_HOST_B_IP=$B_IP
ENGINE_SETTINGS=$(printf 'testHoldAt=%s\nstepTimeoutSeconds=%s\n' "$HOLDS" "$STEP_TIMEOUT")
ENGINE_SETTINGS+=$'\n'
VETH_A=haul-$A
WORK=$(mktemp -d /tmp/haul-chaos-work.XXXXXX)   # short: containerd's socket paths live under it
TAG=chaos${WORK##*.}   # marks the run's containers and cgroups
AGENT_A="" AGENT_B="" TREE_LAUNCHER="" TREE_ROOT="" MIGRATE=""
# CRIU's command line (install-criu.sh's wrapper runs it through its own loader: its comm is not "criu"); a
# dump or restore CRIU that took its request renames itself ("criu: dump --rpc -t PID")
CRIU_CMDLINE='/s?bin/criu( |$)|(^| )criu: '
STATE_TMPFS="$WORK/$B/migrations"
TMPFS_MIB=$(( 4 * (MIB > LAZY_MIB ? MIB : LAZY_MIB) + 64 ))
FILLER="$STATE_TMPFS/chaos-filler"

cleanup() {
    local status=$?
    [ -n "$MIGRATE" ] && kill "$MIGRATE" 2>/dev/null || true
    kill_pids $(tree_pids) "$TREE_LAUNCHER"
    stop_container
    stop_agents "$AGENT_A" "$AGENT_B"
    runtime_down
    mountpoint -q "$STATE_TMPFS" 2>/dev/null && umount -l "$STATE_TMPFS"
    end_work "$status" "$A" "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CONTROL_CLIENT=("${HAUL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -cp "$WORK/control.jar" io.haul.control.ControlClient)
cclient() { local name=$1; shift; "${CONTROL_CLIENT[@]}" "$WORK/$name/control.sock" "$@"; }
# ask NAME ARGS...: a question a poll asks, bounded: an agent whose every carrier thread waits (on a stuck runtime)
# answers nothing
ask() { local name=$1; shift; timeout 20 "${CONTROL_CLIENT[@]}" "$WORK/$name/control.sock" "$@"; }

# shellcheck source=runtimes.sh
. "$HAUL_HOME/runtime/chaos/runtimes.sh"

TREE_DIR=""
tree_pids() { [ -z "$TREE_DIR" ] || tasks_in_folder "$TREE_DIR"; }

ns_inode() { stat -L -c %i "/run/netns/$1"; }

# copies: "HOST:ROOT" for each copy of the workload (a task whose parent is not one of its tasks), HOST the
# host namespace it runs in (A, B, or ? for neither).
copies() {
    [ "$BACKEND" = process ] || { container_copies; return; }
    local pids pid ppid netns ns_a ns_b
    ns_a=$(ns_inode "$A") ns_b=$(ns_inode "$B")
    pids=" $(tree_pids | tr '\n' ' ') "
    for pid in $pids; do
        ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || continue
        [[ $pids == *" $ppid "* ]] && continue
        netns=$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) || continue
        if [ "$netns" = "$ns_a" ]; then echo "A:$pid"; elif [ "$netns" = "$ns_b" ]; then echo "B:$pid"; else echo "?:$pid"; fi
    done
}

# criu_in HOST [lazy|other]: the CRIU processes in HOST's network namespace (the agent's: other helpers' CRIUs on
# this machine are not ours), only the lazy-pages daemons, or only the others.
criu_in() {
    local ns pid cmd
    ns=$(ns_inode "$1")
    for pid in $(pgrep -f "$CRIU_CMDLINE" || true); do
        [ "$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)" = "$ns" ] || continue
        cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || continue
        case "${2:-}" in
            lazy) [[ $cmd != *lazy-pages* ]] || echo "$pid" ;;
            other) [[ $cmd == *lazy-pages* ]] || echo "$pid" ;;
            *) echo "$pid" ;;
        esac
    done
}

# agent_alive PID: it runs (a killed agent nobody reaps yet stays a zombie: that is dead too)
agent_alive() { [ -n "$1" ] && [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# agents_up: starts whichever agent is not running, waits for both and for their cluster.
agents_up() {
    agent_alive "$AGENT_A" || restart_agent "$A"
    agent_alive "$AGENT_B" || restart_agent "$B"
    wait_for 90 "cluster of both agents" each_sees_the_other
    if [ "$BACKEND" != process ]; then
        wait_for 60 "$BACKEND backend on $A" runtime_ready "$A"
        wait_for 60 "$BACKEND backend on $B" runtime_ready "$B"
    fi
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

each_sees_the_other() { ask "$A" agents 2>/dev/null | grep -q "$B" \
    && ask "$B" agents 2>/dev/null | grep -q "$A"; }

# ended ID: the record of migration ID, as the source agent has it, says it ended.
ended() { local record; record=$(ask "$A" migration --json "$1" 2>/dev/null) && [ -n "$record" ] \
    && ! grep -q IN_PROGRESS <<< "$record"; }


# The source's holds of migration ID, from its log: how many it reached, where the last one is. HANDLED counts
# those the script let go (or faulted at): each is released once, so no release is left for a later hold.
LOG_A="$WORK/$A/log/haul.log"
HANDLED=0
holds_reached() { grep -c "migration $1: held at" "$LOG_A" 2>/dev/null || true; }
last_hold() { grep "migration $1: held at" "$LOG_A" 2>/dev/null | tail -1 | sed 's/.*held at \([^ ]*\) .*/\1/'; }
held_now() { [ "$(holds_reached "$1")" -gt "$HANDLED" ]; }
release() { HANDLED=$(holds_reached "$1"); : > "$WORK/$A/migrations/$1/release-hold"; }
migrating() { [ -n "$MIGRATE" ] && kill -0 "$MIGRATE" 2>/dev/null; }

# victim FAULT: the pid a process fault kills now, empty when there is none (no CRIU runs in this phase...).
victim() {
    case "$1" in
        source-criu) criu_in "$A" other | awk 'NR == 1' ;;
        destination-criu) criu_in "$B" other | awk 'NR == 1' ;;
        lazy-pages) criu_in "$B" lazy | awk 'NR == 1' ;;
    esac
}

# wait_for_quietly SECONDS COMMAND...: as wait_for, but carries on after the time (what it waits for may not come)
wait_for_quietly() { local limit=$(( $1 * 10 )) i=0; shift; until "$@" >/dev/null 2>&1 || [ $i -ge $limit ]; do sleep 0.1; i=$((i + 1)); done; }

# killed PID: SIGKILL to PID, named in DETAIL by its command line (which CRIU: "criu swrk" is a runtime's)
killed() {
    local cmd
    # without the loader install-criu.sh's wrapper runs CRIU through
    cmd=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | sed 's|^.*ld-linux[^ ]* --library-path [^ ]* ||; s/  *$//' | cut -c1-40)
    kill -KILL "$1" 2>/dev/null && DETAIL="killed ${cmd% }"
}

# inject FAULT ID: the fault, while migration ID is held at the cell's point; sets INJECTED, or DETAIL to why
# not. (Not in a subshell: restarting an agent sets AGENT_A or AGENT_B.)
inject() {
    local fault=$1 id=$2 reached pid i
    INJECTED=1
    case "$fault" in
        source-agent) kill -KILL "$AGENT_A"; HANDLED=$(holds_reached "$id") ;;
        destination-agent) kill -KILL "$AGENT_B"; release "$id" ;;
        link) ip -n "$A" link set "$VETH_A" down; release "$id" ;;
        state-full)
            dd if=/dev/zero of="$FILLER" bs=1M 2>/dev/null || true # until no space is left
            release "$id" ;;
        source-restart)
            HANDLED=$(holds_reached "$id")
            stop_agents "$AGENT_A"; restart_agent "$A" >/dev/null ;;
        both-restart)
            HANDLED=$(holds_reached "$id")
            kill -KILL "$AGENT_A" "$AGENT_B"
            restart_agent "$A" >/dev/null; restart_agent "$B" >/dev/null ;;
        *) # a process that runs during the phase: one there at the hold, else the first seen before the next
            # hold (the phase's end)
            pid=$(victim "$fault")
            if [ -n "$pid" ] && killed "$pid"; then
                # at the commit point's door the fault comes before the commit: the destination, which watches what
                # holds its copy, gets the time to say it lost it (as ChaosIT waits for it); released at once, the
                # kill would race the commit point's write, the window the README names
                [ "$phase" != BEFORE_COMMIT ] || [ "$fault" = source-criu ] \
                    || wait_for_quietly 10 grep -q "migration $id: the restored copy on" "$WORK/$B/log/haul.log"
                release "$id"; return
            fi
            release "$id"
            reached=$HANDLED INJECTED="" i=0
            while migrating && [ "$(holds_reached "$id")" = "$reached" ] && [ $i -lt 1200 ]; do
                pid=$(victim "$fault")
                # one that ended by itself meanwhile was not killed: look on
                if [ -n "$pid" ] && killed "$pid"; then INJECTED=1; return; fi
                sleep 0.05; i=$((i + 1))
            done
            DETAIL="no such process ran in the phase" ;;
    esac
}

# leftovers: what is left of the run's migrations on either host (a comma-separated list, empty for nothing)
leftovers() {
    local what=() host kind
    for kind in images ahead recipes pagestore; do
        [ -n "$(find "$WORK/$A/migrations" "$WORK/$B/migrations" -path "*/$kind/*" -type f 2>/dev/null | head -1)" ] \
            && what+=("$kind")
    done
    [ -n "$(find "$WORK/$A/migrations" "$WORK/$B/migrations" -name release-hold 2>/dev/null | head -1)" ] \
        && what+=("hold files")
    [ -n "$(criu_in "$A" other; criu_in "$B" other)" ] && what+=("CRIU processes")
    [ -n "$(criu_in "$A" lazy; criu_in "$B" lazy)" ] && what+=("lazy-pages daemons")
    for host in "$A" "$B"; do
        [ "$(ip netns exec "$host" iptables -S 2>/dev/null | grep -vc '^-P')" = 0 ] || what+=("iptables rules on $host")
        [ -z "$(ip netns exec "$host" nft list ruleset 2>/dev/null)" ] || what+=("nftables rules on $host")
        [ -z "$(ip netns exec "$host" ss -Htn state established '( sport = :7077 or dport = :7077 )' 2>/dev/null)" ] \
            || what+=("connections on $host")
    done
    [ "$(grep -c " $WORK/" /proc/self/mountinfo)" = "$MOUNTS_BEFORE" ] || what+=("mounts")
    [ "$(ip netns list | grep -c "^$NETNS_PREFIX")" = "$NETNS_BEFORE" ] || what+=("network namespaces")
    if [ "$BACKEND" != process ]; then
        mapfile -t -O "${#what[@]}" what < <(runtime_leftovers "$1" "$2")
    fi
    (IFS=,; echo "${what[*]:-}")
}

# the workload's status line, and its count (0 while none can be read)
status_now() { if [ "$BACKEND" = process ]; then cat "$TREE_DIR/status" 2>/dev/null; else container_status; fi; }
count_now() { local count; count=$(status_now | awk '{print $1}'); echo "${count:-0}"; }

RESULTS="$OUT/cells.csv"
"$HAUL_HOME/haul" setup >/dev/null
"$HAUL_HOME/haul" build
mkdir -p "$OUT"
cp "$(ls "$HAUL_HOME"/bundles/control/target/control-*.jar | head -1)" "$WORK/control.jar"
echo "fault,phase,verdict,copy,outcome,code,stood_still_s,left_behind,detail" > "$RESULTS"

say "two hosts $A ($A_IP) and $B ($B_IP), an agent on each; $B's migrations folder a tmpfs of $TMPFS_MIB MiB"
"$HOSTS" up >/dev/null
prepare_agent "$A" "$A_IP"
prepare_agent "$B" "$B_IP"
if [ "$BACKEND" != process ]; then
    say "a $BACKEND runtime of its own on each host, the docker plugin in each agent's deploy folder"
    runtime_configure
fi
mkdir -p "$STATE_TMPFS"
mount -t tmpfs -o size="$TMPFS_MIB"m chaos-state "$STATE_TMPFS"
MOUNTS_BEFORE=$(grep -c " $WORK/" /proc/self/mountinfo)
NETNS_BEFORE=$(ip netns list | grep -c "^$NETNS_PREFIX")
AGENT_A=$(start_agent "$A")
AGENT_B=$(start_agent "$B")
wait_agent "$A" "$AGENT_A"
wait_agent "$B" "$AGENT_B"
begun=$SECONDS

counting_past() { [ "$(count_now)" -gt "$1" ]; }

cell=0 good=0 total=0
for entry in "${CELL_LIST[@]}"; do
        fault=${entry%%:*} phase=${entry#*:}
        cell=$((cell + 1))
        agents_up
        ip -n "$A" link set "$VETH_A" up
        TREE_DIR="$WORK/tree-$cell"
        mkdir -p "$TREE_DIR"
        mib=$MIB; [ "$fault" = lazy-pages ] && mib=$LAZY_MIB
        if [ "$BACKEND" = process ]; then
            cd "$TREE_DIR"
            start_workload "$A" "$mib" "$TREE_DIR/status" 1
            cd "$WORK"
            TARGET="process:$TREE_ROOT"
        else
            start_container "$cell" "$mib"
        fi
        wait_for 30 "workload counting" counting_past 2
        MOUNTS_BEFORE=$(grep -c " $WORK/" /proc/self/mountinfo)   # the one copy's own (Docker's overlay...)
        strategy=none; [[ $phase == PRECOPY* ]] && strategy=vmread
        cclient "$A" migrate "$TARGET" --to "$B" --strategy "$strategy" > "$TREE_DIR/migrate.out" 2>&1 &
        MIGRATE=$!
        wait_for 60 "migration id" grep -q '^migration [0-9a-f-]\{36\}' "$TREE_DIR/migrate.out"
        id=$(sed -n 's/^migration \([0-9a-f-]\{36\}\).*/\1/p' "$TREE_DIR/migrate.out" | head -1)
        point=$(hold_point "$phase")
        # each hold before the cell's point let go; at it, the fault
        DETAIL="" INJECTED="" HANDLED=0
        i=0
        while migrating && [ $i -lt 2400 ]; do
            if held_now "$id"; then
                if [ "$(last_hold "$id")" = "$point" ]; then break; fi
                release "$id"
            fi
            sleep 0.05; i=$((i + 1))
        done
        at_fault=$(count_now) faulted=$EPOCHREALTIME stood=""
        if held_now "$id" && [ "$(last_hold "$id")" = "$point" ]; then
            inject "$fault" "$id"
        else
            DETAIL="the migration ended before $phase"
        fi
        injected=$INJECTED detail=$DETAIL
        # up to 3 minutes for the migration to end, then 20 s more for the workload to move on
        limit=$((SECONDS + 180)) ended_at=""
        while [ $SECONDS -lt $limit ]; do
            [ -z "$stood" ] && [ "$(count_now)" -gt "$at_fault" ] && stood=$(awk -v a="$faulted" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
            agent_alive "$AGENT_A" && held_now "$id" && release "$id" # the holds after the fault
            if ! migrating; then
                [ -n "$stood" ] && break
                [ -n "$ended_at" ] || { ended_at=$SECONDS; limit=$((SECONDS + 20)); }
            fi
            sleep 0.05
        done
        kill "$MIGRATE" 2>/dev/null || true
        wait "$MIGRATE" 2>/dev/null || true
        MIGRATE=""
        ip -n "$A" link set "$VETH_A" up
        rm -f "$FILLER"
        agents_up
        outcome="" code=""
        wait_for 120 "migration $id settled" ended "$id"
        record=$(cclient "$A" migration --json "$id")
        outcome=$(echo "$record" | grep -o '"outcome" *: *"[A-Z_]*"' | head -1 | sed 's/.*"\([A-Z_]*\)"$/\1/' || true)
        code=$(echo "$record" | grep -o '"code" *: *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/' || true)
        # the destination's images go once its lazy-pages daemon is done: give it the time it takes
        mapfile -t found < <(copies)
        copy="none"; [ ${#found[@]} = 1 ] && copy=${found[0]%%:*}; [ ${#found[@]} -gt 1 ] && copy="${#found[@]} copies"
        # by the clock: a runtime stuck on the cell's container makes each look take its questions' bounds
        limit=$((SECONDS + 15)); while [ -n "$(leftovers "$id" "$copy")" ] && [ $SECONDS -lt $limit ]; do sleep 0.1; done
        left=$(leftovers "$id" "$copy")
        mapfile -t found < <(copies)
        copy="none"; [ ${#found[@]} = 1 ] && copy=${found[0]%%:*}; [ ${#found[@]} -gt 1 ] && copy="${#found[@]} copies"
        state=$(status_now | awk '{print $3}' || true); state=${state:-?}
        moving=""
        if [ ${#found[@]} = 1 ]; then
            now=$(count_now)
            # polled: the workload's status file has no event to wait on
            (wait_for 10 "the workload counting after the cell" counting_past "$now") && moving=1
        fi
        verdict=FAILED
        if [ -z "$injected" ] && [ ${#found[@]} = 1 ] && [ -z "$left" ]; then
            verdict="n/a"
        elif [ -n "$injected" ] && [ ${#found[@]} = 1 ] && [ -n "$moving" ] && [ "$state" = OK ] && [ -z "$left" ] \
            && [ "$(count_now)" -ge "$at_fault" ]; then
            verdict=ok
        fi
        [ "$verdict" = ok ] && good=$((good + 1))
        [ "$verdict" = "n/a" ] || total=$((total + 1))
        printf '%-18s %-13s %-6s copy %-3s %-11s %-22s still %5ss  left: %s %s\n' "$fault" "$phase" "$verdict" \
            "$copy" "${outcome:-?}" "${code:--}" "${stood:-?}" "${left:-nothing}" "$detail"
        echo "$fault,$phase,$verdict,$copy,$outcome,$code,$stood,${left// /_},${detail// /_}" >> "$RESULTS"
        kill_pids $(tree_pids) "$TREE_LAUNCHER"
        wait "$TREE_LAUNCHER" 2>/dev/null || true
        stop_container
        TREE_ROOT="" TREE_LAUNCHER="" TREE_DIR=""
done

say "the matrix (copy that runs, or n/a where the fault cannot happen in the phase; FAILED cells above)"
awk -F, -v phases="$PHASES_SEEN" 'BEGIN { n = split(phases, p, ","); printf "%-18s", "fault"; for (i = 1; i <= n; i++) printf " %-13s", p[i]; print "" }
    NR > 1 { cell[$1, $2] = ($3 == "ok" ? $4 " ok" : $3); if (!($1 in seen)) { seen[$1] = 1; order[++f] = $1 } }
    END { for (j = 1; j <= f; j++) { printf "%-18s", order[j]; for (i = 1; i <= n; i++) printf " %-13s", cell[order[j], p[i]]; print "" } }' "$RESULTS"
echo "the run took $(( (SECONDS - begun) / 60 )) min $(( (SECONDS - begun) % 60 )) s for $cell cells"
echo "chaos: $good of $total cells ended with exactly one running copy, state intact, nothing left behind"
[ "$good" = "$total" ]
