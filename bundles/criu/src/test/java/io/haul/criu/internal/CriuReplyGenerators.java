package io.haul.criu.internal;

import io.haul.criu.rpc.CriuDumpResp;
import io.haul.criu.rpc.CriuNotify;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import io.haul.criu.rpc.CriuRestoreResp;
import io.haul.criu.rpc.CriuVersion;
import io.haul.fuzz.Generator;
import io.haul.fuzz.Texts;
import java.util.Random;

/**
 * CRIU's replies as criu swrk sends them, and as a broken or foreign one might: every request type, success
 * or not, any errno, error messages with and without CRIU's source place, notifications with any script and
 * pid, versions; and replies that lack a field CRIU's protocol requires (the decoder must refuse those).
 */
final class CriuReplyGenerators {

    private static final Generator<String> SCRIPTS =
            Generator.of("pre-dump", "network-lock", "post-dump", "setup-namespaces", "post-restore", "");
    private static final Generator<String> ERROR_MESSAGES =
            Generator.of("Error (criu/cr-dump.c:1975): Dumping FAILED.", "Error (", "(:1): x", "\u0000", "\uD800");
    private static final Generator<Integer> EDGE_NUMBERS = Generator.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 4133, -4133);
    private static final CriuReqType[] TYPES = CriuReqType.values();

    private CriuReplyGenerators() {
    }

    static String text(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> SCRIPTS.next(random);
            case 1 -> ERROR_MESSAGES.next(random);
            default -> Texts.any(random, 200);
        };
    }

    /** An errno, a pid or a version: small, at an edge, or any int. */
    static int number(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextInt(-2, 201);
            case 1 -> EDGE_NUMBERS.next(random);
            default -> random.nextInt();
        };
    }

    /** A reply with every field CRIU's protocol requires, or (one in six) a partial one without them. */
    static byte[] reply(Random random) {
        CriuResp.Builder reply = CriuResp.newBuilder().setType(TYPES[random.nextInt(TYPES.length)])
                .setSuccess(random.nextBoolean()).setCrErrno(number(random)).setCrErrmsg(text(random));
        int number = number(random);
        switch (random.nextInt(5)) {
            case 0 -> reply.setDump(CriuDumpResp.newBuilder().setRestored(random.nextBoolean()));
            case 1 -> reply.setRestore(CriuRestoreResp.newBuilder().setPid(number));
            case 2 -> reply.setNotify(CriuNotify.newBuilder().setScript(text(random)).setPid(number));
            case 3 -> {
                String text = text(random);
                reply.setVersion(CriuVersion.newBuilder().setMajorNumber(number).setMinorNumber(number + 1)
                        .setGitid(text).setName(text));
            }
            default -> { } // no body
        }
        return random.nextInt(6) == 0 ? CriuResp.newBuilder(reply.buildPartial()).clearSuccess().buildPartial().toByteArray()
                : reply.build().toByteArray();
    }
}
