package io.haul.eventbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.eventbus.BusApi;
import io.haul.eventbus.BusSignature;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may start and cancel: a signature of the cluster CA's certificate, an operator's, fresh, used once. */
class AuthorizerTest {

    @TempDir
    static Path dir;
    static BusSignature operator;
    static BusSignature watcher;
    static BusSignature agent;
    static BusSignature otherCa;
    static Authorizer authorizer;

    private static final JsonObject START = new JsonObject().put("v", 1).put("source", "alpha")
            .put("container", "process:42").put("destination", "beta").put("policy", new JsonObject().put("downtimeMillis", 300));

    @BeforeAll
    static void certificates() throws Exception {
        operator = load(TestCertificates.make(dir, "ca", "operator"));
        watcher = load(TestCertificates.make(dir, "ca", "watcher"));
        agent = load(TestCertificates.make(dir, "ca", "alpha"));
        otherCa = load(TestCertificates.make(dir, "other-ca", "operator"));
        authorizer = authorizer(Clock.systemUTC());
    }

    private static Authorizer authorizer(Clock clock) throws Exception {
        return new Authorizer(BusSignature.certificate(Files.readString(dir.resolve("ca/ca.pem"))), Set.of("operator"),
                () -> Set.of("alpha", "beta"), Duration.ofMinutes(5), clock);
    }

    private static BusSignature load(Path folder) throws Exception {
        return BusSignature.load(folder.resolve("agent.pem"), folder.resolve("agent.key"));
    }

    private static MultiMap headers(Map<String, String> signed) {
        return MultiMap.caseInsensitiveMultiMap().addAll(signed);
    }

    @Test
    void anOperatorsSignedStartIsAllowedOnceAndItsPrincipalIsTheCertificatesName() throws Exception {
        MultiMap headers = headers(operator.sign(BusApi.START, START));
        assertEquals("operator", authorizer.authorize(BusApi.START, START.copy(), headers));
        BusFailure replay = assertThrows(BusFailure.class, () -> authorizer.authorize(BusApi.START, START, headers));
        assertEquals("auth.replayed", replay.code);
        assertEquals(BusApi.FAILURE_UNAUTHENTICATED, replay.failureCode);
    }

    @Test
    void theBodyIsSignedWhateverTheOrderOfItsKeysButNotAChangedOne() throws Exception {
        MultiMap headers = headers(operator.sign(BusApi.START, START));
        JsonObject reordered = new JsonObject().put("destination", "beta").put("policy", new JsonObject().put("downtimeMillis", 300))
                .put("container", "process:42").put("source", "alpha").put("v", 1);
        assertEquals("operator", authorizer.authorize(BusApi.START, reordered, headers));

        MultiMap again = headers(operator.sign(BusApi.START, START));
        BusFailure changed = assertThrows(BusFailure.class,
                () -> authorizer.authorize(BusApi.START, START.copy().put("destination", "gamma"), again));
        assertEquals("auth.unauthenticated", changed.code);
        BusFailure otherOperation = assertThrows(BusFailure.class, () -> authorizer.authorize(BusApi.CANCEL, START, again));
        assertEquals("auth.unauthenticated", otherOperation.code);
    }

    @Test
    void aWatcherIsForbiddenAndAnotherCasCertificateOrNoSignatureUnauthenticated() throws Exception {
        BusFailure forbidden = assertThrows(BusFailure.class,
                () -> authorizer.authorize(BusApi.START, START, headers(watcher.sign(BusApi.START, START))));
        assertEquals(BusApi.FAILURE_FORBIDDEN, forbidden.failureCode);
        assertTrue(forbidden.text().startsWith("auth.forbidden: watcher may watch migrations but not start them"),
                forbidden.text());
        BusFailure foreign = assertThrows(BusFailure.class,
                () -> authorizer.authorize(BusApi.START, START, headers(otherCa.sign(BusApi.START, START))));
        assertEquals(BusApi.FAILURE_UNAUTHENTICATED, foreign.failureCode);
        BusFailure unsigned = assertThrows(BusFailure.class,
                () -> authorizer.authorize(BusApi.CANCEL, START, MultiMap.caseInsensitiveMultiMap()));
        assertTrue(unsigned.text().contains("carries no signature"), unsigned.text());
    }

    @Test
    void onlyAnAgentSignsForAnotherPrincipal() throws Exception {
        assertEquals("operator", authorizer.authorize(BusApi.CANCEL, START,
                headers(agent.sign(BusApi.CANCEL, START, "operator"))));
        BusFailure notAnAgent = assertThrows(BusFailure.class,
                () -> authorizer.authorize(BusApi.CANCEL, START, headers(watcher.sign(BusApi.CANCEL, START, "operator"))));
        assertEquals(BusApi.FAILURE_FORBIDDEN, notAnAgent.failureCode);
        BusFailure forWatcher = assertThrows(BusFailure.class,
                () -> authorizer.authorize(BusApi.CANCEL, START, headers(agent.sign(BusApi.CANCEL, START, "watcher"))));
        assertEquals(BusApi.FAILURE_FORBIDDEN, forWatcher.failureCode);
    }

    @Test
    void aSignatureOutsideTheClockSkewIsRefused() throws Exception {
        Authorizer later = authorizer(Clock.fixed(Instant.now().plus(Duration.ofMinutes(6)), ZoneOffset.UTC));
        BusFailure stale = assertThrows(BusFailure.class,
                () -> later.authorize(BusApi.START, START, headers(operator.sign(BusApi.START, START))));
        assertTrue(stale.text().contains("from this agent's clock"), stale.text());
    }
}
