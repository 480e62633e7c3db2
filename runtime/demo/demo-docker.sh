#!/usr/bin/env bash
# ./haul demo docker: a Docker container on a network moved live between two Docker hosts on one machine, its
# client connected throughout. Two hosts on one L2 segment (network namespaces hostA and hostB, a bridge in each,
# and a client machine hostC: hosts.sh), a private Docker engine and a Haul agent on each, the docker plugin
# hot-deployed into both agents, the same busybox image on both engines, and on both engines the user-defined
# network 'hauldemo' of the bridge driver on the hosts' bridge with the same subnet. A container on it on hostA,
# with a fixed address and hardware address (169.254.77.50), keeps a counter in its shell's memory, writes it to
# its writable layer and to a volume, and echoes TCP; a client on hostC streams numbered lines to it and checks
# every echo. It is migrated to hostB while it runs; the demo shows that it goes on there (counter not reset,
# files and volume there, its address in hostB's engine, the client's connection whole: the line starting
# "client:") and is gone from hostA with its endpoint and veth. Everything is torn down after.
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
WORK=$(mktemp -d /tmp/haul-dd.XXXXXX)   # short: containerd's socket paths live under it
HOSTS="$HAUL_HOME/runtime/setup/hosts.sh"
ENGINE="$HAUL_HOME/runtime/setup/docker-host.sh"
A_IP=169.254.77.1 B_IP=169.254.77.2
AGENT_A="" AGENT_B="" CLIENT=""
NAME=counter VOLUME=counter-data
NETWORK=hauldemo SUBNET=169.254.77.0/24 ENGINE_RANGE=169.254.77.128/25
CT_IP=169.254.77.50 CT_MAC=02:42:a9:fe:4d:32 CT_PORT=7000
# the shell's i lives in memory: after the move it goes on from where it was, not from 1
COMMAND='echo "made on $(hostname) at $(date)" > /born-here; nc -ll -p 7000 -e cat &
i=0; while true; do i=$((i+1)); echo $i > /counter; echo $i > /data/counter; sleep 0.1; done'

SCRIPT_NAME="demo docker"
# shellcheck source=lib.sh
. "$HAUL_HOME/runtime/demo/lib.sh"

docker_on() { local host=$1; shift; "$("$ENGINE" cli)" --host "unix://$WORK/d$host/docker.sock" "$@"; }
counter_above() { [ "$(docker_on "$1" exec "$NAME" cat /counter 2>/dev/null || echo 0)" -gt "$2" ]; }

