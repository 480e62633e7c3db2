package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.CriuSourceSession;
import io.haul.api.backend.FileSync;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.backend.RuntimeSourceSession;
import io.haul.criu.DumpRequest;
import io.haul.host.proc.ProcessTree;
import io.haul.host.proc.TaskStat;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase 5 on the source: the container's traffic is held, then it is frozen and dumped (by the engine's CRIU
 * with what the session and the handlers contributed, or by its runtime under Haul's hold) and held frozen
 * until the commit point decides; the last changes of its own files are taken while it is frozen. A failure
 * from here on resumes it as it was.
 */
final class FinalDump {

    private static final Logger LOG = LoggerFactory.getLogger(FinalDump.class);
    /** Page images CRIU may write beside one per process: shared memory areas. */
    private static final int SHARED_MEMORY_PAGE_IMAGES = 4;

    /** The frozen container: its held dump, when it froze, and how its page images travel. */
    /** The tree's tasks if every one of them is in a tracer's stop ('t') now: CRIU's hold. */
    private List<Long> heldTasks(long rootPid) {
        if (!(source.session() instanceof CriuSourceSession)) {
            return List.of();
        }
        List<Long> tasks = ProcessTree.processes(rootPid);
        boolean traced = !tasks.isEmpty() && tasks.stream()
                .allMatch(pid -> TaskStat.read(pid).map(TaskStat::state).orElse('X') == 't');
        return traced ? tasks : List.of();
    }

    /**
     * {@code heldTasks}: the source tree's tasks CRIU holds traced-stopped after its dump (SourceCommit checks
     * they still are before the commit point); empty when the hold is not such (a runtime's, a test's fake).
     */
    record Frozen(HeldCheckpoint held, Instant at, RecipePageImages pageImages, List<Long> heldTasks) {
    }

    private final SourceScope source;

    FinalDump(SourceScope source) {
        this.source = source;
    }

    Frozen run(SourceChecks.Checked checked, Optional<FileSync> files, PushingPageSink pages) throws MigrationFailure {
        // pages pre-copy pushed and the tree did not change since are found by fingerprint, not hashed again
        RecipePageImages pageImages = RecipePageImages.sending(pages::destinationHas, pages.known());
        // if this agent dies between the commit point and CRIU killing the tree, CRIU resumes it: recovery
        // then finds and kills this very tree, the destination being the container
        SourceTree.of(checked.rootPid()).ifPresent(tree -> remember("source.root", tree.remembered()));
        try {
            source.session().lockNetwork();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        source.rollback().undo(why -> source.session().unlockNetwork());
        Instant frozenAt = source.context().clock().instant();
        HeldCheckpoint held;
        try {
            held = switch (source.session()) {
                case CriuSourceSession criu -> dumpCapturingPages(checked, pageImages, pages);
                case RuntimeSourceSession runtime -> runtime.checkpoint(checked.dumpOptions());
            };
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        source.rollback().undo(why -> held.abort()); // CRIU (or the runtime) resumes the source as it was
        long looked = System.nanoTime();
        OpenFileRefusals.whileFrozen(ProcessTree.processes(checked.rootPid()));
        LOG.debug("migration {}: open files looked at again, frozen, in {} us", source.id(),
                (System.nanoTime() - looked) / 1000);
        try {
            if (files.isPresent()) {
                files.get().last(source.workspace().images());
            }
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        long imageBytes;
        try {
            imageBytes = source.workspace().imageBytes();
        } catch (IOException e) {
            throw new MigrationFailure("criu.dump-failed", "cannot read the images CRIU wrote: " + e.getMessage());
        }
        source.record().statistics(s -> s.withImageBytes(imageBytes));
        source.record().progress("frozen; " + Sizes.bytes(imageBytes) + " of images in " + held.frozenFor().toMillis()
                + " ms");
        return new Frozen(held, frozenAt, pageImages, heldTasks(checked.rootPid()));
    }

    /**
     * Haul's own CRIU dump, its page images taken through FIFOs as CRIU writes them when so configured
     * ({@link PageImageCapture}): one for each process of the tree, a few more for shared memory.
     */
    private HeldCheckpoint dumpCapturingPages(SourceChecks.Checked checked, RecipePageImages pageImages,
            PushingPageSink pages) throws HaulException, MigrationFailure {
        Workspace workspace = source.workspace();
        DumpRequest request = new DumpRequest(checked.rootPid(), checked.dumpOptions(), workspace.images(),
                workspace.log("dump"));
        if (!source.context().capturePageImages()) {
            return source.context().criu().dump(request);
        }
        int count = ProcessTree.processes(checked.rootPid()).size() + SHARED_MEMORY_PAGE_IMAGES;
        PageImageCapture capture;
        try {
            capture = source.rollback().release(PageImageCapture.start(workspace.images(), workspace.recipes(), count,
                    pageImages::capture));
        } catch (IOException e) {
            throw new MigrationFailure("criu.dump-failed", "cannot prepare to take the page images: " + e.getMessage());
        }
        long started = System.nanoTime();
        HeldCheckpoint held = source.context().criu().dump(request); // on failure the capture is released at the end
        long dumped = System.nanoTime();
        try {
            capture.finish();
        } catch (IOException e) {
            held.abort();
            throw new MigrationFailure("criu.dump-failed", "taking the page images as CRIU wrote them failed: "
                    + e.getMessage(), null, e);
        }
        pageImages.captured(capture);
        // the bench reads this line: how much of the frozen window CRIU's dump (pages captured meanwhile) took
        LOG.info("migration {}: frozen window: CRIU dumped in {} ms, captures ended {} ms later; {} pages known by "
                + "fingerprint, not hashed again", source.id(), (dumped - started) / 1_000_000,
                (System.nanoTime() - dumped) / 1_000_000, pages.foundByFingerprint());
        return held;
    }

    private void remember(String fact, String value) {
        try {
            source.workspace().remember(fact, value);
        } catch (IOException e) {
            LOG.warn("migration {}: cannot note {} for recovery: {}", source.id(), fact, e.getMessage());
        }
    }
}
