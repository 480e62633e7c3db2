# ./haul chaos --backend docker|runc: the container runtimes' part of the fault matrix. Sourced by chaos.sh, which
# sets A, B, WORK, TAG (the run's mark), BACKEND and the cclient function. Each host gets a runtime of its own: a
# private Docker engine (runtime/setup/docker-host.sh, in WORK/dA and WORK/dB) or a runc state root (WORK/rA,
# WORK/rB), and the docker plugin in each agent's deploy folder. The workload is runtime/demo/workload.pl in a
# container of a busybox image with the host's perl (runtime/setup/perl-rootfs.sh), so that a container cell checks
# what a process cell checks: its counter, and its pages. It runs as the container's init, with the status file
# /chaos-status-TAG-CELL inside the container: that path in its command line finds its copies wherever they run
# (also one that no runtime knows any more), and /proc/PID/root/ reads its status.

ENGINE="$HAUL_HOME/runtime/setup/docker-host.sh"
IMAGE=haul-chaos-perl:1
CONTAINER="" STATUS_PATH="" PID_ON_A="" SOURCE_BUNDLE=""

# the runtimes' command lines, bounded: an engine whose container is stuck in a restore does not answer about it
docker_on() { local host=$1; shift; timeout 30 "$("$ENGINE" cli)" --host "unix://$WORK/d$host/docker.sock" "$@"; }
runc_on() { local host=$1; shift; timeout 30 env PATH="/opt/haul/criu/bin:/usr/sbin:/usr/bin:/sbin:/bin" runc --root "$WORK/r$host" "$@"; }
# the bundles Haul makes for the containers it moves to HOST (haul.runc.cfg's bundles)
moved_bundles() { echo "$WORK/bundles-$1"; }

# runtime_configure: before the agents start: each host's runtime, the image or root file system, the agents'
# configuration of it and the plugin in their deploy folders.
runtime_configure() {
    local plugin tarball host
    plugin=$(ls "$HAUL_HOME"/plugins-docker/target/plugin-docker-*.jar 2>/dev/null | grep -v sources | head -1)
    [ -n "$plugin" ] || die "no plugin jar in plugins-docker/target after the build"
    tarball=$("$HAUL_HOME/runtime/setup/perl-rootfs.sh" "$WORK/perl" 2>/dev/null)
    for host in A B; do
        local name=$A; [ $host = B ] && name=$B
        mkdir -p "$WORK/$name/deploy"
        cp "$plugin" "$WORK/$name/deploy/plugin-docker.jar"
        if [ "$BACKEND" = docker ]; then
            "$ENGINE" start "chrt-$host" "$name" "$WORK/d$host" >/dev/null 2>&1 || die "no Docker engine on $name"
            printf 'socket=%s\n' "$WORK/d$host/docker.sock" > "$WORK/$name/etc/haul.docker.cfg"
        else
            mkdir -p "$WORK/r$host"
            # both hosts share this machine's cgroup tree: a restored copy must not join the frozen source's cgroup
            printf 'root=%s\nbundles=%s\ncgroupsParent=/%s-moved-%s\n' "$WORK/r$host" "$(moved_bundles "$name")" \
                "$TAG" "$name" > "$WORK/$name/etc/haul.runc.cfg"
        fi
    done
    if [ "$BACKEND" = docker ]; then
        docker_on A import "$tarball" "$IMAGE" >/dev/null
        docker_on A save "$IMAGE" | docker_on B load >/dev/null
    fi
}

# runtime_ready NAME: the agent of host NAME lists the cell's backend as usable
runtime_ready() { ask "$1" backends 2>/dev/null | grep -Eq "^$BACKEND +yes"; }

# start_container CELL MIB: the workload in a container on A; sets TARGET (what ./haul migrate takes), PID_ON_A
start_container() {
    local cell=$1 mib=$2
    CONTAINER="chrt-$TAG-$cell" STATUS_PATH="/chaos-status-$TAG-$cell"
    if [ "$BACKEND" = docker ]; then
        docker_on A run -d --name "$CONTAINER" --network none -e LANG=C "$IMAGE" \
            perl /workload.pl "$mib" "$STATUS_PATH" 1 >/dev/null
    else
        SOURCE_BUNDLE="$WORK/source-bundles/$CONTAINER"
        mkdir -p "$SOURCE_BUNDLE"
        cp -a "$WORK/perl/rootfs" "$SOURCE_BUNDLE/rootfs"
        runc spec --bundle "$SOURCE_BUNDLE"
        jq --arg id "$CONTAINER" --arg mib "$mib" --arg status "$STATUS_PATH" --arg cgroup "/$TAG-$A-$CONTAINER" '
            .process.terminal = false | .process.args = ["perl", "/workload.pl", $mib, $status, "1"]
            | .process.env += ["LANG=C"] | .root.readonly = false | .hostname = $id
            | .linux.namespaces = [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "network"}]
            | .linux.cgroupsPath = $cgroup' "$SOURCE_BUNDLE/config.json" > "$SOURCE_BUNDLE/config.json.new"
        mv "$SOURCE_BUNDLE/config.json.new" "$SOURCE_BUNDLE/config.json"
        # stdio /dev/null: a container whose stdout is a file of the host cannot be checkpointed
        nsenter --net="/run/netns/$A" env PATH="/opt/haul/criu/bin:/usr/sbin:/usr/bin:/sbin:/bin" runc --root "$WORK/rA" \
            run -d --pid-file "$SOURCE_BUNDLE.pid" --bundle "$SOURCE_BUNDLE" "$CONTAINER" </dev/null >/dev/null 2>&1 \
            || die "runc run $CONTAINER failed"
    fi
    TARGET="$BACKEND:$CONTAINER"
    wait_for 60 "the container's workload status" container_status
    PID_ON_A=$(container_pids | awk 'NR == 1')
}

