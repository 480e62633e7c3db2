package io.haul.engine;

import io.haul.api.HaulException;

/** Why a migration stops, with the code and the log a user needs. */
final class MigrationFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String logFile;

    MigrationFailure(String code, String message) {
        this(code, message, null, null);
    }

    MigrationFailure(String code, String message, String logFile, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.logFile = logFile;
    }

    static MigrationFailure of(HaulException e) {
        return new MigrationFailure(e.code(), e.getMessage(), e.logFile(), e);
    }

    String code() {
        return code;
    }

    String logFile() {
        return logFile == null ? "" : logFile;
    }
}
