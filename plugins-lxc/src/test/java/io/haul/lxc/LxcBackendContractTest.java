package io.haul.lxc;

import io.haul.api.backend.ContainerBackend;
import io.haul.backend.testkit.BackendContract;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract against real LXC: a private lxcpath of this test's own with a busybox container made by LXC's
 * template (no network, no console or ttys, as MACHINE.md says this kernel needs). Skipped, saying why, where LXC or
 * root is missing.
 */
class LxcBackendContractTest extends BackendContract {

    private static final String NAME = "haul-contract";
    private static Path lxcpath;
    private static String whyNot = "";
    private LxcBackend backend;
    private boolean started;

    @BeforeAll
    static void lxcpath() throws Exception {
        if (!"0".equals(run(List.of("id", "-u")).strip())) {
            whyNot = "not root";
        } else if (!Files.isRegularFile(Path.of("/usr/share/lxc/templates/lxc-busybox"))) {
            whyNot = "no LXC busybox template (install the package lxc)";
        } else {
            lxcpath = Files.createTempDirectory(Path.of("/tmp"), "haul-lxc-contract-");
        }
    }

    @AfterAll
    static void removeLxcpath() throws Exception {
        if (lxcpath != null) {
            run(List.of("rm", "-rf", "--one-file-system", lxcpath.toString()));
        }
    }

    @Override
    protected ContainerBackend newBackend() {
        backend = new LxcBackend(new LxcConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return LxcConfiguration.class;
            }

            @Override
            public String lxcpath() {
                return lxcpath == null ? "/nonexistent-lxcpath" : lxcpath.toString();
            }

            @Override
            public String criuDir() {
                return "/opt/haul/criu/bin";
            }

            @Override
            public long holdLimitSeconds() {
                return 60;
            }
        });
        return backend;
    }

    @Override
    protected String name() {
        return LxcContainer.BACKEND;
    }

    @Override
    protected String missingId() {
        return "haul-no-such-container";
    }

    @Override
    protected String whyNoContainer() {
        return whyNot;
    }

    @Override
    protected Optional<String> startContainer() throws Exception {
        if (lxcpath == null) {
            return Optional.empty();
        }
        Path conf = lxcpath.resolve("contract.conf");
        Files.writeString(conf, "lxc.net.0.type = empty\nlxc.console.path = none\n");
        started = true;
        run(List.of("lxc-create", "-P", lxcpath.toString(), "-n", NAME, "-t", "busybox", "-f", conf.toString()));
        Path folder = lxcpath.resolve(NAME);
        List<String> config = new ArrayList<>();
        for (String line : Files.readAllLines(folder.resolve("config"))) {
            if (!line.startsWith("lxc.tty.max") && !line.matches("lxc\\.mount\\.entry = /(lib|lib64|usr/lib64) .*")) {
                config.add(line);
            }
        }
        config.add("lxc.tty.max = 0");
        Files.write(folder.resolve("config"), config);
        Files.writeString(folder.resolve("rootfs/etc/inittab"), "::sysinit:/etc/init.d/rcS\n");
        run(List.of("lxc-start", "-P", lxcpath.toString(), "-n", NAME));
        return Optional.of(NAME);
    }

    @Override
    protected void stopContainer() throws Exception {
        if (started) {
            run(List.of("lxc-stop", "-P", lxcpath.toString(), "-n", NAME, "-k"), true);
            run(List.of("lxc-destroy", "-P", lxcpath.toString(), "-n", NAME, "-f"), true);
            started = false;
        }
        if (backend != null) {
            backend.stop();
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, false);
    }

    /** Runs a command (output to a file: lxc-start's monitor keeps its stdio); its output, or a failure. */
    private static String run(List<String> command, boolean mayFail) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lxc-contract", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish in 120 s");
            }
            String output = Files.readString(out);
            if (process.exitValue() != 0 && !mayFail) {
                throw new IOException(command + " failed: " + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
