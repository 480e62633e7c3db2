package io.haul.transport.tls;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.lang.reflect.Proxy;

/**
 * A NetSocket that is no socket: it keeps the data handler it is given, so that a test hands a
 * {@link ControlChannel} its bytes directly, as the event loop would, in any chunks. Everything else does
 * nothing (pause and resume, writes) and answers with itself, false or null.
 */
final class FakeNetSocket {

    private Handler<Buffer> data;
    private final NetSocket socket;

    @SuppressWarnings("unchecked")
    FakeNetSocket() {
        socket = (NetSocket) Proxy.newProxyInstance(NetSocket.class.getClassLoader(), new Class<?>[] {NetSocket.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "handler" -> {
                        data = (Handler<Buffer>) args[0];
                        yield proxy;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "a fake NetSocket";
                    default -> method.getReturnType().isInstance(proxy) ? proxy
                            : method.getReturnType() == boolean.class ? false : null;
                });
    }

    NetSocket socket() {
        return socket;
    }

    /** Hands {@code bytes} to the channel as one read of the socket. */
    void arrive(byte[] bytes, int from, int to) {
        data.handle(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, from, to)));
    }
}
