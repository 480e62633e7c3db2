#!/usr/bin/env bash
# ./haul bench: measures live migration against a cold CRIU migration on one machine (issue #4). Two hosts
# (network namespaces benchA and benchB joined by a veth pair capped with tc tbf in both directions), an
# agent on each, and for each resident size and write rate a fresh workload (runtime/demo/workload.pl) per
# run, moved from benchA to benchB with each method:
#
#   cold     criu dump (the tree dies), the images copied over the capped link as a tar stream, criu restore
#   STRATEGY ./haul migrate --strategy STRATEGY (none: stop-and-copy; vmread: pre-copy with process_vm_readv)
#
# After each move it checks that the workload went on in benchB (its counter moves, its pages are intact),
# then kills it. It prints a table per case (medians of the runs, ratios to cold, each run's figures) and
# writes the raw figures to results.csv, the tables to report.txt and each migration's record to runs/ in
# the output folder. Names and addresses (benchA/benchB, 169.254.79.1/.2) differ from the demo's and the
# tests', so a bench can run beside them.
#
# --network (issue #12) makes every run's workload a networked one, as ./haul demo's: its own PID and network
# namespace, a veth whose host end (haulbench0) is a port of benchA's bridge, the address 169.254.79.50, and an
# echo server, with runtime/demo/echo-client.pl on the client namespace benchC (hosts.sh's, on benchB's bridge)
# streaming numbered lines through the move. Beside the frozen time each run then records the pause the client
# saw (its longest gap between two echoes) and whether its stream stayed whole: a line lost, repeated or
# reordered, a reset, an echo stream that does not come back, or a CRIU network-lock rule left in benchA, benchB
# or the tree's namespace make the run FAILED with the reason. The cold method restores the tree's namespace in
# benchB with its host end on benchB's bridge (criu restore --tcp-established --external
# veth[eth0]:haulbench0@haulbr0) and sends no announcement: what CRIU alone gives. Each case's table is then
# followed by one of that pause against the frozen time of the same migration and against cold CRIU's, each run's
# detail says where the pause lay against the frozen window, and results.csv's last column is client_gap_s.
#
#   ./haul bench [--mib 256,1024] [--rates 0,8,64] [--runs 3] [--link 1gbit|none] [--methods cold,none,vmread]
#                [--network] [--out DIR]
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
BENCH="$HAUL_HOME/runtime/bench"
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
CRIU=/opt/haul/criu/bin/criu
SCRIPT_NAME=bench
# shellcheck source=../demo/lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

MIBS=256,1024 RATES=0,8,64 RUNS=3 LINK=1gbit METHODS=cold,none,vmread NETWORK=""
OUT="/tmp/haul-bench-$(date +%Y%m%d-%H%M%S)"

while [ $# -gt 0 ]; do
    case "$1" in
        --mib) MIBS=${2:?}; shift 2 ;;
        --rates) RATES=${2:?}; shift 2 ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --link) LINK=${2:?}; shift 2 ;;
        --methods) METHODS=${2:?}; shift 2 ;;
        --network) NETWORK=1; shift ;;
        --out) OUT=${2:?}; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "bench: unknown option $1" >&2; usage ;;
    esac
