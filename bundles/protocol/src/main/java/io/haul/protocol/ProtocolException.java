package io.haul.protocol;

import java.io.IOException;

/** A peer sent something this agent cannot accept; {@link #code()} says what kind of thing. */
public final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String code;

    public ProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    public ProtocolException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
