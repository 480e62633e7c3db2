package io.haul.eventbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.eventbus.BusApi;
import org.junit.jupiter.api.Test;

class ForwardBudgetTest {

    private static final long CONFIGURED = 60_000;

    @Test
    void aForwardEndsBeforeTheSenderStopsListeningNotAfterTheConfiguredMinute() {
        ForwardBudget budget = ForwardBudget.of("30000", 2_000, CONFIGURED);
        assertEquals(30_000 - 2_000 - ForwardBudget.ANSWER_MILLIS, budget.millis());
        assertTrue(budget.left());
    }

    @Test
    void aSenderThatSaysNothingIsTakenToWaitVertxsDefault() {
        assertEquals(BusApi.DEFAULT_WAIT_MILLIS - ForwardBudget.ANSWER_MILLIS, ForwardBudget.of(null, 0, CONFIGURED).millis());
        assertEquals(BusApi.DEFAULT_WAIT_MILLIS, ForwardBudget.of("soon", 0, CONFIGURED).senderWaitMillis());
    }

    @Test
    void aSenderThatWaitsLongerIsStillBoundByTheConfiguredTimeout() {
        assertEquals(CONFIGURED, ForwardBudget.of("600000", 0, CONFIGURED).millis());
    }

    @Test
    void aRequestThatSpentItsWaitHereHasNoTimeLeftToForward() {
        assertFalse(ForwardBudget.of("30000", 26_000, CONFIGURED).left());
        assertFalse(ForwardBudget.of("-5", 0, CONFIGURED).left());
    }
}
