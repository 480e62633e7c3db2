package io.haul.docker.engine;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP/1.1 exchanges with a Docker engine over its unix socket, through a Vert.x HTTP client (NIO
 * transport, no native library needed), blocking the calling thread until the whole answer is in.
 * Connections are pooled and kept alive; a request that is interrupted or times out is reset, which closes
 * its connection.
 */
final class EngineHttp implements AutoCloseable {

    /** Connections to one engine: enough for several migrations each holding one for minutes. */
    private static final int MAX_CONNECTIONS = 32;

    /** The engine's answer to {@code request} ("POST /v1.41/..."): its status and whole body (empty for 204). */
    record Reply(String request, int status, Buffer body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final Path socket;
    private final SocketAddress address;
    private final HttpClientAgent client;
    private final Duration connectTimeout;

    EngineHttp(Path socket, Vertx vertx, Duration connectTimeout) {
        this.socket = socket;
        this.address = SocketAddress.domainSocketAddress(socket.toString());
        this.connectTimeout = connectTimeout;
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions()
                        .setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()))
                        .setKeepAlive(true)
                        .setKeepAliveTimeout(30)
                        .setMaxRedirects(0))
                .with(new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS))
                .build();
    }

    Path socket() {
        return socket;
    }

    /**
     * Sends one request and waits for the whole answer.
     *
     * @param uri the path and query, already encoded
     * @param contentType the body's type, or null without a body
     * @param body the body, or null
     * @param idleTimeout how long the engine may stay silent before the request is given up, or null to
     *     wait as long as it takes (restores and checkpoints the engine holds for minutes)
     * @throws DockerException when there is no answer (the status is not checked here)
     */
    Reply exchange(HttpMethod method, String uri, String contentType, Buffer body, Duration idleTimeout)
            throws DockerException {
        String request = method + " " + uri;
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("a blocking Docker engine call on an event loop: " + request);
        }
        RequestOptions options = new RequestOptions()
                .setServer(address)
                .setHost("localhost")
                .setMethod(method)
                .setURI(uri)
                .setConnectTimeout(connectTimeout.toMillis())
                .setIdleTimeout(idleTimeout == null ? RequestOptions.DEFAULT_IDLE_TIMEOUT : idleTimeout.toMillis());
        if (contentType != null) {
            options.putHeader("Content-Type", contentType);
        }
        AtomicReference<HttpClientRequest> connected = new AtomicReference<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<Reply> reply = client.request(options).compose(req -> {
            connected.set(req);
            if (abandoned.get()) {
                req.reset();
                return Future.failedFuture(new InterruptedException("abandoned before it was sent"));
            }
            return (body == null ? req.send() : req.send(body))
                    .compose(resp -> resp.body().map(bytes -> new Reply(request, resp.statusCode(), bytes)));
        });
        try {
            return reply.toCompletionStage().toCompletableFuture().get();
        } catch (InterruptedException e) {
            abandoned.set(true);
            HttpClientRequest req = connected.get();
            if (req != null) {
                req.reset();
            }
            Thread.currentThread().interrupt();
            throw DockerException.failed(socket, request, request + " interrupted, request abandoned", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (connected.get() == null) {
                throw DockerException.unreachable(socket, request, reason(cause), cause);
            }
            if (cause instanceof TimeoutException) {
                throw DockerException.failed(socket, request, "no answer to " + request + " within "
                        + seconds(idleTimeout), cause);
            }
            if (cause instanceof HttpClosedException) {
                throw DockerException.failed(socket, request, "connection closed before the answer to " + request,
                        cause);
            }
            throw DockerException.failed(socket, request, request + " failed: " + reason(cause), cause);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** The failure's own words, without the socket path Netty appends ("Connection refused: /x.sock"). */
    private String reason(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return "no connection within " + seconds(connectTimeout);
        }
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        String suffix = ": " + socket;
        return message.endsWith(suffix) ? message.substring(0, message.length() - suffix.length()) : message;
    }

    private static String seconds(Duration duration) {
        long millis = duration == null ? 0 : duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
