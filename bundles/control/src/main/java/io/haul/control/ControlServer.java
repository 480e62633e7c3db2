package io.haul.control;

import io.haul.agent.AgentSettings;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code ./haul COMMAND} on a unix socket. Only root may use it: the socket file is root's with mode
 * 0600, and each peer's credentials are checked again, since the commands act on every process here.
 */
@Component(service = {})
public final class ControlServer {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** How long the socket waits for the agent's start at most: a bundle that never starts must not silence it. */
    private static final long START_WAIT_SECONDS = 120;

    private final Path socket;
    private final ServerSocketChannel server;
    private final CommandRunner runner;
    private final BundleContext context;
    /** Open once the agent has started: every bundle's commands are registered by then. */
    private final CountDownLatch started = new CountDownLatch(1);
    private final FrameworkListener startLevelReached = event -> {
        if (event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
            started.countDown(); // every bundle of the start level was started (or failed to)
        }
    };
    private final Thread acceptor;

    /**
     * Binds the socket at once (a second agent on it fails here), but answers only once the agent has started: the
     * control bundle starts before the shell's, and a client that came in between was told "unknown command" with
     * an empty list (AgentProcessIT, under load). Such a client now waits in the socket's backlog until the
     * framework has reached its start level, every bundle started.
     */
    @Activate
    public ControlServer(@Reference CommandProcessor processor, @Reference AgentSettings settings,
            BundleContext context) throws IOException {
        this.socket = settings.controlSocket();
        this.runner = new CommandRunner(processor, context);
        this.context = context;
        this.server = bind(socket);
        context.addFrameworkListener(startLevelReached);
        if (!bundlesStillToStart(context)) {
            started.countDown(); // activated after the start (this bundle restarted)
        }
        this.acceptor = Thread.ofPlatform().name("haul-control").daemon().start(this::acceptLoop);
        LOG.info("control socket bound at {}; it answers once the agent has started", socket);
    }

    /** Whether a bundle the framework is to start (persistently started) is not started yet. */
    private static boolean bundlesStillToStart(BundleContext context) {
        for (Bundle bundle : context.getBundles()) {
            BundleStartLevel level = bundle.adapt(BundleStartLevel.class);
            boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            if (bundle.getBundleId() != 0 && !fragment && level != null && level.isPersistentlyStarted()
                    && (bundle.getState() & (Bundle.INSTALLED | Bundle.RESOLVED)) != 0) {
                return true;
            }
        }
        return false;
    }

    @Deactivate
    void deactivate() throws IOException {
        context.removeFrameworkListener(startLevelReached);
        try {
            server.close();
            acceptor.interrupt();
        } finally {
            Files.deleteIfExists(socket);
            LOG.info("control socket {} closed", socket);
        }
    }

    private static ServerSocketChannel bind(Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        if (Files.exists(socket)) {
            if (answers(socket)) {
                throw new IOException("another agent already serves the control socket " + socket
                        + "; stop it first or configure another controlSocket");
            }
            Files.delete(socket); // left by an agent that did not stop cleanly
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        return channel;
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        try {
            if (!started.await(START_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("the agent has not finished starting within {} s; the control socket answers all the same",
                        START_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            return; // deactivated before the agent started
        }
        LOG.info("control socket ready at {}", socket);
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().name("haul-control-client").start(() -> serve(client));
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("control socket accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            DataOutputStream reply = new DataOutputStream(Channels.newOutputStream(client));
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!"root".equals(peer.user().getName())) {
                LOG.warn("refused control connection from user {}", peer.user().getName());
                ControlProtocol.writeText(reply, ControlProtocol.ERR, "haul: only root may talk to the agent\n");
                ControlProtocol.writeExit(reply, CommandRunner.FAILED);
                return;
            }
            List<String> args;
            try {
                args = ControlProtocol.readRequest(new DataInputStream(Channels.newInputStream(client)));
            } catch (ControlProtocol.ProtocolException e) {
                LOG.warn("refused a malformed control request: {}", e.getMessage());
                ControlProtocol.writeText(reply, ControlProtocol.ERR, "haul: " + e.getMessage() + "\n");
                ControlProtocol.writeExit(reply, CommandRunner.USAGE);
                return;
            }
            LOG.debug("control command {}", args);
            PrintStream out = new PrintStream(new FrameOutputStream(reply, ControlProtocol.OUT), true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new FrameOutputStream(reply, ControlProtocol.ERR), true, StandardCharsets.UTF_8);
            int status = runner.run(args, out, err);
            out.flush();
            err.flush();
            synchronized (reply) {
                ControlProtocol.writeExit(reply, status);
            }
        } catch (IOException e) {
            LOG.debug("control client went away: {}", e.toString());
        }
    }
}
