package io.haul.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./haul COMMAND [ARGS]}: sends one command to the agent on this machine and prints its output as
 * it comes. A plain main class (no OSGi), run from the control bundle's jar. Exit status: the command's,
 * 2 when no agent answers.
 */
public final class ControlClient {

    static final int NO_AGENT = 2;

    private ControlClient() {
    }

    public static void main(String[] argv) {
        if (argv.length < 2) {
            System.err.println("usage: ControlClient SOCKET COMMAND [ARGS...]");
            System.exit(64);
        }
        System.exit(run(Path.of(argv[0]), Arrays.asList(argv).subList(1, argv.length), System.out, System.err));
    }

    static int run(Path socket, List<String> args, PrintStream out, PrintStream err) {
        if (!Files.exists(socket)) {
            err.println("haul: no agent is running here (no control socket at " + socket
                    + "); start one with: ./haul agent");
            return NO_AGENT;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream request = new DataOutputStream(Channels.newOutputStream(channel));
            DataInputStream reply = new DataInputStream(Channels.newInputStream(channel));
            ControlProtocol.writeRequest(request, args);
            return relay(reply, out, err);
        } catch (AccessDeniedException e) {
            err.println("haul: permission denied on " + socket + ": only root may talk to the agent");
            return NO_AGENT;
        } catch (java.net.SocketException e) {
            String reason = String.valueOf(e.getMessage());
            if (reason.contains("Permission denied")) {
                err.println("haul: permission denied on " + socket + ": only root may talk to the agent");
            } else {
                err.println("haul: no agent answers on " + socket + " (" + reason + "); start one with: ./haul agent");
            }
            return NO_AGENT;
        } catch (EOFException e) {
            err.println("haul: the agent closed the connection before the command finished (see its log)");
            return NO_AGENT;
        } catch (IOException e) {
            err.println("haul: " + e.getMessage());
            return NO_AGENT;
        }
    }

    private static int relay(DataInputStream reply, PrintStream out, PrintStream err) throws IOException {
        while (true) {
            byte tag = reply.readByte();
            switch (tag) {
                case ControlProtocol.OUT -> copy(reply, out);
                case ControlProtocol.ERR -> copy(reply, err);
                case ControlProtocol.EXIT -> {
                    out.flush();
                    return reply.readInt();
                }
                default -> throw new IOException("the agent sent an unknown frame (" + tag + "); is it the same Haul version?");
            }
        }
    }

    private static void copy(DataInputStream reply, PrintStream target) throws IOException {
        int length = reply.readInt();
        if (length < 0 || length > ControlProtocol.MAX_CHUNK) {
            throw new IOException("the agent sent a frame of " + length + " bytes");
        }
        byte[] bytes = reply.readNBytes(length);
        target.write(bytes, 0, bytes.length);
        target.flush();
    }
}
