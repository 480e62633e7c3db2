package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceOffer;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceTree;
import io.haul.api.namespace.UserNamespaceLimits;
import io.haul.protocol.v1.Capabilities;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The source's judgement of the destination's handshake offers, before it asks the destination to prepare. */
class NamespaceOffersTest {

    private static final NamespacePlan OWN_USER = new NamespacePlan(NamespaceKind.USER, true,
            Map.of("uidMap", "0 100000 65536"), CriuOptions.NONE);
    private static final UserNamespaceLimits LIMITS = new UserNamespaceLimits(96367,
            List.of(new UserNamespaceLimits.IdRange(100000, 65536)), List.of(), "/etc/subuid", "/etc/subgid");

    /** A user handler that records the offers it is asked to judge and refuses when told to. */
    private static final class JudgingHandler implements NamespaceHandler {
        final List<NamespaceOffer> judged = new ArrayList<>();
        boolean refuse;

        @Override
        public Usability usability() {
            return Usability.yes();
        }

        @Override
        public NamespaceKind kind() {
            return NamespaceKind.USER;
        }

        @Override
        public NamespacePlan plan(NamespaceTree tree) {
            return OWN_USER;
        }

        @Override
        public CriuOptions prepare(NamespacePlan plan, Path migrationDir) {
            return CriuOptions.NONE;
        }

        @Override
        public void checkOffer(NamespacePlan plan, NamespaceOffer offer, String destination) throws HaulException {
            judged.add(offer);
            if (refuse) {
                throw new HaulException("namespace.user-ids", destination + " has not set aside those ids");
            }
        }
    }

    private static Capabilities offering(io.haul.protocol.v1.NamespaceOffer.Builder offer) {
        return Capabilities.newBuilder().putNamespaceOffers("user", offer.build()).build();
    }

    private static io.haul.protocol.v1.NamespaceOffer.Builder userOffer() {
        return io.haul.protocol.v1.NamespaceOffer.newBuilder().setKernelHasKind(true).putCriuFeatures("userns", true)
                .setUserNamespaces(NamespaceOffers.toWire(LIMITS));
    }

    private static void check(Capabilities destination, JudgingHandler handler) throws MigrationFailure {
        NamespaceOffers.check(List.of(OWN_USER), destination, "hostB",
                kind -> kind == NamespaceKind.USER ? Optional.of(handler) : Optional.empty());
    }

    @Test
    void theHandlerJudgesTheLimitsTheDestinationOffered() throws Exception {
        JudgingHandler handler = new JudgingHandler();
        check(offering(userOffer()), handler);
        assertEquals(List.of(LIMITS), handler.judged.stream().map(o -> o.userNamespaces().orElseThrow()).toList(),
                "the limits arrive as the destination sent them");

        handler.refuse = true;
        MigrationFailure refused = assertThrows(MigrationFailure.class, () -> check(offering(userOffer()), handler));
        assertEquals("namespace.user-ids", refused.code());
        assertTrue(refused.getMessage().contains("hostB"), refused.getMessage());
    }

    @Test
    void aKindTheDestinationsKernelOrCriuLacksIsRefusedSayingWhat() {
        JudgingHandler handler = new JudgingHandler();
        MigrationFailure kernel = assertThrows(MigrationFailure.class, () -> check(offering(userOffer()
                .setKernelHasKind(false)), handler));
        assertEquals("check.namespace-kernel", kernel.code());
        assertTrue(kernel.getMessage().contains("hostB's kernel has no user namespaces"), kernel.getMessage());

        MigrationFailure criu = assertThrows(MigrationFailure.class, () -> check(offering(userOffer()
                .putCriuFeatures("userns", false)), handler));
        assertEquals("check.namespace-criu", criu.code());
        assertTrue(criu.getMessage().contains("hostB's CRIU lacks its userns feature"), criu.getMessage());
        assertEquals(List.of(), handler.judged, "refused before the handler is asked");
    }

    @Test
    void aDestinationThatOfferedNothingIsLeftToItsOwnChecks() throws Exception {
        JudgingHandler handler = new JudgingHandler();
        handler.refuse = true;
        check(Capabilities.getDefaultInstance(), handler); // an agent before offers: the Prepare's checks judge
        NamespaceOffers.check(List.of(new NamespacePlan(NamespaceKind.USER, false, Map.of(), CriuOptions.NONE)),
                offering(userOffer().setKernelHasKind(false)), "hostB", kind -> Optional.of(handler));
        assertEquals(List.of(), handler.judged, "nothing judged for a kind the container does not own");
    }

    @Test
    void theOffersSurviveTheWire() throws Exception {
        Capabilities sent = offering(userOffer());
        Capabilities received = Capabilities.parseFrom(sent.toByteArray());
        NamespaceOffer offer = NamespaceOffers.fromWire(NamespaceKind.USER, received.getNamespaceOffersOrThrow("user"));
        assertEquals(new NamespaceOffer(NamespaceKind.USER, true, Map.of("userns", true), Optional.of(LIMITS)), offer);
    }
}
