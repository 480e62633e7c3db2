package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FileCheckTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    @Test
    void theValueDoesNotDependOnHowTheFileIsCutAtPageBoundaries() {
        byte[] file = file(300, 100);
        FileCheck whole = new FileCheck();
        whole.update(file, 0, file.length);
        FileCheck pieces = new FileCheck();
        pieces.update(file, 0, 256 * PAGE);
        pieces.update(file, 256 * PAGE, 44 * PAGE);
        pieces.update(file, 300 * PAGE, 100);
        assertEquals(whole.value(), pieces.value());
    }

    @Test
    void aDirectBufferGivesTheValueAnArrayGives() {
        byte[] file = file(300, 100);
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(file.length + PAGE).put(PAGE, file).position(3);
        FileCheck fromBuffer = new FileCheck();
        fromBuffer.update(direct, PAGE, 256 * PAGE);
        fromBuffer.update(direct, 257 * PAGE, 44 * PAGE + 100);
        assertEquals(check(file), fromBuffer.value());
        assertEquals(3, direct.position(), "the buffer's position stays");
    }

    @Test
    void aFlippedBitInEitherHalfOfAnyPageOrInThePartialPageChangesTheValue() {
        byte[] file = file(8, 100);
        long original = check(file);
        for (int at : new int[] {0, PAGE / 2 - 1, PAGE / 2, PAGE - 1, 5 * PAGE + 77, 8 * PAGE, 8 * PAGE + 99}) {
            byte[] damaged = file.clone();
            damaged[at] ^= 1;
            assertNotEquals(original, check(damaged), "a bit flipped at " + at);
        }
    }

    @Test
    void twoPagesInEachOthersPlaceOrACutOffEndChangeTheValue() {
        byte[] file = file(8, 0);
        byte[] swapped = file.clone();
        System.arraycopy(file, 2 * PAGE, swapped, 5 * PAGE, PAGE);
        System.arraycopy(file, 5 * PAGE, swapped, 2 * PAGE, PAGE);
        assertNotEquals(check(file), check(swapped));
        assertNotEquals(check(file), check(Arrays.copyOf(file, 7 * PAGE)));
    }

    private static long check(byte[] file) {
        FileCheck check = new FileCheck();
        check.update(file, 0, file.length);
        return check.value();
    }

    private static byte[] file(int pages, int tail) {
        byte[] file = new byte[pages * PAGE + tail];
        byte[] page = new byte[PAGE];
        for (int i = 0; i < pages; i++) {
            TestPages.typical(i, page, 0);
            System.arraycopy(page, 0, file, i * PAGE, PAGE);
        }
        TestPages.random(pages, page, 0);
        System.arraycopy(page, 0, file, pages * PAGE, tail);
        return file;
    }
}
