package io.haul.engine;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.namespace.ContainerNamespaces;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceReport;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.host.proc.Namespaces;
import java.util.LinkedHashMap;
import java.util.Map;
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
        return NamespacePlanning.report(plugins, Namespaces.system().treeOf(container.rootPid()), container.ref());
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
        boolean migratable = container.migratable() && report.movable();
        String whyNot = container.migratable() ? report.refusal() : container.whyNot();
        return new ContainerInfo(container.ref(), container.rootPid(), container.command(), container.processes(),
                container.rssBytes(), container.ownNamespaces(), migratable, whyNot, details);
    }
}
