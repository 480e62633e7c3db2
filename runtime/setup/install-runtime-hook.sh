#!/usr/bin/env bash
# Lets Haul hold checkpoints and restores at the commit point (see criu-hold-hook.sh): installs the hook as
# /opt/haul/hooks/haul-hold and names it in /etc/criu/runc.conf, the CRIU configuration runc reads for every
# checkpoint and restore (Docker's too), and in /etc/criu/haul.conf, the one the agent gives its own restores.
# The hook does nothing unless a Haul agent asked for a hold, so other checkpoints on this host are unaffected.
# runc.conf also gets 'tcp-established': Docker's checkpoint API cannot ask for CRIU's TCP repair (the engine never
# passes it to containerd), so without it a container with an open connection fails to dump, and with it such a
# container's connections are dumped and restored with it (what a Docker container on a network needs to move
# with its clients connected; it changes nothing for one without open connections).
# Idempotent; keeps any other line of an existing configuration.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOOK=/opt/haul/hooks/haul-hold
LINE="action-script $HOOK"

[ "$(id -u)" -eq 0 ] || { echo "install-runtime-hook: must run as root" >&2; exit 1; }
install -D -m 0755 "$HERE/criu-hold-hook.sh" "$HOOK.new"
mv -f "$HOOK.new" "$HOOK"
mkdir -p /etc/criu
for CONF in /etc/criu/runc.conf /etc/criu/haul.conf; do
    if ! grep -qxF "$LINE" "$CONF" 2>/dev/null; then
        printf '%s\n' "$LINE" >>"$CONF"
        echo "install-runtime-hook: $CONF names $HOOK"
    fi
done
if ! grep -qxF tcp-established /etc/criu/runc.conf; then
    echo tcp-established >>/etc/criu/runc.conf
    echo "install-runtime-hook: runc's checkpoints and restores carry established TCP connections"
fi
mkdir -p /run/haul/hold
chmod 0700 /run/haul/hold
