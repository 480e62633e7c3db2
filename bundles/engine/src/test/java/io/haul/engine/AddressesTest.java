package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void parsesHostAndPort() {
        InetSocketAddress address = Addresses.parse("169.254.77.2:7077");
        assertEquals(7077, address.getPort());
        assertEquals("169.254.77.2", address.getHostString());
    }

    @Test
    void aMissingPortIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Addresses.parse("hostB"));
        assertTrue(e.getMessage().contains("host:port"), e.getMessage());
    }

    @Test
    void advertisesTheConfiguredAddressThenASpecificListenAddress() {
        assertEquals("10.0.0.1:1", Addresses.advertised("10.0.0.1:1", new InetSocketAddress("127.0.0.1", 7077)));
        assertEquals("127.0.0.1:7077", Addresses.advertised("", new InetSocketAddress("127.0.0.1", 7077)));
        assertTrue(Addresses.advertised("", new InetSocketAddress("0.0.0.0", 7077)).endsWith(":7077"));
    }
}
