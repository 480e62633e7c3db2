package io.haul.host.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TCP sockets processes hold: their descriptors' socket inodes ({@code /proc/PID/fd}) looked up in their
 * network namespace's tables ({@code /proc/PID/net/tcp}, {@code tcp6}).
 */
public final class TcpSockets {

    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)\\]");

    private TcpSockets() {
    }

    /** The TCP sockets any of {@code pids} has open (processes that are gone are skipped). */
    public static List<TcpSocket> heldBy(List<Long> pids) {
        return heldBy(Path.of("/proc"), pids);
    }

    static List<TcpSocket> heldBy(Path proc, List<Long> pids) {
        Set<Long> inodes = new HashSet<>();
        for (long pid : pids) {
            inodes.addAll(socketInodes(proc.resolve(Long.toString(pid)).resolve("fd")));
        }
        Set<TcpSocket> sockets = new LinkedHashSet<>();
        if (inodes.isEmpty()) {
            return List.of();
        }
        for (long pid : pids) {
            for (String table : List.of("tcp", "tcp6")) {
                sockets.addAll(parse(proc.resolve(Long.toString(pid)).resolve("net").resolve(table), inodes));
            }
        }
        return new ArrayList<>(sockets);
    }

    private static Set<Long> socketInodes(Path fds) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
            for (Path link : links) {
                try {
                    Matcher socket = SOCKET_LINK.matcher(Files.readSymbolicLink(link).toString());
                    if (socket.matches()) {
                        inodes.add(Long.parseLong(socket.group(1)));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return inodes;
    }

    /** The lines of one table whose inode is one of {@code inodes}. */
    static List<TcpSocket> parse(Path table, Set<Long> inodes) {
        List<TcpSocket> sockets = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            return sockets;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 10 || !inodes.contains(Long.parseLong(fields[9]))) {
                continue;
            }
            String[] local = fields[1].split(":");
            String[] remote = fields[2].split(":");
            sockets.add(new TcpSocket(address(local[0]), Integer.parseInt(local[1], 16), address(remote[0]),
                    Integer.parseInt(remote[1], 16), Integer.parseInt(fields[3], 16)));
        }
        return sockets;
    }

    /** The kernel prints an address as 32-bit words in host (little-endian) order, in hex. */
    static String address(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = (word * 4 + (3 - i)) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            String text = InetAddress.getByAddress(bytes).getHostAddress();
            return text.equals("0:0:0:0:0:0:0:0") ? "::" : text.equals("0:0:0:0:0:0:0:1") ? "::1" : text;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + hex, e);
        }
    }
}
