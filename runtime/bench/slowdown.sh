#!/usr/bin/env bash
# How much a running tree slows while Haul pre-copies its memory (issue #4). Two hosts (slowA, slowB: network
# namespaces joined by a veth pair capped with tc tbf), an agent on each, and per run a fresh probe
# (runtime/bench/probe.pl: MIB of memory and a single-threaded CPU loop that logs its throughput) migrated
# from slowA to slowB with the vmread strategy. Prints, per run and as medians, the probe's throughput in the
# 4 s before the migration and during pre-copy, and the slowdown between the two.
#
#   runtime/bench/slowdown.sh [--mib 1024] [--runs 3] [--link 1gbit|none]
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
SCRIPT_NAME=slowdown
# shellcheck source=../demo/lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

MIB=1024 RUNS=3 LINK=1gbit
while [ $# -gt 0 ]; do
    case "$1" in
        --mib) MIB=${2:?}; shift 2 ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --link) LINK=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (--help lists them)" ;;
    esac
done
[[ $MIB =~ ^[1-9][0-9]*$ ]] || die "--mib wants a size in MiB, not $MIB"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive count, not $RUNS"
[[ $LINK =~ ^([0-9.]+[kKmMgGtT]?(bit|bps)|none)$ ]] || die "--link wants a tc rate (1gbit, 100mbit...) or none, not $LINK"
[ "$(id -u)" = 0 ] || die "runs as root (CRIU, namespaces, tc)"

A=slowA B=slowB A_IP=169.254.83.1 B_IP=169.254.83.2
export HAUL_HOST_A=$A HAUL_HOST_B=$B HAUL_HOST_A_IP=$A_IP HAUL_HOST_B_IP=$B_IP
WORK=$(mktemp -d /tmp/haul-slowdown.XXXXXX)
AGENT_A="" AGENT_B="" LAUNCHER="" ROOT="" NEW_ROOT=""

cleanup() {
    local status=$?
    kill_pids "$ROOT" "$LAUNCHER" "$NEW_ROOT"   # the probe, wherever it runs now
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" "$A" "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$HAUL_HOME/haul" setup >/dev/null
"$HAUL_HOME/haul" build
say "two hosts: $A and $B, link capped at $LINK each way; an agent on each"
"$HOSTS" up
if [ "$LINK" != none ]; then
    tc -n "$A" qdisc add dev "haul-$A" root tbf rate "$LINK" burst 256kb latency 20ms
    tc -n "$B" qdisc add dev "haul-$B" root tbf rate "$LINK" burst 256kb latency 20ms
fi
start_agents "$A" "$B"

RESULTS="$WORK/results"
: > "$RESULTS"
for run in $(seq 1 "$RUNS"); do
    log="$WORK/probe-$run.log" record="$WORK/record-$run.json"
    nsenter --net="/run/netns/$A" unshare -p -f setsid perl "$HAUL_HOME/runtime/bench/probe.pl" "$MIB" "$log" \
        </dev/null >/dev/null 2>&1 &
    LAUNCHER=$!
    wait_for 120 "probe log" test -s "$log"
    ROOT=$(awk '{print $1}' "/proc/$LAUNCHER/task/$LAUNCHER/children")
    sleep 4 # the throughput before: the probe runs alone (the window the figures need, not a wait for an event)
    client "$A" migrate "process:$ROOT" --to "$B" --strategy vmread --json > "$record" || die "run $run: the migration failed"
    NEW_ROOT=$(perl -MJSON::PP -e 'print JSON::PP->new->decode(do { local $/; <STDIN> })->{statistics}{newRootPid}' < "$record")
    kill_pids "$NEW_ROOT" "$ROOT" "$LAUNCHER"
    wait "$LAUNCHER" 2>/dev/null || true
    ROOT="" LAUNCHER="" NEW_ROOT=""
    perl "$HAUL_HOME/runtime/bench/slowdown.pl" "$log" "$record" | tee -a "$RESULTS" | sed "s/^/  run $run: /"
done
say "$MIB MiB probe, link $LINK, medians of $RUNS run(s)"
perl -e 'my (@b, @p, @s); while (<>) { /before (\d+)\/s, during pre-copy (\d+)\/s: (-?[\d.]+) %/ or next;
    push @b, $1; push @p, $2; push @s, $3 }
    sub median { my @v = sort { $a <=> $b } @_; $v[$#v / 2] }
    printf "probe throughput %d/s before, %d/s during pre-copy: %.1f %% slower\n", median(@b), median(@p), median(@s);' "$RESULTS"
