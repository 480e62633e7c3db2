package io.haul.criu.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A process tree as /proc shows it now: a root and its descendants, found through every thread's
 * {@code /proc/PID/task/TID/children} (a child belongs to the thread that forked it).
 */
final class ProcTree {

    private static final Path PROC = Path.of("/proc");

    private ProcTree() {
    }

    /** The root (first) and every descendant, parents before children; empty when the root is gone. */
    static List<Long> processes(long root) {
        Set<Long> found = new LinkedHashSet<>();
        Deque<Long> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            long pid = pending.removeFirst();
            if (found.contains(pid) || !exists(pid)) {
                continue;
            }
            found.add(pid);
            pending.addAll(children(pid));
        }
        return new ArrayList<>(found);
    }

    /** Whether a process exists and is not a zombie (a zombie has ended; only its parent's wait remains). */
    static boolean exists(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) != 'Z' && stat.charAt(end + 2) != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a process is the init of a PID namespace of its own (its innermost NSpid is 1). */
    static boolean isNamespaceInit(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring("NSpid:".length()).strip().split("\\s+");
                    return ids.length > 1 && ids[ids.length - 1].equals("1");
                }
            }
        } catch (IOException e) {
            // gone
        }
        return false;
    }

    private static List<Long> children(long pid) {
        List<Long> children = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                for (String child : Files.readString(task.resolve("children")).strip().split("\\s+")) {
                    if (!child.isEmpty()) {
                        children.add(Long.parseLong(child));
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process or one of its threads ended while we looked: what was read is what there is
        }
        return children;
    }
}
