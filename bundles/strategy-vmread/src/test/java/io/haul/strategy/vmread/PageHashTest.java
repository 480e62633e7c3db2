package io.haul.strategy.vmread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PageHashTest {

    @Test
    void anyChangedByteChangesTheFingerprint() {
        PageHash hash = new PageHash();
        ByteBuffer pages = ByteBuffer.allocateDirect(3 * 4096);
        for (int i = 0; i < pages.capacity(); i++) {
            pages.put(i, (byte) (i * 7));
        }
        long original = hash.of(pages, 4096);
        Set<Long> seen = new HashSet<>();
        for (int at : new int[] {0, 1, 2047, 2048, 4000, 4095}) {
            byte old = pages.get(4096 + at);
            pages.put(4096 + at, (byte) (old + 1));
            long changed = hash.of(pages, 4096);
            assertNotEquals(original, changed, "byte " + at);
            seen.add(changed);
            pages.put(4096 + at, old);
        }
        assertEquals(6, seen.size());
        assertEquals(original, hash.of(pages, 4096), "the same content, the same fingerprint");
    }

    @Test
    void neverHashesToNeverOffered() {
        PageHash hash = new PageHash();
        ByteBuffer zero = ByteBuffer.allocateDirect(4096);
        assertNotEquals(PageHash.NEVER, hash.of(zero, 0));
    }
}
