package io.haul.criu.internal;

import io.haul.criu.rpc.CriuDumpResp;
import io.haul.criu.rpc.CriuNotify;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import io.haul.criu.rpc.CriuRestoreResp;
import io.haul.criu.rpc.CriuVersion;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * CRIU's replies as criu swrk sends them, and as a broken or foreign one might: every request type, success
 * or not, any errno, error messages with and without CRIU's source place, notifications with any script and
 * pid, versions; and replies that lack a field CRIU's protocol requires (the decoder must refuse those).
 */
final class CriuReplyGenerators {

    private CriuReplyGenerators() {
    }

    static Arbitrary<String> texts() {
        return Arbitraries.oneOf(
                Arbitraries.of("pre-dump", "network-lock", "post-dump", "setup-namespaces", "post-restore", ""),
                Arbitraries.of("Error (criu/cr-dump.c:1975): Dumping FAILED.", "Error (", "(:1): x", "\u0000", "\uD800"),
                Arbitraries.strings().ofMaxLength(200));
    }

    static Arbitrary<Integer> numbers() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-2, 200),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 4133, -4133), Arbitraries.integers());
    }

    /** A reply with every field CRIU's protocol requires, or (one in six) a partial one without them. */
    static Arbitrary<byte[]> replies() {
        Arbitrary<CriuResp.Builder> base = Combinators.combine(Arbitraries.of(CriuReqType.class), Arbitraries.of(true, false),
                numbers(), texts()).as((type, success, errno, message) -> CriuResp.newBuilder().setType(type)
                .setSuccess(success).setCrErrno(errno).setCrErrmsg(message));
        Arbitrary<CriuResp.Builder> withBody = Combinators.combine(base, Arbitraries.integers().between(0, 4), numbers(),
                texts(), Arbitraries.of(true, false)).as((reply, body, number, text, flag) -> switch (body) {
                    case 0 -> reply.setDump(CriuDumpResp.newBuilder().setRestored(flag));
                    case 1 -> reply.setRestore(CriuRestoreResp.newBuilder().setPid(number));
                    case 2 -> reply.setNotify(CriuNotify.newBuilder().setScript(text).setPid(number));
                    case 3 -> reply.setVersion(CriuVersion.newBuilder().setMajorNumber(number).setMinorNumber(number + 1)
                            .setGitid(text).setName(text));
                    default -> reply;
                });
        return Combinators.combine(withBody, Arbitraries.integers().between(0, 5)).as((reply, partial) -> switch (partial) {
            case 0 -> CriuResp.newBuilder(reply.buildPartial()).clearSuccess().buildPartial().toByteArray();
            default -> reply.build().toByteArray();
        });
    }
}
