package io.haul.protocol;

import io.haul.fuzz.Generator;
import io.haul.fuzz.Texts;
import io.haul.protocol.v1.ImageFile;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Bulk streams as {@link ImageStream#send} writes them, and as a hostile peer might: names with '/' and '..',
 * sizes that differ from the body or exceed the allowance, unknown encodings, wrong checksums, recipes (in
 * {@link LengthPrefixedPageImages}' stand-in format) whose rebuilt size differs from the announced one, and
 * streams without their end marker.
 */
final class ImageStreamGenerators {

    /** What the fuzzed receive may bring in all: small, so that the allowance is reached too. */
    static final long ALLOWANCE = 64 * 1024;

    private static final Generator<String> USUAL_NAMES =
            Generator.of("pages-1.img", "pages-2.img", "core-42.img", "inventory.img", "mm-7.img", "a");
    private static final Generator<String> HOSTILE_NAMES = Generator.of("../escape.img", "/etc/passwd", "a/b.img",
            ".hidden", "..", "a..b", "x".repeat(200), "pages-1.img\u0000", "pages\n1.img", "\u00e9t\u00e9.img");
    /** The chars from '!' to '~': a name a file system takes, though no agent writes it. */
    private static final String VISIBLE_ASCII = IntStream.rangeClosed('!', '~')
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    private static final Generator<Long> SIZE_CHANGES =
            Generator.of(-1L, 1L, 4096L, ALLOWANCE, Long.MAX_VALUE, Long.MIN_VALUE);
    private static final Generator<Integer> UNKNOWN_ENCODINGS = Generator.of(2, 7, -1);

    private ImageStreamGenerators() {
    }

    /** One file on the stream: its header's fields and what follows the header. */
    record Entry(String name, long declaredSize, int encoding, byte[] body, boolean rightChecksum) {
    }

    static String name(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> USUAL_NAMES.next(random);
            case 1 -> HOSTILE_NAMES.next(random);
            default -> Texts.from(random, VISIBLE_ASCII, 1, 20);
        };
    }

    /**
     * A file: a body of up to 64 bytes (16 KiB one time in four); its size announced right eight times in ten;
     * plain content six times in ten, a recipe three, an unknown encoding one; a right checksum three times in four.
     */
    static Entry entry(Random random) {
        String name = name(random);
        byte[] body = new byte[random.nextInt(4) == 0 ? random.nextInt(16 * 1024) : random.nextInt(64)];
        random.nextBytes(body);
        long sizeChange = random.nextInt(10) < 8 ? 0 : SIZE_CHANGES.next(random);
        int share = random.nextInt(10);
        int encoding = share < 6 ? 0 : share < 9 ? 1 : UNKNOWN_ENCODINGS.next(random);
        return new Entry(name, body.length + sizeChange, encoding, body, random.nextInt(4) > 0);
    }

    /** A stream of up to five files, with its end marker nine times in ten. */
    static byte[] stream(Random random) {
        return encode(Generator.listOf(ImageStreamGenerators::entry, 0, 5).next(random), random.nextInt(10) > 0);
    }

    static byte[] encode(List<Entry> entries, boolean ended) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            for (Entry entry : entries) {
                header(out, ImageFile.newBuilder().setName(entry.name()).setSize(entry.declaredSize())
                        .setEncodingValue(entry.encoding()).build());
                if (entry.encoding() == 1) {
                    out.writeShort(entry.body().length);
                    out.write(entry.body());
                } else {
                    out.write(entry.body());
                    out.write(entry.rightChecksum() ? sha256(entry.body()) : new byte[32]);
                }
            }
            if (ended) {
                header(out, ImageFile.getDefaultInstance());
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void header(DataOutputStream out, ImageFile header) throws IOException {
        byte[] bytes = header.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
