package io.haul.api.strategy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a strategy puts the pages it read: the engine hashes them, leaves out what the destination
 * already holds, flags zero pages, compresses the rest and sends them on the bulk stream.
 */
@ProviderType
public interface PageSink {

    /**
     * Offers one page of a task's memory.
     *
     * @param pid     host pid of the task
     * @param address virtual address of the page in that task
     * @param page    exactly one page of content
     * @return whether the page had to be sent (the destination did not hold it)
     */
    boolean offer(long pid, long address, ByteBuffer page) throws IOException;

    /** Bytes put on the wire so far, for the round's figures. */
    long bytesSent();
}
