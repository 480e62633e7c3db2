package io.haul.transport.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.transport.Connection;
import io.haul.api.transport.Transport;
import io.haul.transport.testkit.TransportContract;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class InProcessTransportTest extends TransportContract {

    @Override
    protected Transport newTransport(String agentName) {
        return new InProcessTransport(agentName);
    }

    @Override
    protected void stop(Transport transport) {
        ((InProcessTransport) transport).close();
    }

    @Override
    protected void sendRawFrameHeader(Connection connection, int claimedBytes) throws Exception {
        InProcessTransport.sendHeaderOnly(connection, claimedBytes);
    }

    @Test
    void isAlwaysUsable() throws Exception {
        assertTrue(transport("x").usability().usable());
    }

    @Test
    void aTakenAddressIsRefused() throws Exception {
        Transport transport = transport(SERVER);
        Transport.Listener first = closeLater(transport.listen(new InetSocketAddress("127.0.0.1", 31_999), c -> { }));
        HaulException taken = assertThrows(HaulException.class,
                () -> transport.listen(new InetSocketAddress("127.0.0.1", 31_999), c -> { }));
        assertEquals("transport.address-in-use", taken.code());
        first.close();
        closeLater(transport.listen(new InetSocketAddress("127.0.0.1", 31_999), c -> { }));
    }
}
