package io.haul.shell;

import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.transport.Transport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Reads the plugins from the service registry at the moment of asking, so a bundle dropped into or removed
 * from the deploy folder shows at the next command without any caching to go stale.
 */
final class PluginRegistry {

    private final BundleContext context;

    PluginRegistry(BundleContext context) {
        this.context = context;
    }

    PluginList list(PluginKind kind) {
        List<PluginInfo> plugins = new ArrayList<>();
        for (ServiceReference<?> reference : references(kind, null)) {
            Bundle bundle = reference.getBundle();
            if (bundle == null) {
                continue; // unregistered while we looked
            }
            Usability usability = usability(kind, reference);
            plugins.add(new PluginInfo(kind, name(kind, reference), bundle.getSymbolicName(),
                    bundle.getVersion().toString(), usability.usable(), usability.reason()));
        }
        plugins.sort(Comparator.comparing(PluginInfo::name).thenComparing(PluginInfo::bundle));
        return new PluginList(kind, plugins);
    }

    /** The backends with this name (all of them when {@code name} is null), each with its name. */
    List<NamedBackend> backends(String name) {
        List<NamedBackend> backends = new ArrayList<>();
        for (ServiceReference<?> reference : references(PluginKind.BACKEND, name)) {
            Object service = context.getService(reference);
            if (service instanceof ContainerBackend backend) {
                backends.add(new NamedBackend(name(PluginKind.BACKEND, reference), backend, reference));
            }
        }
        backends.sort(Comparator.comparing(NamedBackend::name));
        return backends;
    }

    void release(NamedBackend backend) {
        context.ungetService(backend.reference());
    }

    /** A backend service, to be released with {@link #release} once used. */
    record NamedBackend(String name, ContainerBackend backend, ServiceReference<?> reference) {
    }

    private Usability usability(PluginKind kind, ServiceReference<?> reference) {
        Object service = context.getService(reference);
        if (service == null) {
            return Usability.no("the service went away or failed to activate");
        }
        try {
            return Optional.ofNullable(usabilityOf(kind).apply(service))
                    .orElse(Usability.no("the plugin gave no answer about its usability"));
        } catch (RuntimeException e) {
            return Usability.no("its usability check failed: " + e);
        } finally {
            context.ungetService(reference);
        }
    }

    private static Function<Object, Usability> usabilityOf(PluginKind kind) {
        return switch (kind) {
            case BACKEND -> s -> ((ContainerBackend) s).usability();
            case STRATEGY -> s -> ((PreDumpStrategy) s).usability();
            case HANDLER -> s -> ((NamespaceHandler) s).usability();
            case TRANSPORT -> s -> ((Transport) s).usability();
        };
    }

    private List<ServiceReference<?>> references(PluginKind kind, String name) {
        String filter = name == null ? null : "(" + kind.nameProperty() + "=" + escape(name) + ")";
        try {
            ServiceReference<?>[] found = context.getServiceReferences(kind.service().getName(), filter);
            return found == null ? List.of() : List.of(found);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a plugin name: " + name, e);
        }
    }

    private static String name(PluginKind kind, ServiceReference<?> reference) {
        Object name = reference.getProperty(kind.nameProperty());
        return name == null ? "(unnamed)" : String.valueOf(name);
    }

    private static String escape(String value) {
        StringBuilder escaped = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
