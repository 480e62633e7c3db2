package io.haul.docker;

import io.haul.api.Usability;
import io.haul.criu.hold.CriuHold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether runc's CRIU dumps and restores established TCP connections. Docker's checkpoint API has no such switch
 * (the engine never asks containerd for it), but runc reads {@code /etc/criu/runc.conf} for every checkpoint and
 * restore, and a line {@code tcp-established} there turns CRIU's TCP repair on for all of them: without it a
 * container with an open connection fails to dump ("Connected TCP socket, consider using --tcp-established").
 * {@code ./haul setup} writes the line.
 */
final class RuncTcpOption {

    static final String LINE = "tcp-established";

    private RuncTcpOption() {
    }

    static Usability check() {
        return check(CriuHold.RUNC_CRIU_CONFIG);
    }

    static Usability check(Path config) {
        try {
            boolean on = Files.readAllLines(config).stream().map(String::strip).anyMatch(LINE::equals);
            return on ? Usability.yes() : Usability.no(config + " has no line '" + LINE + "', so runc's CRIU would "
                    + "refuse its connections (./haul setup adds it)");
        } catch (IOException e) {
            return Usability.no("cannot read " + config + " (./haul setup writes it): " + e.getMessage());
        }
    }
}
