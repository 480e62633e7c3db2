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

    /** The detail {@link #judged} adds to a container some of whose tasks made namespaces of their own: "mnt,net". */
    String NESTED_DETAIL = "nestedNamespaces";

    /**
     * The detail {@link #judged} adds to every container: how its network moves, as the net namespace handler judges
     * its namespace ("veth eth0 on bridge haulbr0 (host end hnet1), 169.254.91.50/24: moves, ...", "host network:
     * the host's addresses stay behind", "refused: ..."), whatever its backend.
     */
    String NETWORK_DETAIL = "networkMove";

    /**
     * The detail {@link #judged} adds to a container with a network namespace of its own: the addresses of its
     * interfaces there but loopback's, {@code address/prefix} separated by spaces.
     */
    String ADDRESSES_DETAIL = "addresses";

    /** The container named, looked up through its backend: {@code container.not-found} when there is none. */
    NamespaceReport report(ContainerRef container) throws HaulException;

    /** A container a backend listed just now. */
    NamespaceReport report(ContainerInfo container);

    /**
     * A listed container as the checks would find it, for listings (haul:ps, the event bus's containers): one its
     * backend can move is still not migratable when its namespace tree is refused, with that refusal as the reason,
     * one with nesting carries {@link #NESTED_DETAIL}, and each carries {@link #NETWORK_DETAIL} and, with a network
     * namespace of its own, {@link #ADDRESSES_DETAIL}. A container gone meanwhile comes back as it was listed.
     */
    ContainerInfo judged(ContainerInfo container);
}