cleanup() {
    local status=$?
    kill_pids "$CLIENT"
    "$ENGINE" stop "$WORK/dA" "$WORK/dockerd-hostA.log" >/dev/null 2>&1 || true
    "$ENGINE" stop "$WORK/dB" "$WORK/dockerd-hostB.log" >/dev/null 2>&1 || true
    stop_agents "$AGENT_A" "$AGENT_B"
    end_work "$status" hostA hostB
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || die "the demo runs as root (CRIU, namespaces, Docker)"
"$HAUL_HOME/haul" setup
"$HAUL_HOME/haul" build
PLUGIN=$(ls "$HAUL_HOME"/plugins-docker/target/plugin-docker-*.jar 2>/dev/null | grep -v sources | head -1)
[ -n "$PLUGIN" ] || die "no plugin jar in plugins-docker/target after the build"

say "two hosts on one segment: hostA ($A_IP) and hostB ($B_IP), a bridge in each; a client machine hostC"
"$HOSTS" up

say "a Docker engine of its own on each host, the same busybox image on both"
"$ENGINE" start dockA hostA "$WORK/dA" >/dev/null
"$ENGINE" start dockB hostB "$WORK/dB" >/dev/null
TARBALL=$("$HAUL_HOME/runtime/setup/busybox-rootfs.sh" "$WORK/busybox")
docker_on A import "$TARBALL" haul-busybox:1 >/dev/null
docker_on A save haul-busybox:1 | docker_on B load
docker_on B images haul-busybox:1

say "the network $NETWORK on both engines: the hosts' bridge, the same subnet, each host's own address its gateway"
for host in A B; do
    gateway=$A_IP; [ "$host" = B ] && gateway=$B_IP
    # the addresses the engine picks itself come from the upper half, away from the hosts' and the fixed ones
    docker_on "$host" network create -d bridge --subnet "$SUBNET" --ip-range "$ENGINE_RANGE" --gateway "$gateway" \
        -o com.docker.network.bridge.name=haulbr0 "$NETWORK" >/dev/null
done
docker_on B network ls --filter "name=$NETWORK"

say "an agent on each; the docker plugin copied into their deploy folders while they run"
prepare_agent hostA "$A_IP"
prepare_agent hostB "$B_IP"
for host in A B; do
    printf 'socket=%s\n' "$WORK/d$host/docker.sock" > "$WORK/host$host/etc/haul.docker.cfg"
done
AGENT_A=$(start_agent hostA)
AGENT_B=$(start_agent hostB)
wait_agent hostA "$AGENT_A"
wait_agent hostB "$AGENT_B"
wait_for 60 "cluster of both agents" sh -c "HAUL_STATE='$WORK/hostA' '$HAUL_HOME/haul' agents | grep -q hostB"
for host in hostA hostB; do
    cp "$PLUGIN" "$WORK/$host/deploy/.plugin-docker.jar.part"
    mv "$WORK/$host/deploy/.plugin-docker.jar.part" "$WORK/$host/deploy/plugin-docker.jar"
    wait_for 60 "docker backend on $host" sh -c "HAUL_STATE='$WORK/$host' '$HAUL_HOME/haul' backends | grep -Eq '^docker +yes'"
done
client hostB backends

say "a container on hostA: on $NETWORK at $CT_IP ($CT_MAC), a volume, a counter in memory, a TCP echo server"
docker_on A run -d --name "$NAME" --network "$NETWORK" --ip "$CT_IP" --mac-address "$CT_MAC" -v "$VOLUME:/data" -e GREETING=hello -l demo=haul \
    haul-busybox:1 sh -c "$COMMAND" >/dev/null
wait_for 30 "counter in the container" counter_above A 5
client hostA ps docker
BEFORE=$(docker_on A exec "$NAME" cat /counter)
echo "counter on hostA before the migration: $BEFORE"

say "a client on hostC connects to $CT_IP:$CT_PORT and streams numbered lines, checking every echo"
nsenter --net=/run/netns/hostC perl "$HAUL_HOME/runtime/demo/echo-client.pl" "$CT_IP" "$CT_PORT" \
    "$WORK/client.status" >"$WORK/client.out" 2>&1 &
CLIENT=$!
wait_for 30 "echoes at the client" sh -c "[ \$(awk '{print \$2}' '$WORK/client.status' 2>/dev/null || echo 0) -gt 100 ]"

say "./haul migrate docker:$NAME --to hostB"
client hostA migrate "docker:$NAME" --to hostB

say "did it go on?"
docker_on A inspect "$NAME" >/dev/null 2>&1 && die "the container still exists on hostA"
docker_on B ps --filter "name=$NAME"
AFTER=$(docker_on B exec "$NAME" cat /counter)
wait_for 10 "counter moving on hostB" counter_above B "$AFTER"
NOW=$(docker_on B exec "$NAME" cat /counter)
[ "$NOW" -ge "$BEFORE" ] || die "the counter went back from $BEFORE to $NOW: the state was lost"
echo "counter $BEFORE on hostA before, $NOW on hostB now: it went on from memory, no restart"
echo "its writable layer came along: /born-here says '$(docker_on B exec "$NAME" cat /born-here)'"
echo "its volume came along: /data/counter is $(docker_on B exec "$NAME" cat /data/counter)"
echo "its TCP listener answers on hostB: $(docker_on B exec "$NAME" sh -c 'echo ping | nc -w 5 127.0.0.1 7000')"
ADDRESS=$(docker_on B inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}} {{(index .NetworkSettings.Networks \"$NETWORK\").MacAddress}}" "$NAME")
[ "$ADDRESS" = "$CT_IP $CT_MAC" ] || die "hostB's engine has the container at '$ADDRESS', not $CT_IP $CT_MAC"
echo "hostB's engine has it on $NETWORK at $ADDRESS"
[ -z "$(docker_on A network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$NETWORK")" ] ||
    die "hostA's engine still has an endpoint on $NETWORK"
[ "$(ip -n hostA -o link show master haulbr0 | wc -l)" = 1 ] || die "a veth is left on hostA's bridge"
echo "hostA's engine has no endpoint left on $NETWORK, hostA's bridge no veth of it"
ECHOED=$(awk '{print $2}' "$WORK/client.status")
wait_for 10 "echoes at the client after the move" sh -c "[ \$(awk '{print \$2}' '$WORK/client.status') -gt $(( ECHOED + 200 )) ]"
kill -TERM "$CLIENT"
CLIENT_STATUS=0
wait "$CLIENT" || CLIENT_STATUS=$?
CLIENT=""
cat "$WORK/client.out"
[ "$CLIENT_STATUS" = 0 ] || die "the client's stream broke (see the client: line above)"
echo "same image, environment and labels: $(docker_on B inspect -f '{{.Config.Image}} {{.Config.Env}} {{.Config.Labels}}' "$NAME")"
say "done"
