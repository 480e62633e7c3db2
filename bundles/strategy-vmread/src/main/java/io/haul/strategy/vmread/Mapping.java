package io.haul.strategy.vmread;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One line of {@code /proc/PID/maps}.
 *
 * @param path what the line names after the inode: a file, {@code [heap]}, {@code [stack]}, {@code [vdso]}...,
 *             or {@code ""} for anonymous memory
 */
record Mapping(long start, long end, String permissions, long offset, String path) {

    /** Kernel-provided areas: never private data of the task, and CRIU re-creates them itself. */
    private static final Set<String> SPECIAL = Set.of("[vsyscall]", "[vvar]", "[vvar_vclock]", "[vdso]");

    static Optional<Mapping> parse(String line) {
        // start-end perms offset dev inode [path]; the path may hold spaces, so split at most 6 ways
        String[] fields = line.strip().split("\\s+", 6);
        if (fields.length < 5 || fields[1].length() < 4) {
            return Optional.empty();
        }
        int dash = fields[0].indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Mapping(Long.parseUnsignedLong(fields[0], 0, dash, 16),
                    Long.parseUnsignedLong(fields[0], dash + 1, fields[0].length(), 16), fields[1],
                    Long.parseUnsignedLong(fields[2], 16), fields.length == 6 ? fields[5] : ""));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The mappings of {@code /proc/PID/maps} this strategy copies, in address order. */
    static List<Mapping> copied(int pid) throws IOException {
        List<Mapping> selected = new ArrayList<>();
        // Latin-1: a file name may be any bytes, and UTF-8 would refuse some
        Path maps = Path.of("/proc", Integer.toString(pid), "maps");
        for (String line : Files.readAllLines(maps, StandardCharsets.ISO_8859_1)) {
            parse(line).filter(Mapping::copied).ifPresent(selected::add);
        }
        return selected;
    }

    /**
     * Private ({@code p}), readable and writable memory, anonymous or a private file mapping; not the kernel's
     * special areas. Shared mappings and read-only ones are left to the final dump.
     */
    boolean copied() {
        return permissions.charAt(0) == 'r' && permissions.charAt(1) == 'w' && permissions.charAt(3) == 'p'
                && !SPECIAL.contains(path) && end > start;
    }

    long pages() {
        return (end - start) / VmReadPreCopy.PAGE;
    }
}
