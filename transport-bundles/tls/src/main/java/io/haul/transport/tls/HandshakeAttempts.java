package io.haul.transport.tls;

import java.time.Duration;
import java.util.List;

/**
 * How long a client gives each TLS handshake with a peer, and how often it tries. The first handshake after an
 * agent starts is slow on both ends: the JDK's TLS and elliptic-curve code runs cold (loaded and interpreted,
 * not yet compiled), measured here at 3.2 s against 0.2-0.7 s warm with the machine at load 18, 5.9 s on one
 * core shared with three busy loops, and more in an agent still joining its cluster. So one fixed limit either
 * fails the first migration under load or waits long for a peer that is stuck. A timed-out handshake is tried
 * again, each time given longer, within the sum of the limits: nothing has been sent yet, and each try warms
 * both ends for the next. Only timeouts are tried again; a refusal, a peer that does not speak TLS or a connect
 * that gets no answer (the kernel answers a connect at once whatever the load) fail at once.
 *
 * @param limits the handshake limit of each attempt, in order
 * @param pause  the pause before the second attempt, doubled before each later one
 */
record HandshakeAttempts(List<Duration> limits, Duration pause) {

    /** 10, 20 and 30 s: a minute in all, and a warm handshake takes well under a second. */
    static final HandshakeAttempts DEFAULT = new HandshakeAttempts(
            List.of(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30)), Duration.ofMillis(500));

    HandshakeAttempts {
        limits = List.copyOf(limits);
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("at least one attempt");
        }
    }

    /** The longest one attempt may take: the server gives a handshake as long, so it never ends a try sooner. */
    Duration longest() {
        return limits.stream().max(Duration::compareTo).orElseThrow();
    }

    /** The pause before attempt {@code attempt} (0 for the first). */
    Duration pauseBefore(int attempt) {
        return attempt == 0 ? Duration.ZERO : pause.multipliedBy(1L << (attempt - 1));
    }

    /** "10, 20, 30 s", for messages. */
    String describe() {
        return String.join(", ", limits.stream().map(d -> d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds())
                : d.toMillis() / 1000.0 + "").toList()) + " s";
    }
}
