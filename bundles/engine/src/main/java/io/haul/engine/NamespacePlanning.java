package io.haul.engine;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceReport;
import io.haul.api.namespace.NamespaceTree;
import io.haul.api.namespace.NamespaceVerdict;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The source's checks of a container's namespaces: every kind of which it uses an instance that is not the
 * host's needs a usable handler here, and each handler plans its kind over the whole tree (or refuses, naming
 * the task, the kind and the inode), before anything freezes. A handler of a kind the container shares with the
 * host plans it too: what the container holds of the host's instance may be what cannot move (a socket bound to
 * the host's address).
 */
final class NamespacePlanning {

    /** The handlers' plans, and their contributions to CRIU's dump merged. */
    record Plans(List<NamespacePlan> plans, CriuOptions dump) {
    }

    private NamespacePlanning() {
    }

    static Plans plan(PluginDirectory plugins, NamespaceTree tree, ContainerRef container) throws MigrationFailure {
        List<NamespacePlan> plans = new ArrayList<>();
        CriuOptions dump = CriuOptions.NONE;
        for (NamespaceKind kind : tree.kinds()) {
            boolean own = tree.kindsToMove().contains(kind);
            var lease = plugins.lease(PluginKind.HANDLER, kind.procName());
            if (lease.isEmpty() && !own) {
                continue; // the host's instance, and nobody here to say what of it the container holds
            }
            try (var handler = lease.orElseThrow(() ->
                    new MigrationFailure("check.namespace", container + " has its own " + kind.procName()
                            + " namespace and no handler for those is registered here"))) {
                if (!handler.service().usability().usable() && !own) {
                    continue;
                }
                if (!handler.service().usability().usable()) {
                    throw new MigrationFailure("check.namespace", "the " + kind.procName()
                            + " namespace handler is not usable here: " + handler.service().usability().reason());
                }
                NamespacePlan plan = handler.service().plan(tree);
                plans.add(plan);
                dump = dump.merge(plan.dump());
            } catch (HaulException e) {
                throw MigrationFailure.of(e);
            } catch (IllegalArgumentException e) {
                throw new MigrationFailure("check.namespace", container + ": the namespace handlers disagree: "
                        + e.getMessage());
            }
        }
        return new Plans(plans, dump);
    }

    /**
     * The tree judged for people, instance by instance, by the same handlers, and the refusal {@link #plan} would
     * throw in the checks ("" when it would not): what haul:namespaces prints and haul:ps consults.
     */
    static NamespaceReport report(PluginDirectory plugins, NamespaceTree tree, ContainerRef container) {
        List<NamespaceVerdict> verdicts = new ArrayList<>();
        for (NamespaceKind kind : tree.kinds()) {
            var lease = plugins.lease(PluginKind.HANDLER, kind.procName());
            if (lease.isEmpty()) {
                for (NamespaceInstance instance : tree.of(kind)) {
                    verdicts.add(instance.place() == NamespaceInstance.Place.HOST
                            ? new NamespaceVerdict(instance, NamespaceVerdict.Action.STAYS_THE_HOSTS, "")
                            : new NamespaceVerdict(instance, NamespaceVerdict.Action.REFUSED, "no handler for "
                                    + kind.procName() + " namespaces is registered here"));
                }
                continue;
            }
            try (var handler = lease.get()) {
                verdicts.addAll(handler.service().verdicts(tree));
            }
        }
        String refusal = "";
        try {
            plan(plugins, tree, container);
        } catch (MigrationFailure e) {
            refusal = "[" + e.code() + "] " + e.getMessage();
        }
        return new NamespaceReport(container, tree.rootPid(), tree, verdicts, refusal);
    }
}
