package io.haul.criu.hold;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CRIU process whose action script holds a hold: the hook's reader of the hold's {@code verdict} FIFO is a
 * descendant of it (CRIU, the hook, its {@code timeout}, the reading shell). A runtime runs its own CRIU (runc
 * execs it, Docker through containerd and runc), so this is the only way Haul learns which process holds a restored
 * copy mid-restore: should that CRIU end before the verdict, the copy's tasks stay in CRIU's restorer for good and
 * can no longer become the container (the engine watches it as one of the copy's holders).
 */
final class HookedCriu {

    private static final Path PROC = Path.of("/proc");
    /** How far up from the reader CRIU may be: the hook, a subshell of it, timeout, sh; a few more to spare. */
    private static final int MAX_DEPTH = 8;
    /** CRIU's command line: install-criu.sh's wrapper runs it through its own loader; a CRIU that took its
     * request renames itself ("criu: restore --rpc"). */
    private static final Pattern CRIU = Pattern.compile("(.*/s?bin/criu( .*)?|(.* )?criu: .*)");

    private HookedCriu() {
    }

    /** The CRIU above the process (other than this one) that has {@code fifo} open, if there is one. */
    static Optional<Long> holding(Path fifo) {
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (pid != self && hasOpen(process, fifo)) {
                    Optional<Long> criu = criuAbove(pid);
                    if (criu.isPresent()) {
                        return criu;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // /proc unreadable: no holder known, as before
        }
        return Optional.empty();
    }

    /** The folder CRIU works in (it changes into its work folder; runc's --work-path, containerd's task folder). */
    static Optional<Path> workFolder(long criu) {
        try {
            return Optional.of(Files.readSymbolicLink(PROC.resolve(Long.toString(criu)).resolve("cwd")));
        } catch (IOException e) {
            return Optional.empty(); // gone already
        }
    }

    private static boolean hasOpen(Path process, Path fifo) {
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path descriptor : descriptors) {
                try {
                    if (Files.readSymbolicLink(descriptor).equals(fifo)) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended, or its descriptors are not ours to read
        }
        return false;
    }

    private static Optional<Long> criuAbove(long pid) {
        Optional<ProcessHandle> current = ProcessHandle.of(pid);
        for (int depth = 0; depth < MAX_DEPTH && current.isPresent() && current.get().pid() > 1; depth++) {
            if (CRIU.matcher(commandLine(current.get().pid())).matches()) {
                return Optional.of(current.get().pid());
            }
            current = current.get().parent();
        }
        return Optional.empty();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }
}
