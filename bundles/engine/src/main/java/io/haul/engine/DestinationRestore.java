package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.CriuDestinationSession;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.HeldRestore;
import io.haul.api.backend.RuntimeDestinationSession;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.RestoreRequest;
import io.haul.criu.RestoredTree;
import io.haul.host.KernelFeature;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase 7 on the destination: the backend's session makes what the restore needs and the container's traffic is
 * held, then the container is restored (by the engine's CRIU with what the session and the handlers contributed,
 * or by its runtime under Haul's hold), its tasks stopped until the commit point. The source hears heartbeats
 * meanwhile, so a lost link is noticed within its step timeout.
 */
final class DestinationRestore {

    private static final Logger LOG = LoggerFactory.getLogger(DestinationRestore.class);
    /**
     * Page images below this are restored eagerly: the lazy-pages daemon costs a process start, its socket and its
     * own links of the images, more than CRIU's copy of that much memory: CRIU's restore of the bench's 1 MiB tree
     * took 0.15 s lazily and 0.12 s eagerly here (medians of 2 in two bench runs on the loaded shared machine, so
     * a hint more than a measure; cold CRIU's eager restore of it in the same runs: 0.08-0.10 s).
     */
    static final long LAZY_FROM_BYTES = 64L << 20;

    private final MigrationContext context;
    private final Workspace workspace;
    private final Peer peer;
    private final Rollback rollback;

    DestinationRestore(MigrationContext context, Workspace workspace, Peer peer, Rollback rollback) {
        this.context = context;
        this.workspace = workspace;
        this.peer = peer;
        this.rollback = rollback;
    }

    HeldRestore run(DestinationChecks.Accepted accepted, String id) throws HaulException, IOException {
        DestinationSession session = accepted.session();
        try (Heartbeats beating = new Heartbeats(peer, heartbeatInterval())) {
            rollback.undo(why -> session.abandoned());
            session.prepare();
            session.lockNetwork();
            rollback.undo(why -> session.unlockNetwork());
            return switch (session) {
                case CriuDestinationSession criu -> restoreWithCriu(criu, accepted.fromHandlers(), id);
                case RuntimeDestinationSession runtime -> held(runtime.restore(accepted.fromHandlers().withoutRoot()));
            };
        } catch (IllegalArgumentException e) {
            throw new HaulException("check.criu-options", "the backend's and the namespace handlers' options to CRIU "
                    + "disagree: " + e.getMessage());
        }
    }

    /** Held at post-restore, before CRIU unlocks the network: the copy answers no peer before the commit point. */
    private RestoredTree restoreWithCriu(CriuDestinationSession session, CriuOptions fromHandlers, String id)
            throws HaulException, IOException {
        CriuOptions options = session.restoreOptions().over(fromHandlers);
        long started = System.nanoTime();
        RestoredTree tree = held(context.criu().restore(new RestoreRequest(options, workspace.images(),
                workspace.log("restore"), lazyRestore() && !options.has(CriuOptions.Flag.EAGER_MEMORY), id)));
        LOG.info("migration {}: frozen window: CRIU restored the tree in {} ms", id,
                (System.nanoTime() - started) / 1_000_000);
        workspace.remember("restored.pid", Long.toString(tree.rootPid()));
        session.restored(tree.rootPid());
        return tree;
    }

    /** A restored copy, killed on a rollback from the moment it exists. */
    private <T extends HeldRestore> T held(T tree) {
        rollback.undo(why -> tree.kill());
        return tree;
    }

    /**
     * Lazily where configured, the page images are big enough that copying them in costs more than starting CRIU's
     * lazy-pages daemon (see {@link #LAZY_FROM_BYTES}) and the kernel has userfaultfd (from the host's last probe:
     * this runs in the frozen window, where a fresh probe or the whole capability report cost tens of ms).
     */
    private boolean lazyRestore() throws IOException {
        return context.lazyRestore() && pageImageBytes() >= LAZY_FROM_BYTES
                && context.capabilities().kernelHas(KernelFeature.USERFAULTFD);
    }

    private long pageImageBytes() throws IOException {
        List<String> pages = workspace.imageNames().stream().filter(name -> name.startsWith("pages-")).toList();
        return Workspace.bytes(workspace.images(), pages);
    }

    /** Often enough that the source hears a few beats within its step timeout. */
    private Duration heartbeatInterval() {
        return Duration.ofMillis(Math.max(200, Math.min(2_000, context.stepTimeout().toMillis() / 4)));
    }
}
