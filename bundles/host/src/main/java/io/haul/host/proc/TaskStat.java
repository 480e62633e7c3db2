package io.haul.host.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} Haul reads: the command name (comm, which unlike the command line never
 * comes from the task's memory), the state letter, the parent, and the start time in clock ticks, which with the
 * pid names one process for good (pids are reused; a pid with another start time is another process, never to
 * be touched).
 */
public record TaskStat(long pid, String comm, char state, long ppid, long startTicks) {

    public static Optional<TaskStat> read(long pid) {
        try {
            return Optional.of(parse(pid, Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone (or going) while we read it
        }
    }

    /** "pid (comm) S ppid ...": comm may hold spaces and parentheses, the fields follow the last ')'. */
    static TaskStat parse(long pid, String stat) {
        int end = stat.lastIndexOf(')');
        String[] fields = stat.substring(end + 2).split(" ");
        return new TaskStat(pid, stat.substring(stat.indexOf('(') + 1, end), fields[0].charAt(0),
                Long.parseLong(fields[1]), Long.parseLong(fields[19]));
    }

    /** "pid 412 (systemd-hostnam)", for messages that name a task; "pid 412" when it is gone. */
    public static String describe(long pid) {
        return read(pid).map(stat -> "pid " + pid + " (" + stat.comm() + ")").orElse("pid " + pid);
    }

    /** 'T': stopped by a signal (as CRIU's leave_stopped leaves a restored tree). */
    public boolean stopped() {
        return state == 'T';
    }
}
