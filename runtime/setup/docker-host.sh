#!/usr/bin/env bash
# A Docker engine of its own for one namespace "host" (see hosts.sh): dockerd started in the host's network
# namespace with everything it keeps in one folder, beside any other engine on the machine.
#
#   docker-host.sh start NAME NETNS DIR   start it, wait until it answers, print its pid
#   docker-host.sh stop DIR [LOG]         stop it and what it started, unmount, remove DIR (keeping a copy of
#                                         dockerd.log as LOG, when given)
#   docker-host.sh cli                    print the path of the docker client these engines are used with
#
# DIR holds data/ (--data-root: images, containers, volumes), exec/ (--exec-root: the containerd dockerd
# starts for itself, its shims, runc's state), docker.sock, docker.pid (dockerd's own), dockerd.pid (the pid
# this script started: stop goes by it), daemon.json (empty: /etc/docker/daemon.json is not read), name and
# dockerd.log. Keep DIR short: containerd's sockets live under exec/ and a socket path has at most 107 bytes.
#
# dockerd runs in the host's network namespace (nsenter --net; never `ip netns exec`, whose private mount
# namespace CRIU cannot dump), in the machine's mount namespace, with no bridge, no iptables rules and
# --experimental (docker checkpoint). PATH starts with Haul's CRIU (runc execs `criu`), then the system's
# binaries (Debian's containerd and runc, not /usr/local's).
#
#   docker --host unix://DIR/docker.sock ...   talks to it
#
# stop: removes every container (docker rm -f: SIGKILL, no shutdown timeout), SIGTERM to dockerd and up to
# HAUL_DOCKER_STOP_SECONDS (default 20) for it to exit, then SIGKILL; then kills whatever is left of what
# it started, found by DIR in their command lines (containerd, shims) and by runc's state files under exec/
# (containers' init processes), each checked before it is signalled; unmounts what is mounted under DIR
# (overlays, network namespaces, shm); removes DIR. Idempotent: a DIR that does not exist is already stopped.
#
# Environment:
#   HAUL_DOCKER_CLI             docker client (default: /usr/bin/docker, else /usr/local/bin/docker)
#   HAUL_DOCKERD                dockerd (default: from PATH)
#   HAUL_DOCKER_STORAGE_DRIVER  storage driver (default overlay2)
#   HAUL_DOCKER_START_SECONDS   how long start waits for the engine to answer (default 60)
#   HAUL_DOCKER_STOP_SECONDS    how long stop waits after SIGTERM (default 20)
#   HAUL_CRIU_PREFIX            Haul's CRIU (default /opt/haul/criu; its bin/ goes first in PATH)
set -euo pipefail

CRIU_BIN="${HAUL_CRIU_PREFIX:-/opt/haul/criu}/bin"
export PATH="$CRIU_BIN:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin"
START_SECONDS=${HAUL_DOCKER_START_SECONDS:-60}
STOP_SECONDS=${HAUL_DOCKER_STOP_SECONDS:-20}
STORAGE_DRIVER=${HAUL_DOCKER_STORAGE_DRIVER:-overlay2}
# the longest socket path under exec/ is DIR + this (containerd's ttrpc socket)
LONGEST_SOCKET=/exec/containerd/containerd.sock.ttrpc

log() { printf 'docker-host: %s\n' "$*" >&2; }
die() { printf 'docker-host: ERROR: %s\n' "$*" >&2; exit 1; }

cli() {
    local candidate
    for candidate in "${HAUL_DOCKER_CLI:-}" /usr/bin/docker /usr/local/bin/docker; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
    done
    return 1
}

