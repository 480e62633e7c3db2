package io.haul.engine;

import io.haul.host.proc.TaskStat;
import java.util.Optional;

/**
 * The source tree as recovery must recognise it after a restart: its root pid and the root's start time
 * (pids are reused; a pid with another start time is another process, never to be touched).
 */
record SourceTree(long rootPid, String startTime) {

    static Optional<SourceTree> of(long pid) {
        return TaskStat.read(pid).map(stat -> new SourceTree(pid, Long.toString(stat.startTicks())));
    }

    static Optional<SourceTree> parse(String remembered) {
        String[] parts = remembered.strip().split(" ");
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SourceTree(Long.parseLong(parts[0]), parts[1]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    String remembered() {
        return rootPid + " " + startTime;
    }

    /** Whether this very tree still runs here (the same pid, started at the same time). */
    boolean stillRuns() {
        return of(rootPid).map(this::equals).orElse(false);
    }
}
