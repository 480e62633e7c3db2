package io.haul.host.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One mount of a mount namespace, as a line of {@code /proc/PID/mountinfo} gives it (proc(5)): "36 35 98:0 /mnt1
 * /mnt2 rw,noatime master:1 - ext3 /dev/root rw". Paths come unescaped ({@code \040} is a space).
 *
 * @param id         the mount's id
 * @param parent     its parent's id
 * @param device     the file system's device, "major:minor"
 * @param root       the folder of that file system the mount shows ("/" for the whole of it; for nsfs, the
 *                   namespace: "net:[4026532174]")
 * @param mountPoint where it is mounted, in the namespace
 * @param fsType     the file system type
 * @param source     the mount's source ("/dev/vda", "tmpfs", "nsfs")
 */
public record MountInfo(int id, int parent, String device, String root, String mountPoint, String fsType,
        String source) {

    /** The mounts of the mount namespace a process is in, in the kernel's order; empty when it is gone. */
    public static List<MountInfo> of(String pid) {
        try {
            return parse(Files.readString(Path.of("/proc", pid, "mountinfo")));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The mounts a recorded mountinfo text lists (for tests of what reads them). */
    public static List<MountInfo> parseForTests(String text) {
        return parse(text);
    }

    static List<MountInfo> parse(String text) {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length < 7 || separator < 6 || separator + 2 >= fields.length) {
                continue; // not a mount line
            }
            try {
                mounts.add(new MountInfo(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]), fields[2],
                        unescape(fields[3]), unescape(fields[4]), fields[separator + 1], unescape(fields[separator + 2])));
            } catch (NumberFormatException e) {
                // not a mount line either
            }
        }
        return mounts;
    }

    /** A namespace file system's mount (a namespace kept alive by a bind mount, as {@code ip netns add} makes). */
    public boolean nsfs() {
        return fsType.equals("nsfs");
    }

    /**
     * Where on the host (whose mounts are {@code host}) this mount's content is visible too: a mount of the same
     * file system whose root holds this one's, and the path below it; empty when the host has no such mount (the
     * namespace made it itself, as a tmpfs). CRIU's detection of external mounts ({@code --external mnt[]}) matches
     * the same way, and on restore binds each such mount from that path.
     */
    public Optional<String> seenOnHostAt(List<MountInfo> host) {
        return host.stream()
                .filter(h -> h.device.equals(device) && h.fsType.equals(fsType) && h.source.equals(source)
                        && (h.root.equals(root) || h.root.equals("/") && root.startsWith("/")
                                || root.startsWith(h.root + "/")))
                .max(Comparator.comparingInt((MountInfo h) -> h.root.equals(root) ? 1 : 0)
                        .thenComparingInt(h -> h.root.length()))
                .map(h -> {
                    String below = h.root.equals(root) ? "" : h.root.equals("/") ? root : root.substring(h.root.length());
                    String base = h.mountPoint.equals("/") && !below.isEmpty() ? "" : h.mountPoint;
                    return below.isEmpty() ? base : base + below;
                });
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()
                    && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
