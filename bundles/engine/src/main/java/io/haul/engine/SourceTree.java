package io.haul.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The source tree as recovery must recognise it after a restart: its root pid and the root's start time
 * (pids are reused; a pid with another start time is another process, never to be touched).
 */
record SourceTree(long rootPid, String startTime) {

    static Optional<SourceTree> of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new SourceTree(pid, fields[19])); // field 22 of stat, 20th after the command
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
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
