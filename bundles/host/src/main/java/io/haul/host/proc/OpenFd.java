package io.haul.host.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One open file descriptor of a task, as {@code /proc/PID/fd} and {@code /proc/PID/fdinfo} show it (proc(5)),
 * read without opening the file: its link ("/srv/x", "anon_inode:[timerfd]", "pipe:[123]") and its fdinfo
 * fields ("mnt_id", "ino", and per kind "eventfd-semaphore", "ticks", "it_value"...).
 *
 * @param task   the task, as messages name it: "pid 412 (perl)"
 * @param pid    its pid
 * @param fd     the descriptor's number
 * @param target what the link says
 * @param info   the fdinfo fields by name (the first of each name), values stripped
 */
public record OpenFd(String task, long pid, int fd, String target, Map<String, String> info) {

    /** Every descriptor of every task in {@code pids} that is still open as we look, in pid and fd order. */
    public static List<OpenFd> of(List<Long> pids) {
        List<OpenFd> open = new ArrayList<>();
        for (long pid : pids) {
            String task = TaskStat.describe(pid);
            Path fds = Path.of("/proc", Long.toString(pid), "fd");
            List<Integer> numbers = new ArrayList<>();
            try (DirectoryStream<Path> each = Files.newDirectoryStream(fds)) {
                for (Path fd : each) {
                    numbers.add(Integer.parseInt(fd.getFileName().toString()));
                }
            } catch (IOException | NumberFormatException e) {
                continue; // the task ended while we looked: none of its files can reach CRIU
            }
            numbers.sort(null);
            for (int number : numbers) {
                read(task, pid, number).ifPresent(open::add);
            }
        }
        return open;
    }

    private static Optional<OpenFd> read(String task, long pid, int fd) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String target = Files.readSymbolicLink(proc.resolve("fd").resolve(Integer.toString(fd))).toString();
            return Optional.of(new OpenFd(task, pid, fd, target,
                    parse(Files.readString(proc.resolve("fdinfo").resolve(Integer.toString(fd))))));
        } catch (IOException e) {
            return Optional.empty(); // closed meanwhile
        }
    }

    /** "name:\tvalue" lines, the first of each name ("inotify wd:1 ino:..." counts as a field "inotify wd"). */
    static Map<String, String> parse(String fdinfo) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : fdinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    /** A numeric fdinfo field, or -1 when the kernel does not show it. */
    public long number(String field) {
        try {
            return Long.parseLong(info.getOrDefault(field, "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The path of this descriptor under /proc, which opens (or statfs) the very file. */
    public Path procPath() {
        return Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd));
    }

    /** "pid 412 (perl) fd 3 (/haul-corpus)", for messages. */
    public String describe() {
        return task + " fd " + fd + " (" + target + ")";
    }
}
