package io.haul.engine;

import io.haul.api.strategy.PageSink;
import io.haul.pages.FingerprintIndex;
import io.haul.pages.KnownPages;
import io.haul.pages.PageFingerprint;
import io.haul.pages.PageHash;
import io.haul.pages.PageHasher;
import io.haul.pages.PagePushWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * The source's end of pre-copy: pages a strategy read go to the destination's page store, each content
 * once. What was sent is remembered, so the final dump's page images can refer to those pages instead of
 * carrying them again. Zero pages are never pushed: page recipes flag them.
 *
 * <p>Each page pushed is also remembered by its {@link PageFingerprint}, so that the final dump finds the pages
 * that did not change since they were pushed without hashing them again ({@link #known()}). Pre-copy offers pages
 * from the migration's own thread, which starts the dump's capturing threads afterwards: they see every page
 * added.
 */
final class PushingPageSink implements PageSink {

    private final PagePushWriter writer;
    private final PageHasher hasher = new PageHasher();
    private final Set<PageHash> sent = new HashSet<>();
    private final FingerprintIndex known = new FingerprintIndex();
    private final PageFingerprint fingerprint = new PageFingerprint();
    private final byte[] buffer = new byte[PageHasher.PAGE_SIZE];
    private boolean ended;

    PushingPageSink(OutputStream bulk) {
        this.writer = new PagePushWriter(bulk);
    }

    @Override
    public synchronized boolean offer(long pid, long address, ByteBuffer page) throws IOException {
        if (ended) {
            throw new IOException("pre-copy has ended: no more pages go to the destination's store");
        }
        page.duplicate().get(buffer);
        if (PageHasher.isZero(buffer)) {
            return false;
        }
        PageHash hash = hasher.hash(buffer);
        if (!sent.add(hash)) {
            return false;
        }
        writer.push(hash, buffer);
        fingerprint.of(buffer, 0);
        known.add(fingerprint.hi(), fingerprint.lo(), hash);
        return true;
    }

    @Override
    public synchronized long bytesSent() {
        return writer.bytesWritten();
    }

    /** Whether the destination's store holds this content (it stores every page pushed). */
    synchronized boolean destinationHas(PageHash hash) {
        return sent.contains(hash);
    }

    /** The pages pushed, by fingerprint: each one the destination holds. Read it once pre-copy has ended. */
    KnownPages known() {
        return known;
    }

    /** How many pages of the final dump were found by fingerprint, not hashed again. */
    long foundByFingerprint() {
        return known.found();
    }

    /** Ends the pre-copy section of the bulk stream; the image files follow it. */
    synchronized void end() throws IOException {
        if (!ended) {
            ended = true;
            writer.end();
            writer.flush();
        }
    }
}
