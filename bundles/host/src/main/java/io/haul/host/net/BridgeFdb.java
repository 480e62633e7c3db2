package io.haul.host.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.api.HaulException;
import io.haul.json.HaulJson;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A bridge's forwarding table in this host's network namespace ({@code bridge -j fdb show br B}). */
public final class BridgeFdb {

    private BridgeFdb() {
    }

    /** The port the bridge forwards frames for {@code mac} to, if it has learnt one. */
    public static Optional<String> portOf(String bridge, String mac) throws HaulException {
        String json = IpLinks.run(List.of("bridge", "-j", "fdb", "show", "br", bridge), "the bridge " + bridge);
        String wanted = mac.toLowerCase(Locale.ROOT);
        try {
            for (JsonNode entry : HaulJson.read(json, JsonNode.class)) {
                if (entry.path("mac").asText().equalsIgnoreCase(wanted) && !entry.path("ifname").asText().equals(bridge)
                        && !"permanent".equals(entry.path("state").asText())) {
                    return Optional.of(entry.path("ifname").asText());
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            throw new HaulException("network.tool-failed", "bridge printed something that is not its JSON: "
                    + e.getMessage());
        }
    }
}
