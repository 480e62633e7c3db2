package io.haul.host.internal;

import io.haul.host.CriuStatus;
import io.haul.host.exec.BoundedCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a located CRIU to learn its version and whether {@code criu check} passes on this kernel. Finding an
 * executable proves little: an old CRIU runs but cannot dump on a newer kernel, which only its check shows.
 */
final class CriuInspector {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final int CHECK_OUTPUT_CHARS = 2048;

    private static final Logger LOG = LoggerFactory.getLogger(CriuInspector.class);
    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*Version:\\s*(\\S+)");

    private final Duration timeout;

    CriuInspector(Duration timeout) {
        this.timeout = timeout;
    }

    CriuStatus inspect(CriuLocator.Location location) {
        if (location.path() == null) {
            return CriuStatus.notFound(location.detail());
        }
        String path = location.path().toString();
        String version = version(location.path());
        try {
            BoundedCommand.Result check = BoundedCommand.run(List.of(path, "check"), timeout);
            String output = BoundedCommand.lastLines(check.output(), CHECK_OUTPUT_CHARS);
            if (check.timedOut()) {
                output = BoundedCommand.lastLines(
                        output + "\n[criu check did not finish in " + timeout.toSeconds() + " s and was killed]",
                        CHECK_OUTPUT_CHARS);
            }
            boolean passed = !check.timedOut() && check.exitCode() == 0 && output.contains("Looks good");
            LOG.debug("criu {} ({}, {}): check {}", path, location.source(), version, passed ? "passed" : "failed");
            return new CriuStatus(path, location.source(), version, passed, output);
        } catch (IOException e) {
            LOG.warn("cannot run {}: {}", path, e.toString());
            return new CriuStatus(path, location.source(), version, false, "cannot run " + path + ": " + e.getMessage());
        }
    }

    /** The version {@code criu --version} prints, or "" when it prints none. */
    String version(Path criu) {
        try {
            BoundedCommand.Result result = BoundedCommand.run(List.of(criu.toString(), "--version"), timeout);
            return parseVersion(result.output());
        } catch (IOException e) {
            return "";
        }
    }

    static String parseVersion(String output) {
        Matcher matcher = VERSION.matcher(output);
        return matcher.find() ? matcher.group(1) : "";
    }

    /**
     * One line on {@code criu check --feature <feature>}: "passed", or "failed: <its last line>". CRIU's own
     * verdict is worth showing beside ours, as it is what a CRIU pre-dump will go by.
     */
    String checkFeature(Path criu, String feature) {
        try {
            BoundedCommand.Result result = BoundedCommand.run(
                    List.of(criu.toString(), "check", "--feature", feature), timeout);
            if (result.timedOut()) {
                return "did not finish in " + timeout.toSeconds() + " s";
            }
            List<String> lines = result.output().strip().lines().toList();
            String last = lines.isEmpty() ? "" : lines.getLast().strip();
            return (result.exitCode() == 0 ? "passed" : "failed (exit " + result.exitCode() + ")")
                    + (last.isEmpty() ? "" : ": " + last);
        } catch (IOException e) {
            return "could not run: " + e.getMessage();
        }
    }
}