# DIR as an absolute path without a trailing slash (it need not exist).
absolute() {
    local d=$1
    case "$d" in /*) ;; *) d="$PWD/$d" ;; esac
    while [ "${d%/}" != "$d" ] && [ "$d" != / ]; do d=${d%/}; done
    echo "$d"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The process's command line with spaces for NULs; fails when there is no such process.
cmdline_of() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# Field 22 of /proc/PID/stat (start time in clock ticks): with the pid, names one process for good.
start_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    awk '{ print $20 }' <<<"$stat"
}

alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# Waits up to $2 seconds for process $1 to be gone; fails if it is still there.
wait_gone() {
    local pid=$1 deadline
    deadline=$(awk -v n="$(now)" -v s="$2" 'BEGIN { printf "%.3f", n + s }')
    while alive "$pid"; do
        awk -v n="$(now)" -v d="$deadline" 'BEGIN { exit !(n > d) }' && return 1
        sleep 0.05
    done
}

# Pids of the engine's own processes (dockerd, containerd, its shims, runc, docker-proxy, docker-init: by
# their name) whose command line contains "$1/"; nobody else's (a `less DIR/dockerd.log`).
pids_under() {
    local marker="$1/" entry pid comm line
    for entry in /proc/[0-9]*; do
        pid=${entry#/proc/}
        comm=""
        { read -r comm <"$entry/comm"; } 2>/dev/null || continue
        case "$comm" in
            dockerd | containerd | containerd-shim* | runc | runc:* | docker-proxy | docker-init) ;;
            *) continue ;;
        esac
        line=$(cmdline_of "$pid") || continue
        [[ "$line" == *"$marker"* ]] && alive "$pid" && echo "$pid"
    done
    return 0
}

start() {
    [ $# -eq 3 ] || die "usage: docker-host.sh start NAME NETNS DIR"
    local name=$1 netns=$2 dir docker dockerd pid began exe
    dir=$(absolute "$3")
    [ "$(id -u)" -eq 0 ] || die "must run as root"
    [ -e "/run/netns/$netns" ] || die "no network namespace $netns (/run/netns/$netns)"
    dockerd=${HAUL_DOCKERD:-$(command -v dockerd || true)}
    [ -n "$dockerd" ] && [ -x "$dockerd" ] || die "no dockerd (package docker.io: runtime/setup/install-packages.sh)"
    command -v containerd >/dev/null || die "no containerd (package containerd)"
    command -v runc >/dev/null || die "no runc (package runc)"
    docker=$(cli) || die "no docker client (/usr/bin/docker of docker.io, or /usr/local/bin/docker)"
    [ ${#dir} -le $((107 - ${#LONGEST_SOCKET})) ] ||
        die "DIR $dir is too long (${#dir} bytes): containerd's sockets under it would pass 107 bytes"
    if [ -f "$dir/dockerd.pid" ]; then
        pid=$(cat "$dir/dockerd.pid")
        if alive "$pid" && [[ "$(cmdline_of "$pid")" == *"$dir/"* ]]; then
            die "a dockerd already runs for $dir (pid $pid): stop it first"
        fi
    fi
    [ -x "$CRIU_BIN/criu" ] || log "warning: no $CRIU_BIN/criu: checkpoints would use whatever criu is on PATH"

    mkdir -p "$dir/data" "$dir/exec"
    chmod 0711 "$dir"
    echo '{}' >"$dir/daemon.json"
    echo "$name" >"$dir/name"
    rm -f "$dir/docker.sock" "$dir/docker.pid"
    began=$(now)
    # setsid: its own session, so no terminal signal of whoever started it reaches it; setsid and nsenter
    # exec (neither forks here), so $! is dockerd's pid
    setsid nsenter --net="/run/netns/$netns" "$dockerd" --experimental \
        --config-file "$dir/daemon.json" \
        --bridge=none --iptables=false --ip-masq=false --ip6tables=false --userland-proxy=false \
        --storage-driver "$STORAGE_DRIVER" \
        --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
        -H "unix://$dir/docker.sock" \
        </dev/null >>"$dir/dockerd.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/dockerd.pid"
    local deadline
    deadline=$(awk -v n="$began" -v s="$START_SECONDS" 'BEGIN { printf "%.3f", n + s }')
    until "$docker" --host "unix://$dir/docker.sock" version --format '{{.Server.Version}}' >/dev/null 2>&1; do
        if ! alive "$pid"; then
            wait "$pid" 2>/dev/null || true
            tail -n 30 "$dir/dockerd.log" >&2 || true
            (stop "$dir" "$dir-dockerd.log") || true
            die "dockerd for $name exited before it answered (its log: $dir-dockerd.log)"
        fi
        if awk -v n="$(now)" -v d="$deadline" 'BEGIN { exit !(n > d) }'; then
            tail -n 30 "$dir/dockerd.log" >&2 || true
            (stop "$dir" "$dir-dockerd.log") || true
            die "dockerd for $name did not answer within $START_SECONDS s (its log: $dir-dockerd.log)"
        fi
        sleep 0.1
    done
    exe=$(readlink "/proc/$pid/exe" || true)
    [[ "$exe" == */dockerd ]] || die "pid $pid is $exe, not dockerd"
    log "dockerd for $name in network namespace $netns: pid $pid, up in $(elapsed "$began") s" \
        "(docker --host unix://$dir/docker.sock)"
    echo "$pid"
}

