#!/usr/bin/env bash
# Lets Haul hold checkpoints and restores at the commit point (see criu-hold-hook.sh): installs the hook as
# /opt/haul/hooks/haul-hold and names it in /etc/criu/runc.conf, the CRIU configuration runc reads for every
# checkpoint and restore (Docker's too), and in /etc/criu/haul.conf, the one the agent gives its own restores.
# The hook does nothing unless a Haul agent asked for a hold, so other checkpoints on this host are unaffected.
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
mkdir -p /run/haul/hold
chmod 0700 /run/haul/hold
