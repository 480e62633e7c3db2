package io.haul.pages;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Big-endian longs and shorts in byte arrays, without allocating. */
final class Bytes {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    static long getLong(byte[] bytes, int off) {
        return (long) LONG.get(bytes, off);
    }

    static void putLong(byte[] bytes, int off, long value) {
        LONG.set(bytes, off, value);
    }

    static int getUnsignedShort(byte[] bytes, int off) {
        return Short.toUnsignedInt((short) SHORT.get(bytes, off));
    }

    static void putShort(byte[] bytes, int off, int value) {
        SHORT.set(bytes, off, (short) value);
    }
}
