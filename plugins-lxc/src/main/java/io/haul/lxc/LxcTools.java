package io.haul.lxc;

import io.haul.api.HaulException;
import io.haul.criu.hold.CriuHold;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * LXC's tools on one lxcpath: {@code lxc-checkpoint}, {@code lxc-destroy}, {@code lxc-stop}. Their output is only
 * kept for errors, never parsed. {@code lxc-checkpoint} runs the first {@code criu} in its PATH, so Haul's goes
 * first, and CRIU reads the configuration that names Haul's hold hook ({@code CRIU_CONFIG_FILE}).
 */
final class LxcTools {

    static final long QUICK_SECONDS = 60;

    private final Path lxcpath;
    private final String path;

    LxcTools(Path lxcpath, String criuDir) {
        this.lxcpath = lxcpath;
        String inherited = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        this.path = criuDir.isBlank() ? inherited : criuDir + ":" + inherited;
    }

    Path lxcpath() {
        return lxcpath;
    }

    /** The folder of the container {@code name} (its config, its rootfs with the dir backing store). */
    Path folder(String name) {
        return lxcpath.resolve(name);
    }

    private List<String> command(String tool, String name, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(tool, "-P", lxcpath.toString(), "-n", name));
        command.addAll(arguments);
        return command;
    }

    /**
     * Runs a tool with its output going to {@code log} (never a pipe: a restore's monitor daemonizes and keeps the
     * tool's stdio) and fails with the log's last lines.
     */
    void runLogged(String tool, String name, List<String> arguments, long seconds, Path log) throws HaulException {
        List<String> command = command(tool, name, arguments);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("PATH", path);
            builder.environment().put("CRIU_CONFIG_FILE", CriuHold.ENGINE_CRIU_CONFIG.toString());
            Process process = builder.start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new HaulException("lxc.timeout", String.join(" ", command) + " did not finish in " + seconds
                        + " s (log: " + log + ")");
            }
            if (process.exitValue() != 0) {
                throw new HaulException("lxc.failed", String.join(" ", command) + " failed: " + lastLines(log)
                        + " (log: " + log + ")");
            }
        } catch (IOException e) {
            throw new HaulException("lxc.unavailable", "cannot run " + tool + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException("lxc.interrupted", "interrupted while " + tool + " ran");
        }
    }

    /** Runs a quick tool; its words in the error when it fails. */
    void run(String tool, String name, List<String> arguments) throws HaulException {
        List<String> command = command(tool, name, arguments);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("PATH", path);
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(QUICK_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new HaulException("lxc.timeout", String.join(" ", command) + " did not finish in "
                        + QUICK_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new HaulException("lxc.failed", String.join(" ", command) + " failed: "
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new HaulException("lxc.unavailable", "cannot run " + tool + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException("lxc.interrupted", "interrupted while " + tool + " ran");
        }
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
