package io.haul.docker;

import io.haul.api.HaulException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container's place on a user-defined Docker network, the one network mode whose address can move: the network
 * exists on both hosts with the same subnet on the segment they share (the bridge driver on the hosts' bridge), and
 * the container has a fixed address ({@code --ip}), so the destination's engine gives it the same address and
 * hardware address again and its TCP connections survive (CRIU's TCP repair). The container's network namespace is
 * the engine's, made again by the destination's engine before the restore; Haul's net handler checks the segment
 * and announces the address once the copy runs there.
 *
 * @param network  the network's name, the same on both hosts
 * @param driver   its driver on the source ({@code bridge})
 * @param subnets  its subnets on the source, which the destination's network of that name must have
 * @param address  the container's fixed IPv4 address on it
 * @param mac      its hardware address, given to the destination's engine so that peers' caches stay right
 * @param aliases  the names it has on the network beyond the engine's own (its short id)
 */
record DockerEndpoint(String network, String driver, List<String> subnets, String address, String mac,
        List<String> aliases) {

    /** The first network of each container: the engine names its interface so. */
    static final String INTERFACE = "eth0";

    DockerEndpoint {
        subnets = List.copyOf(subnets);
        aliases = List.copyOf(aliases);
    }

    /**
     * Why the container's network cannot move, for people ("" when it can, or has none): the default bridge (each
     * engine assigns its own address and NATs published ports), the host's network, another container's, more than
     * one network, an address the engine picked, published ports.
     */
    static String whyNot(ContainerView container) {
        String mode = container.hostConfig().getString("NetworkMode", "");
        String wayOut = "to move with its address and connections, run it on a user-defined network that exists with "
                + "the same subnet on both hosts, with a fixed address (docker network create --subnet SUBNET NET on "
                + "each host; docker run --network NET --ip ADDRESS --mac-address MAC)";
        if (mode.equals("none")) {
            return "";
        }
        if (mode.equals("default") || mode.equals("bridge")) {
            return "it is on Docker's default bridge network, where each engine gives its own address and NATs "
                    + "published ports, so its address and connections cannot move; " + wayOut;
        }
        if (mode.equals("host")) {
            return "its network mode is 'host' (--network host): it shares the host's network, whose addresses the "
                    + "destination does not have; " + wayOut;
        }
        if (mode.startsWith("container:")) {
            return "it shares the network of another container (--network " + mode + "), which does not move with it";
        }
        JsonObject networks = container.networks();
        if (networks.size() != 1 || !networks.containsKey(mode)) {
            return "it is on " + networks.size() + " networks (" + String.join(", ", networks.fieldNames())
                    + "); Haul moves a container on one user-defined network";
        }
        if (fixedAddress(networks.getJsonObject(mode)).isEmpty()) {
            return "its address on network '" + mode + "' was picked by the engine, and another engine would pick "
                    + "another, breaking its connections; start it with a fixed address: docker run --network " + mode
                    + " --ip ADDRESS --mac-address MAC";
        }
        JsonObject ports = container.hostConfig().getJsonObject("PortBindings", new JsonObject());
        if (ports != null && !ports.isEmpty()) {
            return "it publishes ports (" + String.join(", ", ports.fieldNames()) + ") on this host's addresses, "
                    + "which stay here; reach it at its own address on network '" + mode + "' instead";
        }
        return "";
    }

    /** Its endpoint, when it is on a user-defined network with a fixed address (see {@link #whyNot}). */
    static Optional<DockerEndpoint> of(ContainerView container, JsonObject networkInspect) {
        String mode = container.hostConfig().getString("NetworkMode", "");
        JsonObject settings = container.networks().getJsonObject(mode);
        if (settings == null) {
            return Optional.empty();
        }
        Optional<String> address = fixedAddress(settings);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        String shortId = container.id().substring(0, Math.min(12, container.id().length()));
        List<String> aliases = new ArrayList<>();
        settings.getJsonArray("Aliases", new JsonArray()).forEach(a -> {
            if (a instanceof String alias && !shortId.startsWith(alias) && !alias.equals(container.name())) {
                aliases.add(alias);
            }
        });
        return Optional.of(new DockerEndpoint(mode, networkInspect.getString("Driver", ""), subnets(networkInspect),
                address.get(), settings.getString("MacAddress", ""), aliases));
    }

    /** The subnets of a network as {@code GET /networks/{name}} shows them. */
    static List<String> subnets(JsonObject networkInspect) {
        List<String> subnets = new ArrayList<>();
        JsonObject ipam = networkInspect.getJsonObject("IPAM", new JsonObject());
        JsonArray config = ipam.getJsonArray("Config");
        if (config != null) {
            config.forEach(c -> {
                if (c instanceof JsonObject pool && !pool.getString("Subnet", "").isEmpty()) {
                    subnets.add(pool.getString("Subnet"));
                }
            });
        }
        return subnets;
    }

    /** The bridge a network of the bridge driver puts its containers' host ends on, on that engine's host. */
    static String bridgeOf(JsonObject networkInspect) {
        JsonObject options = networkInspect.getJsonObject("Options", new JsonObject());
        String named = options == null ? "" : options.getString("com.docker.network.bridge.name", "");
        String id = networkInspect.getString("Id", "");
        return !named.isEmpty() ? named : "br-" + id.substring(0, Math.min(12, id.length()));
    }

    private static Optional<String> fixedAddress(JsonObject settings) {
        JsonObject ipam = settings.getJsonObject("IPAMConfig");
        String address = ipam == null ? "" : ipam.getString("IPv4Address", "");
        return address == null || address.isEmpty() ? Optional.empty() : Optional.of(address);
    }

    /** What the destination's create request adds to attach the container there as it is here. */
    void addTo(JsonObject createRequest) {
        if (!mac.isEmpty()) {
            createRequest.put("MacAddress", mac); // API 1.41's place for it: the container's config
        }
        JsonObject endpoint = new JsonObject().put("IPAMConfig", new JsonObject().put("IPv4Address", address));
        if (!aliases.isEmpty()) {
            endpoint.put("Aliases", new JsonArray(aliases));
        }
        createRequest.put("NetworkingConfig", new JsonObject().put("EndpointsConfig",
                new JsonObject().put(network, endpoint)));
    }

    String encode() {
        return new JsonObject().put("network", network).put("driver", driver).put("subnets", new JsonArray(subnets))
                .put("address", address).put("mac", mac).put("aliases", new JsonArray(aliases)).encode();
    }

    /** The endpoint from the manifest's fact; empty for a container without network. */
    static Optional<DockerEndpoint> decode(String fact) throws HaulException {
        if (fact == null || fact.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonObject json = new JsonObject(fact);
            List<String> subnets = new ArrayList<>();
            json.getJsonArray("subnets").forEach(s -> subnets.add((String) s));
            List<String> aliases = new ArrayList<>();
            json.getJsonArray("aliases").forEach(a -> aliases.add((String) a));
            DockerEndpoint endpoint = new DockerEndpoint(json.getString("network"), json.getString("driver"), subnets,
                    json.getString("address"), json.getString("mac"), aliases);
            if (!endpoint.network.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
                throw new HaulException("check.manifest", "refused a network named '" + endpoint.network + "'");
            }
            return Optional.of(endpoint);
        } catch (DecodeException | ClassCastException | NullPointerException e) {
            throw new HaulException("check.manifest", "the source's description of the container's network is "
                    + "malformed: " + e.getMessage());
        }
    }
}
