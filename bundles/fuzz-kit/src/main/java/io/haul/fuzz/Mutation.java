package io.haul.fuzz;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * The changes made to valid encodings so that a decoder gets past its first checks and fails deeper in: bits
 * flipped, fields overwritten with the values that break length and count arithmetic, protobuf varints that
 * claim gigabytes, cuts, repeats, path names and malformed UTF-8.
 */
public enum Mutation {

    /** One to eight bits flipped anywhere. */
    FLIP_BITS {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            byte[] out = bytes.clone();
            for (int i = 1 + random.nextInt(8); i > 0 && out.length > 0; i--) {
                out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
            }
            return out;
        }
    },
    /** A byte set to 0x00, 0x01, 0x7F, 0x80 or 0xFF: a tag, a flag, the sign of a length. */
    EDGE_BYTE {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            byte[] out = bytes.clone();
            if (out.length > 0) {
                out[random.nextInt(out.length)] = EDGE_BYTES[random.nextInt(EDGE_BYTES.length)];
            }
            return out;
        }
    },
    /** Four bytes at any offset overwritten with a big-endian length or count that breaks arithmetic. */
    EDGE_INT {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            return overwrite(bytes, random, ByteBuffer.allocate(4).putInt(EDGE_INTS[random.nextInt(EDGE_INTS.length)]).array());
        }
    },
    /** Eight bytes overwritten with a big-endian size, count or check value at an extreme. */
    EDGE_LONG {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            return overwrite(bytes, random, ByteBuffer.allocate(8).putLong(EDGE_LONGS[random.nextInt(EDGE_LONGS.length)]).array());
        }
    },
    /** A protobuf varint claiming a huge length (or an over-long one), written over or into the bytes. */
    HUGE_VARINT {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            byte[] varint = HUGE_VARINTS[random.nextInt(HUGE_VARINTS.length)];
            return random.nextBoolean() ? overwrite(bytes, random, varint) : insert(bytes, random, varint);
        }
    },
    /** Cut short at any point: a stream that ends inside a field. */
    TRUNCATE {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            return bytes.length == 0 ? bytes : Arrays.copyOf(bytes, random.nextInt(bytes.length));
        }
    },
    /** A slice taken out of the middle. */
    DELETE_RANGE {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            if (bytes.length < 2) {
                return bytes;
            }
            int from = random.nextInt(bytes.length);
            int to = from + 1 + random.nextInt(Math.min(bytes.length - from, 64));
            byte[] out = new byte[bytes.length - (to - from)];
            System.arraycopy(bytes, 0, out, 0, from);
            System.arraycopy(bytes, to, out, from, bytes.length - to);
            return out;
        }
    },
    /** A slice repeated in place: entries twice, names twice, more entries than announced. */
    REPEAT_RANGE {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            if (bytes.length == 0) {
                return bytes;
            }
            int from = random.nextInt(bytes.length);
            int length = 1 + random.nextInt(Math.min(bytes.length - from, 256));
            return insert(bytes, from + length, Arrays.copyOfRange(bytes, from, from + length));
        }
    },
    /** Random bytes slipped in. */
    INSERT_RANDOM {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            byte[] noise = new byte[1 + random.nextInt(16)];
            random.nextBytes(noise);
            return insert(bytes, random, noise);
        }
    },
    /** A path or malformed (modified) UTF-8 where text goes: "../", "/", NUL, lone continuation bytes, surrogates. */
    HOSTILE_TEXT {
        @Override
        byte[] apply(byte[] bytes, Random random) {
            byte[] text = HOSTILE_TEXTS[random.nextInt(HOSTILE_TEXTS.length)];
            return random.nextBoolean() ? overwrite(bytes, random, text) : insert(bytes, random, text);
        }
    };

    private static final byte[] EDGE_BYTES = {0x00, 0x01, 0x7F, (byte) 0x80, (byte) 0xFF};
    private static final int[] EDGE_INTS = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x80000001, 4095, 4096,
        65535, 65536, 1 << 20, (1 << 20) + 1, 4 << 20, (4 << 20) + 1, 1 << 30};
    private static final long[] EDGE_LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 4096, 1L << 32, 1L << 40,
        Long.MAX_VALUE - 4095};
    private static final byte[][] HUGE_VARINTS = {
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07}, // 2^31 - 1
        {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, // 2^31
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, // 2^32 - 1
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, 0x01}, // -1 as a 64-bit varint
        {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, 0x01}, // longer than any varint may be
        {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02}, // 4 MiB
    };
    private static final byte[][] HOSTILE_TEXTS = {
        "../".getBytes(StandardCharsets.US_ASCII), "/".getBytes(StandardCharsets.US_ASCII),
        "../../etc/passwd".getBytes(StandardCharsets.US_ASCII), {0x00}, {(byte) 0x80}, {(byte) 0xC0},
        {(byte) 0xE0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80},
        {(byte) 0xFF, (byte) 0xFE},
    };

    /** This change, made with {@code random} to a copy of {@code bytes}. */
    abstract byte[] apply(byte[] bytes, Random random);

    /** {@code count} changes of random kinds, one after the other. */
    public static byte[] applySome(byte[] bytes, int count, Random random) {
        Mutation[] all = values();
        byte[] out = bytes;
        for (int i = 0; i < count; i++) {
            out = all[random.nextInt(all.length)].apply(out, random);
        }
        return out;
    }

    private static byte[] overwrite(byte[] bytes, Random random, byte[] with) {
        if (bytes.length < with.length) {
            return insert(bytes, random, with);
        }
        byte[] out = bytes.clone();
        // often at the very start: where a length prefix or a magic number is
        int at = random.nextInt(8) == 0 ? 0 : random.nextInt(bytes.length - with.length + 1);
        System.arraycopy(with, 0, out, at, with.length);
        return out;
    }

    private static byte[] insert(byte[] bytes, Random random, byte[] what) {
        return insert(bytes, random.nextInt(bytes.length + 1), what);
    }

    private static byte[] insert(byte[] bytes, int at, byte[] what) {
        byte[] out = new byte[bytes.length + what.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(bytes, at, out, at + what.length, bytes.length - at);
        return out;
    }
}
