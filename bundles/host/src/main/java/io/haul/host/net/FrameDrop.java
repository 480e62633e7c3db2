package io.haul.host.net;

import io.haul.api.HaulException;
import io.haul.host.exec.BoundedCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops every frame from and to some hardware addresses on this namespace's bridges (ebtables' filter table:
 * forwarded between ports, and to and from the host itself), in a chain of its own, installed and removed each in
 * one {@code ebtables-restore} (about 20 ms here): a restored copy that waits for the commit point neither sends
 * nor hears anything, whoever restored it. {@link #close} removes it; it is safe to call twice.
 */
public final class FrameDrop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FrameDrop.class);
    private static final java.util.regex.Pattern MAC = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final String PREFIX = "HAUL-HOLD-";
    private static final List<String> HOOKS = List.of("INPUT", "FORWARD", "OUTPUT");

    private final String chain;
    private boolean removed;

    private FrameDrop(String chain) {
        this.chain = chain;
    }

    /** Installs the drop as chain {@code HAUL-HOLD-NAME} ({@code name}: letters and digits, at most 16). */
    public static FrameDrop install(String name, Collection<String> macs) throws HaulException {
        if (!name.matches("[A-Za-z0-9]{1,16}") || macs.isEmpty()) {
            throw new IllegalArgumentException("a drop needs a plain name and addresses: " + name + " " + macs);
        }
        for (String mac : macs) {
            if (!MAC.matcher(mac).matches()) { // it came from a peer: nothing else may reach the rules
                throw new HaulException("network.bad-address", "not a hardware address: '" + mac + "'");
            }
        }
        String chain = PREFIX + name.toUpperCase(Locale.ROOT);
        StringBuilder rules = new StringBuilder("*filter\n:").append(chain).append(" RETURN\n");
        for (String mac : macs) {
            rules.append("-A ").append(chain).append(" -s ").append(mac).append(" -j DROP\n");
            rules.append("-A ").append(chain).append(" -d ").append(mac).append(" -j DROP\n");
        }
        HOOKS.forEach(hook -> rules.append("-I ").append(hook).append(" -j ").append(chain).append('\n'));
        restore(rules.append("COMMIT\n").toString(), "drop the frames of " + String.join(", ", macs));
        return new FrameDrop(chain);
    }

    /**
     * The drops installed in this namespace and never removed (by an agent killed while it held a restored copy), by
     * their names as {@link #install} was given them (upper case); empty where ebtables cannot be read.
     */
    public static List<String> leftovers() {
        try {
            BoundedCommand.Result result = BoundedCommand.run(List.of("ebtables-save"), Duration.ofSeconds(10));
            if (result.exitCode() != 0) {
                return List.of();
            }
            return result.output().lines().filter(line -> line.startsWith(":" + PREFIX))
                    .map(line -> line.substring(1 + PREFIX.length()).split(" ")[0]).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Removes a drop {@link #leftovers} found. */
    public static void remove(String name) {
        new FrameDrop(PREFIX + name).close();
    }

    /** The chain's name, as {@code ebtables -L} shows it. */
    public String chain() {
        return chain;
    }

    /** Removes the drop; a failure is logged (the chain's name says whose it was). */
    @Override
    public synchronized void close() {
        if (removed) {
            return;
        }
        removed = true;
        StringBuilder rules = new StringBuilder("*filter\n");
        HOOKS.forEach(hook -> rules.append("-D ").append(hook).append(" -j ").append(chain).append('\n'));
        rules.append("-F ").append(chain).append("\n-X ").append(chain).append("\nCOMMIT\n");
        try {
            restore(rules.toString(), "remove the drop " + chain);
        } catch (HaulException e) {
            LOG.error("{}; remove it by hand: ebtables -D INPUT/FORWARD/OUTPUT -j {}, ebtables -X {}", e.getMessage(),
                    chain, chain);
        }
    }

    private static void restore(String rules, String what) throws HaulException {
        Path script = null;
        try {
            script = Files.createTempFile("haul-ebtables", ".rules");
            Files.writeString(script, rules);
            BoundedCommand.Result result = BoundedCommand.run(List.of("sh", "-c",
                    "exec ebtables-restore --noflush < \"$0\"", script.toString()), Duration.ofSeconds(10));
            if (result.timedOut() || result.exitCode() != 0) {
                throw new HaulException("network.tool-failed", "cannot " + what + ": ebtables-restore "
                        + (result.timedOut() ? "did not finish" : "failed (" + result.exitCode() + ")") + ": "
                        + BoundedCommand.lastLines(result.output(), 400).strip());
            }
        } catch (IOException e) {
            throw new HaulException("network.tool-failed", "cannot " + what + ": " + e.getMessage());
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", script, e.getMessage());
                }
            }
        }
    }
}
