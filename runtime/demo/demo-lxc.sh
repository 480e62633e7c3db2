#!/usr/bin/env bash
# ./haul demo lxc: an LXC system container moved live between two LXC hosts on one machine. Two hosts on one
# segment (network namespaces hostA and hostB, a bridge haulbr0 in each, hosts.sh) and a client machine on it
# (hostC), an agent on each host with an lxcpath of its own, the lxc plugin hot-deployed into both. A busybox
# container made with LXC's own template runs on hostA with a veth on hostA's bridge (169.254.77.60, a fixed MAC
# and host end name); its init runs a counter kept in a shell's memory and a TCP echo server, and a file is
# written into its root file system. A client on hostC streams numbered lines to it while it is migrated to
# hostB, and the demo shows that it goes on there (LXC runs it, the counter not reset, the file there, the
# client's stream whole, the veth on hostB's bridge) and is destroyed on hostA. Everything is torn down after.
# The hosts' names and addresses can be changed with HAUL_HOST_A, HAUL_HOST_B, HAUL_HOST_C and HAUL_HOST_A_IP,
# HAUL_HOST_B_IP (as hosts.sh reads them), so the demo can run beside others.
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
WORK=$(mktemp -d /tmp/haul-dl.XXXXXX)
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
export HAUL_HOST_A=${HAUL_HOST_A:-hostA} HAUL_HOST_B=${HAUL_HOST_B:-hostB} HAUL_HOST_C=${HAUL_HOST_C:-hostC}
export HAUL_HOST_A_IP=${HAUL_HOST_A_IP:-169.254.77.1} HAUL_HOST_B_IP=${HAUL_HOST_B_IP:-169.254.77.2}
HA=$HAUL_HOST_A HB=$HAUL_HOST_B HC=$HAUL_HOST_C
A_IP=$HAUL_HOST_A_IP B_IP=$HAUL_HOST_B_IP
CT_IP=${A_IP%.*}.60 CT_MAC=02:00:a9:fe:4d:3c CT_PORT=7000 HOST_END=haullxc0 NAME=web
AGENT_A="" AGENT_B="" CLIENT=""

SCRIPT_NAME="demo lxc"
# shellcheck source=lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

lxc_on() { local host=$1 tool=$2; shift 2; nsenter --net="/run/netns/$host" "$tool" -P "$WORK/lxc-$host" -n "$NAME" "$@"; }
# the counter's file is empty for a moment at each write (echo > truncates first): read until it holds a number
counter_on() {
    local value="" i=0
    while [ -z "$value" ] && [ $i -lt 50 ]; do
        value=$(cat "$WORK/lxc-$1/$NAME/rootfs/tmp/count" 2>/dev/null || true); i=$((i + 1))
        [ -n "$value" ] || sleep 0.02
    done
    echo "${value:-0}"
}
counter_above() { [ "$(counter_on "$1")" -gt "$2" ]; }

