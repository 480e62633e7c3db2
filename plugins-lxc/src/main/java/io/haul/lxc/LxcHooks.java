package io.haul.lxc;

import io.haul.api.HaulException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The programs a container's configuration names as LXC hooks ({@code lxc.hook.pre-start = /srv/hooks/check}): LXC
 * runs them for a restore too (pre-start among them), and Haul moves the root file system and the configuration, not
 * hook scripts, so a hook missing on the destination would fail the restore with the source frozen. The destination
 * refuses it before anything freezes. A hook that is there and fails (what it needs is missing) still fails the
 * restore, and the migration rolls back.
 */
final class LxcHooks {

    private LxcHooks() {
    }

    /** Refuses the first hook whose program is not an executable file here. */
    static void checkHere(LxcConfig config, String container) throws HaulException {
        for (LxcConfig.Entry entry : config.entries()) {
            // lxc.hook.version is the hooks' calling convention, a number
            if (!entry.key().startsWith("lxc.hook.") || entry.key().equals("lxc.hook.version")
                    || entry.value().isEmpty()) {
                continue;
            }
            String program = entry.value().split("\\s+", 2)[0];
            if (!program.startsWith("/") || !Files.isRegularFile(Path.of(program))
                    || !Files.isExecutable(Path.of(program))) {
                throw new HaulException("check.hook", "the " + entry.key() + " program " + program + " of " + container
                        + " is not an executable file on this host: LXC runs it for the restore too, and Haul moves the"
                        + " root file system and the configuration, not hook scripts");
            }
        }
    }
}
