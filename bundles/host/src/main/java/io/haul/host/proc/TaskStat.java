package io.haul.host.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} Haul reads: the state letter, the parent, and the start time in clock
 * ticks, which with the pid names one process for good (pids are reused; a pid with another start time is
 * another process, never to be touched).
 */
public record TaskStat(long pid, char state, long ppid, long startTicks) {

    public static Optional<TaskStat> read(long pid) {
        try {
            return Optional.of(parse(pid, Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone (or going) while we read it
        }
    }

    /** "pid (comm) S ppid ...": comm may hold spaces and parentheses, the fields follow the last ')'. */
    static TaskStat parse(long pid, String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new TaskStat(pid, fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[19]));
    }

    /** 'T': stopped by a signal (as CRIU's leave_stopped leaves a restored tree). */
    public boolean stopped() {
        return state == 'T';
    }
}
