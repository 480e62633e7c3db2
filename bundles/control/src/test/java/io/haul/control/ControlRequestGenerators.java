package io.haul.control;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Control socket requests as {@link ControlClient} writes them, with what a foreign client might put in them:
 * names that are no command, arguments with NUL, quotes, '$' and '../', long ones, up to the most allowed.
 */
final class ControlRequestGenerators {

    private ControlRequestGenerators() {
    }

    static Arbitrary<String> arguments() {
        return Arbitraries.oneOf(
                Arbitraries.of("migrate", "ps", "help", "status", "containers", "--json", "--strategy", "vmread"),
                Arbitraries.of("", "$haularg1", "'quoted'", "a;b", "../../etc/passwd", "\u0000", "\uD800", "x".repeat(3000)),
                Arbitraries.strings().ofMaxLength(40));
    }

    static Arbitrary<byte[]> requests() {
        return arguments().list().ofMinSize(1).ofMaxSize(ControlProtocol.MAX_ARGS).map(ControlRequestGenerators::encode);
    }

    static byte[] encode(List<String> args) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ControlProtocol.writeRequest(new DataOutputStream(bytes), args);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
