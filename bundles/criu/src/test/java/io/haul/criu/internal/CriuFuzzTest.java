package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import io.haul.fuzz.FuzzAssertions;
import org.junit.jupiter.api.Test;

/** A short fuzz run of the decoding of CRIU's replies; {@code ./haul fuzz} runs a million inputs. */
class CriuFuzzTest {

    @Test
    void noPacketBreaksTheReplyDecodersBounds() {
        FuzzAssertions.assertBoundsHold(CriuFuzzTargets.REPLY, 3000);
    }

    @Test
    void aReplyWithoutTheFieldsCriuAlwaysSendsIsRefused() {
        byte[] partial = CriuResp.newBuilder().setType(CriuReqType.DUMP).buildPartial().toByteArray();
        assertThrows(InvalidProtocolBufferException.class, () -> RpcSession.decode(partial));
    }
}
