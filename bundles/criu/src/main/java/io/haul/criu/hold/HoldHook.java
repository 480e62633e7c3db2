package io.haul.criu.hold;

import io.haul.api.Usability;
import java.io.IOException;
import java.nio.file.Files;

/** Whether runc's CRIU runs Haul's hold hook here: without it a runtime's checkpoint could not wait for the commit. */
public final class HoldHook {

    private HoldHook() {
    }

    public static Usability check() {
        if (!Files.isExecutable(CriuHold.HOOK)) {
            return Usability.no("the hold hook " + CriuHold.HOOK + " is not installed (./haul setup installs it)");
        }
        try {
            boolean named = Files.readAllLines(CriuHold.RUNC_CRIU_CONFIG).stream().map(String::strip)
                    .anyMatch(line -> line.equals("action-script " + CriuHold.HOOK));
            return named ? Usability.yes() : Usability.no(CriuHold.RUNC_CRIU_CONFIG + " does not name the hold hook "
                    + CriuHold.HOOK + " (./haul setup adds it)");
        } catch (IOException e) {
            return Usability.no("cannot read " + CriuHold.RUNC_CRIU_CONFIG + " (./haul setup writes it): " + e.getMessage());
        }
    }
}
