package io.haul.api.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An authenticated connection between two agents: size-limited control frames both ways, and a
 * flow-controlled byte stream each way for bulk data (image files, pages), so bulk transfer never
 * delays a control frame such as a cancel.
 */
@ConsumerType
public interface Connection extends Closeable {

    PeerIdentity peer();

    /** Sends one control frame; frames over the transport's limit are refused. */
    void send(byte[] frame) throws IOException;

    /** The next control frame, or an {@link IOException} when none arrived in time or the peer went away. */
    byte[] receive(Duration timeout) throws IOException;

    /** Bulk data towards the peer; writes block while the peer is behind. */
    OutputStream bulkOut() throws IOException;

    /** Bulk data from the peer. */
    InputStream bulkIn() throws IOException;
}
