#!/bin/sh
# CRIU action script (installed as /opt/haul/hooks/haul-hold and named by /etc/criu/runc.conf, which runc
# reads for every checkpoint and restore, also when Docker's containerd runs it, and by /etc/criu/haul.conf,
# which the agent gives its own restores). It lets a Haul agent hold a runtime's dump at post-dump (tasks
# frozen, images complete) and any restore at post-restore (tasks restored, not yet running, their network
# still locked: before CRIU's network unlock) until the migration's commit point decides:
#   verdict "go"      post-dump: CRIU finishes, the source tasks die; post-restore: the tasks run
#   anything else     CRIU fails the step: a dump resumes the source tasks, a restore kills what it made
# The agent asks for a hold with a folder under /run/haul/hold holding two FIFOs, 'reached' and 'verdict':
#   post-dump     /run/haul/hold/dump-<pid of the container's init>
#   post-restore  the folder named by the file 'haul-hold' in the image folder
# Without such a folder the script does nothing: other checkpoints on this host are not affected.
# The agent keeps 'verdict' open while it holds (see below for what happens when it dies). 'limit' (seconds)
# bounds the wait for an agent that hangs or never comes back: then CRIU undoes its step.
HOLDS=/run/haul/hold

case "$CRTOOLS_SCRIPT_ACTION" in
    post-dump) hold="$HOLDS/dump-$CRTOOLS_INIT_PID" ;;
    post-restore)
        [ -f "$CRTOOLS_IMAGE_DIR/haul-hold" ] || exit 0
        hold=$(cat "$CRTOOLS_IMAGE_DIR/haul-hold") ;;
    *) exit 0 ;;
esac
case "$hold" in
    "$HOLDS"/*/*|*..*) exit 1 ;;  # never anything outside the agent's folder
    "$HOLDS"/*) ;;
    *) exit 1 ;;
esac
[ -p "$hold/reached" ] && [ -p "$hold/verdict" ] || exit 0

limit=$(cat "$hold/limit" 2>/dev/null)
case "$limit" in ''|*[!0-9]*) limit=600 ;; esac
images=$(cd "$CRTOOLS_IMAGE_DIR" && pwd -P) || exit 1

# 'verdict' is opened before 'reached' is written and read line by line, so a verdict written early waits in
# the FIFO; the agent holds both FIFOs open from the moment it asks for the hold, so neither open waits while
# it lives. When the agent dies the read ends empty: a dump is undone (the source runs on; past the commit
# point the restarted agent kills that copy), but a restore waits on, holding the FIFO itself, for a restarted
# agent to give the verdict from the migration's record (the source may have passed the commit point).
verdict=$(timeout "$limit" sh -c '
    exec 3< "$1"
    printf "%s %s\n" "$2" "$3" > "$4" || exit 1
    if read -r v <&3; then echo "$v"; exit 0; fi
    [ "$5" = post-restore ] || exit 1
    exec 3<> "$1"
    read -r v <&3 && echo "$v"' \
    hold "$hold/verdict" "$CRTOOLS_INIT_PID" "$images" "$hold/reached" "$CRTOOLS_SCRIPT_ACTION") || exit 1
[ "$verdict" = go ]
