package io.haul.engine;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.ContainerNamespaces;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceReport;
import io.haul.api.namespace.NamespaceTree;
import io.haul.api.namespace.NamespaceVerdict;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.host.net.IpLinks;
import io.haul.host.net.NetAddress;
import io.haul.host.proc.Namespaces;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * A container's namespace tree judged by the planning the source's checks run ({@link NamespacePlanning}), so that
 * what {@code haul:namespaces} and {@code haul:ps} say is what a migration would meet.
 */
@Component(service = ContainerNamespaces.class)
public final class NamespaceReports implements ContainerNamespaces {

    private final PluginDirectory plugins;

    @Activate
    public NamespaceReports(@Reference PluginDirectory plugins) {
        this.plugins = plugins;
    }

    @Override
    public NamespaceReport report(ContainerRef container) throws HaulException {
        try (var backend = plugins.lease(PluginKind.BACKEND, container.backend()).orElseThrow(() -> new HaulException(
                "backend.not-found", "no backend named '" + container.backend() + "' is registered; haul:backends"
                        + " lists them"))) {
            return report(backend.service().inspect(container.id()));
        }
    }

    @Override
    public NamespaceReport report(ContainerInfo container) {
        NamespaceTree tree = Namespaces.system().treeOf(container.rootPid());
        NamespaceReport report = NamespacePlanning.report(plugins, tree, container.ref());
        if (!report.movable()) {
            return report;
        }
        NamespacePlanning.Plans plans;
        try {
            plans = NamespacePlanning.plan(plugins, tree, container.ref());
        } catch (MigrationFailure e) {
            return report; // it changed between the two looks: the report's word stands, the checks look again
        }
        return RuntimeAcceptance.refusal(plugins, container, plans.dump())
                .map(why -> refusedByRuntime(report, plans, why)).orElse(report);
    }

    /**
     * The report with the runtime's refusal: each instance whose handler contributes to CRIU's dump is refused with
     * it, as the checks would refuse the migration (a runtime that runs CRIU itself cannot be told what Haul's CRIU
     * would be).
     */
    private static NamespaceReport refusedByRuntime(NamespaceReport report, NamespacePlanning.Plans plans,
            String why) {
        Set<NamespaceKind> contributing = plans.plans().stream()
                .filter(plan -> !plan.dump().equals(CriuOptions.NONE)).map(NamespacePlan::kind)
                .collect(Collectors.toSet());
        List<NamespaceVerdict> verdicts = report.verdicts().stream()
                .map(v -> contributing.contains(v.instance().kind()) && v.action() != NamespaceVerdict.Action.STAYS_THE_HOSTS
                        ? new NamespaceVerdict(v.instance(), NamespaceVerdict.Action.REFUSED, why) : v)
                .toList();
        return new NamespaceReport(report.container(), report.rootPid(), report.tree(), verdicts, why);
    }

    /** The net handler's verdict on the container's topmost network namespace (its own, or the host's), in words. */
    private static Optional<String> network(NamespaceReport report) {
        return report.verdicts().stream().filter(v -> v.instance().kind() == NamespaceKind.NET).findFirst()
                .map(v -> switch (v.action()) {
                    case REFUSED -> "refused: " + v.detail();
                    case STAYS_THE_HOSTS -> v.detail().isEmpty() ? "host network: stays behind" : v.detail();
                    case MOVED_BY_CRIU -> v.detail().isEmpty() ? "own namespace, no interface to the host: moved by CRIU"
                            : v.detail();
                    case MOVED_WITH_HAUL -> v.detail();
                });
    }

    /** The addresses in the container's own network namespace, but loopback's: the host's are the host's. */
    private static Optional<String> addresses(NamespaceReport report) {
        Optional<NamespaceInstance> own = report.tree().of(NamespaceKind.NET).stream()
                .filter(i -> i.place() == NamespaceInstance.Place.CONTAINER).findFirst();
        if (own.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(IpLinks.ofProcess(own.get().firstPid()).stream().filter(link -> !link.loopback())
                    .flatMap(link -> link.addresses().stream()).map(NetAddress::toString)
                    .collect(Collectors.joining(" ")));
        } catch (HaulException e) {
            return Optional.empty(); // gone meanwhile: the listing says what it knew
        }
    }

    @Override
    public ContainerInfo judged(ContainerInfo container) {
        NamespaceReport report;
        try {
            report = report(container);
        } catch (RuntimeException e) {
            return container; // it went away while we looked (a tree needs its root): its backend's word stands
        }
        Map<String, String> details = new LinkedHashMap<>(container.details());
        if (!report.nestedKinds().isEmpty()) {
            details.put(NESTED_DETAIL, report.nestedKinds().stream().map(NamespaceKind::procName)
                    .collect(Collectors.joining(",")));
        }
        network(report).ifPresent(how -> details.put(NETWORK_DETAIL, how));
        addresses(report).ifPresent(addresses -> details.put(ADDRESSES_DETAIL, addresses));
        boolean migratable = container.migratable() && report.movable();
        String whyNot = container.migratable() ? report.refusal() : container.whyNot();
        return new ContainerInfo(container.ref(), container.rootPid(), container.command(), container.processes(),
                container.rssBytes(), container.ownNamespaces(), migratable, whyNot, details);
    }
}
