package io.haul.shell;

import io.haul.api.migration.MigrationRecord;
import java.util.List;

/** What {@code haul:migrations} returns: the cluster's migrations, newest first. */
public record MigrationList(List<MigrationRecord> migrations) {

    public MigrationList {
        migrations = List.copyOf(migrations);
    }
}
