#!/usr/bin/env bash
# ./haul corpus (issue #17): everything plain CRIU moves between two hosts, Haul moves too. Each program of
# runtime/corpus/kinds (one per kind of kernel object: files, pipes, sockets, memory, IPC, timers, signals,
# threads, process trees...) is compiled with the machine's cc and run in its own PID namespace (and IPC namespace
# where its first comment says `corpus: unshare=--ipc`) in host corpusA's network namespace, in a working folder
# of its own. Once its status file says READY it is moved to corpusB twice, each time a fresh copy:
#
#   plain CRIU  criu dump on corpusA (the tree dies), the images copied, criu restore inside corpusB
#               (--tcp-established --file-locks on both sides, as Haul asks)
#   Haul        ./haul migrate process:ROOT --to corpusB between an agent on each host
#
# After the move the runner makes ./go in the working folder and the program checks its own state and writes PASS
# or FAIL with the reason. A move counts only when the copy runs in corpusB's network namespace, is the only copy
# (tasks found by their working folder) and says PASS. A Haul migration that fails must have left the program
# running on corpusA: the runner then asks it to check its state there too. It prints a table (kind, plain CRIU,
# Haul, reason) and the line "corpus: N kinds; plain CRIU moves X; Haul moves Y; Haul-only failures Z", Z the
# kinds plain CRIU moved and Haul neither moved nor refused in its checks (a handshake that timed out counts as a
# failure); then the kinds Haul refused and those it let fail, frozen or not, with their reasons. Exit status 0 when Z is 0.
#
#   ./haul corpus [--kinds K1,K2...] [--load] [--out DIR]
#
#   --kinds  only these programs (their file names without .c)
#   --load   two busy loops compete for the cores throughout
#   --out    where the table, results.csv and each run's logs go (default /tmp/haul-corpus-DATE)
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
KINDS_DIR="$HAUL_HOME/runtime/corpus/kinds"
SCRIPT_NAME=corpus
# shellcheck source=../demo/lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

KINDS="" LOAD="" OUT="/tmp/haul-corpus-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
    case "$1" in
        --kinds) KINDS=${2:?}; shift 2 ;;
        --load) LOAD=1; shift ;;
        --out) OUT=${2:?}; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "corpus: unknown option $1" >&2; usage ;;
    esac
done
if [ -z "$KINDS" ]; then
    KINDS=$(cd "$KINDS_DIR" && ls ./*.c | sed 's|^\./||; s|\.c$||' | paste -sd,)
fi
IFS=, read -r -a KIND_LIST <<< "$KINDS"
for kind in "${KIND_LIST[@]}"; do
    [ -f "$KINDS_DIR/$kind.c" ] || die "no program named '$kind' in $KINDS_DIR"
done
[ "$(id -u)" = 0 ] || die "the corpus runs as root (CRIU, namespaces)"
command -v cc >/dev/null || die "no C compiler (cc): install gcc"

A=corpusA B=corpusB A_IP=169.254.97.1 B_IP=169.254.97.2
export HAUL_HOST_A=$A HAUL_HOST_B=$B HAUL_HOST_A_IP=$A_IP HAUL_HOST_B_IP=$B_IP
CRIU=/opt/haul/criu/bin/criu
WORK=$(mktemp -d /tmp/haul-corpus-work.XXXXXX)
AGENT_A="" AGENT_B="" LAUNCHER="" RUN_DIR="" BUSY=()

cleanup() {
    local status=$?
    stop_program
    kill_pids "${BUSY[@]}"
    for pid in "${BUSY[@]}"; do wait "$pid" 2>/dev/null || true; done   # reaped here: no "Killed" line
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" "$A" "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CONTROL_CLIENT=("${HAUL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -cp "$WORK/control.jar" io.haul.control.ControlClient)

# netns_of PID: the inode of its network namespace (empty when it is gone)
netns_of() { stat -L -c %i "/proc/$1/ns/net" 2>/dev/null || true; }

# status_word: the first word of the running program's status file
status_word() { awk '{print $1; exit}' "$RUN_DIR/status" 2>/dev/null || true; }
status_rest() { sed -n '1s/^[A-Z]* *//p' "$RUN_DIR/status" 2>/dev/null || true; }

# start_program KIND: a fresh copy in its own folder RUN_DIR, in its own PID namespace in host A; sets LAUNCHER
# and ROOT once it said READY (or SETUP: then ROOT stays empty).
start_program() {
    local kind=$1 namespaces
    namespaces=$(sed -n 's/.*corpus: unshare=\([^ ]*\).*/\1/p' "$KINDS_DIR/$kind.c" | head -1)
    mkdir -p "$RUN_DIR"
    # shellcheck disable=SC2086 # the namespace flags are words
    (cd "$RUN_DIR" && exec nsenter --net="/run/netns/$A" unshare -p -f $namespaces setsid "$WORK/bin/$kind" \
        </dev/null >/dev/null 2>&1) &
    LAUNCHER=$!
    ROOT=""
    wait_for 20 "status of $kind" sh -c "grep -qE '^(READY|SETUP)' '$RUN_DIR/status'"
    [ "$(status_word)" = READY ] && ROOT=$(awk '{print $1}' "/proc/$LAUNCHER/task/$LAUNCHER/children")
    return 0
}

# copies: the roots (tasks whose parent is not one of them) of every copy of the running program, as HOST:PID
# with HOST A, B or ? by network namespace.
copies() {
    local pids pid ppid netns ns_a ns_b
    ns_a=$(stat -L -c %i "/run/netns/$A") ns_b=$(stat -L -c %i "/run/netns/$B")
    pids=" $(tasks_in_folder "$RUN_DIR" | tr '\n' ' ') "
    for pid in $pids; do
        ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || continue
        [[ $pids == *" $ppid "* ]] && continue
        netns=$(netns_of "$pid")
        if [ "$netns" = "$ns_a" ]; then echo "A:$pid"; elif [ "$netns" = "$ns_b" ]; then echo "B:$pid"; else echo "?:$pid"; fi
    done
}

# verdict HOST: makes ./go and waits for the program's own verdict; sets V_CELL to "moved" (or "kept" for HOST A)
# when it said PASS as the one copy, running in HOST, else to what was wrong ("state lost", "2 copies"...), with
# the details in V_REASON.
verdict() {
    local host=$1 found word i=0
    touch "$RUN_DIR/go"
    until grep -qE '^(PASS|FAIL)' "$RUN_DIR/status" 2>/dev/null || [ $i -ge 200 ]; do sleep 0.1; i=$((i + 1)); done
    word=$(status_word)
    mapfile -t found < <(copies)
    V_REASON=""
    if [ ${#found[@]} != 1 ]; then V_CELL="${#found[@]} copies" V_REASON="copies: ${found[*]:-none}"; return; fi
    if [ "${found[0]%%:*}" != "$host" ]; then V_CELL="runs in ${found[0]%%:*}"; return; fi
    case "$word" in
        PASS) if [ "$host" = B ]; then V_CELL=moved; else V_CELL=kept; fi ;;
        FAIL) V_CELL="state lost" V_REASON=$(status_rest) ;;
        *) V_CELL="no verdict" V_REASON="status: $(head -1 "$RUN_DIR/status" 2>/dev/null)" ;;
    esac
}

