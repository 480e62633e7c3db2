package io.haul.host.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.api.HaulException;
import io.haul.host.exec.BoundedCommand;
import io.haul.json.HaulJson;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The interfaces of a network namespace, read with iproute2's JSON output ({@code ip -j -d addr show}): the
 * agent's own namespace (the host's), or the one a process is in (through {@code nsenter --net}).
 */
public final class IpLinks {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private IpLinks() {
    }

    /** The host's interfaces: those of the agent's own network namespace. */
    public static List<NetLink> here() throws HaulException {
        return parse(run(List.of("ip", "-j", "-d", "addr", "show"), "this host"));
    }

    /** The interfaces of the network namespace process {@code pid} is in. */
    public static List<NetLink> ofProcess(long pid) throws HaulException {
        return parse(run(List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "ip", "-j", "-d", "addr", "show"),
                "the network namespace of pid " + pid));
    }

    /** The link named {@code name} among {@code links}. */
    public static Optional<NetLink> named(List<NetLink> links, String name) {
        return links.stream().filter(link -> link.name().equals(name)).findFirst();
    }

    /** Reads {@code ip -j -d addr show}'s output. */
    static List<NetLink> parse(String json) throws HaulException {
        JsonNode root;
        try {
            root = HaulJson.read(json, JsonNode.class);
        } catch (RuntimeException e) {
            throw new HaulException("network.tool-failed", "ip printed something that is not its JSON: " + e.getMessage());
        }
        List<NetLink> links = new ArrayList<>();
        for (JsonNode link : root) {
            List<NetAddress> addresses = new ArrayList<>();
            for (JsonNode address : link.path("addr_info")) {
                addresses.add(new NetAddress(address.path("family").asText(), address.path("local").asText(),
                        address.path("prefixlen").asInt(), address.path("scope").asText()));
            }
            List<String> flags = new ArrayList<>();
            link.path("flags").forEach(flag -> flags.add(flag.asText()));
            links.add(new NetLink(link.path("ifindex").asInt(), link.path("ifname").asText(),
                    link.path("linkinfo").path("info_kind").asText(""),
                    link.path("address").asText("").toLowerCase(Locale.ROOT), link.path("mtu").asInt(),
                    flags.contains("UP"), link.path("master").asText(""), link.path("link_index").asInt(-1),
                    link.has("link_netnsid"), addresses));
        }
        return links;
    }

    static String run(List<String> command, String where) throws HaulException {
        try {
            BoundedCommand.Result result = BoundedCommand.run(command, TIMEOUT);
            if (result.timedOut() || result.exitCode() != 0) {
                throw new HaulException("network.tool-failed", "cannot list the interfaces of " + where + ": "
                        + String.join(" ", command) + (result.timedOut() ? " did not finish" : " failed") + ": "
                        + BoundedCommand.lastLines(result.output(), 400).strip());
            }
            return result.output();
        } catch (IOException e) {
            throw new HaulException("network.tool-failed", "cannot run " + command.getFirst() + " (iproute2, "
                    + "util-linux): " + e.getMessage());
        }
    }
}
