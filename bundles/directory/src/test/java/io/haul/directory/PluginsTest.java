package io.haul.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.plugin.PluginDescription;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreCopyContext;
import io.haul.api.strategy.PreDumpStrategy;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginsTest {

    private final Plugins plugins = new Plugins();

    /** A strategy that answers with a given usability, or throws. */
    private record Strategy(Usability answer) implements PreDumpStrategy {
        @Override
        public Usability usability() {
            if (answer == null) {
                throw new IllegalStateException("probe broke");
            }
            return answer;
        }

        @Override
        public PreCopy start(PreCopyContext context) throws HaulException {
            throw new HaulException("unused", "not started in this test");
        }
    }

    private static Registered registered(String name, long id, Usability usability) {
        return new Registered(name, new Strategy(usability), "io.haul.test", "1.0.0", id);
    }

    @Test
    void aLeaseNamesTheFirstRegisteredPluginAndSaysWhenItWentAway() {
        Registered first = registered("vmread", 7, Usability.yes());
        plugins.add(PluginKind.STRATEGY, first);
        plugins.add(PluginKind.STRATEGY, registered("vmread", 9, Usability.yes()));

        PluginLease<PreDumpStrategy> lease = plugins.lease(PluginKind.STRATEGY, "vmread").orElseThrow();
        assertSame(first.service(), lease.service(), "of two with one name, the first registered");
        assertFalse(lease.gone());

        plugins.remove(PluginKind.STRATEGY, 7);
        assertTrue(lease.gone(), "the leased plugin was unregistered");
        assertFalse(plugins.lease(PluginKind.STRATEGY, "vmread").orElseThrow().gone(), "the other one serves now");
        assertTrue(plugins.lease(PluginKind.BACKEND, "vmread").isEmpty(), "kinds do not mix");
    }

    @Test
    void listsNamesUsableOnesAndDescribesWhyOthersAreNot() {
        plugins.add(PluginKind.STRATEGY, registered("vmread", 1, Usability.yes()));
        plugins.add(PluginKind.STRATEGY, registered("criu", 2, Usability.no("no soft-dirty here")));
        plugins.add(PluginKind.STRATEGY, registered("broken", 3, null));

        assertEquals(List.of("broken", "criu", "vmread"), plugins.names(PluginKind.STRATEGY));
        assertEquals(List.of("vmread"), plugins.usableNames(PluginKind.STRATEGY));
        List<PluginDescription> described = plugins.describe(PluginKind.STRATEGY);
        assertEquals("no soft-dirty here", described.get(1).reason());
        assertTrue(described.get(0).reason().contains("probe broke"), described.get(0).reason());
        assertEquals("STRATEGY", described.get(2).kind());
    }
}
