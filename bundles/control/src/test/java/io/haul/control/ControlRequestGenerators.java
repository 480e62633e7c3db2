package io.haul.control;

import io.haul.fuzz.Generator;
import io.haul.fuzz.Texts;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Random;

/**
 * Control socket requests as {@link ControlClient} writes them, with what a foreign client might put in them:
 * names that are no command, arguments with NUL, quotes, '$' and '../', long ones, up to the most allowed.
 */
final class ControlRequestGenerators {

    private static final Generator<String> WORDS =
            Generator.of("migrate", "ps", "help", "status", "containers", "--json", "--strategy", "vmread");
    private static final Generator<String> HOSTILE_ARGUMENTS =
            Generator.of("", "$haularg1", "'quoted'", "a;b", "../../etc/passwd", "\u0000", "\uD800", "x".repeat(3000));

    private ControlRequestGenerators() {
    }

    static String argument(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> WORDS.next(random);
            case 1 -> HOSTILE_ARGUMENTS.next(random);
            default -> Texts.any(random, 40);
        };
    }

    /** A request of one argument to the most the server takes. */
    static byte[] request(Random random) {
        return encode(Generator.listOf(ControlRequestGenerators::argument, 1, ControlProtocol.MAX_ARGS).next(random));
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
