package io.haul.criu.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The end of a file that may be large (a CRIU log at level 4 runs to megabytes): only the tail is read. */
final class FileTail {

    private FileTail() {
    }

    /** The last {@code max} bytes as text, starting at a line boundary when the file was cut. */
    static String lastBytes(Path file, int max) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long start = Math.max(0, size - max);
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            while (buffer.hasRemaining() && channel.read(buffer, start + buffer.position()) > 0) {
                // read until full or end of file
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            int newline = text.indexOf('\n');
            return start > 0 && newline >= 0 ? text.substring(newline + 1) : text;
        }
    }
}
