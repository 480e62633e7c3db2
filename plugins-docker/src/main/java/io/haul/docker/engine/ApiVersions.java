package io.haul.docker.engine;

/**
 * Picks the Docker Engine API version to name in requests, as the docker CLI negotiates it: the preferred
 * version when the engine supports it, else the nearest the engine does (its newest when it is older, its
 * oldest when it dropped the preferred one; Docker 29 speaks 1.44 at the least).
 */
final class ApiVersions {

    private ApiVersions() {
    }

    /**
     * @param preferred e.g. {@code 1.41}
     * @param engineMin the engine's MinAPIVersion, or null when it did not say
     * @param engineMax the engine's ApiVersion, or null when it did not say
     */
    static String nearest(String preferred, String engineMin, String engineMax) {
        if (parsable(engineMax) && compare(preferred, engineMax) > 0) {
            return engineMax;
        }
        if (parsable(engineMin) && compare(preferred, engineMin) < 0) {
            return engineMin;
        }
        return preferred;
    }

    /** Compares two "major.minor" versions numerically (1.9 is older than 1.41). */
    static int compare(String a, String b) {
        int[] x = parse(a);
        int[] y = parse(b);
        return x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]);
    }

    private static boolean parsable(String version) {
        return version != null && version.matches("\\d{1,4}\\.\\d{1,4}");
    }

    private static int[] parse(String version) {
        if (!parsable(version)) {
            throw new IllegalArgumentException("not an API version: " + version);
        }
        int dot = version.indexOf('.');
        return new int[] {Integer.parseInt(version.substring(0, dot)), Integer.parseInt(version.substring(dot + 1))};
    }
}
