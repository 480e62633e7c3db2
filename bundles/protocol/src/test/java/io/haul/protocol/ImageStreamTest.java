package io.haul.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.protocol.v1.ImageFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStreamTest {

    @TempDir
    Path source;

    @TempDir
    Path destination;

    @Test
    void filesArriveByteForByteWithProgress() throws IOException {
        byte[] pages = random(3 << 20);
        Files.write(source.resolve("pages-1.img"), pages);
        Files.write(source.resolve("core-1.img"), new byte[0]);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ImageStream.send(source, List.of("pages-1.img", "core-1.img"), wire, TransferProgress.NONE);

        long[] last = {0};
        List<ImageFile> received = ImageStream.receive(new ByteArrayInputStream(wire.toByteArray()), destination,
                1L << 30, done -> last[0] = done);

        assertEquals(List.of("pages-1.img", "core-1.img"), received.stream().map(ImageFile::getName).toList());
        assertArrayEquals(pages, Files.readAllBytes(destination.resolve("pages-1.img")));
        assertEquals(0, Files.size(destination.resolve("core-1.img")));
        assertEquals(pages.length, last[0]);
    }

    @Test
    void aNameWithDotDotIsRefusedAndNothingIsWrittenOutside() throws IOException {
        byte[] wire = stream(ImageFile.newBuilder().setName("../escape.img").setSize(4).build(), new byte[4]);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ImageStream.receive(new ByteArrayInputStream(wire), destination, 1 << 20, TransferProgress.NONE));
        assertEquals("protocol.bad-image-name", e.code());
        assertTrue(e.getMessage().contains("../escape.img"), e.getMessage());
        assertFalse(Files.exists(destination.getParent().resolve("escape.img")));
    }

    @Test
    void aSlashOrAnAbsolutePathIsRefused() {
        assertThrows(ProtocolException.class, () -> ImageNames.check("/etc/passwd"));
        assertThrows(ProtocolException.class, () -> ImageNames.check("a/b.img"));
        assertThrows(ProtocolException.class, () -> ImageNames.check(".hidden"));
    }

    @Test
    void aDamagedFileIsRefusedAndRemoved() throws IOException {
        Files.write(source.resolve("pages-1.img"), random(1 << 16));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ImageStream.send(source, List.of("pages-1.img"), wire, TransferProgress.NONE);
        byte[] bytes = wire.toByteArray();
        bytes[100] ^= 0x55; // inside the file's bytes

        ProtocolException e = assertThrows(ProtocolException.class, () -> ImageStream.receive(
                new ByteArrayInputStream(bytes), destination, 1 << 20, TransferProgress.NONE));
        assertEquals("protocol.checksum", e.code());
        assertFalse(Files.exists(destination.resolve("pages-1.img")));
    }

    @Test
    void moreThanTheAllowanceIsRefusedBeforeItIsRead() throws IOException {
        byte[] wire = stream(ImageFile.newBuilder().setName("pages-1.img").setSize(1L << 40).build(), new byte[0]);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ImageStream.receive(new ByteArrayInputStream(wire), destination, 1 << 20, TransferProgress.NONE));
        assertEquals("protocol.too-large", e.code());
    }

    @Test
    void anOversizedHeaderIsRefusedWithoutAllocatingIt() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(Integer.MAX_VALUE);
        ProtocolException e = assertThrows(ProtocolException.class, () -> ImageStream.receive(
                new ByteArrayInputStream(bytes.toByteArray()), destination, 1 << 20, TransferProgress.NONE));
        assertEquals("protocol.malformed", e.code());
    }

    @Test
    void aFileThatExistsAlreadyIsNotOverwritten() throws IOException {
        Files.writeString(destination.resolve("pages-1.img"), "mine");
        byte[] wire = stream(ImageFile.newBuilder().setName("pages-1.img").setSize(4).build(), new byte[4]);
        assertThrows(IOException.class,
                () -> ImageStream.receive(new ByteArrayInputStream(wire), destination, 1 << 20, TransferProgress.NONE));
        assertEquals("mine", Files.readString(destination.resolve("pages-1.img")));
    }

    @Test
    void aRecipeRebuiltToAnotherSizeIsRefusedAndRemoved() throws IOException {
        ImageFile header = ImageFile.newBuilder().setName("pages-1.img").setSize(4)
                .setEncoding(io.haul.protocol.v1.ImageEncoding.PAGE_RECIPE).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] h = header.toByteArray();
        out.writeInt(h.length);
        out.write(h);
        out.writeShort(3); // the stand-in recipe: 3 bytes where the header announced 4
        out.write(new byte[3]);

        ProtocolException e = assertThrows(ProtocolException.class, () -> ImageStream.receive(
                new ByteArrayInputStream(bytes.toByteArray()), destination, 1 << 20, TransferProgress.NONE,
                new LengthPrefixedPageImages()));
        assertEquals("protocol.checksum", e.code());
        assertTrue(e.getMessage().contains("rebuilt with 3 bytes instead of 4"), e.getMessage());
        assertFalse(Files.exists(destination.resolve("pages-1.img")));
    }

    private static byte[] stream(ImageFile header, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] h = header.toByteArray();
        out.writeInt(h.length);
        out.write(h);
        out.write(content);
        out.write(new byte[32]);
        return bytes.toByteArray();
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