# stop_program: SIGKILL to every task of the running program, wherever it runs, and to its launcher.
stop_program() {
    [ -n "$RUN_DIR" ] || return 0
    kill_pids $(tasks_in_folder "$RUN_DIR") "$LAUNCHER"
    [ -z "$LAUNCHER" ] || wait "$LAUNCHER" 2>/dev/null || true   # reaped here, so bash reports no "Killed"
    LAUNCHER=""
}

# criu_error LOG: CRIU's first error line, shortened
# (not the RLIMIT_NOFILE line CRIU always logs here: MACHINE.md)
criu_error() { grep -E 'Error' "$1" 2>/dev/null | grep -v 'RLIMIT_NOFILE for self' | head -1 \
    | sed 's/^ *[0-9]*: *//; s/^Error *([^)]*): *//' | cut -c1-140 || true; }

# plain_move KIND: sets CELL (moved, or what failed) and REASON.
plain_move() {
    local kind=$1 dir
    RUN_DIR="$WORK/runs/$kind-criu"; dir="$WORK/images/$kind"
    start_program "$kind"
    if [ -z "$ROOT" ]; then CELL="not tried"; REASON="setup: $(status_rest)"; stop_program; return; fi
    mkdir -p "$dir/src" "$dir/dst"
    if ! nsenter --net="/run/netns/$A" timeout -s KILL 60 "$CRIU" dump -t "$ROOT" -D "$dir/src" --tcp-established \
            --file-locks -o "$dir/dump.log" 2>/dev/null; then
        cp "$dir/dump.log" "$OUT/logs/$kind.criu-dump.log" 2>/dev/null || true
        CELL="dump failed" REASON="criu dump: $(criu_error "$dir/dump.log")"
    else
        cp -a "$dir/src/." "$dir/dst/"   # one machine: the copy over the link is a local copy here
        if ! nsenter --net="/run/netns/$B" timeout -s KILL 60 "$CRIU" restore -D "$dir/dst" -d --tcp-established \
                --file-locks -o "$dir/restore.log" --pidfile "$dir/restore.pid" 2>/dev/null; then
            cp "$dir/restore.log" "$OUT/logs/$kind.criu-restore.log" 2>/dev/null || true
            CELL="restore failed" REASON="criu restore: $(criu_error "$dir/restore.log")"
        else
            verdict B
            CELL=$V_CELL REASON=$V_REASON
        fi
    fi
    stop_program
    rm -rf "$dir"
}

