package io.haul.pages;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The pages the fuzzed page streams are made of, computed once (hashing and compressing 4 KiB for every input
 * would cost more than decoding it): typical, compressible and random pages, with their hashes and encodings.
 * The first {@link #HELD} are in every fresh store, so a recipe's references to them resolve; the rest are new.
 */
final class PagePool {

    /** One page: its bytes, its hash and its encoding as the writers send it. */
    record Page(byte[] content, PageHash hash, byte[] encoding) {
    }

    static final int HELD = 8;
    static final List<Page> PAGES = IntStream.range(0, 48).mapToObj(PagePool::make).toList();
    static final Page ZERO = new Page(new byte[PageHasher.PAGE_SIZE], PageHash.ZERO_PAGE, new byte[] {0});

    private PagePool() {
    }

    private static Page make(int number) {
        byte[] content = TestPages.page(number, switch (number % 3) {
            case 0 -> "typical";
            case 1 -> "compressible";
            default -> "random";
        });
        byte[] encoded = new byte[PageCodec.MAX_ENCODED_BYTES];
        int length = new PageCodec().encode(content, 0, encoded, 0);
        return new Page(content, new PageHasher().hash(content), java.util.Arrays.copyOf(encoded, length));
    }

    /** A store holding the first {@link #HELD} pages, spilling past {@code memoryPages} into {@code spill}. */
    static PageStore freshStore(int memoryPages, java.nio.file.Path spill) throws java.io.IOException {
        PageStore store = new PageStore((long) memoryPages * PageHasher.PAGE_SIZE, spill);
        for (Page page : PAGES.subList(0, HELD)) {
            store.put(page.hash(), page.content());
        }
        return store;
    }
}
