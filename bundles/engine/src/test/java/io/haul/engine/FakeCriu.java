package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.criu.Criu;
import io.haul.criu.DumpRequest;
import io.haul.criu.FrozenDump;
import io.haul.criu.RestoreRequest;
import io.haul.criu.RestoredTree;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Processes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * CRIU's part in a test of the engine's phases, where CRIU is not the subject: a dump stops the tree for real
 * (SIGSTOP) and writes images of made-up content, a commit kills it, an abort resumes it; a restore checks the
 * images arrived byte for byte and starts a stand-in copy, stopped until it is resumed.
 */
final class FakeCriu implements Criu {

    private static final String CORE = "core-1.img";
    private final byte[] core = new byte[300 * 1024];
    /** Every copy a restore started, for the test to check and to stop. */
    final java.util.List<Process> copies = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeCriu(long seed) {
        new Random(seed).nextBytes(core);
    }

    @Override
    public Usability restoreHold() {
        return Usability.yes(); // the fake holds nothing: its restores stay stopped until resumed
    }

    @Override
    public String version() {
        return "4.2.1";
    }

    @Override
    public FrozenDump dump(DumpRequest request) throws HaulException {
        long pid = request.rootPid();
        signal(pid, Processes.SIGSTOP, "criu.dump-failed");
        try {
            Files.write(request.imageDir().resolve(CORE), core);
            Files.writeString(request.imageDir().resolve("inventory.img"), "root " + pid + "\n");
        } catch (IOException e) {
            signal(pid, Processes.SIGCONT, "criu.dump-failed");
            throw new HaulException("criu.dump-failed", "cannot write the images: " + e.getMessage());
        }
        return new FrozenDump() {
            private boolean ended;

            @Override
            public Path imageDir() {
                return request.imageDir();
            }

            @Override
            public Duration frozenFor() {
                return Duration.ofMillis(1);
            }

            @Override
            public synchronized void commit() throws HaulException {
                if (ended) {
                    throw new HaulException("criu.dump-not-held", "the dump was aborted");
                }
                ended = true;
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }

            @Override
            public synchronized void abort() {
                if (!ended) {
                    ended = true;
                    try {
                        signal(pid, Processes.SIGCONT, "criu.resume-failed");
                    } catch (HaulException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }

            @Override
            public void close() {
                abort();
            }
        };
    }

    @Override
    public RestoredTree restore(RestoreRequest request) throws HaulException {
        try {
            if (!java.util.Arrays.equals(core, Files.readAllBytes(request.imageDir().resolve(CORE)))) {
                throw new HaulException("criu.restore-failed", "the core image did not arrive as it was written");
            }
        } catch (IOException e) {
            throw new HaulException("criu.restore-failed", "no core image: " + e.getMessage());
        }
        Process copy;
        try {
            copy = new ProcessBuilder("sleep", "600").redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new HaulException("criu.restore-failed", "cannot start the copy: " + e.getMessage());
        }
        copies.add(copy);
        signal(copy.pid(), Processes.SIGSTOP, "criu.restore-failed");
        return new RestoredTree() {
            @Override
            public long rootPid() {
                return copy.pid();
            }

            @Override
            public void resume() throws HaulException {
                signal(copy.pid(), Processes.SIGCONT, "criu.resume-failed");
            }

            @Override
            public void kill() {
                copy.destroyForcibly();
                try {
                    copy.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Override
    public void cpuinfoDump(Path dir) throws HaulException {
        try {
            Files.writeString(dir.resolve("cpuinfo.img"), "a made-up CPU\n");
        } catch (IOException e) {
            throw new HaulException("criu.cpuinfo-dump-failed", e.getMessage());
        }
    }

    @Override
    public void cpuinfoCheck(Path dir) throws HaulException {
        if (!Files.exists(dir.resolve("cpuinfo.img"))) {
            throw new HaulException("criu.cpuinfo-mismatch", "no CPU description in " + dir);
        }
    }

    private static void signal(long pid, int signal, String code) throws HaulException {
        try {
            if (!Processes.kill(pid, signal)) {
                throw new HaulException(code, "no process " + pid);
            }
        } catch (ErrnoException e) {
            throw new HaulException(code, e.getMessage());
        }
    }
}
