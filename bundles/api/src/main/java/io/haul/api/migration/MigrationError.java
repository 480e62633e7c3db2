package io.haul.api.migration;

/**
 * Why a migration did not succeed.
 *
 * @param phase   where it failed
 * @param code    the stable code of the failure (see {@link io.haul.api.HaulException#code()})
 * @param message what went wrong, for people
 * @param logFile a kept log that explains it (e.g. CRIU's), or empty
 */
public record MigrationError(Phase phase, String code, String message, String logFile) {

    public MigrationError {
        logFile = logFile == null ? "" : logFile;
    }
}
