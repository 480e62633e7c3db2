package io.haul.pages;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/**
 * Page push streams and page recipes as the writers make them, and as a damaged or hostile source would:
 * hashes that do not match the content, references to pages the store lacks, raw and LZ4 encodings, partial
 * last pages, end markers whose count, length or check value is off, the magic of the first recipe format or of a
 * standalone recipe (which the source must forward, never send as it is).
 */
final class PageStreamGenerators {

    private PageStreamGenerators() {
    }

    /** A push stream of up to 12 pages from the pool (some zero), one in eight under a wrong hash. */
    static byte[] push(Random random) {
        return write(out -> {
            out.writeInt(PagePushWriter.MAGIC);
            int pages = random.nextInt(13);
            for (int i = 0; i < pages; i++) {
                PagePool.Page page = anyPage(random);
                out.writeByte(PagePushWriter.PAGE_TAG);
                PageHash hash = random.nextInt(8) == 0 ? new PageHash(random.nextLong(), random.nextLong()) : page.hash();
                hash.writeTo(out);
                out.write(page.encoding());
            }
            out.writeByte(PagePushWriter.END_TAG);
            out.writeLong(random.nextInt(10) == 0 ? pages + 1 - random.nextInt(3) : pages);
        });
    }

    /**
     * A recipe of up to 12 entries (references to held or unknown pages, zero pages, literals), sometimes a
     * partial last page, and an end marker that is right nine times in ten.
     */
    static byte[] recipe(Random random) {
        return write(out -> {
            int format = random.nextInt(20); // one in twenty of the first format, one of a standalone recipe
            out.writeInt(format == 0 ? PageRecipe.MAGIC_V1 : format == 1 ? PageRecipe.STANDALONE_MAGIC : PageRecipe.MAGIC);
            ByteArrayOutputStream image = new ByteArrayOutputStream();
            int entries = random.nextInt(13);
            for (int i = 0; i < entries; i++) {
                switch (random.nextInt(4)) {
                    case 0, 1 -> { // a reference: to a held page mostly, else to one the store may lack
                        PagePool.Page page = random.nextInt(4) > 0
                                ? PagePool.PAGES.get(random.nextInt(PagePool.HELD)) : anyPage(random);
                        out.writeByte(PageRecipe.REF);
                        page.hash().writeTo(out);
                        image.write(page.content());
                    }
                    case 2 -> {
                        out.writeByte(PageRecipe.ZERO);
                        image.write(PagePool.ZERO.content());
                    }
                    default -> {
                        PagePool.Page page = anyPage(random);
                        out.writeByte(PageRecipe.LITERAL);
                        out.write(page.encoding());
                        image.write(page.content());
                    }
                }
            }
            if (random.nextInt(5) == 0) {
                byte[] tail = new byte[1 + random.nextInt(PageHasher.PAGE_SIZE - 1)];
                random.nextBytes(tail);
                out.writeByte(PageRecipe.TAIL);
                out.writeShort(tail.length);
                out.write(tail);
                image.write(tail);
            }
            byte[] rebuilt = image.toByteArray();
            FileCheck check = new FileCheck();
            check.update(rebuilt, 0, rebuilt.length);
            out.writeByte(PageRecipe.END);
            out.writeLong(random.nextInt(20) == 0 ? rebuilt.length + PageHasher.PAGE_SIZE : rebuilt.length);
            out.writeLong(random.nextInt(20) == 0 ? ~check.value() : check.value());
        });
    }

    private static PagePool.Page anyPage(Random random) {
        return random.nextInt(6) == 0 ? PagePool.ZERO : PagePool.PAGES.get(random.nextInt(PagePool.PAGES.size()));
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            body.write(new DataOutputStream(bytes));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
