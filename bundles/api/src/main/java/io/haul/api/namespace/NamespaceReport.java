package io.haul.api.namespace;

import io.haul.api.ContainerRef;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A container's namespace tree and what Haul will do with each instance: what {@code haul:namespaces} shows, and
 * what {@code haul:ps} consults, so that it never calls a container migratable that the checks would refuse.
 *
 * @param container the container
 * @param rootPid   its root task (host pid)
 * @param tree      every namespace instance its tasks use
 * @param verdicts  one per instance, by kind in the tree's order
 * @param refusal   why a migration of it would be refused in the checks, as the checks say it; "" when it would not
 *                  (the destination's own checks aside)
 */
public record NamespaceReport(ContainerRef container, long rootPid, NamespaceTree tree, List<NamespaceVerdict> verdicts,
        String refusal) {

    public NamespaceReport {
        verdicts = List.copyOf(verdicts);
        refusal = refusal == null ? "" : refusal;
    }

    public boolean movable() {
        return refusal.isEmpty();
    }

    /** The kinds of which some task of the container made an instance below the container's own. */
    public Set<NamespaceKind> nestedKinds() {
        Set<NamespaceKind> kinds = EnumSet.noneOf(NamespaceKind.class);
        tree.instances().values().forEach(list -> list.stream()
                .filter(i -> i.place() == NamespaceInstance.Place.NESTED).forEach(i -> kinds.add(i.kind())));
        return kinds;
    }
}