# container_pids: every task of the cell's workload on the machine (its init's command line names its status file)
container_pids() {
    [ -n "$STATUS_PATH" ] || return 0
    # grep says 2 when a task ended between the glob and its read: those are not copies
    { grep -lsaP "^(/bin/)?perl\\x00/workload.pl\\x00\\d+\\x00$STATUS_PATH\\x00" /proc/[0-9]*/cmdline 2>/dev/null || true; } \
        | sed 's|^/proc/\([0-9]*\)/cmdline$|\1|'
}

# container_status: the workload's status line (COUNT PID OK|CORRUPT...) of the copy that counted furthest (a copy
# stuck in a restore never counts on)
container_status() {
    local pid
    # awk, not head: every line read, so nothing before it in the pipe dies of SIGPIPE
    for pid in $(container_pids); do cat "/proc/$pid/root$STATUS_PATH" 2>/dev/null || true; done | sort -n -r \
        | awk 'NR == 1 && NF { print; found = 1 } END { exit !found }'
}

# runtime_pid HOST: the pid of the running container as HOST's runtime has it (empty when it has none running)
runtime_pid() {
    if [ "$BACKEND" = docker ]; then
        docker_on "$1" inspect -f '{{if .State.Running}}{{.State.Pid}}{{end}}' "$CONTAINER" 2>/dev/null || true
    else
        runc_on "$1" state "$CONTAINER" 2>/dev/null | jq -r 'select(.status == "running") | .pid' || true
    fi
}

# container_copies: "HOST:PID" for each copy of the workload, HOST the runtime that runs it (A or B), ? for none
container_copies() {
    local pid pid_a pid_b
    pid_a=$(runtime_pid A) pid_b=$(runtime_pid B)
    for pid in $(container_pids); do
        if [ "$pid" = "$pid_a" ]; then echo "A:$pid"; elif [ "$pid" = "$pid_b" ]; then echo "B:$pid"; else echo "?:$pid"; fi
    done
}

# runtime_leftovers ID COPY: what the runtimes keep of migration ID beyond the one copy that runs on COPY (A, B or
# none), one item a line: containers the runtime still has, Docker's checkpoints in the containers' folders,
# containerd's unpacked copies of them, runc's moved bundles, Haul's holds, lock rules in the copy's namespace.
runtime_leftovers() {
    local id=$1 copy=$2 host name kept
    for host in A B; do
        name=$A; [ $host = B ] && name=$B
        kept=0; [ "$copy" = "$host" ] && kept=1
        if [ "$BACKEND" = docker ]; then
            docker_on $host inspect "$CONTAINER" >/dev/null 2>&1 || [ $? != 124 ] || echo "an engine stuck on $name"
            [ "$(docker_on $host ps -aq 2>/dev/null | wc -l)" -le $kept ] || echo "docker containers on $name"
            [ -z "$(find "$WORK/d$host/data/containers" -path '*/checkpoints/*' -maxdepth 3 2>/dev/null | head -1)" ] \
                || echo "docker checkpoints on $name"
        else
            [ "$(runc_on $host list -q 2>/dev/null | grep -c .)" -le $kept ] || echo "runc containers on $name"
            [ $host = B ] && [ $kept = 0 ] && [ -e "$(moved_bundles "$name")/$CONTAINER" ] && echo "runc bundle on $name"
        fi
    done
    grep -lsF "restore-$id" /tmp/ctrd-checkpoint*/haul-hold >/dev/null 2>&1 && echo "containerd checkpoint copies"
    ls /run/haul/hold 2>/dev/null | grep -qE "($id|^dump-$PID_ON_A)\$" && echo "holds"
    local pid
    for pid in $(container_pids); do
        [ "$(nsenter --net="/proc/$pid/ns/net" iptables -S 2>/dev/null | grep -vc '^-P')" = 0 ] \
            || { echo "lock rules in the container"; break; }
    done
    return 0
}

# stop_container: the cell's container gone from both runtimes, and every copy of its workload
stop_container() {
    [ -n "$CONTAINER" ] || return 0
    local host
    kill_pids $(container_pids)
    for host in A B; do
        if [ "$BACKEND" = docker ]; then
            docker_on $host rm -f "$CONTAINER" >/dev/null 2>&1 || true
        else
            runc_on $host delete --force "$CONTAINER" >/dev/null 2>&1 || true
        fi
    done
    rm -rf --one-file-system "$SOURCE_BUNDLE" "$(moved_bundles "$A")/$CONTAINER" "$(moved_bundles "$B")/$CONTAINER"
    CONTAINER="" STATUS_PATH="" PID_ON_A="" SOURCE_BUNDLE=""
}

# runtime_down: both runtimes stopped and removed (after stop_container), and the cgroups the run's runc containers
# were made under (runc delete removes a container's own, not the parent named by cgroupsParent), deepest first
runtime_down() {
    if [ "$BACKEND" = docker ]; then
        "$ENGINE" stop "$WORK/dA" >/dev/null 2>&1 || true
        "$ENGINE" stop "$WORK/dB" >/dev/null 2>&1 || true
    fi
    find /sys/fs/cgroup -maxdepth 3 -depth -type d -path "*/$TAG-*" -exec rmdir {} \; 2>/dev/null || true
}
