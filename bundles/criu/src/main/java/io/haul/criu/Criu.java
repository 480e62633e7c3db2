package io.haul.criu;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * CRIU as the engine uses it (a DS service). Every call runs a fresh {@code criu swrk} over CRIU's RPC; a
 * failure throws a {@link HaulException} whose {@code logFile()} names CRIU's log of that step, kept.
 *
 * <p>Codes: {@code criu.unavailable} (no CRIU, its check failed, or it cannot be started),
 * {@code criu.dump-failed}, {@code criu.restore-failed}, {@code criu.resume-failed},
 * {@code criu.cpuinfo-dump-failed}, {@code criu.cpuinfo-mismatch}, {@code criu.timeout} (CRIU did not answer in
 * time; what it was doing is undone as on any failure), {@code criu.protocol} (CRIU went away or sent something
 * undecodable), {@code criu.interrupted}, {@code criu.dump-not-held} (commit after abort). Messages carry CRIU's
 * own error text, its errno when it sent one, and the last error lines of its log.
 */
@ProviderType
public interface Criu {

    /** The version of the CRIU this agent uses, e.g. {@code 4.2.1}. */
    String version() throws HaulException;

    /**
     * Dumps a tree and holds it frozen: returns once CRIU has written every image and waits at its
     * post-dump notification. The tree then stays frozen until {@link FrozenDump#commit()} (CRIU kills it)
     * or {@link FrozenDump#abort()} (CRIU resumes it as it was).
     */
    FrozenDump dump(DumpRequest request) throws HaulException;

    /**
     * Whether a restore can be held at post-restore ({@link RestoreRequest#holdFor}): the hold hook is installed
     * and named in the configuration the engine gives CRIU.
     */
    Usability restoreHold();

    /** Restores a tree from images, left stopped until {@link RestoredTree#resume()}. */
    RestoredTree restore(RestoreRequest request) throws HaulException;

    /** Writes this host's CPU description ({@code criu cpuinfo dump}) into a folder. */
    void cpuinfoDump(Path dir) throws HaulException;

    /** Checks that the CPU description in a folder (another host's) fits this host's CPU; throws if not. */
    void cpuinfoCheck(Path dir) throws HaulException;
}
