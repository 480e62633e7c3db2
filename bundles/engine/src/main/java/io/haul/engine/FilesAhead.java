package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.FileSync;
import io.haul.host.files.Folders;
import io.haul.protocol.ImageStream;
import io.haul.protocol.Versions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Phase 3 on the source, the container running: its own files (a writable layer, volumes, a root file system)
 * go to the destination in rounds, each round what changed since the previous one, until a round is small or
 * stops shrinking; the frozen window then carries only the changes since the last round. From protocol 2 on
 * the bulk stream opens with them (one image stream per round from protocol 3, ended by an empty one).
 */
final class FilesAhead {

    /** A round this small leaves too little for another to pay: the frozen window takes the rest. */
    static final long SMALL_ROUND_BYTES = 1L << 20;
    static final int MAX_ROUNDS = 5;

    private final SourceScope source;
    private final Peer peer;
    private final CountingOutputStream wire;

    FilesAhead(SourceScope source, Peer peer, CountingOutputStream wire) {
        this.source = source;
        this.peer = peer;
        this.wire = wire;
    }

    /** Sends the rounds; returns the container's files, whose last changes the final dump takes. */
    Optional<FileSync> run() throws MigrationFailure, IOException {
        Optional<FileSync> files;
        try {
            files = source.session().files();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        if (peer.version() < Versions.FILES_AHEAD) {
            source.record().progress("files: " + source.destination().name() + " takes no files ahead of the freeze"
                    + " (an older agent): they all go in the frozen window");
            return files;
        }
        if (files.isEmpty()) {
            if (peer.version() < Versions.FILE_ROUNDS) {
                send(List.of(), source.workspace().ahead()); // version 2 reads one stream, empty here
            }
            endRounds();
            source.record().progress("files: the container has none of its own to copy ahead of the freeze");
            return files;
        }
        long previous = Long.MAX_VALUE;
        for (int round = 1; ; round++) {
            source.checkCancel();
            long bytes = round(files.get(), round);
            boolean last = peer.version() < Versions.FILE_ROUNDS || round >= MAX_ROUNDS || bytes <= SMALL_ROUND_BYTES
                    || bytes >= previous;
            if (last) {
                break;
            }
            previous = bytes;
        }
        endRounds();
        return files;
    }

    /** One round: the backend writes what changed into a folder of its own, which travels and goes. */
    private long round(FileSync files, int round) throws MigrationFailure, IOException {
        Path into = source.workspace().ahead().resolve("round-" + round);
        try {
            Files.createDirectories(into);
            files.round(round, into);
            List<String> names = Workspace.fileNames(into);
            long total = Workspace.bytes(into, names);
            long onWire = send(names, into);
            source.record().progress("files: round " + round + ": " + Sizes.bytes(total) + " in " + names.size()
                    + " file(s) sent ahead of the freeze (" + Sizes.bytes(onWire) + " on the wire)");
            return total;
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        } finally {
            Folders.delete(into);
        }
    }

    /** From protocol 3 on, an empty image stream ends the rounds. */
    private void endRounds() throws MigrationFailure, IOException {
        if (peer.version() >= Versions.FILE_ROUNDS) {
            send(List.of(), source.workspace().ahead());
        }
    }

    private long send(List<String> names, Path folder) throws MigrationFailure {
        long before = wire.count();
        long total;
        try {
            total = Workspace.bytes(folder, names);
        } catch (IOException e) {
            throw new MigrationFailure("file.pack", "cannot read the files to send ahead in " + folder + ": "
                    + e.getMessage());
        }
        try (Watchdog watchdog = new Watchdog(source.context().clock(), source.context().stepTimeout(), peer::close)) {
            OutputStream watched = new WatchedOutputStream(wire, watchdog::moved);
            ImageStream.send(folder, names, watched, Progress.every(source.record(), source.context().clock(),
                    "sending files ahead", total));
            watched.flush();
        } catch (IOException e) {
            throw new MigrationFailure("transport.lost", "sending files ahead to " + source.destination().name()
                    + " failed: " + e.getMessage(), null, e);
        }
        long onWire = wire.count() - before;
        source.record().statistics(s -> s.plusBytesOnWire(onWire));
        return onWire;
    }
}
