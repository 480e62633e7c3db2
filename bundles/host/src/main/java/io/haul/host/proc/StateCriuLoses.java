package io.haul.host.proc;

import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The open files of a tree that CRIU 4.2.1 dumps and restores without error but with part of their state lost,
 * for plain CRIU as for Haul (found by {@code ./haul corpus}, see the README's corpus table):
 * <ul>
 * <li>an eventfd in semaphore mode: CRIU restores the count, not EFD_SEMAPHORE, so a read returns the whole
 *     count instead of 1 (fdinfo's {@code eventfd-semaphore: 1}, which this machine's 6.18 shows; a kernel that does
 *     not say cannot be told, and such an eventfd is not found);</li>
 * <li>a periodic timerfd that expired and was not read since: the kernel re-arms a timerfd only when it is read,
 *     so its fdinfo then shows {@code it_value: (0, 0)} with {@code ticks} above 0, and CRIU sets that value
 *     back, which disarms it: it never fires again;</li>
 * <li>an inotify instance with events queued: CRIU moves its watches, not its queue (read with FIONREAD on a
 *     copy of the descriptor taken with pidfd_getfd; where the agent may not take one, it is not found).</li>
 * </ul>
 * An inotify instance with nothing queued, a one-shot timerfd, a timerfd read since it fired and a plain eventfd
 * move whole, and are not found: most real containers use them.
 */
public final class StateCriuLoses {

    private static final Pattern TIMESPEC = Pattern.compile("\\((\\d+), (\\d+)\\)");

    private StateCriuLoses() {
    }

    /** One line per such file, naming the task, the fd, what CRIU would lose and the way out. */
    public static List<String> of(List<Long> pids) {
        List<String> found = new ArrayList<>();
        for (OpenFd open : OpenFd.of(pids)) {
            lost(open).ifPresent(why -> found.add(open.describe() + ": " + why));
        }
        return found;
    }

    private static Optional<String> lost(OpenFd open) {
        return switch (open.target()) {
            case "anon_inode:[eventfd]" -> open.number("eventfd-semaphore") == 1
                    ? Optional.of("an eventfd in semaphore mode (EFD_SEMAPHORE) holding " + eventfdCount(open)
                            + "; CRIU 4.2.1 restores it without the mode, so a read would return the whole count "
                            + "instead of 1; use a SysV or POSIX shared-memory semaphore, which moves with its value")
                    : Optional.empty();
            case "anon_inode:[timerfd]" -> expiredUnread(open);
            case "anon_inode:inotify" -> queued(open);
            default -> Optional.empty();
        };
    }

    private static String eventfdCount(OpenFd open) {
        try {
            return Long.toString(Long.parseLong(open.info().getOrDefault("eventfd-count", "?"), 16));
        } catch (NumberFormatException e) {
            return "a count";
        }
    }

    private static Optional<String> expiredUnread(OpenFd open) {
        long intervalNanos = nanos(open.info().get("it_interval"));
        long valueNanos = nanos(open.info().get("it_value"));
        long ticks = open.number("ticks");
        if (intervalNanos <= 0 || valueNanos != 0 || ticks <= 0) {
            return Optional.empty();
        }
        return Optional.of("a periodic timerfd (every " + intervalNanos / 1_000_000 + " ms) that expired " + ticks
                + " time(s) and was not read since; CRIU 4.2.1 restores it disarmed, so it would never fire again; "
                + "let the program read it (that re-arms it), then migrate again");
    }

    /** "(seconds, nanoseconds)" as nanoseconds; -1 when absent or not that shape. */
    private static long nanos(String timespec) {
        if (timespec == null) {
            return -1;
        }
        Matcher m = TIMESPEC.matcher(timespec);
        return m.matches() ? Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(m.group(2)) : -1;
    }

    private static Optional<String> queued(OpenFd open) {
        int bytes;
        try {
            int pidfd = Syscalls.pidfdOpen(open.pid());
            try {
                int copy = Syscalls.pidfdGetfd(pidfd, open.fd());
                try {
                    bytes = Syscalls.bytesQueued(copy);
                } finally {
                    Syscalls.closeQuietly(copy);
                }
            } finally {
                Syscalls.closeQuietly(pidfd);
            }
        } catch (ErrnoException e) {
            return Optional.empty(); // gone, closed, or not ours to copy: nothing to tell
        }
        return bytes > 0 ? Optional.of("an inotify instance with " + bytes + " bytes of events queued and not read; "
                + "CRIU 4.2.1 moves its watches but not its queue, so those events would be lost; let the program "
                + "read them, then migrate again") : Optional.empty();
    }
}
