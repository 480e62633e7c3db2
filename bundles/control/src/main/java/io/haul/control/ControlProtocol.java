package io.haul.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The control socket's wire format, shared by {@link ControlClient} and {@link ControlServer}.
 *
 * <p>Request: magic {@code HAUL}, version byte, argument count, arguments as modified UTF-8; the first
 * argument is a {@code haul:} command name. Reply: a stream of frames, each a tag byte and a payload:
 * {@link #OUT} and {@link #ERR} carry text as it is printed (so progress shows while a command runs),
 * {@link #EXIT} carries the exit status and ends the reply.
 */
public final class ControlProtocol {

    public static final int MAGIC = 0x4841554C; // "HAUL"
    public static final int VERSION = 1;
    public static final int MAX_ARGS = 64;
    public static final int MAX_CHUNK = 64 * 1024;

    public static final byte OUT = 'O';
    public static final byte ERR = 'E';
    public static final byte EXIT = 'X';

    /** What a command name may look like: a Gogo function name of the haul scope, nothing to inject. */
    public static final Pattern COMMAND_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private ControlProtocol() {
    }

    public static void writeRequest(DataOutputStream out, List<String> args) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        out.writeInt(args.size());
        for (String arg : args) {
            out.writeUTF(arg);
        }
        out.flush();
    }

    /** Reads a request, refusing anything that is not one with a message that says what was wrong. */
    public static List<String> readRequest(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new ProtocolException("not a Haul control request");
        }
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new ProtocolException("control protocol version " + version + " is not supported (this agent speaks "
                    + VERSION + "); use the ./haul of the same Haul version as the agent");
        }
        int count = in.readInt();
        if (count < 1 || count > MAX_ARGS) {
            throw new ProtocolException("a request has 1 to " + MAX_ARGS + " arguments, this one " + count);
        }
        List<String> args = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            try {
                args.add(in.readUTF());
            } catch (UTFDataFormatException e) {
                // the client's fault, not the connection's: it must hear why, as for any malformed request
                throw new ProtocolException("argument " + (i + 1) + " of the request is not modified UTF-8 ("
                        + e.getMessage() + ")");
            }
        }
        return args;
    }

    public static void writeText(DataOutputStream out, byte tag, byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int chunk = Math.min(length, MAX_CHUNK);
            out.writeByte(tag);
            out.writeInt(chunk);
            out.write(bytes, offset, chunk);
            offset += chunk;
            length -= chunk;
        }
        out.flush();
    }

    public static void writeText(DataOutputStream out, byte tag, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeText(out, tag, bytes, 0, bytes.length);
    }

    public static void writeExit(DataOutputStream out, int status) throws IOException {
        out.writeByte(EXIT);
        out.writeInt(status);
        out.flush();
    }

    /** A peer that does not speak the protocol. */
    public static final class ProtocolException extends IOException {

        private static final long serialVersionUID = 1L;

        public ProtocolException(String message) {
            super(message);
        }
    }
}
