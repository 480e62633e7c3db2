package io.haul.protocol;

import com.google.protobuf.ByteString;
import io.haul.protocol.v1.Abort;
import io.haul.protocol.v1.Capabilities;
import io.haul.protocol.v1.Commit;
import io.haul.protocol.v1.Committed;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Error;
import io.haul.protocol.v1.Heartbeat;
import io.haul.protocol.v1.Hello;
import io.haul.protocol.v1.HelloReply;
import io.haul.protocol.v1.ImageFile;
import io.haul.protocol.v1.ImagesSent;
import io.haul.protocol.v1.NamespaceState;
import io.haul.protocol.v1.Prepare;
import io.haul.protocol.v1.Prepared;
import io.haul.protocol.v1.Restored;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Valid {@link Envelope}s of every kind, with the field values a hostile or newer peer may send: versions
 * beyond ours (as uint32, up to 2^32 - 1), negative sizes and counts, '../' in names and ids, long strings.
 */
final class EnvelopeGenerators {

    private EnvelopeGenerators() {
    }

    /** uint32 versions as Java sees them: ours, their neighbours, and the far end (negative ints). */
    static Arbitrary<Integer> versions() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(Versions.MIN, Versions.MAX)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(0, Versions.MAX + 1, Versions.MAX + 7, -1, Integer.MIN_VALUE,
                        Integer.MAX_VALUE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers()));
    }

    static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().withChars('-', '.', '_').ofMaxLength(24),
                Arbitraries.of("", "../escape", "../../etc/passwd", "/etc/shadow", "a/b", "\u0000", "\uD800", "m1"),
                Arbitraries.strings().ofMaxLength(300));
    }

    static Arbitrary<Long> sizes() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 1L << 40),
                Arbitraries.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0L));
    }

    static Arbitrary<Capabilities> capabilities() {
        return Combinators.combine(text(), text().list().ofMaxSize(4), text().list().ofMaxSize(4),
                Arbitraries.maps(text(), Arbitraries.of(true, false)).ofMaxSize(4), sizes())
                .as((criu, backends, strategies, features, free) -> Capabilities.newBuilder().setCriuVersion(criu)
                        .addAllBackends(backends).addAllStrategies(strategies).putAllKernelFeatures(features)
                        .setKernelRelease(criu).setFreeBytes(free).build());
    }

    static Arbitrary<Hello> hellos() {
        return Combinators.combine(versions(), versions(), text(), capabilities())
                .as((min, max, agent, caps) -> Hello.newBuilder().setMinVersion(min).setMaxVersion(max).setAgent(agent)
                        .setCapabilities(caps).build());
    }

    static Arbitrary<HelloReply> helloReplies() {
        return Combinators.combine(versions(), text(), capabilities())
                .as((version, agent, caps) -> HelloReply.newBuilder().setVersion(version).setAgent(agent)
                        .setCapabilities(caps).build());
    }

    static Arbitrary<ImageFile> imageFiles() {
        return Combinators.combine(text(), sizes(), Arbitraries.of(0, 1, 2, -1))
                .as((name, size, encoding) -> ImageFile.newBuilder().setName(name).setSize(size)
                        .setEncodingValue(encoding).build());
    }

    static Arbitrary<Prepare> prepares() {
        Arbitrary<NamespaceState> namespace = Combinators.combine(text(), Arbitraries.of(true, false),
                Arbitraries.maps(text(), text()).ofMaxSize(3))
                .as((kind, own, facts) -> NamespaceState.newBuilder().setKind(kind).setOwn(own).putAllFacts(facts).build());
        return Combinators.combine(text(), text(), Arbitraries.maps(text(), text()).ofMaxSize(4),
                namespace.list().ofMaxSize(4), sizes(), Arbitraries.bytes().array(byte[].class).ofMaxSize(256), text())
                .as((backend, container, facts, namespaces, bytes, cpuinfo, criu) -> Prepare.newBuilder()
                        .setBackend(backend).setContainerId(container).putAllManifestFacts(facts)
                        .addAllNamespaces(namespaces).setExpectedImageBytes(bytes)
                        .setCpuinfo(ByteString.copyFrom(cpuinfo)).setSourceCriuVersion(criu).build());
    }

    /** An envelope with any body (or none), any version and any migration id. */
    static Arbitrary<Envelope> envelopes() {
        Arbitrary<Envelope.Builder> bodies = Arbitraries.oneOf(List.of(
                hellos().map(hello -> Envelope.newBuilder().setHello(hello)),
                helloReplies().map(reply -> Envelope.newBuilder().setHelloReply(reply)),
                prepares().map(prepare -> Envelope.newBuilder().setPrepare(prepare)),
                Combinators.combine(Arbitraries.of(true, false), text(), text()).as((ok, code, message) ->
                        Envelope.newBuilder().setPrepared(Prepared.newBuilder().setOk(ok).setCode(code).setMessage(message))),
                Combinators.combine(imageFiles().list().ofMaxSize(6), sizes()).as((files, total) ->
                        Envelope.newBuilder().setImagesSent(ImagesSent.newBuilder().addAllFiles(files).setTotalBytes(total))),
                Arbitraries.longs().map(pid -> Envelope.newBuilder().setRestored(Restored.newBuilder().setRootPid(pid))),
                Arbitraries.just(Envelope.newBuilder().setCommit(Commit.getDefaultInstance())),
                Arbitraries.just(Envelope.newBuilder().setCommitted(Committed.getDefaultInstance())),
                Combinators.combine(text(), text()).as((code, message) ->
                        Envelope.newBuilder().setAbort(Abort.newBuilder().setCode(code).setMessage(message))),
                Combinators.combine(text(), text()).as((code, message) ->
                        Envelope.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message))),
                Arbitraries.just(Envelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())),
                Arbitraries.just(Envelope.newBuilder())));
        return Combinators.combine(bodies, versions(), text())
                .as((body, version, id) -> body.clone().setVersion(version).setMigrationId(id).build());
    }

    /** The handshake's two frames, each with any envelope version. */
    static Arbitrary<Envelope> handshakes() {
        return Combinators.combine(Arbitraries.oneOf(
                hellos().map(hello -> Envelope.newBuilder().setHello(hello)),
                helloReplies().map(reply -> Envelope.newBuilder().setHelloReply(reply))), versions(), text())
                .as((body, version, id) -> body.clone().setVersion(version).setMigrationId(id).build());
    }
}
