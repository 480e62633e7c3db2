package io.haul.fuzz;

import java.util.Random;

/**
 * Strings for the fields of a valid encoding. {@link #any} is what a hostile or careless peer may put in a
 * string: mostly printable ASCII, else any UTF-16 unit (NUL, lone surrogates, letters beyond Latin-1), which
 * protobuf, {@code writeUTF} and the file system each encode their own way.
 */
public final class Texts {

    private static final String PRINTABLE = printableAscii();

    private Texts() {
    }

    /**
     * Up to {@code maxLength} chars of any kind, short ones the most often (as names and messages are; a long
     * text would take most of an encoding's bytes, and most of its mutations).
     */
    public static String any(Random random, int maxLength) {
        char[] chars = new char[FuzzInputs.logScaleLength(random, maxLength)];
        boolean anyUnit = random.nextInt(3) == 0; // else printable only: the most common text is still tested
        for (int i = 0; i < chars.length; i++) {
            chars[i] = anyUnit && random.nextInt(4) == 0 ? (char) random.nextInt(Character.MAX_VALUE + 1)
                    : PRINTABLE.charAt(random.nextInt(PRINTABLE.length()));
        }
        return new String(chars);
    }

    /** {@code minLength} to {@code maxLength} chars, each taken from {@code alphabet}. */
    public static String from(Random random, String alphabet, int minLength, int maxLength) {
        char[] chars = new char[random.nextInt(minLength, maxLength + 1)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(chars);
    }

    private static String printableAscii() {
        StringBuilder chars = new StringBuilder(" ");
        for (char c = '!'; c <= '~'; c++) {
            chars.append(c);
        }
        return chars.toString();
    }
}
