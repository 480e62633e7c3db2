package io.haul.host.files;

import io.haul.api.HaulException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One folder of a container (a writable layer, a volume, a root file system) as it travels: copies in rounds ahead
 * of the freeze while the container runs (the first one whole, each later one what changed since, as GNU tar's
 * incremental dumps), then in the frozen window only what changed since the last round, or the whole folder
 * when no round went ahead. The destination unpacks them in that order into the folder that replaces it, and
 * what was deleted meanwhile is deleted there too. The Docker, runc and LXC backends move their files this way.
 *
 * @param name    letters, digits, '.', '_' and '-' only: it names the files on the wire
 * @param folder  the folder on this host
 */
public record TreeCopy(String name, Path folder) {

    private static final Pattern ROUND_FILE = Pattern.compile("haul-fs-(.+)\\.ahead-(\\d+)\\.tar");

    public TreeCopy {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) {
            throw new IllegalArgumentException("a file tree's name is letters, digits, '.', '_' and '-': " + name);
        }
    }

    private static String roundFile(String name, int round) {
        return "haul-fs-" + name + ".ahead-" + round + ".tar";
    }

    private static String lastFile(String name) {
        return "haul-fs-" + name + ".tar";
    }

    /** Where the source keeps GNU tar's record of what the rounds sent, in a folder of its own ({@code state}). */
    private Path snapshot(Path state) {
        return state.resolve(name + ".snar");
    }

    /**
     * Source, container running: round {@code round} (1 for the first, the whole folder) into {@code into}; returns
     * the bytes of the file it wrote.
     */
    public long packRound(int round, Path into, Path state) throws HaulException {
        try {
            Files.createDirectories(state);
            if (round == 1) {
                Files.deleteIfExists(snapshot(state));
            }
        } catch (IOException e) {
            throw new HaulException("file.pack", "cannot prepare " + state + ": " + e.getMessage());
        }
        Path file = into.resolve(roundFile(name, round));
        FileTrees.packIncremental(folder, file, snapshot(state));
        TarSnapshot.backdate(snapshot(state)); // what changes from now on travels in the next round, racy files too
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new HaulException("file.pack", "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Source, container frozen: what changed since the last round, or everything when no round ran. */
    public void packLast(Path images, Path state) throws HaulException {
        if (Files.exists(snapshot(state))) {
            FileTrees.packIncremental(folder, images.resolve(lastFile(name)), snapshot(state));
        } else {
            FileTrees.pack(folder, images.resolve(lastFile(name)));
        }
    }

    /** Destination: the received copies of the tree named {@code name}, rounds in order, into {@code into}. */
    public static void unpack(String name, Path imageDir, Path into) throws HaulException {
        Path last = imageDir.resolve(lastFile(name));
        if (!Files.exists(last)) {
            throw new HaulException("file.missing", "the source sent no copy of '" + name + "'");
        }
        List<Path> rounds = rounds(name, imageDir);
        if (rounds.isEmpty()) {
            FileTrees.unpack(last, into);
            return;
        }
        for (Path round : rounds) {
            FileTrees.unpackIncremental(round, into);
        }
        FileTrees.unpackIncremental(last, into);
    }

    /**
     * Destination, the container still running on the source: one received round of the tree {@code name} into
     * {@code into}, as it arrives; false, and nothing done, when {@code file} is not one of its rounds.
     */
    public static boolean unpackRound(String name, Path file, Path into) throws HaulException {
        Matcher m = ROUND_FILE.matcher(file.getFileName().toString());
        if (!m.matches() || !m.group(1).equals(name)) {
            return false;
        }
        FileTrees.unpackIncremental(file, into);
        return true;
    }

    /** Destination, frozen: the last copy of {@code name} only, its rounds already unpacked by {@link #unpackRound}. */
    public static void unpackLast(String name, Path imageDir, Path into) throws HaulException {
        Path last = imageDir.resolve(lastFile(name));
        if (!Files.exists(last)) {
            throw new HaulException("file.missing", "the source sent no copy of '" + name + "'");
        }
        FileTrees.unpackIncremental(last, into);
    }

    /** Whether the destination received a copy of the tree named {@code name}. */
    public static boolean received(String name, Path imageDir) {
        return Files.exists(imageDir.resolve(lastFile(name)));
    }

    /** The round files of a tree among the received images, by round number. */
    private static List<Path> rounds(String name, Path imageDir) throws HaulException {
        TreeMap<Integer, Path> rounds = new TreeMap<>();
        try (Stream<Path> files = Files.list(imageDir)) {
            for (Path file : files.toList()) {
                Matcher m = ROUND_FILE.matcher(file.getFileName().toString());
                if (m.matches() && m.group(1).equals(name)) {
                    rounds.put(Integer.parseInt(m.group(2)), file);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new HaulException("file.unpack", "cannot list the copies of '" + name + "' in " + imageDir + ": "
                    + e.getMessage());
        }
        return List.copyOf(rounds.values());
    }
}
