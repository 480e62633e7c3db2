package io.haul.api.migration;

import io.haul.api.HaulException;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Starts, follows and cancels migrations; the one service users (shell, event bus) and other bundles
 * call. Records are the cluster's, so any agent answers for every migration.
 */
@ProviderType
public interface MigrationService {

    /** Checks the request and starts the migration; errors that stop it before it begins are thrown. */
    MigrationRecord start(MigrationRequest request) throws HaulException;

    Optional<MigrationRecord> find(String id);

    /** Every migration the cluster knows, newest first. */
    List<MigrationRecord> list();

    /** Stops a migration before its commit point and rolls it back; after it, refuses with a clear error. */
    MigrationRecord cancel(String id) throws HaulException;

    /** Follows a migration's progress until the returned handle is closed or the migration ends. */
    AutoCloseable subscribe(String id, ProgressListener listener) throws HaulException;
}
