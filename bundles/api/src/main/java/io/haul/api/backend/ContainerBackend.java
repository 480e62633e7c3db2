package io.haul.api.backend;

import io.haul.api.HaulException;
import io.haul.api.Plugin;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One kind of container (process tree, Docker, runc, LXC...). Registered as a service with the property
 * {@link #NAME} (write {@code @HaulBackend("name")}); the engine picks it by the backend part of a
 * {@code backend:id} reference. A backend that goes away during a migration fails that migration, which then
 * rolls back.
 *
 * <p>A migration opens one session of the backend on each side ({@link #openSource}, {@link #openDestination}),
 * which holds the migration's state from the first check to the end and contributes to each phase. There are two
 * kinds, by who runs CRIU: the engine, with what the session contributes ({@link CriuSourceSession},
 * {@link CriuDestinationSession}: process trees), or the container's runtime, while Haul holds CRIU at the
 * commit point ({@link RuntimeSourceSession}, {@link RuntimeDestinationSession}: Docker, runc; the hold
 * machinery is the criu bundle's {@code io.haul.criu.hold}).
 */
@ConsumerType
public interface ContainerBackend extends Plugin {

    /** Service property: the backend's name, the part before ':' in a container reference. */
    String NAME = "haul.backend";

    /** The containers on this host, migratable or not (then with the reason). */
    List<ContainerInfo> list() throws HaulException;

    /** One container; {@code container.not-found} when there is none with that id. */
    ContainerInfo inspect(String id) throws HaulException;

    /** Source side: the session of one migration of {@code container}, which runs now. */
    SourceSession openSource(ContainerInfo container, MigrationFolders folders) throws HaulException;

    /** Destination side: the session of one migration of the container the source's manifest describes. */
    DestinationSession openDestination(ContainerManifest manifest, MigrationFolders folders) throws HaulException;

    /**
     * Recovery on the source: {@code id} moved to another host (its migration passed the commit point) while this
     * agent was away, and the engine has killed what was left of its tree here. What this host's runtime still keeps
     * of it goes too (a stopped container). Nothing by default: a process tree leaves nothing else.
     */
    default void movedAway(String id) throws HaulException {
    }
}
