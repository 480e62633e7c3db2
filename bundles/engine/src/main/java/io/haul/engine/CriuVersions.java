package io.haul.engine;

/** Compares CRIU versions such as {@code 4.2.1} number by number. */
final class CriuVersions {

    private CriuVersions() {
    }

    static int compare(String a, String b) {
        String[] x = a.strip().split("[.-]");
        String[] y = b.strip().split("[.-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int difference = Integer.compare(number(x, i), number(y, i));
            if (difference != 0) {
                return difference;
            }
        }
        return 0;
    }

    private static int number(String[] parts, int index) {
        if (index >= parts.length) {
            return 0;
        }
        try {
            return Integer.parseInt(parts[index]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
