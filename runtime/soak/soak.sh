#!/usr/bin/env bash
# ./haul soak (issue #11): one workload moved back and forth between two agents N times, pre-copy on, to find
# what a long-lived agent accumulates. Two hosts (network namespaces soakA and soakB, 169.254.80.1/.2, made by
# hosts.sh), an agent on each, and runtime/demo/workload.pl (its own PID namespace, MIB MiB of checked pages,
# rewritten at RATE MiB/s) moved A -> B -> A ... Each move must succeed and the workload go on from its state
# (counter not reset, every page checked OK); the run stops at the first that does not.
#
# Before the first move and every 10 moves it samples, for each agent: resident memory (VmRSS), open fds,
# threads, the disk use of its state folder (and of its migrations/, cluster/ and log/ in it), the iptables and
# nftables rules of its host namespace, CRIU and lazy-pages processes. It prints the samples as a table and a
# verdict per figure. The run fails when one grows without bound: the counts that a finished migration must give back
# (fds, threads, rules, CRIU processes) may not end above their level after the first 10 moves (a little slack
# for fds and threads, which pools size on demand); memory may not end more than 25% above the highest sample
# of the first half; migrations/ and the records on disk (cluster/) may not keep growing over the second half.
# The agents keep the folders of their last KEPT migrations and the records of twice as many (the engine's
# keptMigrations, 50 by default, and the cluster's keptRecords, 1000; 10 and 20 here, so that a short run shows
# the bounds too; a folder whose record went before it is kept an hour). The log (log/) grows up to its rolling
# cap of 200 MB, which the verdict checks it against.
#
#   ./haul soak [--migrations 100] [--mib 64] [--rate 1] [--out DIR]
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
SCRIPT_NAME=soak
# shellcheck source=../demo/lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

MIGRATIONS=100 MIB=64 RATE=1 KEPT=10
OUT="/tmp/haul-soak-$(date +%Y%m%d-%H%M%S)"

while [ $# -gt 0 ]; do
    case "$1" in
        --migrations) MIGRATIONS=${2:?}; shift 2 ;;
        --mib) MIB=${2:?}; shift 2 ;;
        --rate) RATE=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "soak: unknown option $1" >&2; usage ;;
    esac
