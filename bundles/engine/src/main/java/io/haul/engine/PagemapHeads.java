package io.haul.engine;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Which page images CRIU's pagemaps refer to. A pagemap image ({@code pagemap-N.img}, {@code pagemap-shmem-N.img})
 * is CRIU's two magic numbers, then length-prefixed protobuf messages, the first a {@code pagemap_head} whose
 * field 1 is the id of its page image ({@code pages-ID.img}).
 */
final class PagemapHeads {

    private static final int MAGICS_BYTES = 8;
    private static final int MAX_HEAD_BYTES = 64;

    private PagemapHeads() {
    }

    /** The page image ids the pagemaps in {@code images} name. */
    static Set<Integer> pagesIds(Path images) throws IOException {
        Set<Integer> ids = new HashSet<>();
        try (DirectoryStream<Path> pagemaps = Files.newDirectoryStream(images, "pagemap-*.img")) {
            for (Path pagemap : pagemaps) {
                ids.add(pagesId(pagemap));
            }
        }
        return ids;
    }

    private static int pagesId(Path pagemap) throws IOException {
        try (InputStream in = Files.newInputStream(pagemap)) {
            byte[] start = in.readNBytes(MAGICS_BYTES + 4);
            if (start.length < MAGICS_BYTES + 4) {
                throw new IOException("the pagemap " + pagemap + " ends before its head");
            }
            int length = ByteBuffer.wrap(start, MAGICS_BYTES, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (length <= 0 || length > MAX_HEAD_BYTES) {
                throw new IOException("the pagemap " + pagemap + " has a head of " + length + " bytes");
            }
            CodedInputStream head = CodedInputStream.newInstance(in.readNBytes(length));
            for (int tag = head.readTag(); tag != 0; tag = head.readTag()) {
                if (tag == (1 << 3)) { // field 1, varint: pages_id
                    return head.readUInt32();
                }
                head.skipField(tag);
            }
            throw new IOException("the pagemap " + pagemap + " names no page image");
        }
    }
}
