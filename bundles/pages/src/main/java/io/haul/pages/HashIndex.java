package io.haul.pages;

import java.security.SecureRandom;

/**
 * A map from 128-bit page hashes to non-zero longs: open addressing with linear probing in three parallel
 * arrays (24 bytes a slot, 35 to 70 bytes an entry), no object per entry. The slot comes from the hash mixed with
 * a random seed, so pages made to share low hash bits cannot pile up in one run of slots. Not thread-safe.
 */
final class HashIndex {

    private static final int MAX_CAPACITY = 1 << 30;
    private static final SecureRandom SEEDS = new SecureRandom();

    private final long seed = SEEDS.nextLong();
    private long[] his;
    private long[] los;
    private long[] values;
    private int mask;
    private int size;
    private int growAt;

    HashIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, (int) Math.min(MAX_CAPACITY, expected * 10L / 7)) - 1) << 1;
        allocate(capacity);
    }

    /** The value of {@code (hi, lo)}, or 0 when absent. */
    long get(long hi, long lo) {
        long[] h = his;
        long[] l = los;
        long[] v = values;
        int m = mask;
        for (int i = slot(hi, lo, m); ; i = (i + 1) & m) {
            long value = v[i];
            if (value == 0) {
                return 0;
            }
            if (h[i] == hi && l[i] == lo) {
                return value;
            }
        }
    }

    /** Adds {@code (hi, lo) -> value} (value non-zero) unless present; whether it was added. */
    boolean putIfAbsent(long hi, long lo, long value) {
        if (value == 0) {
            throw new IllegalArgumentException("0 marks an empty slot");
        }
        if (size >= growAt) {
            grow();
        }
        for (int i = slot(hi, lo, mask); ; i = (i + 1) & mask) {
            if (values[i] == 0) {
                his[i] = hi;
                los[i] = lo;
                values[i] = value;
                size++;
                return true;
            }
            if (his[i] == hi && los[i] == lo) {
                return false;
            }
        }
    }

    int size() {
        return size;
    }

    private int slot(long hi, long lo, int m) {
        long x = hi ^ seed;
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (int) (x ^ (x >>> 33) ^ lo) & m;
    }

    private void grow() {
        if (his.length >= MAX_CAPACITY) {
            throw new IllegalStateException("a page index holds at most " + growAt + " pages");
        }
        long[] oldHis = his;
        long[] oldLos = los;
        long[] oldValues = values;
        allocate(oldHis.length << 1);
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] != 0) {
                int i = slot(oldHis[j], oldLos[j], mask);
                while (values[i] != 0) {
                    i = (i + 1) & mask;
                }
                his[i] = oldHis[j];
                los[i] = oldLos[j];
                values[i] = oldValues[j];
            }
        }
    }

    private void allocate(int capacity) {
        his = new long[capacity];
        los = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        growAt = (int) (capacity * 7L / 10);
    }
}
