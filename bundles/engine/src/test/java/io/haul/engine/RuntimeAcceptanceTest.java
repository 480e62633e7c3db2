package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeSourceSession;
import io.haul.api.backend.SourcePlan;
import io.haul.api.backend.SourceSession;
import io.haul.api.criu.CriuOptions;
import io.haul.api.plugin.PluginKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** haul:ps asks a runtime-driven backend what the checks ask it: whether it can pass the handlers' options. */
class RuntimeAcceptanceTest {

    private static final CriuOptions AUTO_EXTERNAL = CriuOptions.NONE.withExternal("mnt[]");

    @Test
    void aRuntimeThatCannotPassTheHandlersOptionsRefusesAsTheChecksWould() {
        RuntimeBackend runtime = new RuntimeBackend();
        FakePlugins plugins = new FakePlugins().with(PluginKind.BACKEND, "rt", runtime);
        ContainerInfo container = container("rt");

        Optional<String> refusal = RuntimeAcceptance.refusal(plugins, container, AUTO_EXTERNAL);
        assertTrue(refusal.orElse("").startsWith("[check.runtime] this container's runtime cannot pass these options"
                + " to CRIU"), refusal.toString());
        assertEquals(List.of("closed"), runtime.calls, "the session opened only to ask is closed");
        assertEquals(Optional.empty(), RuntimeAcceptance.refusal(plugins, container, CriuOptions.NONE),
                "nothing to pass, nothing to refuse");
    }

    @Test
    void theEnginesOwnCriuTakesEveryOption() {
        FakePlugins plugins = new FakePlugins().with(PluginKind.BACKEND, FakeBackend.NAME, new FakeBackend());
        assertEquals(Optional.empty(), RuntimeAcceptance.refusal(plugins, container(FakeBackend.NAME), AUTO_EXTERNAL));
        assertEquals(Optional.empty(), RuntimeAcceptance.refusal(new FakePlugins(), container("gone"), AUTO_EXTERNAL),
                "a backend gone meanwhile: the listing's word stands");
    }

    private static ContainerInfo container(String backend) {
        return new ContainerInfo(new ContainerRef(backend, "c1"), 1, "sh", 1, 0, Set.of(), true, "", Map.of());
    }

    /** A backend whose runtime runs CRIU and accepts only no options (RuntimeSourceSession's default). */
    private static final class RuntimeBackend implements ContainerBackend {
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Usability usability() {
            return Usability.yes();
        }

        @Override
        public List<ContainerInfo> list() {
            return List.of();
        }

        @Override
        public ContainerInfo inspect(String id) {
            return container("rt");
        }

        @Override
        public SourceSession openSource(ContainerInfo container, MigrationFolders folders) {
            return new RuntimeSourceSession() {
                @Override
                public SourcePlan check() {
                    throw new AssertionError("a listing never checks");
                }

                @Override
                public HeldCheckpoint checkpoint(CriuOptions contributions) {
                    throw new AssertionError("a listing never dumps");
                }

                @Override
                public void close() {
                    calls.add("closed");
                }
            };
        }

        @Override
        public DestinationSession openDestination(ContainerManifest manifest, MigrationFolders folders) {
            throw new AssertionError("not asked");
        }
    }
}
