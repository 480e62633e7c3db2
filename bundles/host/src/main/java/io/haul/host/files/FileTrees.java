package io.haul.host.files;

import io.haul.api.HaulException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A container's files (its writable layer, a volume) packed into one tar file and unpacked on the other host,
 * with GNU tar: it keeps owners, modes, device nodes and the extended attributes overlayfs marks deletions and
 * opaque folders with, which a layer needs to mean the same thing on the other side.
 */
public final class FileTrees {

    private static final long TIMEOUT_SECONDS = 600;

    private FileTrees() {
    }

    /** Packs the content of {@code folder} (not the folder itself) into {@code tar}. */
    public static void pack(Path folder, Path tar) throws HaulException {
        run("file.pack", "packing " + folder, List.of("tar", "--create", "--file", tar.toString(), "--directory",
                folder.toString(), "--numeric-owner", "--xattrs", "--xattrs-include=*", "--sparse", "."));
    }

    /**
     * Packs the content of {@code folder} into {@code tar} as GNU tar's incremental dumps do: a first one when
     * {@code snapshot} does not exist yet (which it then records), after that only what changed since, with the
     * listing of every folder, so that unpacking both deletes what was deleted meanwhile.
     */
    public static void packIncremental(Path folder, Path tar, Path snapshot) throws HaulException {
        run("file.pack", "packing " + folder, List.of("tar", "--create", "--file", tar.toString(), "--directory",
                folder.toString(), "--listed-incremental=" + snapshot, "--numeric-owner", "--xattrs",
                "--xattrs-include=*", "--sparse", "."));
    }

    /** Unpacks one of {@link #packIncremental}'s tar files into {@code folder}, the earlier ones first. */
    public static void unpackIncremental(Path tar, Path folder) throws HaulException {
        run("file.unpack", "unpacking into " + folder, List.of("tar", "--extract", "--file", tar.toString(),
                "--directory", folder.toString(), "--listed-incremental=/dev/null", "--numeric-owner",
                "--same-permissions", "--xattrs", "--xattrs-include=*"));
    }

    /** Unpacks {@code tar} into {@code folder}, which exists. */
    public static void unpack(Path tar, Path folder) throws HaulException {
        run("file.unpack", "unpacking into " + folder, List.of("tar", "--extract", "--file", tar.toString(),
                "--directory", folder.toString(), "--numeric-owner", "--same-permissions", "--xattrs",
                "--xattrs-include=*"));
    }

    private static void run(String code, String what, List<String> command) throws HaulException {
        List<String> line = new ArrayList<>(command);
        try {
            Process tar = new ProcessBuilder(line).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] output = tar.getInputStream().readAllBytes();
            if (!tar.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                tar.destroyForcibly();
                throw new HaulException(code, what + ": tar did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (tar.exitValue() != 0) {
                throw new HaulException(code, what + " failed: " + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new HaulException(code, what + " failed: cannot run tar: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException(code, what + " was interrupted");
        }
    }
}
