package io.haul.engine;

import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.host.files.Folders;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders of ended migrations an agent keeps ({@code migrations/<id>}, whose logs errors name): the newest
 * {@code keep}, the rest removed, so that an agent that moves containers for months does not fill its disk
 * (about 110 KiB a migration, measured by ./haul soak). A folder whose migration is still in progress is never
 * touched, nor one without a record that changed lately (a destination's folder can come before the record
 * reaches it).
 */
final class KeptFolders {

    private static final Logger LOG = LoggerFactory.getLogger(KeptFolders.class);
    /** A folder without a record is left alone this long after it last changed. */
    static final Duration UNRECORDED_GRACE = Duration.ofHours(1);

    private final Path migrations;
    private final int keep;
    private final Function<String, Optional<MigrationRecord>> records;

    KeptFolders(Path migrations, int keep, Function<String, Optional<MigrationRecord>> records) {
        this.migrations = migrations;
        this.keep = keep;
        this.records = records;
    }

    /** Removes the folders of ended migrations beyond the newest {@code keep}; returns how many it removed. */
    int prune(Instant now) {
        List<Path> ended = new ArrayList<>();
        try (DirectoryStream<Path> each = Files.newDirectoryStream(migrations, Files::isDirectory)) {
            for (Path folder : each) {
                if (ended(folder, now)) {
                    ended.add(folder);
                }
            }
        } catch (IOException e) {
            if (Files.isDirectory(migrations)) {
                LOG.warn("cannot list {} to remove the folders of old migrations: {}", migrations, e.getMessage());
            }
            return 0;
        }
        if (ended.size() <= keep) {
            return 0;
        }
        ended.sort(Comparator.comparing(KeptFolders::modified).reversed());
        int removed = 0;
        for (Path folder : ended.subList(keep, ended.size())) {
            removed += Folders.delete(folder) ? 1 : 0;
        }
        LOG.info("removed the folders of {} old migrations from {}, keeping the newest {}", removed, migrations, keep);
        return removed;
    }

    private boolean ended(Path folder, Instant now) {
        Optional<MigrationRecord> record = records.apply(folder.getFileName().toString());
        if (record.isPresent()) {
            return record.get().outcome() != Outcome.IN_PROGRESS;
        }
        return modified(folder).toInstant().isBefore(now.minus(UNRECORDED_GRACE));
    }

    private static FileTime modified(Path folder) {
        try {
            return Files.getLastModifiedTime(folder);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
