package io.haul.host.proc;

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
public record Mapping(long start, long end, String permissions, long offset, String path) {

    /** Kernel-provided areas: never private data of the task, and CRIU re-creates them itself. */
    private static final Set<String> KERNEL_AREAS = Set.of("[vsyscall]", "[vvar]", "[vvar_vclock]", "[vdso]");

    public static Optional<Mapping> parse(String line) {
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

    /** Every mapping of a process, in address order. */
    public static List<Mapping> of(long pid) throws IOException {
        List<Mapping> mappings = new ArrayList<>();
        // Latin-1: a file name may be any bytes, and UTF-8 would refuse some
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"), StandardCharsets.ISO_8859_1)) {
            parse(line).ifPresent(mappings::add);
        }
        return mappings;
    }

    public boolean readable() {
        return permissions.charAt(0) == 'r';
    }

    public boolean writable() {
        return permissions.charAt(1) == 'w';
    }

    /** Private ({@code p}, copy-on-write) rather than shared ({@code s}). */
    public boolean privateMapping() {
        return permissions.charAt(3) == 'p';
    }

    /** One of the kernel's own areas (vdso, vvar, vsyscall). */
    public boolean kernelArea() {
        return KERNEL_AREAS.contains(path);
    }

    public long bytes() {
        return end - start;
    }
}
