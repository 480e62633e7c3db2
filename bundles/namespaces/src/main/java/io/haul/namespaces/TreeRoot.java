package io.haul.namespaces;

import io.haul.host.proc.MountInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The root file system a tree's root task sees, as a path of the host: what CRIU's restore of a tree with a mount
 * namespace of its own is given as its root ({@code --root}). "/" for a tree that kept the host's, the folder it
 * pivoted into otherwise (an LXC or rootless container's root file system).
 */
final class TreeRoot {

    private TreeRoot() {
    }

    /**
     * @param inside the mounts of the root task's mount namespace
     * @param host   the host's mounts (the agent's)
     * @return the host path the namespace's root mount shows; empty when it cannot be told (the task is gone, or
     *         its root is on a file system the host has not mounted)
     */
    static Optional<String> hostPath(List<MountInfo> inside, List<MountInfo> host) {
        Set<Integer> ids = inside.stream().map(MountInfo::id).collect(Collectors.toSet());
        return inside.stream().filter(m -> m.mountPoint().equals("/") && !ids.contains(m.parent())).findFirst()
                .flatMap(m -> m.seenOnHostAt(host));
    }

    /** Whether the tree pivoted into a root of its own: its root mount shows a folder of the host other than "/". */
    static boolean pivoted(List<MountInfo> inside, List<MountInfo> host) {
        return hostPath(inside, host).filter(path -> !path.equals("/")).isPresent();
    }
}
