package io.haul.shell;

import io.haul.api.backend.ContainerBackend;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.transport.Transport;

/** The four kinds of swappable plugin, each an SPI of the API bundle named by one service property. */
public enum PluginKind {
    BACKEND(ContainerBackend.class, ContainerBackend.NAME),
    STRATEGY(PreDumpStrategy.class, PreDumpStrategy.NAME),
    HANDLER(NamespaceHandler.class, NamespaceHandler.KIND),
    TRANSPORT(Transport.class, Transport.NAME);

    private final Class<?> service;
    private final String nameProperty;

    PluginKind(Class<?> service, String nameProperty) {
        this.service = service;
        this.nameProperty = nameProperty;
    }

    public Class<?> service() {
        return service;
    }

    /** The service property that holds a plugin's name. */
    public String nameProperty() {
        return nameProperty;
    }
}
