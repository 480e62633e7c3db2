package io.haul.criu;

import io.haul.api.criu.CriuOptions;
import java.nio.file.Path;

/**
 * One restore.
 *
 * @param options   what the backend's session and the namespace handlers contributed (root, externals, the
 *                  namespaces to join); TCP connections, file locks and shell jobs are restored whenever the
 *                  images hold them, as the dump decided what to take
 * @param imageDir  the images, complete and checked
 * @param logFile   where CRIU writes its log (kept; named in errors)
 * @param lazyPages restore memory lazily (userfaultfd): the tasks get their pages from CRIU's lazy-pages daemon
 *                  when they touch them and in the background, so copying memory leaves the frozen window
 * @param holdFor   the migration whose commit point decides, or empty: CRIU is held at post-restore (the hold
 *                  hook, {@link io.haul.criu.hold.CriuHold}), before it unlocks the network, so the restored copy
 *                  answers no peer until {@link RestoredTree#resume}; empty: CRIU finishes at once, the tasks
 *                  left stopped
 */
public record RestoreRequest(CriuOptions options, Path imageDir, Path logFile, boolean lazyPages, String holdFor) {

    /** A restore that copies all memory before the tasks can run, not held. */
    public RestoreRequest(CriuOptions options, Path imageDir, Path logFile) {
        this(options, imageDir, logFile, false, "");
    }

    /** Whether CRIU waits at post-restore for the verdict. */
    public boolean held() {
        return !holdFor.isEmpty();
    }
}
