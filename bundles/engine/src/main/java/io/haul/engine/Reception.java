package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.DestinationSession;
import io.haul.pages.PagePushReader;
import io.haul.pages.PageStore;
import io.haul.protocol.ImageStream;
import io.haul.protocol.ProtocolException;
import io.haul.protocol.Versions;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.ImagesSent;
import io.haul.protocol.v1.ImageFile;
import io.haul.protocol.v1.Prepare;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phases 3 to 6 on the destination: what the source sends on the bulk stream, in order. The container's own
 * files in rounds while it runs (each handed to the backend's session as it arrives), the pre-copied pages into the page store, then the images of the final dump,
 * page images rebuilt from their recipes (over the prepared page image where there is one), each checked; last,
 * the source's list of what it sent, which must be what arrived.
 */
final class Reception {

    private static final Logger LOG = LoggerFactory.getLogger(Reception.class);
    /** Images carry some metadata beyond the resident memory they hold. */
    private static final long IMAGE_SLACK_BYTES = 256L << 20;

    private final MigrationContext context;
    private final Workspace workspace;
    private final Peer peer;
    private final String id;
    private final DestinationSession session;

    Reception(MigrationContext context, Workspace workspace, Peer peer, String id, DestinationSession session) {
        this.context = context;
        this.workspace = workspace;
        this.peer = peer;
        this.id = id;
        this.session = session;
    }

    /** Returns the container's hardware addresses the source named with its images. */
    List<String> run(Prepare prepare) throws IOException, HaulException {
        long allowance = Math.max(prepare.getExpectedImageBytes() * 2, prepare.getExpectedImageBytes() + IMAGE_SLACK_BYTES);
        List<ImageFile> received;
        try (PreparedPageImage prepared = context.preparePageImages() ? PreparedPageImage.start(
                workspace.root().resolve("prepared-pages.img"), prepare.getExpectedImageBytes()) : null;
                PageStore store = new PageStore(context.pageStoreBudget(), workspace.root().resolve("pagestore"));
                Watchdog watchdog = new Watchdog(context.clock(), context.stepTimeout(), peer::close)) {
            // buffered: the page formats read a few bytes at a time, each read of the connection takes its lock
            InputStream bulk = new BufferedInputStream(new WatchedInputStream(peer.connection().bulkIn(), watchdog),
                    1 << 16);
            receiveFilesAhead(bulk, allowance, watchdog);
            PagePushReader.Counts precopied = PagePushReader.readAll(bulk, store);
            LOG.info("migration {}: {} pages pre-copied into the page store", id, precopied.added());
            RecipePageImages pageImages = RecipePageImages.receiving(store, prepared);
            received = ImageStream.receive(bulk, workspace.images(), allowance, done -> watchdog.moved(), pageImages);
            // the bench reads this line: how much of the frozen window the page images' rebuild took here
            LOG.info("migration {}: frozen window: page images rebuilt in {} ms", id, pageImages.rebuildMillis());
        }
        ImagesSent sent = peer.receive(Envelope.BodyCase.IMAGES_SENT, context.stepTimeout()).getImagesSent();
        List<ImageFile> announced = sent.getFilesList();
        if (!announced.equals(received)) {
            throw new ProtocolException("protocol.images-differ", "the images received (" + received.size()
                    + " files) are not the ones the source announced (" + announced.size() + ")");
        }
        return sent.getContainerMacsList();
    }

    /**
     * The container's own files sent while it runs, beside the images (which leave them room): one image stream
     * in protocol 2, rounds ended by an empty stream from protocol 3 on.
     */
    private void receiveFilesAhead(InputStream bulk, long allowance, Watchdog watchdog)
            throws IOException, HaulException {
        if (peer.version() < Versions.FILES_AHEAD) {
            return;
        }
        int files = 0;
        int rounds = 0;
        while (true) {
            long free = Room.freeBytes(workspace.root());
            List<ImageFile> round;
            try {
                round = ImageStream.receive(bulk, workspace.images(), Math.max(0, free - allowance),
                        done -> watchdog.moved());
            } catch (ProtocolException e) {
                if (!e.code().equals("protocol.too-large")) {
                    throw e;
                }
                // what limits the files ahead is this host's free room: say so, not only the protocol's limit
                throw new ProtocolException("destination.no-room", "not enough room in " + workspace.root()
                        + " for the container's files sent ahead: " + free + " bytes free, " + allowance
                        + " of them kept for the images; " + e.getMessage());
            }
            if (round.isEmpty() && peer.version() >= Versions.FILE_ROUNDS) {
                break;
            }
            files += round.size();
            rounds++;
            // the session may unpack it while the container still runs on the source (the next round waits)
            session.filesArrived(round.stream().map(f -> workspace.images().resolve(f.getName())).toList());
            if (peer.version() < Versions.FILE_ROUNDS) {
                break;
            }
        }
        if (files > 0) {
            LOG.info("migration {}: {} file(s) received ahead of the freeze in {} round(s)", id, files, rounds);
        }
    }
}
