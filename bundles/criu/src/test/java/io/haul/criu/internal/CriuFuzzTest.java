package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import io.haul.fuzz.FuzzAssertions;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A short fuzz run of the decoding of CRIU's replies; {@code ./haul fuzz} runs a million inputs. */
class CriuFuzzTest {

    @Property(tries = 3000)
    void noPacketBreaksTheReplyDecodersBounds(@ForAll("packets") byte[] packet) {
        FuzzAssertions.assertWithinBounds(CriuFuzzTargets.REPLY, packet);
    }

    @Example
    void aReplyWithoutTheFieldsCriuAlwaysSendsIsRefused() {
        byte[] partial = CriuResp.newBuilder().setType(CriuReqType.DUMP).buildPartial().toByteArray();
        assertThrows(InvalidProtocolBufferException.class, () -> RpcSession.decode(partial));
    }

    @Provide
    Arbitrary<byte[]> packets() {
        return CriuFuzzTargets.REPLY.inputs();
    }
}
