package io.haul.backend.process;

import io.haul.api.namespace.NamespaceKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the few {@code /proc} entries the backend needs, below a configurable root so tests can point it
 * at a fake tree of plain files. Every per-process read may fail because the process just exited; callers
 * decide whether that skips the process ({@link #gone}) or is an error.
 */
final class ProcFs {

    /** The agent itself, as /proc names it. */
    static final String SELF = "self";

    private final Path root;

    ProcFs(Path root) {
        this.root = root;
    }

    static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    Path root() {
        return root;
    }

    /** Whether an exception means the process (or the entry) is not there any more, rather than a real failure. */
    static boolean gone(IOException e) {
        // a process that exits between open and read gives ESRCH, which the JDK reports only as a message
        return e instanceof NoSuchFileException
                || (e.getMessage() != null && e.getMessage().contains("No such process"));
    }

    /** The numeric entries of /proc: every process (thread group leaders only; threads are not listed). */
    List<Long> pids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9') && name.length() < 19) {
                    pids.add(Long.parseLong(name));
                }
            }
        }
        return pids;
    }

    /** Whether /proc has an entry for this pid (also true for a thread id, which /proc does not list). */
    boolean exists(long pid) {
        return Files.isDirectory(root.resolve(Long.toString(pid)));
    }

    /** The namespace link of a process, e.g. {@code pid:[4026531836]}; the text identifies the namespace. */
    String namespace(long pid, NamespaceKind kind) throws IOException {
        return namespace(Long.toString(pid), kind);
    }

    String selfNamespace(NamespaceKind kind) throws IOException {
        return namespace(SELF, kind);
    }

    private String namespace(String who, NamespaceKind kind) throws IOException {
        return Files.readSymbolicLink(root.resolve(who).resolve("ns").resolve(kind.procName())).toString();
    }

    ProcStat stat(long pid) throws IOException {
        String text = read(Long.toString(pid), "stat");
        try {
            return ProcStat.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable " + root.resolve(Long.toString(pid)).resolve("stat") + ": " + e.getMessage(), e);
        }
    }

    ProcStatus status(long pid) throws IOException {
        return status(Long.toString(pid));
    }

    ProcStatus selfStatus() throws IOException {
        return status(SELF);
    }

    private ProcStatus status(String who) throws IOException {
        String text = read(who, "status");
        try {
            return ProcStatus.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable " + root.resolve(who).resolve("status") + ": " + e.getMessage(), e);
        }
    }

    /** The command line with its NUL separators as spaces, trimmed; empty for kernel threads and zombies. */
    String cmdline(long pid) throws IOException {
        return read(Long.toString(pid), "cmdline").replace('\0', ' ').strip();
    }

    /** The process's working directory, as its cwd link names it. */
    String cwd(long pid) throws IOException {
        return Files.readSymbolicLink(root.resolve(Long.toString(pid)).resolve("cwd")).toString();
    }

    private String read(String who, String file) throws IOException {
        // bytes, not readString: command names and lines need not be valid UTF-8, and a reader must not fail on them
        return new String(Files.readAllBytes(root.resolve(who).resolve(file)), StandardCharsets.UTF_8);
    }
}