cleanup() {
    local status=$?
    kill_pids "$CLIENT"
    for host in "$HA" "$HB"; do
        lxc_on "$host" lxc-stop -k >/dev/null 2>&1 || true
        lxc_on "$host" lxc-destroy -f >/dev/null 2>&1 || true
    done
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" "$HA" "$HB"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || die "the demo runs as root (CRIU, namespaces, LXC)"
"$HAUL_HOME/haul" setup
"$HAUL_HOME/haul" build
PLUGIN=$(ls "$HAUL_HOME"/plugins-lxc/target/plugin-lxc-*.jar 2>/dev/null | grep -v sources | head -1)
[ -n "$PLUGIN" ] || die "no plugin jar in plugins-lxc/target after the build"

say "two hosts on one segment: $HA ($A_IP) and $HB ($B_IP), a bridge in each; a client machine $HC"
"$HOSTS" up

say "an agent on each with an lxcpath of its own; the lxc plugin copied into their deploy folders while they run"
prepare_agent "$HA" "$A_IP"
prepare_agent "$HB" "$B_IP"
for host in "$HA" "$HB"; do
    mkdir -p "$WORK/lxc-$host"
    printf 'lxcpath=%s\n' "$WORK/lxc-$host" > "$WORK/$host/etc/haul.lxc.cfg"
done
AGENT_A=$(start_agent "$HA")
AGENT_B=$(start_agent "$HB")
wait_agent "$HA" "$AGENT_A"
wait_agent "$HB" "$AGENT_B"
wait_for 60 "cluster of both agents" sh -c "HAUL_STATE='$WORK/$HA' '$HAUL_HOME/haul' agents | grep -q $HB"
for host in "$HA" "$HB"; do
    cp "$PLUGIN" "$WORK/$host/deploy/.plugin-lxc.jar.part"
    mv "$WORK/$host/deploy/.plugin-lxc.jar.part" "$WORK/$host/deploy/plugin-lxc.jar"
    wait_for 60 "lxc backend on $host" sh -c "HAUL_STATE='$WORK/$host' '$HAUL_HOME/haul' backends | grep -Eq '^lxc +yes'"
done
client "$HB" backends

say "a busybox container on $HA (lxc-create -t busybox): a veth on the bridge, a counter in memory, an echo server"
cat > "$WORK/$NAME.conf" <<CONF
lxc.net.0.type = veth
lxc.net.0.link = haulbr0
lxc.net.0.veth.pair = $HOST_END
lxc.net.0.name = eth0
lxc.net.0.hwaddr = $CT_MAC
lxc.net.0.ipv4.address = $CT_IP/24
lxc.net.0.flags = up
lxc.console.path = none
CONF
lxc-create -P "$WORK/lxc-$HA" -n "$NAME" -t busybox -f "$WORK/$NAME.conf" >/dev/null
CONFIG="$WORK/lxc-$HA/$NAME/config" ROOTFS="$WORK/lxc-$HA/$NAME/rootfs"
# what this kernel needs (MACHINE.md): no ttys; no bind mounts of /lib, /lib64, /usr/lib64 (symlinks or empty)
sed -i -e '/^lxc.tty.max/d' -e '\#^lxc.mount.entry = /lib #d' -e '\#^lxc.mount.entry = /lib64 #d' \
    -e '\#^lxc.mount.entry = /usr/lib64 #d' "$CONFIG"
echo 'lxc.tty.max = 0' >> "$CONFIG"
echo '::sysinit:/etc/init.d/rcS' > "$ROOTFS/etc/inittab"
echo 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.2; done' > "$ROOTFS/counter.sh"
cat > "$ROOTFS/etc/init.d/rcS" <<'RCS'
#!/bin/sh
/bin/mount -a
setsid /bin/sh /counter.sh </dev/null >/dev/null 2>&1 &
setsid /bin/nc -ll -p 7000 -e /bin/cat </dev/null >/dev/null 2>&1 &
RCS
echo "made on $HA at $(date)" > "$ROOTFS/root/born-here"
# LXC finds the bridge under /sys/class/net, which shows the namespace sysfs was mounted in: the start gets a
# sysfs of hostA's namespace (with the host's cgroups moved in); the agents' checkpoint and restore need none
mkdir -p "$WORK/cgroup"
nsenter --net="/run/netns/$HA" unshare -m --propagation private sh -c 'mount --rbind /sys/fs/cgroup "$0" &&
    mount -t sysfs haul-demo /sys && mount --move "$0" /sys/fs/cgroup && exec lxc-start -P "$1" -n "$2"' \
    "$WORK/cgroup" "$WORK/lxc-$HA" "$NAME"
wait_for 30 "counter in the container" counter_above "$HA" 5
client "$HA" ps lxc
BEFORE=$(counter_on "$HA")
echo "counter on $HA before the migration: $BEFORE"

say "a client on $HC connects to $CT_IP:$CT_PORT and streams numbered lines, checking every echo"
nsenter --net="/run/netns/$HC" perl "$HAUL_HOME/runtime/demo/echo-client.pl" "$CT_IP" "$CT_PORT" \
    "$WORK/client.status" >"$WORK/client.out" 2>&1 &
CLIENT=$!
wait_for 30 "echoes at the client" sh -c "[ \$(awk '{print \$2}' '$WORK/client.status') -gt 100 ]"

say "./haul migrate lxc:$NAME --to $HB"
client "$HA" migrate "lxc:$NAME" --to "$HB"

say "did it go on?"
[ -e "$WORK/lxc-$HA/$NAME" ] && die "the container still exists on $HA"
lxc_on "$HB" lxc-wait -s RUNNING -t 0 || die "LXC on $HB does not run $NAME"
lxc_on "$HB" lxc-info
AFTER=$(counter_on "$HB")
wait_for 10 "counter moving on $HB" counter_above "$HB" "$AFTER"
NOW=$(counter_on "$HB")
[ "$NOW" -ge "$BEFORE" ] || die "the counter went back from $BEFORE to $NOW: the state was lost"
ECHOED=$(awk '{print $2}' "$WORK/client.status")
wait_for 10 "echoes at the client after the move" sh -c "[ \$(awk '{print \$2}' '$WORK/client.status') -gt $(( ECHOED + 200 )) ]"
kill -TERM "$CLIENT"
CLIENT_STATUS=0
wait "$CLIENT" || CLIENT_STATUS=$?
CLIENT=""
ip -n "$HB" -o link show "$HOST_END" | grep -q "master haulbr0" || die "the veth $HOST_END is not on $HB's bridge"
ip -n "$HA" link show "$HOST_END" >/dev/null 2>&1 && die "the veth $HOST_END is still on $HA"
echo "counter $BEFORE on $HA before, $NOW on $HB now: it went on from memory, no restart"
echo "its root file system came along: /root/born-here says '$(cat "$WORK/lxc-$HB/$NAME/rootfs/root/born-here")'"
echo "its configuration names $HB's lxcpath: $(grep '^lxc.rootfs.path' "$WORK/lxc-$HB/$NAME/config")"
echo "its veth $HOST_END is a port of $HB's bridge, with $CT_IP; nothing of it is left on $HA"
cat "$WORK/client.out"
[ "$CLIENT_STATUS" = 0 ] || die "the client's stream broke (see the client: line above)"
say "done"
