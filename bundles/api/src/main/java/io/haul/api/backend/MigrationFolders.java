package io.haul.api.backend;

import java.nio.file.Path;

/**
 * The folders of one migration on this agent that a backend's session works in.
 *
 * @param migrationId the migration's cluster-wide id (letters, digits and '-'): it may name a hold
 * @param images      CRIU's images and whatever else the destination gets with them: written on the source,
 *                    received complete on the destination before the restore
 * @param filesAhead  on the source, where the rounds of files sent ahead of the freeze are written
 *                    ({@link FileSync}); what the session keeps between rounds goes into a subfolder
 * @param logs        where logs are kept after the migration (CRIU's, the runtime's)
 */
public record MigrationFolders(String migrationId, Path images, Path filesAhead, Path logs) {
}
