package io.haul.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Which network modes move, what the refusals tell a user to do, and what the destination is asked to make. */
class DockerEndpointTest {

    private static final String ID = "8e729e111f370648e1f73a8a08b721626b3655c70ca450fae650dd8c95331c4d";

    private static ContainerView container(String mode, JsonObject networks, JsonObject ports) {
        JsonObject host = new JsonObject().put("NetworkMode", mode);
        if (ports != null) {
            host.put("PortBindings", ports);
        }
        return new ContainerView(new JsonObject().put("Id", ID).put("Name", "/web").put("HostConfig", host)
                .put("NetworkSettings", new JsonObject().put("Networks", networks)));
    }

    private static JsonObject on(String network, String fixedAddress) {
        JsonObject settings = new JsonObject().put("IPAddress", "169.254.85.50").put("IPPrefixLen", 24)
                .put("MacAddress", "02:42:a9:fe:55:32").put("Aliases", new JsonArray().add(ID.substring(0, 12))
                        .add("db"));
        if (fixedAddress != null) {
            settings.put("IPAMConfig", new JsonObject().put("IPv4Address", fixedAddress));
        }
        return new JsonObject().put(network, settings);
    }

    private static final JsonObject NETWORK = new JsonObject().put("Id", "e2e1c2d84e2a40268eaeb183").put("Driver",
            "bridge").put("IPAM", new JsonObject().put("Config", new JsonArray().add(new JsonObject()
                    .put("Subnet", "169.254.85.0/24").put("Gateway", "169.254.85.1"))));

    @Test
    void aUserDefinedNetworkWithAFixedAddressMoves() throws Exception {
        ContainerView web = container("hnet", on("hnet", "169.254.85.50"), null);
        assertEquals("", DockerEndpoint.whyNot(web));
        DockerEndpoint endpoint = DockerEndpoint.of(web, NETWORK).orElseThrow();
        assertEquals(new DockerEndpoint("hnet", "bridge", java.util.List.of("169.254.85.0/24"), "169.254.85.50",
                "02:42:a9:fe:55:32", java.util.List.of("db")), endpoint);
        JsonObject create = new JsonObject();
        endpoint.addTo(create);
        assertEquals("02:42:a9:fe:55:32", create.getString("MacAddress"));
        assertEquals("169.254.85.50", create.getJsonObject("NetworkingConfig").getJsonObject("EndpointsConfig")
                .getJsonObject("hnet").getJsonObject("IPAMConfig").getString("IPv4Address"));
        assertEquals(endpoint, DockerEndpoint.decode(endpoint.encode()).orElseThrow(), "the manifest's fact");
    }

    @Test
    void theDefaultBridgeIsRefusedWithTheWayOut() {
        String why = DockerEndpoint.whyNot(container("default", on("bridge", null), null));
        assertTrue(why.contains("default bridge") && why.contains("--ip") && why.contains("--mac-address"), why);
        assertTrue(DockerEndpoint.whyNot(container("bridge", on("bridge", null), null)).contains("default bridge"));
    }

    @Test
    void theHostsNetworkAnotherContainersAnEngineChosenAddressAndPublishedPortsAreRefused() {
        assertTrue(DockerEndpoint.whyNot(container("host", new JsonObject(), null)).contains("--network host"));
        assertTrue(DockerEndpoint.whyNot(container("container:db", new JsonObject(), null))
                .contains("another container"));
        String picked = DockerEndpoint.whyNot(container("hnet", on("hnet", null), null));
        assertTrue(picked.contains("picked by the engine") && picked.contains("--ip"), picked);
        String ports = DockerEndpoint.whyNot(container("hnet", on("hnet", "169.254.85.50"),
                new JsonObject().put("7000/tcp", new JsonArray())));
        assertTrue(ports.contains("7000/tcp"), ports);
        assertEquals("", DockerEndpoint.whyNot(container("none", new JsonObject(), null)));
    }

    @Test
    void theBridgeIsTheNamedOneOrTheEnginesOwn() {
        assertEquals("br-e2e1c2d84e2a", DockerEndpoint.bridgeOf(NETWORK));
        assertEquals("haulbr0", DockerEndpoint.bridgeOf(NETWORK.copy().put("Options",
                new JsonObject().put("com.docker.network.bridge.name", "haulbr0"))));
    }
}
