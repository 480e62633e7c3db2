package io.haul.engine;

import io.haul.host.proc.FilesOutsideMounts;
import io.haul.host.proc.StateCriuLoses;
import java.util.Collection;
import java.util.List;

/**
 * Refuses a tree whose open files CRIU cannot dump ({@code check.file-undumpable}: its dump would fail with the
 * tree frozen) or would restore with part of their state lost ({@code check.state-lost}), naming each task, fd,
 * path, what goes wrong and the way out. What plain CRIU loses silently, Haul refuses: the program keeps
 * running as it was instead of moving broken.
 */
final class OpenFileRefusals {

    static final String UNDUMPABLE = "check.file-undumpable";
    static final String STATE_LOST = "check.state-lost";

    private OpenFileRefusals() {
    }

    /** In the checks, before anything freezes. */
    static void beforeFreeze(List<Long> tasks, Collection<String> dumpExternals) throws MigrationFailure {
        List<String> undumpable = FilesOutsideMounts.of(tasks, dumpExternals);
        if (!undumpable.isEmpty()) {
            throw new MigrationFailure(UNDUMPABLE, "refused before the freeze: CRIU cannot dump "
                    + String.join("; and ", undumpable));
        }
        List<String> lost = StateCriuLoses.of(tasks);
        if (!lost.isEmpty()) {
            throw new MigrationFailure(STATE_LOST, "refused before the freeze: the copy would lose state: "
                    + String.join("; and ", lost));
        }
    }

    /**
     * Again with the tree frozen, at CRIU's post-dump: between the checks and the freeze a timer can expire or
     * an event queue up. Post-dump is the first moment Haul sees the tree frozen (CRIU freezes it itself), and
     * from the freeze on nothing in the tree reads its timer or its queue, so a state CRIU dumped lost is still
     * there to be seen: none is missed. The price is a timer that expired, or an event that came, after CRIU read
     * it: refused though it would have moved (the next migration moves it). It is a read of fdinfo per open file
     * and an ioctl per inotify instance: for a task with 13 open files, about 1 ms here warm, up to 30 ms at load
     * 20 (the /proc reads; the calls take tens of microseconds), added to the frozen window. The mounts are not
     * looked at again: a file opened since on a mount the tree does not have fails CRIU's dump itself.
     */
    static void whileFrozen(List<Long> tasks) throws MigrationFailure {
        List<String> lost = StateCriuLoses.of(tasks);
        if (!lost.isEmpty()) {
            throw new MigrationFailure(STATE_LOST, "refused in the frozen window, the source resumes: since the "
                    + "checks, the copy would lose state: " + String.join("; and ", lost));
        }
    }
}
