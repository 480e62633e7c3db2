package io.haul.host.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a tree holds that lives in the kernel and the file system rather than in the tree, so that a copy
 * restored under the same kernel meets the original: a named FIFO (its buffer is the kernel's, and the frozen
 * source's data is still in it: CRIU's restore fails splicing it, "Error splicing data: Resource temporarily
 * unavailable") and a file lock (the frozen source still holds it: the restore blocks on it until its time
 * limit, with the source frozen all along), and a pseudo-terminal's master (CRIU makes the pty again with its
 * index, which the frozen source's still holds on the same devpts: "tty: Can't open master pty"). Between two machines neither happens; between two agents on one
 * kernel (tests, a local move) a migration must be refused before the freeze instead. Read from
 * {@code /proc/PID/fd} and {@code /proc/PID/fdinfo} ("lock:" lines), without opening anything.
 */
public final class OneKernelObjects {

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private OneKernelObjects() {
    }

    /** One line per object, naming the task, the object and the path: "pid 412 (perl) holds a lock on /x". */
    public static List<String> of(List<Long> pids) {
        List<String> found = new ArrayList<>();
        for (long pid : pids) {
            Path fds = Path.of("/proc", Long.toString(pid), "fd");
            try (DirectoryStream<Path> each = Files.newDirectoryStream(fds)) {
                for (Path fd : each) {
                    inspect(pid, fd, found);
                }
            } catch (IOException e) {
                // the task ended while we looked: nothing of it can meet a copy
            }
        }
        return found;
    }

    private static void inspect(long pid, Path fd, List<String> found) {
        String target;
        try {
            target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return; // closed meanwhile
        }
        if (!target.startsWith("/")) {
            return; // pipe:[...], socket:[...], anon_inode:...: the tree's own
        }
        if (target.equals("/dev/ptmx") || target.equals("/dev/pts/ptmx")) {
            found.add(TaskStat.describe(pid) + " has the pseudo-terminal master " + target + " open" + ptyIndex(fd));
            return;
        }
        try {
            int mode = (Integer) Files.getAttribute(fd, "unix:mode"); // follows the link: the file's mode
            if ((mode & S_IFMT) == S_IFIFO) {
                found.add(TaskStat.describe(pid) + " has the named FIFO " + target + " open");
            }
            Path info = fd.getParent().resolveSibling("fdinfo").resolve(fd.getFileName());
            for (String line : Files.readAllLines(info)) {
                if (line.startsWith("lock:")) {
                    String kind = line.contains(" FLOCK ") ? "flock" : line.contains(" OFDLCK ") ? "OFD lock"
                            : "POSIX lock";
                    found.add(TaskStat.describe(pid) + " holds a " + kind + " on " + target);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the fd or the task went while we looked
        }
    }

    /** " (pty N)" from the master's fdinfo ("tty-index:"), empty when the kernel does not say. */
    private static String ptyIndex(Path fd) {
        try {
            for (String line : Files.readAllLines(fd.getParent().resolveSibling("fdinfo").resolve(fd.getFileName()))) {
                if (line.startsWith("tty-index:")) {
                    return " (pty " + line.substring("tty-index:".length()).strip() + ")";
                }
            }
        } catch (IOException e) {
            // closed meanwhile
        }
        return "";
    }

    /** This kernel's boot id: the same on two agents exactly when they run on one kernel. */
    public static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
