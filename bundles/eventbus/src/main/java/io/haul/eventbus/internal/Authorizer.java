package io.haul.eventbus.internal;

import io.haul.eventbus.BusApi;
import io.haul.eventbus.BusSignature;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides whether a request may start or cancel a migration: its signature ({@link BusSignature}) is a certificate's
 * of the cluster CA, made within the allowed clock skew and not seen before, and its principal is an operator. The
 * principal is the signer, or the one an agent signed for (only agents may sign for others: the bridge does).
 */
final class Authorizer {

    private final X509Certificate ca;
    private final Set<String> operators;
    private final Supplier<Set<String>> agents;
    private final Duration skew;
    private final Clock clock;
    /** Nonces seen within the skew window, oldest first. */
    private final Map<String, Instant> seen = new LinkedHashMap<>();

    /** {@code ca} null: the agent has none, and authorizes nothing. */
    Authorizer(X509Certificate ca, Set<String> operators, Supplier<Set<String>> agents, Duration skew, Clock clock) {
        this.ca = ca;
        this.operators = Set.copyOf(operators);
        this.agents = agents;
        this.skew = skew;
        this.clock = clock;
    }

    /** The principal allowed to do {@code operation} with {@code body}; a failure when none is. */
    String authorize(String operation, JsonObject body, MultiMap headers) throws BusFailure {
        if (ca == null) {
            throw new BusFailure(BusApi.FAILURE_UNAUTHENTICATED, "auth.unauthenticated", "this agent has no certificates "
                    + "of the cluster CA to check a signature with: it starts and cancels nothing over the event bus");
        }
        BusSignature.Verified verified;
        try {
            verified = BusSignature.verify(operation, body, headers::get, ca);
        } catch (GeneralSecurityException e) {
            throw new BusFailure(BusApi.FAILURE_UNAUTHENTICATED, "auth.unauthenticated",
                    operation + " needs the signature of a certificate of the cluster CA: " + e.getMessage());
        }
        Instant now = clock.instant();
        if (Duration.between(verified.issued(), now).abs().compareTo(skew) > 0) {
            throw new BusFailure(BusApi.FAILURE_UNAUTHENTICATED, "auth.unauthenticated", "the request was signed at "
                    + verified.issued() + ", more than " + skew.toSeconds() + " s from this agent's clock (" + now + ")");
        }
        String principal = verified.signer();
        if (!verified.onBehalfOf().isEmpty()) {
            if (!agents.get().contains(verified.signer())) {
                throw new BusFailure(BusApi.FAILURE_FORBIDDEN, "auth.forbidden", verified.signer()
                        + " is not an agent of the cluster and may not sign for " + verified.onBehalfOf());
            }
            principal = verified.onBehalfOf();
        }
        if (!operators.contains(principal)) {
            throw new BusFailure(BusApi.FAILURE_FORBIDDEN, "auth.forbidden", principal + " may watch migrations but not "
                    + (operation.equals(BusApi.START) ? "start" : "cancel") + " them (haul.eventbus operators: "
                    + (operators.isEmpty() ? "none" : String.join(",", operators)) + ")");
        }
        synchronized (seen) {
            for (Iterator<Instant> old = seen.values().iterator(); old.hasNext();) {
                if (Duration.between(old.next(), now).compareTo(skew.multipliedBy(2)) > 0) {
                    old.remove();
                } else {
                    break;
                }
            }
            if (seen.putIfAbsent(verified.signer() + "/" + verified.nonce(), now) != null) {
                throw new BusFailure(BusApi.FAILURE_UNAUTHENTICATED, "auth.replayed",
                        "this signed request was received before: sign each request anew");
            }
        }
        return principal;
    }
}
