package io.haul.api.namespace;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.backend.ContainerInfo;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A container's namespace tree judged by the namespace handlers registered now, with the very planning the source's
 * checks run before a migration: the shell's {@code haul:namespaces} and {@code haul:ps} ask it.
 */
@ProviderType
public interface ContainerNamespaces {

    /** The container named, looked up through its backend: {@code container.not-found} when there is none. */
    NamespaceReport report(ContainerRef container) throws HaulException;

    /** A container a backend listed just now. */
    NamespaceReport report(ContainerInfo container);
}
