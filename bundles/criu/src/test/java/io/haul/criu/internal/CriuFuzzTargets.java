package io.haul.criu.internal;

import io.haul.criu.rpc.CriuResp;
import io.haul.fuzz.AllocationBound;
import io.haul.fuzz.DecoderSetup;
import io.haul.fuzz.FuzzInputs;
import io.haul.fuzz.FuzzTarget;
import io.haul.fuzz.FuzzTargets;
import io.haul.fuzz.TypedErrors;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;

/** The criu bundle's decoder: a packet from criu swrk as a reply, and a failed reply as the error it reports. */
public final class CriuFuzzTargets implements FuzzTargets {

    /**
     * A reply is decoded as it arrives (RpcSession.decode), and a failed one turned into its HaulException
     * (CriuFailure, without a log): protobuf's objects for the packet, the message built from CRIU's text. A
     * reply without a field CRIU always sends costs the most: protobuf finds which by reflection, some 70 KiB.
     */
    static final FuzzTarget REPLY = new FuzzTarget("criu.reply",
            FuzzInputs.around(CriuReplyGenerators::reply, 1024),
            DecoderSetup.stateless(CriuFuzzTargets::decodeAndReport),
            TypedErrors.of(InvalidProtocolBufferException.class), new AllocationBound(256 * 1024, 16));

    @Override
    public List<FuzzTarget> targets() {
        return List.of(REPLY);
    }

    static void decodeAndReport(byte[] packet) throws InvalidProtocolBufferException {
        CriuResp reply = RpcSession.decode(packet);
        if (!reply.getSuccess()) {
            CriuFailure.of("criu.fuzzed", "a fuzzed CRIU call", reply, null);
        }
    }
}
