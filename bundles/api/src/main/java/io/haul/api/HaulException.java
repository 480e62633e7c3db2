package io.haul.api;

import java.util.Objects;

/**
 * A failure a user can read: a stable code for scripts ({@code container.not-found}) and a message that
 * names the problem. Where a tool such as CRIU left a log, {@link #logFile()} says where it is kept.
 */
public class HaulException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String logFile;

    public HaulException(String code, String message) {
        this(code, message, null, null);
    }

    public HaulException(String code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    public HaulException(String code, String message, String logFile, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.logFile = logFile;
    }

    /** A dotted, stable identifier of the kind of failure, e.g. {@code criu.dump-failed}. */
    public String code() {
        return code;
    }

    /** The log that explains the failure, or null. */
    public String logFile() {
        return logFile;
    }
}
