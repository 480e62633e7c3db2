package io.haul.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import io.haul.protocol.v1.ImageEncoding;
import io.haul.protocol.v1.ImageFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Image files on a connection's bulk stream. Each file: a 4-byte header length, the {@link ImageFile} header
 * (name, size, encoding), then the body: the bytes and their SHA-256, or a page recipe ({@link PageImages}).
 * A header with an empty name ends the stream. The receiver checks every name, size and checksum, and writes
 * only new files inside its folder.
 */
public final class ImageStream {

    private static final int MAX_HEADER_BYTES = 4096;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final int SHA256_BYTES = 32;

    private ImageStream() {
    }

    /** Sends the files (plain names inside {@code dir}) and the end marker; returns what was announced. */
    public static List<ImageFile> send(Path dir, List<String> names, OutputStream bulk, TransferProgress progress)
            throws IOException {
        return send(dir, names, bulk, progress, null);
    }

    /** The same, with page images sent as recipes when {@code pageImages} is given. */
    public static List<ImageFile> send(Path dir, List<String> names, OutputStream bulk, TransferProgress progress,
            PageImages pageImages) throws IOException {
        DataOutputStream out = new DataOutputStream(bulk);
        List<ImageFile> sent = new ArrayList<>();
        byte[] buffer = new byte[BUFFER_BYTES];
        long done = 0;
        for (String name : names) {
            Path file = dir.resolve(ImageNames.check(name));
            long size = Files.size(file);
            if (pageImages != null && pageImages.handles(name)) {
                ImageFile header = ImageFile.newBuilder().setName(name).setSize(size)
                        .setEncoding(ImageEncoding.PAGE_RECIPE).build();
                writeHeader(out, header);
                pageImages.send(file, out);
                done += size;
                progress.transferred(done);
                sent.add(header);
                continue;
            }
            ImageFile header = ImageFile.newBuilder().setName(name).setSize(size).build();
            writeHeader(out, header);
            MessageDigest sha = sha256();
            try (InputStream in = Files.newInputStream(file)) {
                long left = size;
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new IOException("image " + name + " shrank while it was sent (" + left + " bytes missing)");
                    }
                    out.write(buffer, 0, n);
                    sha.update(buffer, 0, n);
                    left -= n;
                    done += n;
                    progress.transferred(done);
                }
            }
            out.write(sha.digest());
            sent.add(header);
        }
        writeHeader(out, ImageFile.getDefaultInstance());
        out.flush();
        return sent;
    }

    /**
     * Receives files into {@code dir} until the end marker, refusing bad names, files that exist already,
     * more than {@code maxTotalBytes} in all, and checksums that do not match (the file is then deleted).
     */
    public static List<ImageFile> receive(InputStream bulk, Path dir, long maxTotalBytes, TransferProgress progress)
            throws IOException {
        return receive(bulk, dir, maxTotalBytes, progress, null);
    }

    /** The same, rebuilding page images from recipes with {@code pageImages}. */
    public static List<ImageFile> receive(InputStream bulk, Path dir, long maxTotalBytes, TransferProgress progress,
            PageImages pageImages) throws IOException {
        DataInputStream in = new DataInputStream(bulk);
        List<ImageFile> received = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        byte[] buffer = new byte[BUFFER_BYTES];
        long total = 0;
        while (true) {
            ImageFile header = readHeader(in);
            if (header.getName().isEmpty()) {
                return received;
            }
            String name = ImageNames.check(header.getName());
            if (!seen.add(name)) {
                throw new ProtocolException("protocol.duplicate-image", "the image " + name + " was sent twice");
            }
            if (header.getSize() < 0 || header.getSize() > maxTotalBytes - total) {
                throw new ProtocolException("protocol.too-large", "the image " + name + " of " + header.getSize()
                        + " bytes exceeds the " + maxTotalBytes + " bytes this migration may bring");
            }
            Path file = dir.resolve(name);
            if (header.getEncoding() == ImageEncoding.PAGE_RECIPE) {
                if (pageImages == null) {
                    throw new ProtocolException("protocol.unexpected", "the page image " + name
                            + " came as a recipe, but this migration keeps no page store");
                }
                pageImages.receive(in, file);
                long rebuilt = Files.size(file); // read before the deletion: the refusal names it
                if (rebuilt != header.getSize()) {
                    Files.deleteIfExists(file);
                    throw new ProtocolException("protocol.checksum", "the page image " + name + " was rebuilt with "
                            + rebuilt + " bytes instead of " + header.getSize());
                }
                total += header.getSize();
                progress.transferred(total);
                received.add(header);
                continue;
            }
            MessageDigest sha = sha256();
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long left = header.getSize();
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new EOFException("the bulk stream ended inside image " + name + " (" + left + " bytes missing)");
                    }
                    out.write(buffer, 0, n);
                    sha.update(buffer, 0, n);
                    left -= n;
                    total += n;
                    progress.transferred(total);
                }
            }
            byte[] expected = in.readNBytes(SHA256_BYTES);
            if (!MessageDigest.isEqual(expected, sha.digest())) {
                Files.deleteIfExists(file);
                throw new ProtocolException("protocol.checksum", "the image " + name + " arrived damaged (SHA-256 differs)");
            }
            received.add(header);
        }
    }

    private static void writeHeader(DataOutputStream out, ImageFile header) throws IOException {
        byte[] bytes = header.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static ImageFile readHeader(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_HEADER_BYTES) {
            throw new ProtocolException("protocol.malformed", "an image header of " + length
                    + " bytes (at most " + MAX_HEADER_BYTES + ")");
        }
        try {
            return ImageFile.parseFrom(in.readNBytes(length));
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("protocol.malformed", "an image header that is not one", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
