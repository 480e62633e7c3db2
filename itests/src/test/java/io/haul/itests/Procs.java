package io.haul.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What /proc says about processes: the tests' own view, independent of what the agents report.
 *
 * <p>Nothing here recognises a process by what its memory holds. {@code /proc/PID/cmdline} (and environ) is read
 * out of the process's memory, and a task CRIU restored lazily has none of it until the lazy-pages daemon filled
 * it in: the kernel's remote read does not wait on userfaultfd, so the command line reads empty for as long as
 * that takes (about a second per 512 MiB here, longer under load), while the task runs. {@code ps} then shows
 * such a task as {@code [comm]}, and so does {@link Task#cmdline}. Trees are recognised by their working
 * directory, a kernel link that CRIU restores before the task runs.
 */
public final class Procs {

    private static final Path PROC = Path.of("/proc");

    private Procs() {
    }

    /** One process as /proc shows it now. */
    public record Task(long pid, long ppid, char state, long startTicks, String cmdline, String cwd, String pidNs,
            String netNs) {
        /** 'T' (stopped) or 't' (traced): frozen, as a tree CRIU holds or left behind. */
        public boolean frozen() {
            return state == 'T' || state == 't';
        }

        @Override
        public String toString() {
            return pid + "(" + state + ", ppid " + ppid + ", " + pidNs + ", " + netNs + ") " + cmdline;
        }
    }

    /** The process now, or empty when there is none (or it is exiting, or a zombie being reaped). */
    public static Optional<Task> task(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            int end = stat.lastIndexOf(')');
            String[] fields = stat.substring(end + 2).split(" ");
            char state = fields[0].charAt(0);
            if (state == 'Z' || state == 'X') {
                return Optional.empty();
            }
            long ppid = Long.parseLong(fields[1]);
            long start = Long.parseLong(fields[19]);
            String cmdline = commandLine(pid);
            if (cmdline.isEmpty()) { // as ps shows it: a kernel thread, or a task whose memory is not in yet
                cmdline = "[" + stat.substring(stat.indexOf('(') + 1, end) + "]";
            }
            String pidNs = namespace(pid, "pid");
            if (pidNs.isEmpty()) {
                // exiting: its namespaces are gone before it is a zombie (a workload's short-lived `cat` was once
                // counted as a second copy of its tree, in a namespace of its own: "")
                return Optional.empty();
            }
            return Optional.of(new Task(pid, ppid, state, start, cmdline, workingDirectory(pid), pidNs,
                    namespace(pid, "net")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // it went away while we read it
        }
    }

    public static boolean alive(long pid) {
        return task(pid).isPresent();
    }

    /**
     * Every process whose command line contains {@code marker}: for processes that Haul did not restore (agents,
     * CRIU, engines); a restored one may show no command line yet (see above).
     */
    public static List<Task> withCommandLineContaining(String marker) {
        return matching(pid -> commandLine(pid).contains(marker));
    }

    /** Every process whose working directory is {@code dir} or a folder below it, restored ones included. */
    public static List<Task> workingIn(Path dir) {
        String folder = dir.toAbsolutePath().normalize().toString();
        return matching(pid -> {
            String cwd = workingDirectory(pid);
            return cwd.equals(folder) || cwd.startsWith(folder + "/");
        });
    }

    /** Every process in the given PID namespace ("pid:[...]"). */
    public static List<Task> inPidNamespace(String pidNs) {
        return matching(pid -> namespace(pid, "pid").equals(pidNs));
    }

    private static List<Task> matching(java.util.function.LongPredicate test) {
        List<Task> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                long pid;
                try {
                    pid = Long.parseLong(entry.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (test.test(pid)) {
                    task(pid).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc: " + e, e);
        }
        return found;
    }

    /** The children of a process, from /proc/PID/task/PID/children. */
    public static List<Long> children(long pid) {
        try {
            String text = Files.readString(PROC.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(pid))
                    .resolve("children")).strip();
            List<Long> kids = new ArrayList<>();
            if (!text.isEmpty()) {
                for (String kid : text.split("\\s+")) {
                    kids.add(Long.parseLong(kid));
                }
            }
            return kids;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The process and all its descendants, parents first. */
    public static List<Long> tree(long root) {
        List<Long> all = new ArrayList<>();
        if (!alive(root)) {
            return all;
        }
        all.add(root);
        for (int i = 0; i < all.size(); i++) {
            all.addAll(children(all.get(i)));
        }
        return all;
    }

    /** The command line, NULs as spaces; "" when unreadable or (see above) not in memory yet. */
    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Where the cwd link points; "" when the process is gone (or a kernel thread). */
    private static String workingDirectory(long pid) {
        try {
            return Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("cwd")).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** "pid:[4026531836]", as readlink /proc/PID/ns/KIND prints it; "" when the process is gone. */
    public static String namespace(long pid, String kind) {
        try {
            return Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("ns").resolve(kind)).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** The network namespace a file under /run/netns pins, as a /proc/PID/ns/net link names it. */
    public static String netnsOf(String name) {
        try {
            Object inode = Files.getAttribute(Path.of("/run/netns", name), "unix:ino");
            return "net:[" + inode + "]";
        } catch (IOException e) {
            throw new AssertionError("no network namespace " + name + ": " + e, e);
        }
    }

    /** {@link #killAndWait} of every process of each of the PID namespaces ("pid:[...]"), and of the launcher. */
    public static void killPidNamespaces(java.util.Collection<String> pidNamespaces, Process launcher, Object who)
            throws InterruptedException {
        List<Long> pids = new ArrayList<>();
        for (String pidNs : pidNamespaces) {
            inPidNamespace(pidNs).forEach(task -> pids.add(task.pid()));
        }
        killAndWait(pids, launcher, who);
    }

    /**
     * SIGKILL to each of the tasks (a PID namespace's init ignores SIGTERM) and to the launcher that started them,
     * then waits up to 10 s for each to end; says which did not, naming {@code who}.
     */
    public static void killAndWait(List<Long> pids, Process launcher, Object who) throws InterruptedException {
        List<ProcessHandle> killed = new ArrayList<>();
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(handle -> {
                handle.destroyForcibly();
                killed.add(handle);
            });
        }
        if (launcher != null) {
            launcher.destroyForcibly();
            launcher.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        for (ProcessHandle handle : killed) {
            try {
                handle.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                System.out.println(who + ": pid " + handle.pid() + " did not end within 10 s of SIGKILL");
            }
        }
    }
}
