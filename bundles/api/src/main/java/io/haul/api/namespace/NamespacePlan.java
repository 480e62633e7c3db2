package io.haul.api.namespace;

import io.haul.api.criu.CriuOptions;
import java.util.Map;

/**
 * How a handler moves the namespaces of its kind that a container uses: what the destination's handler needs to
 * know (as strings: it travels in the protocol) and what CRIU's dump must be told.
 *
 * @param kind  the kind
 * @param own   whether the container has any instance of this kind that is not the host's
 * @param facts handler-specific facts for the destination (interfaces, addresses, maps...)
 * @param dump  the handler's contribution to CRIU's dump
 */
public record NamespacePlan(NamespaceKind kind, boolean own, Map<String, String> facts, CriuOptions dump) {

    /**
     * The mnt plan's fact naming the tree's root file system on the source (a host path other than "/"), which Haul's
     * CRIU restores the tree into at the same path. A runtime that makes the container's root itself (LXC under its
     * own lxcpath) is prepared without it: that path is the source's, not where the root will be.
     */
    public static final String FACT_OWN_ROOT = "root";

    public NamespacePlan {
        facts = Map.copyOf(facts);
        dump = dump == null ? CriuOptions.NONE : dump;
    }

    /** The same plan without one of its facts. */
    public NamespacePlan withoutFact(String key) {
        Map<String, String> kept = new java.util.HashMap<>(facts);
        kept.remove(key);
        return new NamespacePlan(kind, own, kept, dump);
    }

    /** A kind CRIU moves by itself: nothing to tell either side. */
    public static NamespacePlan movedByCriu(NamespaceKind kind) {
        return new NamespacePlan(kind, true, Map.of(), CriuOptions.NONE);
    }
}
