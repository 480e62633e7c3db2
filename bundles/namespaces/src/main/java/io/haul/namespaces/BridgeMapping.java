package io.haul.namespaces;

import java.util.HashMap;
import java.util.Map;

/** Which bridge of this host stands for a source's bridge: the configured one, else the one of the same name. */
record BridgeMapping(Map<String, String> named) {

    static final BridgeMapping SAME_NAMES = new BridgeMapping(Map.of());

    BridgeMapping {
        named = Map.copyOf(named);
    }

    /** From {@code SOURCE=HERE} entries; a malformed one says which. */
    static BridgeMapping parse(String[] entries) {
        Map<String, String> named = new HashMap<>();
        for (String entry : entries) {
            String[] parts = entry.strip().split("=", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("a bridge mapping is SOURCE=HERE, not '" + entry + "'");
            }
            named.put(parts[0].strip(), parts[1].strip());
        }
        return new BridgeMapping(named);
    }

    String here(String sourceBridge) {
        return named.getOrDefault(sourceBridge, sourceBridge);
    }
}
