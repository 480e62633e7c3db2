package io.haul.api.namespace;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every namespace instance every task of a container uses, by kind: the whole tree, not only the root task's set,
 * so that a namespace a descendant made is seen before anything freezes.
 *
 * @param rootPid   the container's root task (host pid)
 * @param instances for each kind, its instances, the container's own (or the host's) first, then nested ones
 */
public record NamespaceTree(long rootPid, Map<NamespaceKind, List<NamespaceInstance>> instances) {

    public NamespaceTree {
        Map<NamespaceKind, List<NamespaceInstance>> copy = new EnumMap<>(NamespaceKind.class);
        instances.forEach((kind, list) -> copy.put(kind, List.copyOf(list)));
        instances = Map.copyOf(copy);
    }

    /** The instances of one kind, empty when the kernel has no such kind. */
    public List<NamespaceInstance> of(NamespaceKind kind) {
        return instances.getOrDefault(kind, List.of());
    }

    /** Every kind of which the container's tasks use an instance, the host's included. */
    public Set<NamespaceKind> kinds() {
        return instances.isEmpty() ? java.util.EnumSet.noneOf(NamespaceKind.class)
                : java.util.EnumSet.copyOf(instances.keySet());
    }

    /** The kinds of which the container uses any instance that is not the host's: those a handler must move. */
    public Set<NamespaceKind> kindsToMove() {
        return instances.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(i -> i.place() != NamespaceInstance.Place.HOST))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(() -> java.util.EnumSet.noneOf(NamespaceKind.class)));
    }

    /** Whether some task of the container made a namespace of its own below the container's. */
    public boolean nested() {
        return instances.values().stream().flatMap(List::stream).anyMatch(i -> i.place() == NamespaceInstance.Place.NESTED);
    }
}
