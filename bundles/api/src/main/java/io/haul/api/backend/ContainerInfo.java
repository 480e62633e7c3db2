package io.haul.api.backend;

import io.haul.api.ContainerRef;
import io.haul.api.namespace.NamespaceKind;
import java.util.Map;
import java.util.Set;

/**
 * A container a backend found on this host.
 *
 * @param ref            how to name it in a migration
 * @param rootPid        the host pid of its root process, the one CRIU dumps from
 * @param command        the root process's command line, for people
 * @param processes      how many processes the tree has now
 * @param rssBytes       resident memory of the whole tree
 * @param ownNamespaces  the namespace kinds the tree does not share with the host
 * @param migratable     whether the backend can move it
 * @param whyNot         when not migratable, why
 * @param details        backend-specific facts for people (image, state, ...)
 */
public record ContainerInfo(ContainerRef ref, long rootPid, String command, int processes, long rssBytes,
        Set<NamespaceKind> ownNamespaces, boolean migratable, String whyNot, Map<String, String> details) {

    public ContainerInfo {
        ownNamespaces = Set.copyOf(ownNamespaces);
        details = Map.copyOf(details);
        whyNot = whyNot == null ? "" : whyNot;
    }
}
