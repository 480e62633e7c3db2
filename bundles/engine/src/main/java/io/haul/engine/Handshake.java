package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.plugin.PluginKind;
import io.haul.protocol.Versions;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Hello;
import java.io.IOException;

/**
 * Phase 1 on the source: connects to the destination over the chosen transport (which authenticates both
 * ends), offers the protocol versions and this agent's capabilities, and agrees on the version the destination
 * chose. The peer it returns is closed at the end and told of a rollback.
 */
final class Handshake {

    private final SourceScope source;
    private final String transportName;

    Handshake(SourceScope source, String transportName) {
        this.source = source;
        this.transportName = transportName;
    }

    Peer connect() throws MigrationFailure, IOException {
        MigrationContext context = source.context();
        Peer peer;
        try (var transport = context.plugins().lease(PluginKind.TRANSPORT, transportName).orElseThrow(() ->
                new MigrationFailure("check.transport", "no transport named '" + transportName + "' on this agent"))) {
            peer = new Peer(transport.service().connect(Addresses.parse(source.destination().address()),
                    source.destination().name()), source.id());
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        source.rollback().release(peer);
        source.rollback().undo(why -> peer.abort(why.code(), why.getMessage()));
        peer.send(Envelope.newBuilder().setHello(Hello.newBuilder().setMinVersion(Versions.MIN)
                .setMaxVersion(Versions.MAX).setAgent(context.agentName())
                .setCapabilities(context.capabilities().now())));
        Envelope reply = peer.receive(Envelope.BodyCase.HELLO_REPLY, context.stepTimeout());
        int version = reply.getHelloReply().getVersion();
        if (version < Versions.MIN || version > Versions.MAX) {
            throw new MigrationFailure("protocol.version", source.destination().name() + " chose protocol version "
                    + version + ", which this agent does not speak");
        }
        peer.agreeOn(version);
        peer.heard(reply.getHelloReply().getCapabilities());
        return peer;
    }
}
