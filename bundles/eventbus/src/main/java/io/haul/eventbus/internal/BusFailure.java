package io.haul.eventbus.internal;

import io.haul.api.HaulException;
import io.haul.eventbus.BusApi;
import io.vertx.core.eventbus.Message;

/**
 * A request the agent answers with a failure: the {@code ReplyException}'s failure code ({@code BusApi.FAILURE_*})
 * and Haul's stable error code with the text for people, as {@code "code: text"}.
 */
final class BusFailure extends Exception {

    private static final long serialVersionUID = 1L;

    final int failureCode;
    final String code;

    BusFailure(int failureCode, String code, String message) {
        super(message);
        this.failureCode = failureCode;
        this.code = code;
    }

    static BusFailure invalid(String message) {
        return new BusFailure(BusApi.FAILURE_INVALID, "request.invalid", message);
    }

    /** The failure a refusal of Haul's becomes: its code, with the failure code its kind calls for. */
    static BusFailure of(HaulException e) {
        String code = e.code();
        int failureCode = code.endsWith(".not-found") ? BusApi.FAILURE_NOT_FOUND
                : code.equals("usage") || code.endsWith(".bad-id") ? BusApi.FAILURE_INVALID
                : BusApi.FAILURE_REFUSED;
        return new BusFailure(failureCode, code, e.getMessage() + (e.logFile() == null ? "" : " (log: " + e.logFile() + ")"));
    }

    /** The text of the ReplyException. */
    String text() {
        return code + ": " + getMessage();
    }

    void replyTo(Message<?> message) {
        message.fail(failureCode, text());
    }
}
