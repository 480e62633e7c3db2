package io.haul.api.namespace;

import java.util.List;

/**
 * One namespace a container's tasks use: which kind, which instance (its inode, as {@code /proc/PID/ns/KIND}
 * names it), where it sits, and who uses it.
 *
 * @param kind        the kind
 * @param inode       the instance's inode: two tasks with the same inode share the namespace
 * @param place       the host's, the container's own, or nested below the container's
 * @param pids        the host pids of the container's tasks in it, the first one the topmost (parents first)
 * @param ownerUserNs the inode of the user namespace that owns it ({@code NS_GET_USERNS}), 0 where the kernel
 *                    does not tell
 * @param parent      for the hierarchical kinds (pid, user): the inode of its parent ({@code NS_GET_PARENT}), 0
 *                    where there is none visible or the kind has none
 */
public record NamespaceInstance(NamespaceKind kind, long inode, Place place, List<Long> pids, long ownerUserNs,
        long parent) {

    /** Where a namespace instance sits relative to the container. */
    public enum Place {
        /** The agent's own: the container shares it with the host. */
        HOST,
        /** The container's: its root task's, not the host's. */
        CONTAINER,
        /** Below the container's: some task of the container made one of its own. */
        NESTED
    }

    public NamespaceInstance {
        pids = List.copyOf(pids);
    }

    /** The topmost task in it. */
    public long firstPid() {
        return pids.getFirst();
    }

    @Override
    public String toString() {
        return kind.procName() + ":[" + inode + "] (" + place.name().toLowerCase(java.util.Locale.ROOT) + ", pids "
                + pids + ")";
    }
}
