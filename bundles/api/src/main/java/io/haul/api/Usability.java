package io.haul.api;

import java.util.Objects;

/**
 * Whether a plugin can do its work on this host, and if not, why, in words a user can act on
 * ("CRIU's pre-dump needs soft-dirty tracking, which this kernel lacks").
 */
public record Usability(boolean usable, String reason) {

    public Usability {
        Objects.requireNonNull(reason, "reason");
        if (!usable && reason.isBlank()) {
            throw new IllegalArgumentException("an unusable plugin must say why");
        }
    }

    public static Usability yes() {
        return new Usability(true, "");
    }

    public static Usability no(String why) {
        return new Usability(false, why);
    }
}
