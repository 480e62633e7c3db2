package io.haul.eventbus.internal;

import io.haul.eventbus.BusApi;

/**
 * How long an agent may wait for the agent it forwards a request to: what the sender still waits (its
 * {@link BusApi#WAIT_HEADER}, less what the request has spent on this agent so far), less {@link #ANSWER_MILLIS} for
 * the answer to travel back, and never longer than the configured forwarding timeout. Before, the forward waited 60 s
 * while every client waited 30 s: a forward that got no answer (a cluster connection whose TLS handshake timed out on
 * a busy machine drops what was queued on it) left the client with "no answer" and neither agent with a trace.
 */
record ForwardBudget(long millis, long senderWaitMillis) {

    /** Kept for the answer's way back to the sender (through the bridge, over a busy machine's event loops). */
    static final long ANSWER_MILLIS = 5_000;

    /** The budget of a request whose sender sent {@code waitHeader} (null when absent) and that is here since then. */
    static ForwardBudget of(String waitHeader, long spentMillis, long configuredMillis) {
        long wait = BusApi.DEFAULT_WAIT_MILLIS;
        if (waitHeader != null) {
            try {
                wait = Long.parseLong(waitHeader.strip());
            } catch (NumberFormatException e) {
                // a header no Haul client writes: the default wait, as for a sender that says nothing
            }
        }
        wait = Math.max(0, wait);
        return new ForwardBudget(Math.min(configuredMillis, wait - spentMillis - ANSWER_MILLIS), wait);
    }

    /** Whether there is still time to ask another agent at all. */
    boolean left() {
        return millis > 0;
    }
}
