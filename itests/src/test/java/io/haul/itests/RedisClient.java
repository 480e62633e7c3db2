package io.haul.itests;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A Redis client on one TCP connection made from a network namespace (the client machine), speaking RESP: a command
 * is an array of bulk strings, a reply a simple string, an error, an integer or a bulk string. Enough to keep a
 * connection open to a moving server and ask it what it holds.
 */
final class RedisClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RedisClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects from {@code netns}, trying again until the server listens or {@code seconds} passed. */
    static RedisClient connect(String netns, String address, int port, long seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            try {
                Socket socket = NetNs.in(netns, () -> {
                    Socket s = new Socket();
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(address, port), 5_000);
                    return s;
                });
                socket.setSoTimeout(30_000);
                return new RedisClient(socket);
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no Redis at " + address + ":" + port + " from " + netns + " within "
                            + seconds + " s: " + notYet);
                }
                Thread.sleep(200); // polled: the server tells nobody when it listens
            }
        }
    }

    /** Sends a command and returns its reply (an integer or a string; null for a nil bulk string). */
    String call(String... words) throws IOException {
        StringBuilder command = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            command.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word)
                    .append("\r\n");
        }
        out.write(command.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        String line = line();
        return switch (line.isEmpty() ? ' ' : line.charAt(0)) {
            case '+', ':' -> line.substring(1);
            case '-' -> throw new IOException("Redis answered " + words[0] + " with an error: " + line.substring(1));
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length < 0) {
                    yield null;
                }
                byte[] value = in.readNBytes(length);
                line(); // the CRLF after it
                yield new String(value, StandardCharsets.UTF_8);
            }
            default -> throw new IOException("not a Redis reply to " + words[0] + ": '" + line + "'");
        };
    }

    long incr(String key) throws IOException {
        return Long.parseLong(call("INCR", key));
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection");
            }
            if (previous == '\r' && b == '\n') {
                byte[] all = bytes.toByteArray();
                return new String(all, 0, all.length - 1, StandardCharsets.UTF_8);
            }
            bytes.write(b);
            previous = b;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
