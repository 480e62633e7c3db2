package io.haul.control;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** What a command prints, sent to the client as frames of one tag as soon as it is flushed. */
final class FrameOutputStream extends OutputStream {

    private final DataOutputStream reply;
    private final byte tag;

    FrameOutputStream(DataOutputStream reply, byte tag) {
        this.reply = reply;
        this.tag = tag;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        synchronized (reply) { // stdout and stderr frames share one socket
            ControlProtocol.writeText(reply, tag, bytes, offset, length);
        }
    }
}
