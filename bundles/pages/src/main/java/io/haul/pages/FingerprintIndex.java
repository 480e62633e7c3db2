package io.haul.pages;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link KnownPages} of one migration's source: each page pre-copy pushed, by its {@link PageFingerprint},
 * with its {@link PageHash}. Filled while pre-copy runs ({@link #add}, one thread at a time), then read by the
 * final dump's hashing threads; the caller publishes it between the two (a thread started after the last add, or
 * a lock both take). About 64 bytes a page: 16 MiB for 1 GiB of distinct pages.
 *
 * <p>Two pages with one fingerprint (see {@link PageFingerprint}): the first added stays; the other is hashed in
 * the final dump, as a page not found would be.
 */
public final class FingerprintIndex implements KnownPages {

    private final HashIndex slots = new HashIndex(1 << 12);
    private long[] hashHis = new long[1 << 12];
    private long[] hashLos = new long[1 << 12];
    private int size;
    private final LongAdder found = new LongAdder();

    /** Remembers that the destination holds {@code hash}, the page whose fingerprint this is. */
    public void add(long fingerprintHi, long fingerprintLo, PageHash hash) {
        if (!slots.putIfAbsent(fingerprintHi, fingerprintLo, size + 1L)) {
            return;
        }
        if (size == hashHis.length) {
            hashHis = Arrays.copyOf(hashHis, size * 2);
            hashLos = Arrays.copyOf(hashLos, size * 2);
        }
        hashHis[size] = hash.hi();
        hashLos[size] = hash.lo();
        size++;
    }

    @Override
    public PageHash byFingerprint(long fingerprintHi, long fingerprintLo) {
        long slot = slots.get(fingerprintHi, fingerprintLo);
        if (slot == 0) {
            return null;
        }
        found.increment();
        int at = (int) slot - 1;
        return new PageHash(hashHis[at], hashLos[at]);
    }

    /** How many pages it holds. */
    public int size() {
        return size;
    }

    /** How many lookups found a page: pages of the final dump that were not hashed again. */
    public long found() {
        return found.sum();
    }
}
