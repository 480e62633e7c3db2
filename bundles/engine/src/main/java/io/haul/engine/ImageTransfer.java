package io.haul.engine;

import io.haul.protocol.ImageStream;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.ImageFile;
import io.haul.protocol.v1.ImagesSent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Phase 6 on the source, the container frozen: the images go on the bulk stream, CRIU's page images as recipes
 * (only pages the destination's store lacks cross the wire), then the list of what was sent. A transfer that
 * moves no byte for the step timeout is a stall; a user's cancel stops it at once, not at its end.
 */
final class ImageTransfer {

    /** How often a transfer asks the cluster whether a user cancelled it. */
    private static final long CANCEL_CHECK_NANOS = 250_000_000L;

    private final SourceScope source;
    private final Peer peer;
    private final CountingOutputStream wire;

    ImageTransfer(SourceScope source, Peer peer, CountingOutputStream wire) {
        this.source = source;
        this.peer = peer;
        this.wire = wire;
    }

    /** {@code macs}: the container's own hardware addresses, which the destination silences until the commit. */
    void run(FinalDump.Frozen frozen, List<String> macs) throws MigrationFailure, IOException {
        Workspace workspace = source.workspace();
        List<String> names = workspace.imageNames();
        long total = workspace.imageBytes();
        List<ImageFile> sent;
        long before = wire.count();
        long[] lastCancelCheck = {System.nanoTime()};
        try (Watchdog watchdog = new Watchdog(source.context().clock(), source.context().stepTimeout(), peer::close)) {
            OutputStream watched = new WatchedOutputStream(wire, () -> {
                watchdog.moved();
                if (System.nanoTime() - lastCancelCheck[0] > CANCEL_CHECK_NANOS) {
                    lastCancelCheck[0] = System.nanoTime();
                    if (source.context().store().cancelRequested(source.id())) {
                        throw new CancelledTransfer();
                    }
                }
            });
            try {
                sent = ImageStream.send(workspace.images(), names, watched, Progress.every(source.record(),
                        source.context().clock(), "sending images", total), frozen.pageImages());
                watched.flush();
                peer.connection().bulkOut().close(); // ends the bulk stream cleanly for the destination
            } catch (IOException e) {
                if (watchdog.fired()) {
                    throw new MigrationFailure("transport.stalled", "the transfer to " + source.destination().name()
                            + " moved no byte for " + source.context().stepTimeout().toSeconds() + " s (link down?)");
                }
                throw e;
            }
        } catch (CancelledTransfer e) {
            throw SourceScope.cancelled();
        }
        peer.send(Envelope.newBuilder().setImagesSent(ImagesSent.newBuilder().addAllFiles(sent).setTotalBytes(total)
                .addAllContainerMacs(macs)));
        long imagesOnWire = wire.count() - before;
        source.record().statistics(s -> s.plusBytesOnWire(imagesOnWire));
        source.record().progress("images sent: " + Sizes.bytes(imagesOnWire) + " on the wire for "
                + Sizes.bytes(total) + " of images");
    }

    /** Thrown out of a progress callback to stop a transfer a user cancelled. */
    private static final class CancelledTransfer extends RuntimeException {

        private static final long serialVersionUID = 1L;

        CancelledTransfer() {
            super(null, null, false, false);
        }
    }
}