# haul_move KIND: sets CELL (moved, refused, failed frozen, ...), REASON and PHASE.
haul_move() {
    local kind=$1 json outcome pid error
    RUN_DIR="$WORK/runs/$kind-haul"; json="$OUT/logs/$kind.haul.json"
    start_program "$kind"
    PHASE=""
    if [ -z "$ROOT" ]; then CELL="not tried"; REASON="setup: $(status_rest)"; stop_program; return; fi
    timeout 300 "${CONTROL_CLIENT[@]}" "$WORK/$A/control.sock" migrate "process:$ROOT" --to "$B" --json \
        > "$json" 2> "$OUT/logs/$kind.haul.err" || true
    [ -s "$OUT/logs/$kind.haul.err" ] || rm -f "$OUT/logs/$kind.haul.err"
    IFS=$'\t' read -r outcome _ _ _ _ _ _ pid _ _ _ error < <(perl "$HAUL_HOME/runtime/bench/record.pl" "$json") || true
    if [ "$outcome" = SUCCEEDED ]; then
        verdict B
        CELL=$V_CELL REASON=$V_REASON
    else
        PHASE=${error%%:*}
        verdict A
        # only the checks refuse a kind with its reason; a handshake or pre-copy that fails is a failure, if unfrozen
        case "$PHASE" in
            CHECKS) CELL=refused ;;
            HANDSHAKE|FILESYSTEM|PRECOPY) CELL="failed unfrozen" ;;
            CLEANUP) CELL="failed after commit" ;;
            *) CELL="failed frozen" ;;
        esac
        REASON="${error}"
        [ "$V_CELL" = kept ] || { CELL="$CELL, LOST"; REASON="$REASON; on A afterwards: $V_CELL $V_REASON"; }
    fi
    stop_program
}

"$HAUL_HOME/haul" setup >/dev/null
"$HAUL_HOME/haul" build
mkdir -p "$OUT/logs" "$WORK/bin" "$WORK/runs" "$WORK/images"
cp "$(ls "$HAUL_HOME"/bundles/control/target/control-*.jar | head -1)" "$WORK/control.jar"

say "compiling ${#KIND_LIST[@]} programs"
for kind in "${KIND_LIST[@]}"; do
    flags=$(sed -n 's/.*corpus: cflags=\([^ ]*\).*/\1/p' "$KINDS_DIR/$kind.c" | head -1)
    # shellcheck disable=SC2086
    cc -O1 -Wall -o "$WORK/bin/$kind" "$KINDS_DIR/$kind.c" $flags -lrt || die "$kind.c does not compile"
done

say "two hosts $A ($A_IP) and $B ($B_IP), an agent on each"
"$HOSTS" up >/dev/null
start_agents "$A" "$B"
if [ -n "$LOAD" ]; then
    for _ in 1 2; do perl -e '1 while 1' & BUSY+=($!); done
    echo "   two busy loops: ${BUSY[*]}"
fi

RESULTS="$OUT/results.csv"
echo "kind,plain_criu,haul,haul_phase,plain_reason,haul_reason" > "$RESULTS"
say "moving each program from $A to $B, with plain CRIU and with Haul"
TABLE="$OUT/table.txt"
printf '%-18s %-16s %-16s %s\n' KIND "PLAIN CRIU" HAUL REASON | tee "$TABLE"
total=0 plain_moves=0 haul_moves=0 haul_only=0
refusals=() frozen=() unfrozen=()
for kind in "${KIND_LIST[@]}"; do
    plain_move "$kind"; plain=$CELL plain_reason=$REASON
    haul_move "$kind"; haul=$CELL haul_reason=$REASON
    total=$((total + 1))
    [ "$plain" = moved ] && plain_moves=$((plain_moves + 1))
    [ "$haul" = moved ] && haul_moves=$((haul_moves + 1))
    if [ "$plain" = moved ] && [ "$haul" != moved ] && [ "$haul" != refused ]; then haul_only=$((haul_only + 1)); fi
    [ "$haul" = refused ] && refusals+=("$kind: $haul_reason")
    [[ $haul == "failed unfrozen"* ]] && unfrozen+=("$kind: $haul_reason")
    [[ $haul == "failed frozen"* ]] && frozen+=("$kind: $haul_reason")
    reason=${haul_reason:-$plain_reason}
    [ -n "$reason" ] || reason="-"
    printf '%-18s %-16s %-16s %s\n' "$kind" "$plain" "$haul" "$(cut -c1-160 <<< "$reason")" | tee -a "$TABLE"
    printf '%s,"%s","%s",%s,"%s","%s"\n' "$kind" "$plain" "$haul" "$PHASE" "${plain_reason//\"/\'}" \
        "${haul_reason//\"/\'}" >> "$RESULTS"
done
{
    echo
    echo "corpus: $total kinds; plain CRIU moves $plain_moves; Haul moves $haul_moves; Haul-only failures $haul_only${LOAD:+ (under load)}"
    for line in "${refusals[@]}"; do echo "refused by Haul before the freeze: $line"; done
    for line in "${frozen[@]}"; do echo "failed in Haul's frozen window: $line"; done
    for line in "${unfrozen[@]}"; do echo "failed before the freeze, not refused: $line"; done
} | tee -a "$TABLE"
echo "(table, results.csv and logs in $OUT)"
[ "$haul_only" = 0 ]
