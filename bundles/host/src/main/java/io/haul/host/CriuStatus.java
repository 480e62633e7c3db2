package io.haul.host;

import java.util.Objects;

/**
 * CRIU on this host.
 *
 * @param path        the executable that was used, {@code ""} when none was found
 * @param source      where it was found
 * @param version     from {@code criu --version} (e.g. {@code 4.2.1}), {@code ""} when unknown
 * @param checkPassed {@code criu check} said "Looks good"
 * @param checkOutput the end of {@code criu check}'s output (stdout and stderr, at most about 2 KB), trimmed;
 *                    when CRIU was not found or could not run, why
 */
public record CriuStatus(String path, CriuSource source, String version, boolean checkPassed, String checkOutput) {

    public CriuStatus {
        path = path == null ? "" : path;
        Objects.requireNonNull(source, "source");
        version = version == null ? "" : version;
        checkOutput = checkOutput == null ? "" : checkOutput;
    }

    /** No usable CRIU; {@code why} names what was looked at. */
    public static CriuStatus notFound(String why) {
        return new CriuStatus("", CriuSource.NOT_FOUND, "", false, why);
    }

    /** Whether an executable was found (it may still fail its check). */
    public boolean found() {
        return source != CriuSource.NOT_FOUND && !path.isEmpty();
    }
}