# Kills the containers' init processes runc knows of under $1/exec (a pid namespace dies with its init),
# thawing their cgroups first (a frozen task does not die), and lists their cgroups in CGROUPS.
CGROUPS=()
kill_containers() {
    local dir=$1 state pid ticks cg
    while IFS= read -r -d '' state; do
        pid=$(grep -o '"init_process_pid":[0-9]*' "$state" | head -1 | cut -d: -f2) || true
        ticks=$(grep -o '"init_process_start":[0-9]*' "$state" | head -1 | cut -d: -f2) || true
        for cg in $(grep -o '"cgroup_paths":{[^}]*}' "$state" | grep -o '"/sys/fs/cgroup/[^"]*"' | tr -d '"'); do
            CGROUPS+=("$cg")
            [ -w "$cg/freezer.state" ] && echo THAWED >"$cg/freezer.state" 2>/dev/null
            [ -w "$cg/cgroup.freeze" ] && echo 0 >"$cg/cgroup.freeze" 2>/dev/null
        done
        [ -n "$pid" ] && [ -n "$ticks" ] || continue
        if alive "$pid" && [ "$(start_ticks "$pid")" = "$ticks" ]; then
            log "killing container init $pid ($state)"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done < <(find "$dir/exec" -name state.json -print0 2>/dev/null)
    return 0
}

# Removes the cgroups in CGROUPS that are left (what runc would have removed), once their tasks are gone.
remove_cgroups() {
    local cg tries
    for cg in "${CGROUPS[@]}"; do
        tries=100
        while [ -d "$cg" ] && ! rmdir "$cg" 2>/dev/null; do
            tries=$((tries - 1))
            [ $tries -gt 0 ] || { log "cannot remove cgroup $cg"; break; }
            sleep 0.05
        done
    done
    return 0
}

stop() {
    [ $# -eq 1 ] || [ $# -eq 2 ] || die "usage: docker-host.sh stop DIR [LOG]"
    local dir pid began docker ids left p mounts m keep=${2:-}
    dir=$(absolute "$1")
    [ "$(id -u)" -eq 0 ] || die "must run as root"
    [ -d "$dir" ] || { log "$dir does not exist: nothing to stop"; return 0; }
    case "$dir" in / | /tmp | /var | /var/lib | /run | /home | /root) die "refusing to remove $dir" ;; esac
    began=$(now)
    pid=""
    if [ -f "$dir/dockerd.pid" ]; then
        pid=$(cat "$dir/dockerd.pid")
        if ! alive "$pid" || [[ "$(cmdline_of "$pid")" != *"$dir/"* ]]; then
            pid="" # gone, or the pid now names another process
        fi
    fi
    if [ -n "$pid" ]; then
        if docker=$(cli) && [ -S "$dir/docker.sock" ]; then
            ids=$(timeout 20 "$docker" --host "unix://$dir/docker.sock" ps -aq 2>/dev/null || true)
            if [ -n "$ids" ]; then
                # shellcheck disable=SC2086
                timeout 30 "$docker" --host "unix://$dir/docker.sock" rm -f $ids >/dev/null 2>&1 ||
                    log "docker rm -f of the containers failed; dockerd stops them"
            fi
        fi
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" "$STOP_SECONDS"; then
            log "dockerd $pid did not exit within $STOP_SECONDS s of SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 10 || die "dockerd $pid survives SIGKILL"
        fi
    fi
    # what dockerd left (it was killed, or it died): containers first, then containerd and the shims
    kill_containers "$dir"
    left=$(pids_under "$dir")
    if [ -n "$left" ]; then
        for p in $left; do log "left running: $p $(cmdline_of "$p" || true)"; done
        # shellcheck disable=SC2086
        kill -TERM $left 2>/dev/null || true
        for p in $left; do
            wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null || true
        done
        for p in $left; do wait_gone "$p" 5 || die "process $p survives SIGKILL"; done
    fi
    remove_cgroups
    if [ -n "$keep" ] && [ -f "$dir/dockerd.log" ]; then
        mkdir -p "$(dirname "$keep")"
        cp "$dir/dockerd.log" "$keep" || log "cannot copy $dir/dockerd.log to $keep"
    fi
    # mounts under DIR (overlays, network namespace files, shm), deepest first
    mounts=$(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    for m in $mounts; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "cannot unmount $m"
    done
    rm -rf --one-file-system "$dir" || die "cannot remove $dir"
    log "stopped the engine of $dir${pid:+ (dockerd $pid)} and removed it in $(elapsed "$began") s"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    cli) cli || die "no docker client (/usr/bin/docker of docker.io, or /usr/local/bin/docker)" ;;
    *) echo "usage: docker-host.sh start NAME NETNS DIR | stop DIR [LOG] | cli" >&2; exit 64 ;;
esac
