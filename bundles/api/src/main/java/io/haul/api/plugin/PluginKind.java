package io.haul.api.plugin;

import io.haul.api.Plugin;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.transport.Transport;
import java.util.List;

/**
 * One kind of plugin: the service interface it registers under and the service property that names it.
 *
 * @param <T> the service interface
 */
public final class PluginKind<T extends Plugin> {

    public static final PluginKind<ContainerBackend> BACKEND =
            new PluginKind<>("BACKEND", "backends", ContainerBackend.class, ContainerBackend.NAME);
    public static final PluginKind<PreDumpStrategy> STRATEGY =
            new PluginKind<>("STRATEGY", "strategies", PreDumpStrategy.class, PreDumpStrategy.NAME);
    public static final PluginKind<NamespaceHandler> HANDLER =
            new PluginKind<>("HANDLER", "namespace handlers", NamespaceHandler.class, NamespaceHandler.KIND);
    public static final PluginKind<Transport> TRANSPORT =
            new PluginKind<>("TRANSPORT", "transports", Transport.class, Transport.NAME);
    public static final List<PluginKind<?>> ALL = List.of(BACKEND, STRATEGY, HANDLER, TRANSPORT);

    private final String name;
    private final String plural;
    private final Class<T> service;
    private final String nameProperty;

    private PluginKind(String name, String plural, Class<T> service, String nameProperty) {
        this.name = name;
        this.plural = plural;
        this.service = service;
        this.nameProperty = nameProperty;
    }

    /** For scripts: "BACKEND", "STRATEGY", "HANDLER", "TRANSPORT". */
    public String name() {
        return name;
    }

    /** For people: "backends", "strategies", "namespace handlers", "transports". */
    public String plural() {
        return plural;
    }

    public Class<T> service() {
        return service;
    }

    /** The service property whose value is a plugin's name ({@code haul.backend}...). */
    public String nameProperty() {
        return nameProperty;
    }

    @Override
    public String toString() {
        return name;
    }
}
