package io.haul.transport.tls;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;


/**
 * The JDK's TLS engine, as Vert.x uses it, plus one thing Vert.x does not give: the remote address of a
 * server-side handshake that failed. Vert.x's NetServer reports such failures through its exception handler
 * with the exception alone; here each server SslHandler is watched and a failure is reported with the
 * address the engine was made for ({@code onFailure(remoteAddress, reason)}).
 */
final class HandshakeWatch extends JdkSSLEngineOptions {

    private final BiConsumer<String, String> onFailure;

    HandshakeWatch(BiConsumer<String, String> onFailure) {
        this.onFailure = onFailure;
    }

    @Override
    public JdkSSLEngineOptions copy() {
        return new HandshakeWatch(onFailure);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        SslContextFactory delegate = super.sslContextFactory();
        return new SslContextFactory() {
            @Override
            public SslContextFactory useAlpn(boolean useAlpn) {
                delegate.useAlpn(useAlpn);
                return this;
            }

            @Override
            public SslContextFactory clientAuth(io.netty.handler.ssl.ClientAuth clientAuth) {
                delegate.clientAuth(clientAuth);
                return this;
            }

            @Override
            public SslContextFactory forClient(boolean forClient) {
                delegate.forClient(forClient);
                return this;
            }

            @Override
            public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
                delegate.keyMananagerFactory(kmf);
                return this;
            }

            @Override
            public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
                delegate.trustManagerFactory(tmf);
                return this;
            }

            @Override
            public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
                delegate.enabledCipherSuites(enabledCipherSuites);
                return this;
            }

            @Override
            public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
                delegate.applicationProtocols(applicationProtocols);
                return this;
            }

            @Override
            public SslContextFactory serverName(String serverName) {
                delegate.serverName(serverName);
                return this;
            }

            @Override
            public SslContext create() throws SSLException {
                SslContext context = delegate.create();
                return context.isClient() ? context : new Watched(context);
            }
        };
    }

    private final class Watched extends DelegatingSslContext {

        Watched(SslContext context) {
            super(context);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
        }

        @Override
        protected void initHandler(SslHandler handler) {
            handler.handshakeFuture().addListener(done -> {
                if (!done.isSuccess()) {
                    SSLEngine engine = handler.engine();
                    String remote = engine.getPeerHost() == null ? "an unknown address"
                            : engine.getPeerHost() + ":" + engine.getPeerPort();
                    onFailure.accept(remote, reason(done.cause()));
                }
            });
        }
    }

    /** Why a handshake failed, in words, with the TLS stack's own message. */
    static String reason(Throwable cause) {
        String raw = String.valueOf(cause.getMessage());
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "it does not speak TLS";
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return "no TLS handshake in time (" + t.getMessage() + ")";
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return "its certificate is not signed by the cluster CA (" + t.getMessage() + ")";
            }
            String message = String.valueOf(t.getMessage());
            // the JDK's engine says so itself when Netty's record check let the first bytes through
            if (message.contains("Unrecognized SSL message") || message.contains("plaintext connection")) {
                return "it does not speak TLS (" + message + ")";
            }
            if (message.contains("Empty client certificate chain") || message.contains("certificate_required")) {
                return "it presented no certificate (" + message + ")";
            }
            if (message.contains("Received fatal alert")) {
                return "it aborted the handshake: it does not trust this agent's certificate? (" + message + ")";
            }
        }
        return raw;
    }
}
