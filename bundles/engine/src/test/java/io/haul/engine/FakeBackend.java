package io.haul.engine;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.CriuDestinationSession;
import io.haul.api.backend.CriuSourceSession;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.SourcePlan;
import io.haul.api.backend.SourceSession;
import io.haul.api.criu.CriuOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend whose containers are plain processes of this JVM's host (named by pid), dumped and restored by the
 * engine's CRIU; it notes every session hook the engine calls, so a test can tell what was undone.
 */
final class FakeBackend implements ContainerBackend {

    static final String NAME = "fake";

    /** "source:check", "destination:abandoned"...: the hooks called, in order. */
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public Usability usability() {
        return Usability.yes();
    }

    @Override
    public List<ContainerInfo> list() {
        return List.of();
    }

    @Override
    public ContainerInfo inspect(String id) throws HaulException {
        long pid = Long.parseLong(id);
        if (ProcessHandle.of(pid).isEmpty()) {
            throw new HaulException("container.not-found", "no process " + pid);
        }
        return new ContainerInfo(new ContainerRef(NAME, id), pid, "sleep", 1, 1 << 20, Set.of(), true, "", Map.of());
    }

    @Override
    public SourceSession openSource(ContainerInfo container, MigrationFolders folders) {
        return new CriuSourceSession() {
            @Override
            public SourcePlan check() throws HaulException {
                calls.add("source:check");
                ContainerInfo now = inspect(container.ref().id());
                return new SourcePlan(now, new ContainerManifest(NAME, container.ref().id(), Map.of("pid",
                        container.ref().id())));
            }

            @Override
            public CriuOptions dumpOptions() {
                return CriuOptions.NONE;
            }

            @Override
            public void lockNetwork() {
                calls.add("source:lockNetwork");
            }

            @Override
            public void unlockNetwork() {
                calls.add("source:unlockNetwork");
            }

            @Override
            public void committed() {
                calls.add("source:committed");
            }

            @Override
            public void rolledBack() {
                calls.add("source:rolledBack");
            }

            @Override
            public void close() {
                calls.add("source:close");
            }
        };
    }

    @Override
    public DestinationSession openDestination(ContainerManifest manifest, MigrationFolders folders) {
        return new CriuDestinationSession() {
            @Override
            public CriuOptions restoreOptions() {
                return CriuOptions.NONE;
            }

            @Override
            public void prepare() {
                calls.add("destination:prepare");
            }

            @Override
            public void committed(long rootPid) {
                calls.add("destination:committed");
            }

            @Override
            public void abandoned() {
                calls.add("destination:abandoned");
            }

            @Override
            public void close() {
                calls.add("destination:close");
            }
        };
    }
}
