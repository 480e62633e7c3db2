package io.haul.control;

import io.haul.fuzz.AllocationBound;
import io.haul.fuzz.DecoderSetup;
import io.haul.fuzz.FuzzInputs;
import io.haul.fuzz.FuzzTarget;
import io.haul.fuzz.FuzzTargets;
import io.haul.fuzz.TypedErrors;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.util.List;

/** The control socket's decoder: the server's reading of a request. */
public final class ControlFuzzTargets implements FuzzTargets {

    /**
     * DataInputStream.readUTF sets aside room for the length an argument claims before it reads it: up to
     * 65535 bytes and as many chars, grown to twice that (384 KiB in all) whatever follows; the strings made
     * are at most the input.
     */
    static final FuzzTarget REQUEST = new FuzzTarget("control.request",
            FuzzInputs.around(ControlRequestGenerators::request, 1024),
            DecoderSetup.stateless(input -> ControlProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(input)))),
            TypedErrors.of(ControlProtocol.ProtocolException.class, EOFException.class),
            new AllocationBound(512 * 1024, 8));

    @Override
    public List<FuzzTarget> targets() {
        return List.of(REQUEST);
    }
}
