package io.haul.docker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a caller sees when no engine answers, or the socket's peer misbehaves: a user-readable
 * DockerException without a status. The peers here are bare unix sockets, not engines.
 */
class EngineFailuresTest {

    /** The Vert.x the clients of these tests run on, as the backend's runs on the agent's. */
    private static final io.vertx.core.Vertx VERTX = io.vertx.core.Vertx.vertx();

    @org.junit.jupiter.api.AfterAll
    static void closeVertx() throws Exception {
        VERTX.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void folder() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "hdk-t-");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void aMissingSocketSaysNoEngineAnswers() {
        Path socket = dir.resolve("docker.sock");
        DockerEngine engine = engine(socket, Duration.ofSeconds(5));
        DockerException e = assertThrows(DockerException.class, engine::apiVersion);
        assertEquals("no Docker engine answers at " + socket + ": No such file or directory", e.getMessage());
        assertEquals(0, e.status());
        assertTrue(e.isWithoutAnswer());
        assertEquals("", e.engineMessage());
        assertEquals(socket.toString(), e.socket());
    }

    @Test
    void aSocketNobodyListensOnSaysNoEngineAnswers() throws IOException {
        Path socket = dir.resolve("docker.sock");
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket)).close();
        DockerException e = assertThrows(DockerException.class, () -> engine(socket, Duration.ofSeconds(5)).ping());
        assertEquals("no Docker engine answers at " + socket + ": Connection refused", e.getMessage());
    }

    @Test
    void namesAreCheckedBeforeAnythingIsAsked() {
        DockerEngine engine = engine(dir.resolve("docker.sock"), Duration.ofSeconds(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.inspectContainer("../images/x"));
        assertTrue(e.getMessage().startsWith("not a container name or id: \"../images/x\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> engine.removeVolume("a/b"));
        assertThrows(IllegalArgumentException.class, () -> engine.createCheckpoint("web", "../cp", null, false));
        assertThrows(IllegalArgumentException.class, () -> engine.createCheckpoint("web", "cp", "relative", false));
        assertThrows(IllegalArgumentException.class, () -> engine.startContainer("web", "a/b"));
        assertThrows(IllegalArgumentException.class, () -> engine.createContainer("a b", new io.vertx.core.json.JsonObject()));
    }

    @Test
    void aSilentPeerTimesOut() throws Exception {
        Path socket = peer(channel -> sleepQuietly(10_000));
        DockerEngine engine = engine(socket, Duration.ofMillis(300));
        long start = System.nanoTime();
        DockerException e = assertThrows(DockerException.class, engine::version);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("docker engine at " + socket + ": no answer to GET /version within 300 ms", e.getMessage());
        assertTrue(millis >= 250 && millis < 5_000, millis + " ms");
    }

    @Test
    void aPeerThatHangsUpIsNamedSo() throws Exception {
        Path socket = peer(channel -> {
            try {
                channel.read(ByteBuffer.allocate(4096));
            } catch (IOException e) {
                // closed anyway below
            }
        });
        DockerException e = assertThrows(DockerException.class, () -> engine(socket, Duration.ofSeconds(5)).version());
        assertEquals("docker engine at " + socket + ": connection closed before the answer to GET /version",
                e.getMessage());
    }

    @Test
    void anInterruptedCallGivesUpAndKeepsTheInterrupt() throws Exception {
        Path socket = peer(channel -> sleepQuietly(10_000));
        DockerEngine engine = engine(socket, Duration.ofSeconds(30));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                engine.startContainer("web", "cp1");
            } catch (Throwable t) {
                thrown.set(t);
            }
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        Thread.sleep(300);
        caller.interrupt();
        assertTrue(stillInterrupted.get(5, TimeUnit.SECONDS));
        DockerException e = (DockerException) thrown.get();
        assertEquals("docker engine at " + socket + ": GET /version interrupted, request abandoned", e.getMessage());
        assertTrue(e.getCause() instanceof InterruptedException);
    }

    private DockerEngine engine(Path socket, Duration readTimeout) {
        DockerEngine engine = new DockerEngine(socket, VERTX, Duration.ofSeconds(2), readTimeout);
        open.add(engine);
        return engine;
    }

    /** A unix socket whose peer accepts one connection and does {@code behaviour} with it, then closes it. */
    private Path peer(Consumer<SocketChannel> behaviour) throws IOException {
        Path socket = dir.resolve("peer.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread thread = Thread.ofVirtual().start(() -> {
            try (SocketChannel channel = server.accept()) {
                behaviour.accept(channel);
            } catch (IOException e) {
                // the server was closed: the test is over
            }
        });
        open.add(() -> {
            server.close();
            thread.interrupt();
            thread.join(2_000);
        });
        return socket;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
