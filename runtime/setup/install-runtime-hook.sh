#!/usr/bin/env bash
# Lets Haul hold Docker's and runc's checkpoints and restores at the commit point (see criu-hold-hook.sh):
# installs the hook as /opt/haul/hooks/haul-hold and names it in /etc/criu/runc.conf, the CRIU configuration
# runc reads for every checkpoint and restore. The hook does nothing unless a Haul agent asked for a hold, so
# other checkpoints on this host are unaffected. Idempotent; keeps any other line of an existing runc.conf.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOOK=/opt/haul/hooks/haul-hold
CONF=/etc/criu/runc.conf
LINE="action-script $HOOK"

[ "$(id -u)" -eq 0 ] || { echo "install-runtime-hook: must run as root" >&2; exit 1; }
install -D -m 0755 "$HERE/criu-hold-hook.sh" "$HOOK.new"
mv -f "$HOOK.new" "$HOOK"
mkdir -p "$(dirname "$CONF")"
if ! grep -qxF "$LINE" "$CONF" 2>/dev/null; then
    printf '%s\n' "$LINE" >>"$CONF"
    echo "install-runtime-hook: $CONF names $HOOK"
fi
mkdir -p /run/haul/hold
chmod 0700 /run/haul/hold
