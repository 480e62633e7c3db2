package io.haul.protocol;

import com.google.protobuf.ByteString;
import io.haul.fuzz.Generator;
import io.haul.fuzz.Texts;
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
import java.util.Random;

/**
 * Valid {@link Envelope}s of every kind, with the field values a hostile or newer peer may send: versions
 * beyond ours (as uint32, up to 2^32 - 1), negative sizes and counts, '../' in names and ids, long strings.
 */
final class EnvelopeGenerators {

    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
    private static final Generator<String> HOSTILE_TEXTS =
            Generator.of("", "../escape", "../../etc/passwd", "/etc/shadow", "a/b", "\u0000", "\uD800", "m1");
    private static final Generator<Integer> FAR_VERSIONS =
            Generator.of(0, Versions.MAX + 1, Versions.MAX + 7, -1, Integer.MIN_VALUE, Integer.MAX_VALUE);
    private static final Generator<Long> EDGE_SIZES = Generator.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0L);

    private EnvelopeGenerators() {
    }

    /** uint32 versions as Java sees them: ours (six in ten), their neighbours and the far end (negative ints), any. */
    static int version(Random random) {
        int share = random.nextInt(10);
        return share < 6 ? random.nextInt(Versions.MIN, Versions.MAX + 1)
                : share < 9 ? FAR_VERSIONS.next(random) : random.nextInt();
    }

    /** A name as agents use, a hostile one, or any text. */
    static String text(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> Texts.from(random, NAME_CHARS, 0, 24);
            case 1 -> HOSTILE_TEXTS.next(random);
            default -> Texts.any(random, 300);
        };
    }

    static long size(Random random) {
        return random.nextBoolean() ? random.nextLong(0, (1L << 40) + 1) : EDGE_SIZES.next(random);
    }

    static Capabilities capabilities(Random random) {
        Capabilities.Builder capabilities = Capabilities.newBuilder().setCriuVersion(text(random))
                .setKernelRelease(text(random)).setFreeBytes(size(random));
        for (int i = random.nextInt(5); i > 0; i--) {
            capabilities.addBackends(text(random));
        }
        for (int i = random.nextInt(5); i > 0; i--) {
            capabilities.addStrategies(text(random));
        }
        for (int i = random.nextInt(5); i > 0; i--) {
            capabilities.putKernelFeatures(text(random), random.nextBoolean());
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            var limits = io.haul.protocol.v1.UserNamespaceLimits.newBuilder().setMaxUserNamespaces(size(random))
                    .setUidsFrom(text(random)).setGidsFrom(text(random));
            for (int r = random.nextInt(3); r > 0; r--) {
                limits.addSubordinateUids(io.haul.protocol.v1.IdRange.newBuilder().setFirst(size(random))
                        .setCount(size(random)));
            }
            capabilities.putNamespaceOffers(text(random), io.haul.protocol.v1.NamespaceOffer.newBuilder()
                    .setKernelHasKind(random.nextBoolean()).putCriuFeatures(text(random), random.nextBoolean())
                    .setUserNamespaces(limits).build());
        }
        return capabilities.build();
    }

    static Hello hello(Random random) {
        return Hello.newBuilder().setMinVersion(version(random)).setMaxVersion(version(random)).setAgent(text(random))
                .setCapabilities(capabilities(random)).build();
    }

    static HelloReply helloReply(Random random) {
        return HelloReply.newBuilder().setVersion(version(random)).setAgent(text(random))
                .setCapabilities(capabilities(random)).build();
    }

    static ImageFile imageFile(Random random) {
        return ImageFile.newBuilder().setName(text(random)).setSize(size(random))
                .setEncodingValue(Generator.of(0, 1, 2, -1).next(random)).build();
    }

    static Prepare prepare(Random random) {
        Prepare.Builder prepare = Prepare.newBuilder().setBackend(text(random)).setContainerId(text(random))
                .setExpectedImageBytes(size(random)).setSourceCriuVersion(text(random));
        for (int i = random.nextInt(5); i > 0; i--) {
            prepare.putManifestFacts(text(random), text(random));
        }
        for (int i = random.nextInt(5); i > 0; i--) {
            NamespaceState.Builder namespace = NamespaceState.newBuilder().setKind(text(random))
                    .setOwn(random.nextBoolean());
            for (int j = random.nextInt(4); j > 0; j--) {
                namespace.putFacts(text(random), text(random));
            }
            prepare.addNamespaces(namespace);
        }
        byte[] cpuinfo = new byte[random.nextInt(257)];
        random.nextBytes(cpuinfo);
        return prepare.setCpuinfo(ByteString.copyFrom(cpuinfo)).build();
    }

    /** An envelope with any body (or none), any version and any migration id. */
    static Envelope envelope(Random random) {
        Envelope.Builder envelope = Envelope.newBuilder();
        switch (random.nextInt(12)) {
            case 0 -> envelope.setHello(hello(random));
            case 1 -> envelope.setHelloReply(helloReply(random));
            case 2 -> envelope.setPrepare(prepare(random));
            case 3 -> envelope.setPrepared(Prepared.newBuilder().setOk(random.nextBoolean()).setCode(text(random))
                    .setMessage(text(random)));
            case 4 -> {
                ImagesSent.Builder sent = ImagesSent.newBuilder().setTotalBytes(size(random));
                for (int i = random.nextInt(7); i > 0; i--) {
                    sent.addFiles(imageFile(random));
                }
                envelope.setImagesSent(sent);
            }
            case 5 -> envelope.setRestored(Restored.newBuilder().setRootPid(random.nextLong()));
            case 6 -> envelope.setCommit(Commit.getDefaultInstance());
            case 7 -> envelope.setCommitted(Committed.getDefaultInstance());
            case 8 -> envelope.setAbort(Abort.newBuilder().setCode(text(random)).setMessage(text(random)));
            case 9 -> envelope.setError(Error.newBuilder().setCode(text(random)).setMessage(text(random)));
            case 10 -> envelope.setHeartbeat(Heartbeat.getDefaultInstance());
            default -> { } // no body at all
        }
        return envelope.setVersion(version(random)).setMigrationId(text(random)).build();
    }

    /** One of the handshake's two frames, with any envelope version. */
    static Envelope handshake(Random random) {
        Envelope.Builder envelope = random.nextBoolean() ? Envelope.newBuilder().setHello(hello(random))
                : Envelope.newBuilder().setHelloReply(helloReply(random));
        return envelope.setVersion(version(random)).setMigrationId(text(random)).build();
    }
}
