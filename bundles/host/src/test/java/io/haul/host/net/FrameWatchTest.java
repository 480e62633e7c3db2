package io.haul.host.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The frame watch on this host's loopback, whose frames carry the hardware address 00:00:00:00:00:00: a UDP datagram
 * sent there is seen, with the kernel's time of it, by a watch of that address and not by a watch of another.
 */
class FrameWatchTest {

    private static final String LOOPBACK = "00:00:00:00:00:00";

    @Test
    void aWatchSeesTheUdpFramesOfItsAddressAndNotOthers() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "a packet socket needs CAP_NET_RAW (root)");
        try (FrameWatch ours = FrameWatch.start(List.of(LOOPBACK), "test-frames");
                FrameWatch others = FrameWatch.start(List.of("02:00:a9:fe:5b:01", "02:00:a9:fe:5b:02"), "test-other");
                DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Instant before = Instant.now();
            byte[] data = "frame".getBytes();
            socket.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), socket.getLocalPort()));
            Optional<Instant> first = ours.awaitFirst(Duration.ofSeconds(10));
            assertTrue(first.isPresent(), "the datagram's frame is seen");
            assertTrue(!first.get().isBefore(before.minusMillis(5)), "seen when it was sent: " + first.get()
                    + " against " + before);
            assertEquals(Optional.empty(), others.first(), "a watch of other addresses saw nothing of it");
        }
    }

    @Test
    void theFilterChecksEachAddressInTurnAndKeepsSixtyFourBytes() {
        var program = FrameWatch.filter(List.of("02:00:a9:fe:5b:01", "02:00:a9:fe:5b:02"));
        assertEquals(10 + 2 * 4 + 2, program.size());
        assertEquals(0x0200a9fe, program.get(11).k(), "the first address's first four bytes");
        assertEquals(0x5b02, program.get(17).k(), "the second address's last two");
        assertEquals(64, program.getLast().k(), "an accepted frame keeps 64 bytes");
        for (int i = 0; i < program.size(); i++) {
            var instruction = program.get(i);
            if (instruction.code() != 0x15) {
                continue; // loads and returns do not jump
            }
            assertTrue(i + 1 + (instruction.jumpTrue() & 0xff) < program.size()
                    && i + 1 + (instruction.jumpFalse() & 0xff) < program.size(), "jumps stay in the program: " + i);
        }
    }
}
