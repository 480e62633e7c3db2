package io.haul.engine;

import io.haul.api.backend.ContainerBackend;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Finds plugins by name in the service registry at the moment they are needed, so the engine never names
 * an implementation and a plugin dropped in or removed counts from the next use on.
 */
final class Plugins {

    private final BundleContext context;

    Plugins(BundleContext context) {
        this.context = context;
    }

    Optional<Lease<ContainerBackend>> backend(String name) {
        return lease(ContainerBackend.class, ContainerBackend.NAME, name);
    }

    Optional<Lease<PreDumpStrategy>> strategy(String name) {
        return lease(PreDumpStrategy.class, PreDumpStrategy.NAME, name);
    }

    Optional<Lease<NamespaceHandler>> handler(String kind) {
        return lease(NamespaceHandler.class, NamespaceHandler.KIND, kind);
    }

    Optional<Lease<Transport>> transport(String name) {
        return lease(Transport.class, Transport.NAME, name);
    }

    /** The names of the usable plugins of a kind, for the capability exchange. */
    List<String> usableNames(Class<?> type, String nameProperty) {
        TreeSet<String> names = new TreeSet<>();
        for (ServiceReference<?> reference : references(type, nameProperty, null)) {
            Object service = context.getService(reference);
            try {
                if (service != null && usable(service)) {
                    names.add(String.valueOf(reference.getProperty(nameProperty)));
                }
            } finally {
                if (service != null) {
                    context.ungetService(reference);
                }
            }
        }
        return new ArrayList<>(names);
    }

    private static boolean usable(Object service) {
        try {
            return switch (service) {
                case ContainerBackend backend -> backend.usability().usable();
                case PreDumpStrategy strategy -> strategy.usability().usable();
                case NamespaceHandler handler -> handler.usability().usable();
                case Transport transport -> transport.usability().usable();
                default -> false;
            };
        } catch (RuntimeException e) {
            return false;
        }
    }

    private <T> Optional<Lease<T>> lease(Class<T> type, String nameProperty, String name) {
        for (ServiceReference<?> reference : references(type, nameProperty, name)) {
            Object service = context.getService(reference);
            if (type.isInstance(service)) {
                return Optional.of(new Lease<>(type.cast(service), () -> context.ungetService(reference)));
            }
        }
        return Optional.empty();
    }

    private List<ServiceReference<?>> references(Class<?> type, String nameProperty, String name) {
        String filter = name == null ? null : "(" + nameProperty + "=" + escape(name) + ")";
        try {
            ServiceReference<?>[] found = context.getServiceReferences(type.getName(), filter);
            return found == null ? List.of() : List.of(found);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a plugin name: " + name, e);
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }

    /** A plugin in use; closing it tells the registry we are done with it. */
    record Lease<T>(T service, Runnable release) implements AutoCloseable {

        @Override
        public void close() {
            release.run();
        }
    }
}
