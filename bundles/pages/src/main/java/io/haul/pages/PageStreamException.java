package io.haul.pages;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A page stream (push or recipe) that cannot be accepted, or an image that could not be rebuilt from one.
 * {@link #reason()} says what kind of failure; {@link #file()} names the image file a recipe was rebuilding,
 * or is null.
 */
public final class PageStreamException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** A bad magic number, entry tag, encoding or length. */
        MALFORMED,
        /** The stream ended before its end marker. */
        TRUNCATED,
        /** A recipe refers to a page the page store does not hold. */
        UNKNOWN_PAGE,
        /** A pushed page's content does not hash to the hash it came with. */
        HASH_MISMATCH,
        /** The rebuilt file's length differs from the one the source announced. */
        LENGTH_MISMATCH,
        /** The rebuilt file's SHA-256 differs from the one the source announced. */
        CHECKSUM_MISMATCH,
        /** The rebuilt file would exceed the size allowed for it. */
        TOO_LARGE
    }

    private final Reason reason;
    private final transient Path file;

    public PageStreamException(Reason reason, String message) {
        this(reason, null, message, null);
    }

    public PageStreamException(Reason reason, Path file, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.file = file;
    }

    public Reason reason() {
        return reason;
    }

    /** The image file a recipe was rebuilding, or null. */
    public Path file() {
        return file;
    }
}
