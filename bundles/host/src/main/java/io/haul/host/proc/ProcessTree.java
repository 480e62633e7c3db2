package io.haul.host.proc;

import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Processes;
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
 * {@code /proc/PID/task/TID/children} (a child belongs to the thread that forked it). Processes come and go
 * while it is read; one that ended meanwhile is simply not there.
 */
public final class ProcessTree {

    private static final Path PROC = Path.of("/proc");

    private ProcessTree() {
    }

    /** The root (first) and every descendant, parents before children; empty when the root is gone. */
    public static List<Long> processes(long root) {
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

    /** The resident memory of the tree's processes together (VmRSS of each), in bytes. */
    public static long residentBytes(List<Long> processes) {
        long total = 0;
        for (long pid : processes) {
            try (var lines = Files.lines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                total += lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                        .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).orElse(0L);
            } catch (IOException | RuntimeException e) {
                // gone meanwhile: it holds nothing any more
            }
        }
        return total;
    }

    /** Whether a process exists and is not a zombie (a zombie has ended; only its parent's wait remains). */
    public static boolean exists(long pid) {
        char state = TaskStat.read(pid).map(TaskStat::state).orElse('X');
        return state != 'Z' && state != 'X';
    }

    /** Whether a process is the init of a PID namespace of its own (its innermost NSpid is 1). */
    public static boolean isNamespaceInit(long pid) {
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

    /**
     * Lets a stopped tree run: SIGCONT to every task, children first (a parent that runs first could see a
     * stopped child and react to it). Returns the tasks resumed; throws when one cannot be signalled.
     */
    public static List<Long> resume(long root) throws ErrnoException {
        List<Long> tasks = processes(root);
        for (long pid : tasks.reversed()) {
            Processes.kill(pid, Processes.SIGCONT);
        }
        return tasks;
    }

    /**
     * SIGSTOP to every task, parents first: a task a tracer (CRIU) holds stops for good when the tracer lets go
     * of it, even if the tracer dies. Returns the tasks it had; one that cannot be signalled is skipped (gone).
     */
    public static List<Long> stop(long root) {
        List<Long> tasks = processes(root);
        for (long pid : tasks) {
            try {
                Processes.kill(pid, Processes.SIGSTOP);
            } catch (ErrnoException e) {
                // gone meanwhile: nothing of it can run
            }
        }
        return tasks;
    }

    /**
     * SIGKILL to the whole tree: killing a PID namespace's init kills every task in it; other trees are killed
     * task by task. Returns the tasks it had.
     */
    public static List<Long> kill(long root) {
        List<Long> tasks = processes(root);
        boolean namespaceInit = isNamespaceInit(root);
        for (long pid : namespaceInit ? tasks.subList(0, Math.min(1, tasks.size())) : tasks) {
            try {
                Processes.kill(pid, Processes.SIGKILL);
            } catch (ErrnoException e) {
                // not ours to kill (EPERM) or gone: nothing more can be done from here
            }
        }
        return tasks;
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
