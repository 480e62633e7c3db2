package io.haul.protocol;

import io.haul.protocol.v1.ImageFile;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Bulk streams as {@link ImageStream#send} writes them, and as a hostile peer might: names with '/' and '..',
 * sizes that differ from the body or exceed the allowance, unknown encodings, wrong checksums, recipes (in
 * {@link LengthPrefixedPageImages}' stand-in format) whose rebuilt size differs from the announced one, and
 * streams without their end marker.
 */
final class ImageStreamGenerators {

    /** What the fuzzed receive may bring in all: small, so that the allowance is reached too. */
    static final long ALLOWANCE = 64 * 1024;

    private ImageStreamGenerators() {
    }

    /** One file on the stream: its header's fields and what follows the header. */
    record Entry(String name, long declaredSize, int encoding, byte[] body, boolean rightChecksum) {
    }

    static Arbitrary<String> names() {
        return Arbitraries.oneOf(
                Arbitraries.of("pages-1.img", "pages-2.img", "core-42.img", "inventory.img", "mm-7.img", "a"),
                Arbitraries.of("../escape.img", "/etc/passwd", "a/b.img", ".hidden", "..", "a..b", "x".repeat(200),
                        "pages-1.img\u0000", "pages\n1.img", "\u00e9t\u00e9.img"),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(20));
    }

    static Arbitrary<Entry> entries() {
        Arbitrary<byte[]> bodies = Arbitraries.randomValue(random -> {
            byte[] body = new byte[random.nextInt(4) == 0 ? random.nextInt(16 * 1024) : random.nextInt(64)];
            random.nextBytes(body);
            return body;
        });
        Arbitrary<Long> sizeChange = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0L)),
                Tuple.of(2, Arbitraries.of(-1L, 1L, 4096L, ALLOWANCE, Long.MAX_VALUE, Long.MIN_VALUE)));
        Arbitrary<Integer> encodings = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.just(1)), Tuple.of(1, Arbitraries.of(2, 7, -1)));
        return Combinators.combine(names(), bodies, sizeChange, encodings, Arbitraries.of(true, true, true, false))
                .as((name, body, change, encoding, right) -> new Entry(name, body.length + change, encoding, body, right));
    }

    /** A stream of up to five files, with its end marker nine times in ten. */
    static Arbitrary<byte[]> streams() {
        return Combinators.combine(entries().list().ofMaxSize(5), Arbitraries.of(true, true, true, true, true, true,
                true, true, true, false)).as(ImageStreamGenerators::encode);
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