done
[[ $MIBS =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--mib wants sizes in MiB separated by commas, not $MIBS"
[[ $RATES =~ ^[0-9]+(\.[0-9]+)?(,[0-9]+(\.[0-9]+)?)*$ ]] || die "--rates wants MiB/s separated by commas, not $RATES"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive count, not $RUNS"
[[ $LINK =~ ^([0-9.]+[kKmMgGtT]?(bit|bps)|none)$ ]] || die "--link wants a tc rate (1gbit, 100mbit...) or none, not $LINK"
[[ $METHODS =~ ^[a-z0-9-]+(,[a-z0-9-]+)*$ ]] || die "--methods wants names separated by commas, not $METHODS"
IFS=, read -r -a MIB_LIST <<< "$MIBS"
IFS=, read -r -a RATE_LIST <<< "$RATES"
IFS=, read -r -a METHOD_LIST <<< "$METHODS"

A=benchA B=benchB C=benchC A_IP=169.254.79.1 B_IP=169.254.79.2 C_IP=169.254.79.3
export HAUL_HOST_A=$A HAUL_HOST_B=$B HAUL_HOST_C=$C HAUL_HOST_A_IP=$A_IP HAUL_HOST_B_IP=$B_IP HAUL_HOST_C_IP=$C_IP
VETH_A=haul-$A VETH_B=haul-$B   # hosts.sh's names
BRIDGE=haulbr0                   # hosts.sh's bridge in each host
PORT=7990                        # the cold copy's and the link probe's stream, in benchB
# --network: the tree's veth, address and echo server (a MAC of our own, so that the bridges' tables say whose it is)
TREE_IP=169.254.79.50 TREE_MAC=02:00:a9:fe:4f:32 TREE_PORT=7000 HOST_END=haulbench0
WORK=$(mktemp -d /tmp/haul-bench-work.XXXXXX)
CSV="$OUT/results.csv"
AGENT_A="" AGENT_B="" TREE_LAUNCHER="" TREE_ROOT="" NEW_ROOT="" RECEIVER="" TC_ON="" CLIENT=""
STATUS="$WORK/status" CLIENT_STATUS="$WORK/client.status" CLIENT_OUT="$WORK/client.out"

cleanup() {
    local status=$?
    kill_pids "$CLIENT" "$RECEIVER" "$TREE_ROOT" "$TREE_LAUNCHER" "$NEW_ROOT"
    stop_agents "$AGENT_A" "$AGENT_B"
    if [ -n "$TC_ON" ]; then
        tc -n "$A" qdisc del dev "$VETH_A" root 2>/dev/null || true
        tc -n "$B" qdisc del dev "$VETH_B" root 2>/dev/null || true
    fi
    "$HOSTS" down || true
    # the agents' logs stay beside the figures: their timestamps show where a frozen window went
    local host
    for host in "$A" "$B"; do
        [ -f "$WORK/$host/log/haul.log" ] && cp "$WORK/$host/log/haul.log" "$OUT/runs/$host.haul.log" 2>/dev/null || true
    done
    if [ "$status" = 0 ]; then
        rm -rf "$WORK"
    else
        keep_logs "$A" "$B"
        rm -rf "$WORK/cold"
        echo "bench: failed; the agents' logs are kept in $WORK, the figures so far in $OUT" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bclient NAME ARGS...: ./haul ARGS against the agent of WORK/NAME, with the control client copied at the start:
# ./haul itself would rebuild whenever a source is newer than the build, between two runs of one bench.
CONTROL_CLIENT=("${HAUL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -cp "$WORK/control.jar" io.haul.control.ControlClient)
bclient() { local name=$1; shift; "${CONTROL_CLIENT[@]}" "$WORK/$name/control.sock" "$@"; }

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
count_now() { local c; c=$(awk '{print $1}' "$STATUS" 2>/dev/null) || true; echo "${c:-0}"; }

# gone PID: true when the process has ended (a zombie nobody reaps yet counts as ended).
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# host_end_in HOST: the networked tree's host end is in host namespace HOST.
host_end_in() { ip -n "$1" link show "$HOST_END" >/dev/null 2>&1; }

# finish_run: kills what is left of the run's workload on either host (and its client) and waits until it is
# gone. With --network also until its namespace is: the kernel tears a namespace (and the host end of its veth)
# down after its last task has gone, and the next run must not find the old host end's name taken on benchB or
# its address answering there. A host end that stays (a migration that failed half-way) is removed, and the run
# says so.
finish_run() {
    local pid i host
    kill_pids "$CLIENT" "$TREE_ROOT" "$NEW_ROOT"
    if [ -n "$CLIENT" ]; then wait "$CLIENT" 2>/dev/null || true; fi
    for pid in "$TREE_ROOT" "$NEW_ROOT"; do
        [ -n "$pid" ] || continue
        i=0
        until gone "$pid" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
    done
    if [ -n "$TREE_LAUNCHER" ]; then wait "$TREE_LAUNCHER" 2>/dev/null || true; fi
    TREE_ROOT="" TREE_LAUNCHER="" NEW_ROOT="" CLIENT=""
    [ -n "$NETWORK" ] || return 0
    for host in "$A" "$B"; do
        i=0
        while host_end_in "$host" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        if host_end_in "$host"; then
            ip -n "$host" link del "$HOST_END" 2>/dev/null || true
            R_STATUS=failed R_DETAIL="${R_DETAIL:+$R_DETAIL; }the host end $HOST_END stayed in $host after the tree ended (removed)"
        fi
    done
}

# start_run_workload MIB RATE: a fresh workload on benchA for one run; with --network the networked one, and the
# echo client on benchC connected to it and echoing (100 echoes: half a second of its stream) before the move.
start_run_workload() {
    local mib=$1 rate=$2
    if [ -z "$NETWORK" ]; then
        start_workload "$A" "$mib" "$STATUS" "$rate"
        return
    fi
    start_networked_workload "$A" "$mib" "$STATUS" "$TREE_PORT" "$HOST_END" "$TREE_IP" "$TREE_MAC" "$rate"
    rm -f "$CLIENT_STATUS" "$CLIENT_OUT"
    nsenter --net="/run/netns/$C" perl "$HAUL_HOME/runtime/demo/echo-client.pl" "$TREE_IP" "$TREE_PORT" \
        "$CLIENT_STATUS" > "$CLIENT_OUT" 2>&1 &
    CLIENT=$!
    wait_for 30 "echoes at the client on $C" sh -c "[ \$(awk '{print \$2}' '$CLIENT_STATUS') -gt 100 ]"
}

client_echoed() { local n; n=$(awk '{print $2}' "$CLIENT_STATUS" 2>/dev/null) || true; echo "${n:-0}"; }

# stop_client: SIGTERM to the echo client (it waits up to 5 s for its last echoes, then says what it saw); sets
# R_GAP to its longest gap between two echoes (seconds), CLIENT_GAP_END to when that gap ended (epoch seconds),
# CLIENT_LINE to its "client: ..." line, and returns its exit status (0: every line came back once, in order).
CLIENT_GAP_END="" CLIENT_LINE=""
stop_client() {
    local status=0 gap
    kill -TERM "$CLIENT" 2>/dev/null || true
    wait "$CLIENT" || status=$?
    CLIENT=""
    CLIENT_LINE=$(grep '^client:' "$CLIENT_OUT" 2>/dev/null | tail -1) || true
    [ -n "$CLIENT_LINE" ] || CLIENT_LINE="the client ended with status $status: $(tail -1 "$CLIENT_OUT" 2>/dev/null | tr -d '\n')"
    read -r _ _ gap CLIENT_GAP_END < "$CLIENT_STATUS" 2>/dev/null || true
    R_GAP=$(awk -v g="${gap:-}" 'BEGIN { if (g != "") printf "%.3f", g / 1000 }')
    return "$status"
}

# lock_rules NETNS: the rules of CRIU's network lock in that network namespace (a /run/netns or /proc/PID/ns
# path), IPv4 and IPv6: its chain CRIU (a namespace locked whole, as the tree's own is) and the rules matching its
# mark 0xc114 (connections locked one by one, when CRIU runs outside the tree's namespace).
lock_rules() {
    local tool
    for tool in iptables ip6tables; do
        nsenter --net="$1" "$tool" -S 2>/dev/null | grep -iE 'CRIU|0xc114' | sed "s/^/$tool /" || true
    done
}

# drop_lock_rules NETNS: removes those rules, so that the next runs start unlocked.
drop_lock_rules() {
    local ns=$1 tool line
    for tool in iptables ip6tables; do
        nsenter --net="$ns" "$tool" -S 2>/dev/null | grep -iE '^-A .*(CRIU|0xc114)' | while read -r line; do
            # shellcheck disable=SC2086 # the rule's own words, as iptables -S printed them, -A turned into -D
            nsenter --net="$ns" "$tool" ${line/#-A/-D} || true
        done
        nsenter --net="$ns" "$tool" -X CRIU 2>/dev/null || true
    done
}

# network_verdict MOVE_STARTED: --network's checks after a move, whatever its outcome. After a move that went
# through, the client's echoes must go on (200 more: a second of its stream; up to 60 s, because cold CRIU's long
# freeze leaves the client deep in retransmission backoff), then the client stops and must have had every line
# back once, in order, on its one connection. Its longest gap is the run's client-seen pause (R_GAP); one that
# ended before the move started (MOVE_STARTED, epoch seconds) was not the migration's, and the run says so.
# Then CRIU's network lock must have left no rule in benchA, benchB or the tree's own namespace.
network_verdict() {
    local started=$1 echoed i=0 pid where rules left=""
    if [ "$R_STATUS" = ok ]; then
        echoed=$(client_echoed)
        until [ "$(client_echoed)" -gt $((echoed + 200)) ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
    fi
    if ! stop_client; then
        R_DETAIL="${R_DETAIL:+$R_DETAIL; }$CLIENT_LINE"
        R_STATUS=failed
    elif [ "$R_STATUS" = ok ] && [ -n "$CLIENT_GAP_END" ] \
            && awk -v e="$CLIENT_GAP_END" -v s="$started" 'BEGIN { exit !(e < s) }'; then
        R_DETAIL="${R_DETAIL:+$R_DETAIL; }the client's longest gap ended before the move started"
    elif [ "$R_STATUS" = ok ] && [ -n "$CLIENT_GAP_END" ] && [ -n "$R_FROZE" ]; then
        # where the pause lay: how long after the freeze began it began (the network lock, CRIU's start), and how
        # long after the frozen window's end it ended (positive: the client waited for its retransmission timer)
        R_DETAIL="${R_DETAIL:+$R_DETAIL; }$(awk -v e="$CLIENT_GAP_END" -v g="$R_GAP" -v f="$R_FROZE" -v d="$R_DOWN" \
            'BEGIN { printf "the client paused from freeze %+.0f ms to frozen end %+.0f ms", (e - g - f) * 1000, (e - f - d) * 1000 }')"
    fi
    # the tree's namespace: on benchB after a move, on benchA after a rollback
    for pid in "$NEW_ROOT" "$TREE_ROOT"; do
        if [ -n "$pid" ] && ! gone "$pid"; then where="/proc/$pid/ns/net"; break; fi
    done
    for where in "/run/netns/$A" "/run/netns/$B" ${where:+"$where"}; do
        rules=$(lock_rules "$where")
        [ -n "$rules" ] || continue
        left="${left:+$left; }in $where: $(echo $rules)"
        drop_lock_rules "$where"
    done
    if [ -n "$left" ]; then
        R_STATUS=failed R_DETAIL="${R_DETAIL:+$R_DETAIL; }CRIU's network lock left rules (removed) $left"
    fi
}

# A listener in benchB (on B's address) that hands its one connection as stdin to a command:
#   perl -e "$RECEIVE" IP PORT READY_FILE COMMAND...
RECEIVE='use IO::Socket::INET; my ($ip, $port, $ready) = splice(@ARGV, 0, 3);
my $l = IO::Socket::INET->new(LocalAddr => $ip, LocalPort => $port, Listen => 1, ReuseAddr => 1)
    or die "cannot listen on $ip:$port: $@\n";
open(my $r, ">", $ready) or die "$ready: $!\n"; close($r);
my $c = $l->accept or die "accept: $!\n"; close($l);
open(STDIN, "<&", $c) or die "dup: $!\n"; close($c);
exec(@ARGV) or die "cannot run $ARGV[0]: $!\n";'
# A sender in benchA that connects to B and runs a command with the connection as its stdout:
#   perl -e "$SEND" IP PORT COMMAND...
SEND='use IO::Socket::INET; my ($ip, $port) = splice(@ARGV, 0, 2);
my $s = IO::Socket::INET->new(PeerAddr => $ip, PeerPort => $port) or die "cannot connect to $ip:$port: $@\n";
open(STDOUT, ">&", $s) or die "dup: $!\n"; close($s);
exec(@ARGV) or die "cannot run $ARGV[0]: $!\n";'

# start_receiver READY COMMAND...: the listener in benchB, in the background (RECEIVER), once it listens.
start_receiver() {
    local ready=$1; shift
    rm -f "$ready"
    nsenter --net="/run/netns/$B" perl -e "$RECEIVE" "$B_IP" "$PORT" "$ready" "$@" &
    RECEIVER=$!
    wait_for 10 "listener in $B" test -e "$ready"
}

# measure_link: 64 MiB from benchA to benchB through the cap, to show what the link really carries.
measure_link() {
    local t0 t1 received
    start_receiver "$WORK/probe.ready" perl -e 'my $n = 0; while (my $r = sysread(STDIN, my $b, 1 << 20)) { $n += $r } print "$n\n"' \
        > "$WORK/probe.out"
    t0=$(now)
    nsenter --net="/run/netns/$A" perl -e "$SEND" "$B_IP" "$PORT" dd if=/dev/zero bs=1M count=64 status=none
    wait "$RECEIVER"; RECEIVER=""
    t1=$(now)
    received=$(cat "$WORK/probe.out")
    awk -v n="$received" -v s="$(elapsed "$t0" "$t1")" -v a="$A" -v b="$B" 'BEGIN {
        printf "link %s to %s measured: %.1f MiB in %.2f s, %.1f MiB/s (%.0f Mbit/s)\n", a, b, n / 1048576, s,
            n / s / 1048576, n * 8 / s / 1e6 }'
}

# availability NAME: "usable" when agent A lists the strategy as usable, else why not.
availability() {
    bclient "$A" strategies --json | perl -MJSON::PP -e '
        my $name = shift; my $list = JSON::PP->new->decode(do { local $/; <STDIN> });
        for my $p (@{$list->{plugins}}) {
            next unless $p->{name} eq $name;
            print $p->{usable} ? "usable\n" : ($p->{reason} || "unusable, no reason given") . "\n"; exit;
        }
        print "no strategy named $name on this agent\n";' "$1"
}

# Each run sets these, then record_run writes them as a row of the CSV (R_GAP, the client-seen pause, only with
# --network: its column came last, so that older readers of the CSV find theirs where they were).
# R_FROZE (when the freeze began, epoch seconds) is not written: it places the client's pause in the detail.
# The frozen window's breakdown (issue #16), the columns after it: R_PHASES, the source's phases DUMP/TRANSFER/
# RESTORE/COMMIT in seconds (cold: dump/copy/restore/0), and from the agents' logs CRIU's own dump (R_CRIU_DUMP),
# the destination's rebuild of the page images, their recipes' arrival included (R_REBUILD), CRIU's own restore (R_CRIU_RESTORE) and
# the pages of the final dump found by fingerprint instead of hashed again (R_KNOWN).
R_STATUS="" R_DOWN="" R_TOTAL="" R_BYTES="" R_ROUNDS="" R_VERDICT="" R_IMAGE="" R_DETAIL="" R_GAP="" R_FROZE=""
R_PHASES="" R_CRIU_DUMP="" R_REBUILD="" R_CRIU_RESTORE="" R_KNOWN=""
reset_run() {
    R_STATUS=failed R_DOWN="" R_TOTAL="" R_BYTES="" R_ROUNDS="" R_VERDICT="-" R_IMAGE="" R_DETAIL="" R_GAP="" R_FROZE=""
    R_PHASES="" R_CRIU_DUMP="" R_REBUILD="" R_CRIU_RESTORE="" R_KNOWN=""
}
record_run() { # record_run MIB RATE METHOD RUN
    local detail=${R_DETAIL//,/;} phases
    detail=${detail//$'\n'/ }
    phases=${R_PHASES:-///}
    echo "$1,$2,$LINK,$3,$4,$R_STATUS,$R_DOWN,$R_TOTAL,$R_BYTES,$R_ROUNDS,$R_VERDICT,$R_IMAGE,$detail,$R_GAP,${phases//\//,},$R_CRIU_DUMP,$R_REBUILD,$R_CRIU_RESTORE,$R_KNOWN" >> "$CSV"
}

# agent_figure HOST ID TEXT: the milliseconds, as seconds, of the agent's log line "migration ID: frozen window:
# TEXT N ms" (the engine writes one per part of the frozen window it measures); empty when there is none.
agent_figure() {
    grep -h "migration $2: frozen window: $3 [0-9]* ms" "$WORK/$1/log/haul.log" 2>/dev/null | tail -1 \
        | sed -E "s/.*frozen window: $3 ([0-9]+) ms.*/\1/" | awk '{ printf "%.3f", $1 / 1000 }' || true
}

# goes_on PID: the moved workload runs as PID in benchB, its counter moves on and its pages are intact.
goes_on() {
    local pid=$1 after i=0 state
    if [ -z "$pid" ] || gone "$pid"; then R_DETAIL="no running root on $B (pid ${pid:-none})"; return 1; fi
    until [ -z "$TREE_ROOT" ] || gone "$TREE_ROOT" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -n "$TREE_ROOT" ] && ! gone "$TREE_ROOT"; then R_DETAIL="the tree still runs on $A as pid $TREE_ROOT"; return 1; fi
    after=$(count_now) i=0
    until [ "$(count_now)" -gt "$after" ]; do
        if [ $i -ge 100 ]; then R_DETAIL="the counter stayed at $after for 10 s on $B"; return 1; fi
        sleep 0.1; i=$((i + 1))
    done
    read -r _ _ state < "$STATUS"
    if [ "$state" != OK ]; then R_DETAIL="the workload reports $state after the migration"; return 1; fi
    if [ -z "$NETWORK" ]; then
        if [ "$(readlink "/proc/$pid/ns/net")" != "$NET_OF_B" ]; then R_DETAIL="pid $pid is not in $B's network namespace"; return 1; fi
        return 0
    fi
    # a networked tree keeps its own namespace: its veth's host end must now be a port of benchB's bridge, and
    # gone from benchA (with the source's namespace, once its last task ended: the kernel takes a moment)
    if ! ip -n "$B" -o link show "$HOST_END" 2>/dev/null | grep -q "master $BRIDGE"; then
        R_DETAIL="the tree's host end $HOST_END is not a port of $B's bridge $BRIDGE"; return 1
    fi
    i=0
    while host_end_in "$A" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if host_end_in "$A"; then R_DETAIL="the tree's host end $HOST_END is still in $A 5 s after the move"; return 1; fi
}

# cold_run TAG: criu dump in benchA, the images as a tar stream over the link, criu restore in benchB.
cold_run() {
    local tag=$1 dir="$WORK/cold" t0 t1 t2 t3 external
    rm -rf "$dir"; mkdir -p "$dir/src" "$dir/dst"
    start_receiver "$dir/ready" tar -C "$dir/dst" -xf -
    t0=$(now)
    if ! nsenter --net="/run/netns/$A" "$CRIU" dump -t "$TREE_ROOT" -D "$dir/src" --tcp-established -o "$dir/dump.log"; then
        cp "$dir/dump.log" "$OUT/runs/$tag.dump.log" 2>/dev/null || true
        R_DETAIL="criu dump failed (log $OUT/runs/$tag.dump.log)"
        kill_pids "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true; RECEIVER=""
        return
    fi
    t1=$(now)
    if ! nsenter --net="/run/netns/$A" perl -e "$SEND" "$B_IP" "$PORT" tar -C "$dir/src" -cf - . ; then
        R_DETAIL="sending the images failed"
        kill_pids "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true; RECEIVER=""
        return
    fi
    if ! wait "$RECEIVER"; then RECEIVER=""; R_DETAIL="receiving the images failed"; return; fi
    RECEIVER=""
    t2=$(now)
    # a networked tree's namespace comes back with its veth; CRIU makes the host end on benchB's bridge
    external=()
    [ -z "$NETWORK" ] || external=(--external "veth[eth0]:$HOST_END@$BRIDGE")
    if ! nsenter --net="/run/netns/$B" "$CRIU" restore -D "$dir/dst" -d --tcp-established "${external[@]}" \
            -o "$dir/restore.log" --pidfile "$dir/restore.pid"; then
        cp "$dir/restore.log" "$OUT/runs/$tag.restore.log" 2>/dev/null || true
        R_DETAIL="criu restore failed (log $OUT/runs/$tag.restore.log)"
        return
    fi
    t3=$(now)
    NEW_ROOT=$(cat "$dir/restore.pid" 2>/dev/null || true)
    R_DOWN=$(elapsed "$t0" "$t3") R_TOTAL=$R_DOWN R_FROZE=$t0
    R_BYTES=$(find "$dir/src" -name '*.img' -printf '%s\n' | awk '{ n += $1 } END { print n + 0 }')
    R_IMAGE=$R_BYTES R_ROUNDS=0
    R_DETAIL="dump $(elapsed "$t0" "$t1") s; copy $(elapsed "$t1" "$t2") s; restore $(elapsed "$t2" "$t3") s"
    R_PHASES="$(elapsed "$t0" "$t1")/$(elapsed "$t1" "$t2")/$(elapsed "$t2" "$t3")/0"
    R_CRIU_DUMP=$(elapsed "$t0" "$t1") R_CRIU_RESTORE=$(elapsed "$t2" "$t3")
    if goes_on "$NEW_ROOT"; then R_STATUS=ok; fi
    rm -rf "$dir"
}

# haul_run TAG STRATEGY: ./haul migrate with the strategy, its figures from the JSON record.
haul_run() {
    local tag=$1 strategy=$2 json="$OUT/runs/$1.json" outcome down total bytes rounds verdict image pid freeze id phases
    local error
    timeout 900 "${CONTROL_CLIENT[@]}" "$WORK/$A/control.sock" migrate "process:$TREE_ROOT" --to "$B" \
        --strategy "$strategy" --json > "$json" 2> "$OUT/runs/$tag.err" || true
    [ -s "$OUT/runs/$tag.err" ] || rm -f "$OUT/runs/$tag.err"
    outcome=NO_RECORD pid=- error="cannot read the record $json"
    IFS=$'\t' read -r outcome down total bytes rounds verdict image pid freeze id phases error \
        < <(perl "$BENCH/record.pl" "$json") || true
    [ "$pid" = - ] || NEW_ROOT=$pid
    if [ "$outcome" != SUCCEEDED ]; then
        [ "$outcome" != NO_RECORD ] || error="$error $(tr '\n' ' ' < "$OUT/runs/$tag.err" 2>/dev/null)"
        R_DETAIL="$outcome: $error"
        return
    fi
    R_DOWN=$down R_TOTAL=$total R_BYTES=$bytes R_ROUNDS=$rounds R_VERDICT=$verdict R_IMAGE=$image R_PHASES=$phases
    [ "$freeze" = - ] || R_FROZE=$freeze
    R_CRIU_DUMP=$(agent_figure "$A" "$id" "CRIU dumped in")
    R_REBUILD=$(agent_figure "$B" "$id" "page images rebuilt in")
    R_CRIU_RESTORE=$(agent_figure "$B" "$id" "CRIU restored the tree in")
    R_KNOWN=$(grep -h "migration $id: frozen window: CRIU dumped" "$WORK/$A/log/haul.log" 2>/dev/null | tail -1 \
        | sed -nE 's/.*; ([0-9]+) pages known by fingerprint.*/\1/p' || true)
    if goes_on "$NEW_ROOT"; then R_STATUS=ok; fi
}

[ "$(id -u)" = 0 ] || die "the bench runs as root (CRIU, namespaces, tc)"
"$HAUL_HOME/haul" setup >/dev/null
"$HAUL_HOME/haul" build
mkdir -p "$OUT/runs"
echo "mib,rate,link,method,run,status,downtime_s,total_s,bytes,rounds,verdict,image_bytes,detail,client_gap_s,dump_s,transfer_s,restore_s,commit_s,criu_dump_s,rebuild_s,criu_restore_s,known_pages" > "$CSV"
STARTED=$(now)

say "two hosts: $A ($A_IP) and $B ($B_IP), link capped at $LINK each way${NETWORK:+; a client machine $C ($C_IP) on the bridge of $B}"
"$HOSTS" up
if [ "$LINK" != none ]; then
    TC_ON=1
    tc -n "$A" qdisc add dev "$VETH_A" root tbf rate "$LINK" burst 256kb latency 20ms
    tc -n "$B" qdisc add dev "$VETH_B" root tbf rate "$LINK" burst 256kb latency 20ms
fi
measure_link
NET_OF_B=$(nsenter --net="/run/netns/$B" readlink /proc/self/ns/net)

say "an agent on each"
start_agents "$A" "$B"
cp "$(ls "$HAUL_HOME"/bundles/control/target/control-*.jar | head -1)" "$WORK/control.jar"
declare -A UNAVAILABLE=()
for method in "${METHOD_LIST[@]}"; do
    [ "$method" = cold ] && continue
    why=$(availability "$method")
    if [ "$why" != usable ]; then UNAVAILABLE[$method]=$why; echo "$method: not available on this agent ($why)"; fi
done

# A first migration between fresh agents is slower (the JVMs warm up: TLS, the transfer's code paths): one
# small migration per strategy first, not counted.
for method in "${METHOD_LIST[@]}"; do
    [ "$method" != cold ] && [ -z "${UNAVAILABLE[$method]:-}" ] || continue
    reset_run
    start_run_workload 32 0
    haul_run "warmup-$method" "$method"
    finish_run
    echo "warm-up with $method: ${R_STATUS/ok/done}${R_DETAIL:+ ($R_DETAIL)}"
done

for mib in "${MIB_LIST[@]}"; do
    for rate in "${RATE_LIST[@]}"; do
        say "$mib MiB resident, $rate MiB/s written${NETWORK:+, networked ($TREE_IP, a client on $C)}: $RUNS run(s) of ${METHODS//,/, }"
        for method in "${!UNAVAILABLE[@]}"; do
            reset_run
            R_STATUS=unavailable R_DETAIL=${UNAVAILABLE[$method]}
            record_run "$mib" "$rate" "$method" 0
        done
        for run in $(seq 1 "$RUNS"); do
            for method in "${METHOD_LIST[@]}"; do
                [ -z "${UNAVAILABLE[$method]:-}" ] || continue
                tag="${mib}m-${rate}r-$method-$run"
                reset_run
                start_run_workload "$mib" "$rate"
                wait_for 60 "steady workload (status count > 3)" sh -c "[ \$(awk '{print \$1}' '$STATUS') -gt 3 ]"
                moved=$(now)
                if [ "$method" = cold ]; then cold_run "$tag"; else haul_run "$tag" "$method"; fi
                [ -z "$NETWORK" ] || network_verdict "$moved"
                finish_run
                record_run "$mib" "$rate" "$method" "$run"
                if [ "$R_STATUS" = ok ]; then
                    printf '  run %d %-7s downtime %s s, total %s s, %s bytes, %s rounds%s%s\n' "$run" "$method" \
                        "$R_DOWN" "$R_TOTAL" "$R_BYTES" "$R_ROUNDS" "$([ "$R_VERDICT" = - ] || echo " ($R_VERDICT)")" \
                        "${R_GAP:+; the client saw a pause of $R_GAP s}"
                else
                    printf '  run %d %-7s FAILED: %s\n' "$run" "$method" "$R_DETAIL"
                fi
            done
        done
        perl "$BENCH/report.pl" "$CSV" case "$mib" "$rate"
    done
done

perl "$BENCH/report.pl" "$CSV" all > "$OUT/report.txt"
echo
perl "$BENCH/report.pl" "$CSV" summary
echo
echo "bench: $(elapsed "$STARTED" "$(now)") s; raw figures in $CSV, tables in $OUT/report.txt, records in $OUT/runs/"
