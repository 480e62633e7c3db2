package io.haul.namespaces;

import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceTree;
import java.util.List;
import java.util.Map;

/** Namespace trees as the engine's discovery gives them, made up for handler tests. */
final class Trees {

    private Trees() {
    }

    static NamespaceInstance instance(NamespaceKind kind, long inode, Place place, Long... pids) {
        return new NamespaceInstance(kind, inode, place, List.of(pids), 4026531837L, 0);
    }

    static NamespaceTree tree(long root, NamespaceInstance... instances) {
        Map<NamespaceKind, List<NamespaceInstance>> byKind = new java.util.EnumMap<>(NamespaceKind.class);
        for (NamespaceInstance instance : instances) {
            byKind.computeIfAbsent(instance.kind(), k -> new java.util.ArrayList<>()).add(instance);
        }
        return new NamespaceTree(root, byKind);
    }
}
