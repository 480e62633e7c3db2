package io.haul.vertx.it.probe;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.spi.VertxServiceProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside Felix, in a probe bundle that imports io.vertx.* from the wrapper: a Vertx instance, a
 * NetServer echoing on loopback, a NetClient round trip, JSON through jackson-core, and the service
 * providers the wrapper's META-INF/services declares. Returns a line the test checks.
 */
public final class NetRoundTrip implements Callable<String> {

    @Override
    public String call() throws Exception {
        // Vert.x looks up its service providers through the thread's context class loader first; in OSGi that
        // loader is whatever the calling thread had (here the test's class path, which holds another copy of
        // vertx-hazelcast), so make it the wrapper's while the instance is built.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        Vertx vertx;
        thread.setContextClassLoader(Vertx.class.getClassLoader());
        try {
            vertx = Vertx.vertx();
        } finally {
            thread.setContextClassLoader(previous);
        }
        try {
            NetServer server = vertx.createNetServer()
                    .connectHandler(socket -> socket.handler(socket::write));
            int port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();

            NetClient client = vertx.createNetClient();
            NetSocket socket = client.connect(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
            var echoed = new java.util.concurrent.CompletableFuture<String>();
            Buffer received = Buffer.buffer();
            String message = new JsonObject().put("ping", 42).encode();
            socket.handler(chunk -> {
                received.appendBuffer(chunk);
                if (received.length() >= message.length()) {
                    echoed.complete(received.toString());
                }
            });
            socket.write(message);
            String echo = echoed.get(10, TimeUnit.SECONDS);
            int ping = new JsonObject(echo).getInteger("ping");
            socket.close().await(10, TimeUnit.SECONDS);

            List<String> providers = new ArrayList<>();
            for (VertxServiceProvider provider
                    : ServiceLoader.load(VertxServiceProvider.class, Vertx.class.getClassLoader())) {
                providers.add(provider.getClass().getName());
            }
            return "echo=" + ping + " providers=" + providers;
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
