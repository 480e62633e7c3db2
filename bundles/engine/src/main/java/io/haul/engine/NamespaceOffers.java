package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceOffer;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.UserNamespaceLimits;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import io.haul.protocol.v1.Capabilities;
import io.haul.protocol.v1.IdRange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The handshake's namespace offers: what an agent can rebuild of each namespace kind (its kernel's kind, its CRIU's
 * features for it, its handler's limits), made by the destination for its capabilities and judged by the source
 * against its plans before it sends the Prepare, so that a tree the destination cannot rebuild is refused in CHECKS
 * with the reason, without the destination opening anything. A destination that sent no offer for a kind (an agent
 * before offers) is left to judge the Prepare itself.
 */
final class NamespaceOffers {

    private NamespaceOffers() {
    }

    /** This agent's offers, one per kind it has a usable handler for; a handler whose limits fail offers none. */
    static Map<String, io.haul.protocol.v1.NamespaceOffer> local(HostReport report, PluginDirectory plugins) {
        Map<String, io.haul.protocol.v1.NamespaceOffer> offers = new LinkedHashMap<>();
        for (String kind : plugins.usableNames(PluginKind.HANDLER)) {
            var offer = io.haul.protocol.v1.NamespaceOffer.newBuilder()
                    .setKernelHasKind(report.has(KernelFeature.namespace(kind)));
            for (String feature : KernelFeature.CRIU_NAMESPACE_FEATURES.getOrDefault(kind, List.of())) {
                offer.putCriuFeatures(feature, report.has(KernelFeature.criu(feature)));
            }
            var lease = plugins.lease(PluginKind.HANDLER, kind);
            if (lease.isEmpty()) {
                continue; // gone meanwhile
            }
            try (var handler = lease.get()) {
                handler.service().limits().ifPresent(limits -> offer.setUserNamespaces(toWire(limits)));
            } catch (HaulException e) {
                continue; // the Prepare's checks will say why
            }
            offers.put(kind, offer.build());
        }
        return offers;
    }

    /**
     * The source: refuses the first plan the destination's offers say it cannot rebuild, naming the destination,
     * the kind and what it lacks; {@code handlers} gives the source's handler of a kind, to judge its own limits.
     */
    static void check(List<NamespacePlan> plans, Capabilities destination, String name,
            Function<NamespaceKind, Optional<NamespaceHandler>> handlers) throws MigrationFailure {
        for (NamespacePlan plan : plans) {
            var wire = destination.getNamespaceOffersMap().get(plan.kind().procName());
            if (!plan.own() || wire == null) {
                continue;
            }
            String kind = plan.kind().procName();
            if (!wire.getKernelHasKind()) {
                throw new MigrationFailure("check.namespace-kernel", name + "'s kernel has no " + kind + " namespaces,"
                        + " and the container has its own; move it to a host whose kernel has them");
            }
            for (var feature : wire.getCriuFeaturesMap().entrySet()) {
                if (!feature.getValue()) {
                    throw new MigrationFailure("check.namespace-criu", name + "'s CRIU lacks its " + feature.getKey()
                            + " feature (criu check --feature " + feature.getKey() + " fails there), which making the"
                            + " container's " + kind + " namespace needs; upgrade CRIU there (./haul setup) or move it"
                            + " to a host whose CRIU has it");
                }
            }
            Optional<NamespaceHandler> handler = handlers.apply(plan.kind());
            if (handler.isPresent()) {
                try {
                    handler.get().checkOffer(plan, fromWire(plan.kind(), wire), name);
                } catch (HaulException e) {
                    throw MigrationFailure.of(e);
                }
            }
        }
    }

    static NamespaceOffer fromWire(NamespaceKind kind, io.haul.protocol.v1.NamespaceOffer wire) {
        Optional<UserNamespaceLimits> user = wire.hasUserNamespaces() ? Optional.of(fromWire(wire.getUserNamespaces()))
                : Optional.empty();
        return new NamespaceOffer(kind, wire.getKernelHasKind(), wire.getCriuFeaturesMap(), user);
    }

    private static UserNamespaceLimits fromWire(io.haul.protocol.v1.UserNamespaceLimits wire) {
        return new UserNamespaceLimits(wire.getMaxUserNamespaces(), ranges(wire.getSubordinateUidsList()),
                ranges(wire.getSubordinateGidsList()), wire.getUidsFrom(), wire.getGidsFrom());
    }

    private static List<UserNamespaceLimits.IdRange> ranges(List<IdRange> wire) {
        return wire.stream().map(r -> new UserNamespaceLimits.IdRange(r.getFirst(), r.getCount())).toList();
    }

    static io.haul.protocol.v1.UserNamespaceLimits toWire(UserNamespaceLimits limits) {
        var wire = io.haul.protocol.v1.UserNamespaceLimits.newBuilder()
                .setMaxUserNamespaces(limits.maxUserNamespaces())
                .setUidsFrom(limits.uidsFrom()).setGidsFrom(limits.gidsFrom());
        limits.uids().forEach(r -> wire.addSubordinateUids(IdRange.newBuilder().setFirst(r.first()).setCount(r.count())));
        limits.gids().forEach(r -> wire.addSubordinateGids(IdRange.newBuilder().setFirst(r.first()).setCount(r.count())));
        return wire.build();
    }
}
