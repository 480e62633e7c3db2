package io.haul.docker.runc;

import io.haul.api.HaulException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** runc's command line with one state root: its JSON answers, its errors as HaulExceptions with runc's words. */
final class Runc {

    /** What runc accepts as a container id. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");
    private static final long QUICK_SECONDS = 60;

    private final String runc;
    private final Path root;
    private final String path;

    /** {@code criuDir} goes first in runc's PATH: runc execs the first 'criu' there. */
    Runc(String runc, Path root, String criuDir) {
        this.runc = runc;
        this.root = root;
        String inherited = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        this.path = criuDir.isBlank() ? inherited : criuDir + ":" + inherited;
    }

    private ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PATH", path);
        return builder;
    }

    Path root() {
        return root;
    }

    static String checkId(String id) throws HaulException {
        if (id == null || !ID.matcher(id).matches()) {
            throw new HaulException("container.not-found", "'" + id + "' is not a runc container id");
        }
        return id;
    }

    String version() throws HaulException {
        return run(List.of("--version"), QUICK_SECONDS).lines().findFirst().orElse("?");
    }

    /** Every container of this root, as {@code runc list} shows them. */
    List<JsonObject> list() throws HaulException {
        String out = run(List.of("list", "--format", "json"), QUICK_SECONDS).strip();
        List<JsonObject> containers = new ArrayList<>();
        if (out.isEmpty() || out.equals("null")) {
            return containers;
        }
        try {
            new JsonArray(out).forEach(o -> containers.add((JsonObject) o));
        } catch (DecodeException | ClassCastException e) {
            throw new HaulException("runc.failed", "runc list printed something that is not its JSON: " + e.getMessage());
        }
        return containers;
    }

    /** {@code runc state}; empty when there is no such container. */
    Optional<JsonObject> state(String id) throws HaulException {
        checkId(id);
        Result result = exec(List.of("state", id), QUICK_SECONDS);
        if (result.status() != 0) {
            if (result.output().contains("does not exist") || result.output().contains("not exist")) {
                return Optional.empty();
            }
            throw new HaulException("runc.failed", "runc state " + id + " failed: " + result.output().strip());
        }
        try {
            return Optional.of(new JsonObject(result.output()));
        } catch (DecodeException e) {
            throw new HaulException("runc.failed", "runc state printed something that is not its JSON: " + e.getMessage());
        }
    }

    /** Runs runc with these arguments; its output when it succeeds, else an error with it. */
    String run(List<String> arguments, long seconds) throws HaulException {
        Result result = exec(arguments, seconds);
        if (result.status() != 0) {
            throw new HaulException("runc.failed", "runc " + String.join(" ", arguments) + " failed: "
                    + result.output().strip());
        }
        return result.output();
    }

    /**
     * Runs runc with its output going to {@code log}, not to a pipe: a container it starts or restores keeps runc's
     * stdio, and a pipe it holds would never end. Fails with the log's last lines.
     */
    void runLogged(List<String> arguments, long seconds, Path log) throws HaulException {
        List<String> command = new ArrayList<>(List.of(runc, "--root", root.toString()));
        command.addAll(arguments);
        try {
            Process process = builder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new HaulException("runc.timeout", "runc " + arguments.get(0) + " did not finish in " + seconds
                        + " s (log: " + log + ")");
            }
            if (process.exitValue() != 0) {
                throw new HaulException("runc.failed", "runc " + arguments.get(0) + " failed: " + lastLines(log)
                        + " (log: " + log + ")");
            }
        } catch (IOException e) {
            throw new HaulException("runc.unavailable", "cannot run " + runc + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException("runc.interrupted", "interrupted while runc ran");
        }
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private record Result(int status, String output) {
    }

    private Result exec(List<String> arguments, long seconds) throws HaulException {
        List<String> command = new ArrayList<>(List.of(runc, "--root", root.toString()));
        command.addAll(arguments);
        try {
            // the container's own stdio must not be the agent's: a restored one keeps what runc had
            Process process = builder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new HaulException("runc.timeout", "runc " + String.join(" ", arguments) + " did not finish in "
                        + seconds + " s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HaulException("runc.unavailable", "cannot run " + runc + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException("runc.interrupted", "interrupted while runc ran");
        }
    }
}
