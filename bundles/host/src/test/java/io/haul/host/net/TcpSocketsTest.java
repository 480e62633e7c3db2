package io.haul.host.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpSocketsTest {

    @Test
    void addressesAreReadInTheKernelsWordOrder() {
        assertEquals("127.0.0.1", TcpSockets.address("0100007F"));
        assertEquals("169.254.78.1", TcpSockets.address("014EFEA9"));
        assertEquals("0.0.0.0", TcpSockets.address("00000000"));
        assertEquals("::", TcpSockets.address("00000000000000000000000000000000"));
        assertEquals("::1", TcpSockets.address("00000000000000000000000001000000"));
    }

    /** This JVM's own sockets: a listener and both ends of a connection to it, over loopback. */
    @Test
    void theSocketsOfAProcessAreFoundWithTheirStates() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            List<TcpSocket> sockets = TcpSockets.heldBy(List.of(ProcessHandle.current().pid()));
            int port = server.getLocalPort();
            assertTrue(sockets.stream().anyMatch(s -> s.state() == TcpSocket.LISTEN && s.localPort() == port
                    && s.loopback()), sockets.toString());
            assertTrue(sockets.stream().anyMatch(s -> s.state() == TcpSocket.ESTABLISHED && s.remotePort() == port
                    && s.localPort() == client.getLocalPort()), sockets.toString());
            assertTrue(sockets.stream().anyMatch(s -> s.state() == TcpSocket.ESTABLISHED && s.localPort() == port),
                    sockets.toString());
        }
    }
}
