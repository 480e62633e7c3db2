package io.haul.transport.tls.it.probe;

import io.haul.api.transport.Connection;
import io.haul.api.transport.Transport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;

/**
 * Runs inside Felix, in a probe bundle importing io.haul.api.transport: finds the {@code tls} and
 * {@code inprocess} Transport services that DS registered and makes each connect to itself: a control frame
 * each way and 1 MiB of bulk. Returns a line the test checks.
 */
public final class TransportProbe implements Callable<String> {

    @Override
    public String call() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(TransportProbe.class).getBundleContext();
        StringBuilder result = new StringBuilder();
        for (String name : new String[] {"tls", "inprocess"}) {
            Transport transport = service(context, name);
            result.append(name).append(": usable=").append(transport.usability().usable());
            BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
            try (Transport.Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), accepted::add);
                    Connection client = transport.connect(listener.address(), "")) {
                Connection server = accepted.poll(10, TimeUnit.SECONDS);
                client.send("ping".getBytes(StandardCharsets.UTF_8));
                String ping = new String(server.receive(Duration.ofSeconds(10)), StandardCharsets.UTF_8);
                server.send("pong".getBytes(StandardCharsets.UTF_8));
                String pong = new String(client.receive(Duration.ofSeconds(10)), StandardCharsets.UTF_8);
                Thread writer = Thread.ofPlatform().start(() -> {
                    try (OutputStream out = server.bulkOut()) {
                        out.write(new byte[1 << 20]);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                long bulk = 0;
                InputStream in = client.bulkIn();
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    bulk += n;
                }
                writer.join(10_000);
                server.close();
                result.append(" agent=").append(client.peer().agentName()).append(" frames=").append(ping).append('/')
                        .append(pong).append(" bulk=").append(bulk).append("; ");
            }
        }
        return result.toString();
    }

    private static Transport service(BundleContext context, String name) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            var refs = context.getServiceReferences(Transport.class, "(" + Transport.NAME + "=" + name + ")");
            if (!refs.isEmpty()) {
                ServiceReference<Transport> ref = refs.iterator().next();
                return context.getService(ref);
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no Transport service named " + name + " within 20 s");
    }
}
