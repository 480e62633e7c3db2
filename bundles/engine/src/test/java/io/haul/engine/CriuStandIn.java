package io.haul.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** What CRIU does with the files the page image capture watches, done by a test. */
final class CriuStandIn {

    private CriuStandIn() {
    }

    /** Opens a page image (a FIFO, which waits for its reader) and writes it whole, then closes it. */
    static void writeImage(Path image, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }

    /** A pagemap as CRIU writes it: its two magic numbers, then a pagemap_head naming page image {@code pagesId}. */
    static void writePagemap(Path file, int pagesId) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(0x54564319).putInt(0x56084025).putInt(2).put((byte) 0x08).put((byte) pagesId);
        Files.write(file, bytes.array());
    }
}
