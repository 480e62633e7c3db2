package io.haul.backend.process;

import io.haul.api.namespace.NamespaceKind;
import java.util.Set;

/**
 * A process tree in its own PID namespace, as seen at one moment.
 *
 * @param rootPid       host pid of the namespace's init (pid 1 inside)
 * @param pidNamespace  the namespace's identity, the text of the {@code ns/pid} link
 * @param command       the root's command line, for people
 * @param processes     processes in the namespace
 * @param rssBytes      their resident memory together
 * @param ownNamespaces the kinds whose namespace the root does not share with the agent
 * @param sessionId     the root's session id (host numbering; 0 when not visible)
 * @param whyNot        why it cannot be migrated, empty when it can
 */
record FoundTree(long rootPid, String pidNamespace, String command, int processes, long rssBytes,
        Set<NamespaceKind> ownNamespaces, long sessionId, String whyNot) {

    FoundTree {
        ownNamespaces = Set.copyOf(ownNamespaces);
    }

    boolean migratable() {
        return whyNot.isEmpty();
    }
}