done
[[ $MIGRATIONS =~ ^[1-9][0-9]*$ ]] || die "--migrations wants a positive count, not $MIGRATIONS"
[[ $MIB =~ ^[1-9][0-9]*$ ]] || die "--mib wants a size in MiB, not $MIB"
[[ $RATE =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--rate wants MiB/s, not $RATE"
[ "$(id -u)" = 0 ] || die "the soak runs as root (CRIU, namespaces)"

A=soakA B=soakB A_IP=169.254.80.1 B_IP=169.254.80.2
export HAUL_HOST_A=$A HAUL_HOST_B=$B HAUL_HOST_A_IP=$A_IP HAUL_HOST_B_IP=$B_IP
WORK=$(mktemp -d /tmp/haul-soak-work.XXXXXX)
STATUS="$WORK/status" SAMPLES="$OUT/samples.csv"
ENGINE_SETTINGS="keptMigrations=$KEPT"$'\n'
CLUSTER_SETTINGS="keptRecords=$((KEPT * 2))"$'\n'
AGENT_A="" AGENT_B="" TREE_LAUNCHER="" TREE_ROOT=""

cleanup() {
    local status=$?
    kill_pids "$TREE_ROOT" "$TREE_LAUNCHER"
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" "$A" "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The control client copied once: ./haul would rebuild when a source is newer than the build, mid-run.
CONTROL_CLIENT=("${HAUL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -cp "$WORK/control.jar" io.haul.control.ControlClient)
sclient() { local name=$1; shift; "${CONTROL_CLIENT[@]}" "$WORK/$name/control.sock" "$@"; }

agent_pid() { [ "$1" = "$A" ] && echo "$AGENT_A" || echo "$AGENT_B"; }
status_field() { awk -v f="$1" '{print $f}' "$STATUS"; }

# settled: the last migration's destination has finished: its lazy-pages daemon filled the memory and ended, and
# the images went (both come a moment after migrate returns).
settled() {
    ! pgrep -f '/s?bin/criu lazy-pages' >/dev/null && [ -z "$(find "$WORK/$A/migrations" "$WORK/$B/migrations" -path '*/images/*' \
        -type f 2>/dev/null | head -1)" ]
}

# sample MOVES: one line per agent in SAMPLES, once the last migration has settled (what stays after that is left
# behind: the soak stops).
sample() {
    local moves=$1 name pid rss fds threads disk migrations records log ipt nft criu lazy
    wait_for 30 "end of the lazy-pages daemon and of the images after move $moves" settled
    for name in "$A" "$B"; do
        pid=$(agent_pid "$name")
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
        threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
        # (an fd or a file that goes while they are counted is no error: || true)
        fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l || true)
        disk=$(du -sk --exclude=felix-cache "$WORK/$name" 2>/dev/null | awk '{print $1}' || true)
        migrations=$(du -sk "$WORK/$name/migrations" 2>/dev/null | awk '{print $1}' || true)
        records=$(du -sk "$WORK/$name/cluster" 2>/dev/null | awk '{print $1}' || true)
        log=$(du -sk "$WORK/$name/log" 2>/dev/null | awk '{print $1}' || true)
        ipt=$( { ip netns exec "$name" iptables-save 2>/dev/null; ip netns exec "$name" ip6tables-save 2>/dev/null; } \
            | grep -c '^-A' || true)
        if command -v nft >/dev/null; then
            nft=$(ip netns exec "$name" nft list ruleset 2>/dev/null | grep -cE '^\s+(ip|tcp|meta|ct|counter|drop|accept)' || true)
        else
            nft=0 # no nft here: CRIU's and Haul's rules are iptables', counted above (iptables-nft's included)
        fi
        # (install-criu.sh's wrapper runs CRIU through its own loader: its comm is not "criu", its command line says)
        criu=$(pgrep -c -f '/s?bin/criu( |$)' || true)
        lazy=$(pgrep -c -f '/s?bin/criu lazy-pages' || true)
        echo "$moves,$name,$((rss / 1024)),$fds,$threads,$disk,${migrations:-0},${records:-0},${log:-0},$ipt,$nft,$criu,$lazy" \
            >> "$SAMPLES"
    done
}

"$HAUL_HOME/haul" setup >/dev/null
"$HAUL_HOME/haul" build
mkdir -p "$OUT"
cp "$(ls "$HAUL_HOME"/bundles/control/target/control-*.jar | head -1)" "$WORK/control.jar"
echo "moves,agent,rss_mib,fds,threads,state_kib,migrations_kib,records_kib,log_kib,iptables_rules,nft_rules,criu_procs,lazy_pages" \
    > "$SAMPLES"

say "two hosts $A ($A_IP) and $B ($B_IP), an agent on each"
"$HOSTS" up >/dev/null
start_agents "$A" "$B"

say "a workload of $MIB MiB written at $RATE MiB/s on $A, moved $MIGRATIONS times"
start_workload "$A" "$MIB" "$STATUS" "$RATE"
sample 0
from=$A to=$B
for ((i = 1; i <= MIGRATIONS; i++)); do
    before=$(status_field 1)
    started=$EPOCHREALTIME
    if ! sclient "$from" migrate "process:$TREE_ROOT" --to "$to" > "$WORK/migrate.out" 2>&1; then
        cat "$WORK/migrate.out" >&2
        die "move $i ($from -> $to) failed"
    fi
    new_root=$(sed -n 's/^new root pid *\([0-9]*\).*/\1/p' "$WORK/migrate.out")
    [ -n "$new_root" ] || die "move $i reported no new root pid: $(tail -3 "$WORK/migrate.out")"
    frozen=$(sed -n 's/^frozen *\([0-9.]* m\{0,1\}s\).*/\1/p' "$WORK/migrate.out" | head -1)
    kill -0 "$TREE_ROOT" 2>/dev/null && die "move $i: the tree still runs on $from as pid $TREE_ROOT"
    TREE_ROOT=$new_root
    moved_at=$(status_field 1)
    wait_for 10 "counter moving on $to after move $i" sh -c "[ \$(awk '{print \$1}' '$STATUS') -gt $moved_at ]"
    [ "$(status_field 1)" -ge "$before" ] || die "move $i: the counter went back from $before to $(status_field 1)"
    [ "$(status_field 3)" = OK ] || die "move $i: the workload reports $(status_field 3-)"
    printf 'move %3d %s -> %s: %s s, frozen %s, counter %s, pages OK\n' "$i" "$from" "$to" \
        "$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" "${frozen:-?}" "$(status_field 1)"
    if (( i % 10 == 0 || i == MIGRATIONS )); then sample "$i"; fi
    tmp=$from from=$to to=$tmp
done

say "samples (also in $SAMPLES)"
column -s, -t < "$SAMPLES"
say "verdict"
awk -F, -v moves="$MIGRATIONS" '
    NR == 1 { next }
    { n[$2]++; k = $2 SUBSEP n[$2]; at[k] = $1
      rss[k] = $3; fds[k] = $4; thr[k] = $5; mig[k] = $7; rec[k] = $8; logs[k] = $9; ipt[k] = $10; nft[k] = $11
      criu[k] = $12; lazy[k] = $13 }
    END {
        bad = 0
        for (agent in n) {
            last = agent SUBSEP n[agent]; warm = agent SUBSEP (n[agent] > 2 ? 2 : n[agent])
            # memory: the last sample against the highest of the first half
            half = int((n[agent] + 1) / 2); top = 0
            for (s = 1; s <= half; s++) if (rss[agent SUBSEP s] > top) top = rss[agent SUBSEP s]
            check(agent, "resident memory (MiB)", rss[last], top * 1.25, "highest of the first half + 25%")
            check(agent, "open fds", fds[last], fds[warm] + 16, "after 10 moves + 16")
            check(agent, "threads", thr[last], thr[warm] + 16, "after 10 moves + 16")
            check(agent, "iptables rules", ipt[last], ipt[1], "before the first move")
            check(agent, "nftables rules", nft[last], nft[1], "before the first move")
            check(agent, "CRIU processes", criu[last], 0, "none")
            check(agent, "lazy-pages daemons", lazy[last], 0, "none")
            mid = agent SUBSEP half
            check(agent, "migrations/ (KiB)", mig[last], mig[mid] + 64, "at the half + 64 KiB: kept folders are bounded")
            check(agent, "records, cluster/ (KiB)", rec[last], rec[mid] + 64, "at the half + 64 KiB: kept records are bounded")
            check(agent, "log/ (KiB)", logs[last], 200 * 1024, "the rolling cap of the log")
        }
        printf "soak: %d migrations, %s\n", moves, bad ? bad " figures grew without bound" : "nothing grew without bound"
        exit bad ? 1 : 0
    }
    function check(agent, what, value, limit, against) {
        ok = value <= limit
        printf "  %-7s %-24s %10s  limit %-10s (%s)  %s\n", agent, what, value, int(limit), against, ok ? "ok" : "GREW"
        if (!ok) bad++
    }' "$SAMPLES" | tee "$OUT/verdict.txt"
[ "${PIPESTATUS[0]}" = 0 ]
