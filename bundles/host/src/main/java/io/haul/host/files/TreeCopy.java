package io.haul.docker.files;

import io.haul.api.HaulException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One folder of a container (a writable layer, a volume, a root file system) as it travels: a first copy sent
 * ahead of the freeze while the container runs, then in the frozen window only what changed since (or the whole
 * folder when nothing went ahead). The destination unpacks them in that order into the folder that replaces it.
 *
 * @param name    letters, digits, '.', '_' and '-' only: it names the files on the wire
 * @param folder  the folder on this host
 */
public record TreeCopy(String name, Path folder) {

    /** Where the source keeps what the incremental copies need, inside the folder of the files sent ahead. */
    private static final String STATE = "state";

    public TreeCopy {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) {
            throw new IllegalArgumentException("a file tree's name is letters, digits, '.', '_' and '-': " + name);
        }
    }

    private static String aheadFile(String name) {
        return "haul-fs-" + name + ".0.tar";
    }

    private static String finalFile(String name) {
        return "haul-fs-" + name + ".tar";
    }

    private Path snapshot(Path aheadDir) {
        return aheadDir.resolve(STATE).resolve(name + ".snar");
    }

    /** Source, container running: the first copy, into the folder of files sent ahead. */
    public void packAhead(Path aheadDir) throws HaulException {
        try {
            Files.createDirectories(aheadDir.resolve(STATE));
            Files.deleteIfExists(snapshot(aheadDir));
        } catch (IOException e) {
            throw new HaulException("file.pack", "cannot prepare " + aheadDir + ": " + e.getMessage());
        }
        FileTrees.packIncremental(folder, aheadDir.resolve(aheadFile(name)), snapshot(aheadDir));
    }

    /** Source, container frozen: what changed since {@link #packAhead}, or everything when that did not run. */
    public void packFinal(Path imageDir, Path aheadDir) throws HaulException {
        if (Files.exists(snapshot(aheadDir))) {
            FileTrees.packIncremental(folder, imageDir.resolve(finalFile(name)), snapshot(aheadDir));
        } else {
            FileTrees.pack(folder, imageDir.resolve(finalFile(name)));
        }
    }

    /** Destination: the received copies of the tree named {@code name}, in order, into {@code into}. */
    public static void unpack(String name, Path imageDir, Path into) throws HaulException {
        Path ahead = imageDir.resolve(aheadFile(name));
        Path last = imageDir.resolve(finalFile(name));
        if (Files.exists(ahead)) {
            FileTrees.unpackIncremental(ahead, into);
            FileTrees.unpackIncremental(last, into);
        } else if (Files.exists(last)) {
            FileTrees.unpack(last, into);
        } else {
            throw new HaulException("file.missing", "the source sent no copy of '" + name + "'");
        }
    }

    /** Whether the destination received a copy of the tree named {@code name}. */
    public static boolean received(String name, Path imageDir) {
        return Files.exists(imageDir.resolve(finalFile(name)));
    }
}
