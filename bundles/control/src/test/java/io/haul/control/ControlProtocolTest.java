package io.haul.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ControlProtocolTest {

    @Test
    void aRequestRoundTripsWithItsArgumentsIntact() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> args = List.of("ps", "--json", "process", "ünï cödé 'quoted' $var");
        ControlProtocol.writeRequest(new DataOutputStream(bytes), args);
        assertEquals(args, ControlProtocol.readRequest(input(bytes.toByteArray())));
    }

    @Test
    void randomBytesAreRefusedAsNotARequest() {
        byte[] garbage = new byte[512];
        new Random(42).nextBytes(garbage);
        IOException e = assertThrows(IOException.class, () -> ControlProtocol.readRequest(input(garbage)));
        assertTrue(e.getMessage().contains("not a Haul control request"), e.getMessage());
    }

    @Test
    void anArgumentThatIsNotModifiedUtf8IsARefusalTheClientHears() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(ControlProtocol.MAGIC);
        out.writeByte(ControlProtocol.VERSION);
        out.writeInt(2);
        out.writeUTF("help");
        out.writeShort(2);
        out.write(new byte[] {(byte) 0x80, 'a'}); // a continuation byte with nothing before it
        ControlProtocol.ProtocolException e = assertThrows(ControlProtocol.ProtocolException.class,
                () -> ControlProtocol.readRequest(input(bytes.toByteArray())));
        assertTrue(e.getMessage().contains("argument 2 of the request is not modified UTF-8"), e.getMessage());
    }

    @Test
    void anUnknownVersionIsNamedInTheError() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(ControlProtocol.MAGIC);
        out.writeByte(9);
        IOException e = assertThrows(IOException.class, () -> ControlProtocol.readRequest(input(bytes.toByteArray())));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void tooManyArgumentsAreRefusedBeforeAnyIsRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(ControlProtocol.MAGIC);
        out.writeByte(ControlProtocol.VERSION);
        out.writeInt(Integer.MAX_VALUE);
        IOException e = assertThrows(IOException.class, () -> ControlProtocol.readRequest(input(bytes.toByteArray())));
        assertTrue(e.getMessage().contains("1 to " + ControlProtocol.MAX_ARGS), e.getMessage());
    }

    @Test
    void aTruncatedRequestEndsInEofNotAHang() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ControlProtocol.writeRequest(new DataOutputStream(bytes), List.of("check"));
        byte[] truncated = java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() - 2);
        assertThrows(EOFException.class, () -> ControlProtocol.readRequest(input(truncated)));
    }

    @Test
    void longOutputIsSplitIntoBoundedFrames() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String text = "x".repeat(ControlProtocol.MAX_CHUNK * 2 + 10);
        ControlProtocol.writeText(new DataOutputStream(bytes), ControlProtocol.OUT, text);
        DataInputStream in = input(bytes.toByteArray());
        int total = 0;
        int frames = 0;
        while (in.available() > 0) {
            assertEquals(ControlProtocol.OUT, in.readByte());
            int length = in.readInt();
            assertTrue(length <= ControlProtocol.MAX_CHUNK);
            in.skipNBytes(length);
            total += length;
            frames++;
        }
        assertEquals(text.length(), total);
        assertEquals(3, frames);
    }

    private static DataInputStream input(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }
}
