package io.haul.criu.hold;

import io.haul.api.Usability;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Whether CRIU runs Haul's hold hook here: without it a runtime's checkpoint (runc's CRIU configuration) or the
 * engine's restore (its own) could not wait for the commit point.
 */
public final class HoldHook {

    private HoldHook() {
    }

    /** For runc's checkpoints and restores (Docker's too). */
    public static Usability check() {
        return check(CriuHold.RUNC_CRIU_CONFIG);
    }

    /** For a CRIU that reads {@code config}. */
    public static Usability check(java.nio.file.Path config) {
        if (!Files.isExecutable(CriuHold.HOOK)) {
            return Usability.no("the hold hook " + CriuHold.HOOK + " is not installed (./haul setup installs it)");
        }
        try {
            boolean named = Files.readAllLines(config).stream().map(String::strip)
                    .anyMatch(line -> line.equals("action-script " + CriuHold.HOOK));
            return named ? Usability.yes() : Usability.no(config + " does not name the hold hook "
                    + CriuHold.HOOK + " (./haul setup adds it)");
        } catch (IOException e) {
            return Usability.no("cannot read " + config + " (./haul setup writes it): " + e.getMessage());
        }
    }
}
