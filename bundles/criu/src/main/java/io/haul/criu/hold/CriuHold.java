package io.haul.criu.hold;

import io.haul.api.HaulException;
import io.haul.host.files.Folders;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Holds a runtime's CRIU step (a Docker or runc checkpoint at post-dump, a restore at post-restore) until the
 * commit point decides, through the action script runtime/setup/criu-hold-hook.sh: a folder under
 * {@link #HOLDS} with the FIFOs {@code reached} (the script tells where the images are) and {@code verdict}
 * ({@code go} lets CRIU finish; anything else, or this agent dying, makes CRIU undo its step).
 *
 * <p>Both FIFOs are opened read-write at once, so neither side's open ever waits for the other, a verdict
 * written before the script reached the hold waits in the FIFO, and the script's read of the verdict ends
 * (empty: undo) when this process goes away. Close a hold only after the runtime's call ended: a hold folder
 * that vanishes before the script looked for it would let the step finish.
 */
public final class CriuHold implements AutoCloseable {

    /** The folder the hook accepts holds in; /run is a tmpfs, so a reboot forgets stale ones. */
    public static final Path HOLDS = Path.of("/run/haul/hold");
    /** The file in an image folder that names the hold of a restore from it. */
    public static final String RESTORE_MARKER = "haul-hold";
    /** The hook as ./haul setup installs it, and the CRIU configuration of runc that names it. */
    public static final Path HOOK = Path.of("/opt/haul/hooks/haul-hold");
    public static final Path RUNC_CRIU_CONFIG = Path.of("/etc/criu/runc.conf");
    /** The CRIU configuration that names the hook for the engine's own restores (given as the RPC's config file). */
    public static final Path ENGINE_CRIU_CONFIG = Path.of("/etc/criu/haul.conf");

    private static final String RUNTIME_ENDED = "runtime-ended";
    private static final String RESTORE_PREFIX = "restore-";
    /** A migration id, as the engine checks it: it names a hold folder, so nothing else passes. */
    private static final Pattern MIGRATION_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final Path folder;
    private final FileChannel reached;
    private final FileChannel verdict;
    private boolean released;

    private CriuHold(Path folder, Duration limit) throws HaulException {
        this.folder = folder;
        try {
            Files.createDirectories(HOLDS);
            Folders.delete(folder); // a stale hold of an earlier agent with the same key
            Files.createDirectory(folder);
            Files.writeString(folder.resolve("limit"), Long.toString(Math.max(1, limit.toSeconds())));
            Syscalls.mkfifo(folder.resolve("reached").toString(), 0600);
            Syscalls.mkfifo(folder.resolve("verdict").toString(), 0600);
            reached = FileChannel.open(folder.resolve("reached"), StandardOpenOption.READ, StandardOpenOption.WRITE);
            verdict = FileChannel.open(folder.resolve("verdict"), StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) { // ErrnoException among them
            Folders.delete(folder);
            throw new HaulException("hold.setup", "cannot prepare the hold folder " + folder + ": " + e.getMessage());
        }
    }

    /** Holds the checkpoint of the container whose init process has this host pid, at post-dump. */
    public static CriuHold forDump(long initPid, Duration limit) throws HaulException {
        return new CriuHold(HOLDS.resolve("dump-" + initPid), limit);
    }

    /**
     * The dump hold of the container whose init had this host pid, left by an agent that died while it held the
     * dump (its hook gave up when the agent's end of the FIFOs closed): removed. Returns whether there was one.
     */
    public static boolean removeLeftDumpHold(long initPid) {
        Path folder = HOLDS.resolve("dump-" + initPid);
        return Files.isDirectory(folder) && Folders.delete(folder);
    }

    /**
     * Holds the restore of a migration from {@code imageDir} at post-restore: marks the folder so the hook finds
     * this hold. The hold outlives this agent: if it dies, the hook waits (up to the limit) for a restarted agent
     * to {@link #decide} from the migration's record, as the source may have passed the commit point already.
     */
    public static CriuHold forRestore(String migrationId, Path imageDir, Duration limit) throws HaulException {
        if (!MIGRATION_ID.matcher(migrationId).matches()) {
            throw new IllegalArgumentException("a migration id is letters, digits and '-': " + migrationId);
        }
        CriuHold hold = new CriuHold(restoreFolder(migrationId), limit);
        try {
            Files.writeString(imageDir.resolve(RESTORE_MARKER), hold.folder.toString());
        } catch (IOException e) {
            hold.close();
            throw new HaulException("hold.setup", "cannot mark " + imageDir + " for the hold: " + e.getMessage());
        }
        return hold;
    }

    /** Whether {@code imageDir} is marked for the held restore of this migration (by {@link #forRestore}). */
    public static boolean marksRestoreOf(Path imageDir, String migrationId) {
        try {
            return MIGRATION_ID.matcher(migrationId).matches() && Files.readString(imageDir.resolve(RESTORE_MARKER))
                    .strip().equals(restoreFolder(migrationId).toString());
        } catch (IOException e) {
            return false; // no marker: not a folder of this restore
        }
    }

    /** Where the hook said the step is held: the container's init pid on this host and CRIU's image folder. */
    public record Reached(long initPid, Path imageDir) {
    }

    /**
     * Waits until CRIU reached the hold, or until the runtime's call (which only returns after the hold, or when
     * the step failed before it) ends first: then the step failed, and that call's error says why.
     */
    public Reached awaitReached(CompletableFuture<?> runtimeCall) throws HaulException {
        // ends the read below with a line of our own: closing the channel would not wake a virtual thread there
        runtimeCall.whenComplete((result, error) -> endReadWith(RUNTIME_ENDED));
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            while (buffer.position() == 0 || buffer.get(buffer.position() - 1) != '\n') {
                if (reached.read(buffer) < 0 || !buffer.hasRemaining()) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new HaulException("hold.failed", "cannot read the hold's FIFO in " + folder + ": " + e.getMessage());
        }
        String line = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
        String[] parts = line.split(" ", 2);
        if (parts.length == 2 && parts[0].matches("\\d+")) {
            return new Reached(Long.parseLong(parts[0]), Path.of(parts[1]));
        }
        throw new HaulException("hold.not-reached", "the runtime ended its CRIU step before the hold"
                + (line.isEmpty() || line.equals(RUNTIME_ENDED) ? "" : " (the hook said '" + line + "')"));
    }

    private static Path restoreFolder(String migrationId) {
        return HOLDS.resolve(RESTORE_PREFIX + migrationId);
    }

    /** The migrations whose restore a hook holds now, waiting for a verdict (e.g. left by an agent that died). */
    public static List<String> heldRestores() {
        try (Stream<Path> folders = Files.list(HOLDS)) {
            return folders.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(RESTORE_PREFIX))
                    .map(n -> n.substring(RESTORE_PREFIX.length()))
                    .filter(id -> Files.exists(restoreFolder(id).resolve("verdict"))).sorted().toList();
        } catch (IOException e) {
            return List.of(); // no holds folder: nothing held
        }
    }

    /**
     * Gives the verdict on a restore held for a migration by an agent that is gone: {@code go} lets the restored
     * tasks run, else CRIU kills them. Returns false when no such hold waits.
     */
    public static boolean decide(String migrationId, boolean go) throws HaulException {
        if (!MIGRATION_ID.matcher(migrationId).matches()) {
            return false;
        }
        Path folder = restoreFolder(migrationId);
        if (!Files.exists(folder.resolve("verdict"))) {
            return false;
        }
        // read-write: never waits for the hook, which waits for a writer to come back after its agent died
        try (FileChannel verdict = FileChannel.open(folder.resolve("verdict"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            verdict.write(ByteBuffer.wrap((go ? "go\n" : "undo\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new HaulException("hold.failed", "cannot give the verdict to the hold " + folder + ": " + e.getMessage());
        }
        Folders.delete(folder); // the hook holds the FIFO open: its line stays readable
        return true;
    }

    /**
     * Writes through a channel of its own: a FileChannel's reads and writes share one lock, so writing through
     * {@link #reached} would wait for the very read it should end. Opened read-write, which never waits on a FIFO:
     * the runtime's call often ends after the hold was closed (or dropped) with its folder still there, and a
     * write-only open would then wait for a reader forever, pinning one of the few carriers of virtual threads
     * (two on a 2-core host: with the next hold's read pinning the other, the whole agent stood still).
     */
    private void endReadWith(String line) {
        try (FileChannel writer = FileChannel.open(folder.resolve("reached"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            writer.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            closeQuietly(reached);
        }
    }

    /**
     * The CRIU that holds this step now (its hook reads the verdict), once {@link #awaitReached} returned; empty
     * when it cannot be found.
     */
    public List<Long> holders() {
        return HookedCriu.holding(folder.resolve("verdict")).map(List::of).orElse(List.of());
    }

    /** The folder the CRIU process {@code criu} works in, while it runs. */
    public static java.util.Optional<Path> workFolderOf(long criu) {
        return HookedCriu.workFolder(criu);
    }

    /** Unmounts the cgroup yards that killed CRIUs left in these work folders. */
    public static void unmountCgroupYardsIn(List<Path> workFolders) {
        CgroupYards.unmountIn(workFolders);
    }

    /** Lets CRIU finish ({@code go}) or undo its step. Only the first call counts. */
    public synchronized void release(boolean go) {
        if (released) {
            return;
        }
        released = true;
        try {
            verdict.write(ByteBuffer.wrap((go ? "go\n" : "undo\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            closeQuietly(verdict); // the script's read then ends empty, which undoes the step
        }
    }

    /**
     * Lets go of the hold as this agent's death would: the FIFOs close without a verdict and the folder stays, so
     * a dump is undone and a restore waits for {@link #decide} (by a restarted agent).
     */
    public void dropWithoutVerdict() {
        released = true;
        closeQuietly(verdict);
        closeQuietly(reached);
    }

    /** Undoes the step unless released, and removes the hold's folder: only once the runtime's call ended. */
    @Override
    public void close() {
        release(false);
        closeQuietly(verdict);
        closeQuietly(reached);
        Folders.delete(folder);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do: the descriptor is gone either way
        }
    }
}
