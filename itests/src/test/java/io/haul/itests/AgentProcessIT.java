package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The agent as a user runs it: {@code java -jar runtime/target/haul.jar} in its own JVM, headless, and
 * {@code ./haul COMMAND} talking to it over the control socket. No Pax Exam here.
 */
@HostNeeds(Need.ROOT) // the agent runs as root, and only root may use its socket
public class AgentProcessIT {

    private static final long START_SECONDS = 60;
    private static final long STOP_SECONDS = 20;
    private static final long CLIENT_SECONDS = 60;

    private Path home;
    private Path state;
    private Path socket;
    private Path agentLog;
    private Process agent;

    @Before
    public void prepare() throws IOException {
        Requirements.assume(getClass());
        home = Path.of(System.getProperty("haul.home", "..")).toAbsolutePath().normalize();
        assertTrue("no agent jar " + runtimeJar() + ": build first", Files.isRegularFile(runtimeJar()));
        state = Files.createTempDirectory("haul-agent-it-");
        socket = state.resolve("control.sock");
        Path work = Path.of(System.getProperty(LaunchProperties.WORK_DIR, "target/itests-work"));
        Files.createDirectories(work);
        agentLog = work.resolve("agent-process-it.log");
    }

    @After
    public void stopAgent() throws Exception {
        if (agent != null) {
            ProcessHandle.of(agent.pid()).ifPresent(ProcessHandle::destroyForcibly);
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        if (state != null) {
            HaulRuntime.deleteTree(state);
        }
    }

    @Test
    public void agentServesTheControlSocketAndStopsOnSigterm() throws Exception {
        startAgentAndAwaitSocket();

        Commands.Result check = client("check");
        assertEquals("./haul check exit status; stderr: " + check.stderr(), 0, check.exitCode());
        assertTrue("./haul check reports soft-dirty:\n" + check.output(), check.stdout().contains("soft-dirty"));

        Commands.Result backends = client("backends");
        assertEquals("./haul backends exit status; stderr: " + backends.stderr(), 0, backends.exitCode());
        assertTrue("./haul backends lists process:\n" + backends.output(),
                backends.stdout().lines().anyMatch(line -> line.startsWith("process ")));

        for (List<String> wrong : List.of(List.of("migrate"), List.of("migration"), List.of("cancel", "a", "b"))) {
            Commands.Result usage = client(wrong.toArray(String[]::new));
            assertEquals("./haul " + wrong + " exits 64 (usage): " + usage.output(), 64, usage.exitCode());
            assertTrue("./haul " + wrong + " prints the command's usage, not Gogo's words:\n" + usage.output(),
                    usage.stderr().contains("its usage") && usage.stderr().contains(wrong.getFirst())
                            && !usage.output().contains("Cannot coerce"));
        }

        Commands.Result unknown = client("nosuch");
        assertNotEquals("./haul nosuch fails", 0, unknown.exitCode());
        assertTrue("./haul nosuch names the command:\n" + unknown.output(), unknown.stderr().contains("nosuch"));

        String refusal = sendGarbage();
        assertTrue("garbage gets an error frame saying it is not a request: " + refusal,
                refusal.contains("not a Haul control request"));
        Commands.Result again = client("check");
        assertEquals("the agent still serves after garbage; stderr: " + again.stderr(), 0, again.exitCode());
        assertTrue(again.stdout().contains("soft-dirty"));

        assertEquals("control socket mode", "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        agent.destroy(); // SIGTERM, as a service manager stops it
        assertTrue("the agent did not exit within " + STOP_SECONDS + " s of SIGTERM\n" + agentOutput(),
                agent.waitFor(STOP_SECONDS, TimeUnit.SECONDS));
        boolean socketLeft = Files.exists(socket);

        // what ./haul COMMAND says with no agent (whether or not a stale socket file is left)
        Commands.Result none = client("check");
        assertEquals("no agent: exit 2; output: " + none.output(), 2, none.exitCode());
        assertEquals("no agent: nothing on stdout", "", none.stdout());
        List<String> lines = none.stderr().strip().lines().toList();
        assertEquals("no agent: one line: " + none.stderr(), 1, lines.size());
        assertTrue("no agent: says how to start one: " + lines.get(0), lines.get(0).contains("./haul agent"));

        assertFalse("the agent exited (status " + agent.exitValue() + ") on SIGTERM but left its control socket "
                + socket + " behind\n" + agentOutput(), socketLeft);
    }

    private void startAgentAndAwaitSocket() throws Exception {
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            state.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            // ./haul agent execs the JVM, so the process started here is the agent itself
            ProcessBuilder builder = new ProcessBuilder(home.resolve("haul").toString(), "agent", "--state", state.toString())
                    .directory(home.toFile());
            agent = builder
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(agentLog.toFile())
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
            while (!Files.exists(socket)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no control socket " + socket + " within " + START_SECONDS + " s\n" + agentOutput());
                }
                if (!agent.isAlive()) {
                    throw new AssertionError("the agent exited with " + agent.exitValue() + " before opening its socket\n"
                            + agentOutput());
                }
                // wakes on any file created in the state folder; the bound only lets us notice a dead agent
                WatchKey key = watcher.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    /** Writes random bytes where a request belongs and reads the reply frames: the error text. */
    private String sendGarbage() throws IOException {
        byte[] garbage = new byte[256];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0; // never the magic 'H'
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(garbage));
            channel.shutdownOutput();
            DataInputStream reply = new DataInputStream(Channels.newInputStream(channel));
            StringBuilder error = new StringBuilder();
            while (true) {
                byte tag = reply.readByte();
                switch (tag) {
                    case 'E', 'O' -> {
                        byte[] text = new byte[reply.readInt()];
                        reply.readFully(text);
                        if (tag == 'E') {
                            error.append(new String(text, StandardCharsets.UTF_8));
                        }
                    }
                    case 'X' -> {
                        int status = reply.readInt();
                        assertNotEquals("garbage is answered with a failing exit frame", 0, status);
                        assertTrue("garbage gets an error frame before the exit frame", !error.isEmpty());
                        return error.toString();
                    }
                    default -> throw new AssertionError("unknown reply frame tag " + tag + " after " + error);
                }
            }
        }
    }

    /** {@code ./haul COMMAND}, as a user types it, against this test's agent. */
    private Commands.Result client(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "HAUL_STATE=" + state, home.resolve("haul").toString()));
        command.addAll(List.of(args));
        return Commands.run(command, CLIENT_SECONDS);
    }

    private Path runtimeJar() {
        return home.resolve("runtime/target/haul.jar");
    }

    private String agentOutput() {
        try {
            return "agent output (" + agentLog + "):\n" + Files.readString(agentLog);
        } catch (IOException e) {
            return "no agent output: " + e;
        }
    }
}
