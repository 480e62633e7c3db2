package io.haul.host.internal;

import io.haul.host.CriuSource;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Finds the CRIU executable without running it, so the order is testable with fake files. The order matters
 * because distributions ship CRIUs too old for new kernels (Debian 12's fails on 6.x vDSO layouts): an
 * explicit configuration wins, then the CRIU Haul installed for itself, then whatever PATH offers.
 */
final class CriuLocator {

    static final String PREFIX_PROPERTY = "haul.criu.prefix";
    static final String PREFIX_ENV = "HAUL_CRIU_PREFIX";
    static final String DEFAULT_PREFIX = "/opt/haul/criu";
    static final List<Path> SYSTEM_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    /**
     * @param path   the executable, or null when none
     * @param source where it came from
     * @param detail one line on where it came from or everything that was tried
     */
    record Location(Path path, CriuSource source, String detail) {
    }

    private final String configuredPath;
    private final Path prefix;
    private final String searchPath;
    private final List<Path> systemDirs;

    CriuLocator(String configuredPath, Path prefix, String searchPath, List<Path> systemDirs) {
        this.configuredPath = configuredPath == null ? "" : configuredPath.strip();
        this.prefix = prefix;
        this.searchPath = searchPath == null ? "" : searchPath;
        this.systemDirs = List.copyOf(systemDirs);
    }

    /** The locator for this process: framework/system property, then environment, then the default. */
    static CriuLocator forHost(String configuredPath, Function<String, String> property,
            Function<String, String> environment) {
        return new CriuLocator(configuredPath, prefix(property, environment), environment.apply("PATH"), SYSTEM_DIRS);
    }

    static Path prefix(Function<String, String> property, Function<String, String> environment) {
        String fromProperty = property.apply(PREFIX_PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return Path.of(fromProperty.strip());
        }
        String fromEnv = environment.apply(PREFIX_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.strip());
        }
        return Path.of(DEFAULT_PREFIX);
    }

    Location locate() {
        if (!configuredPath.isEmpty()) {
            return configured();
        }
        Path inPrefix = prefix.resolve("bin").resolve("criu");
        if (isExecutableFile(inPrefix)) {
            return new Location(inPrefix, CriuSource.HAUL_PREFIX, "Haul's prefix " + prefix);
        }
        List<Path> dirs = searchDirs();
        for (Path dir : dirs) {
            Path candidate = dir.resolve("criu");
            if (isExecutableFile(candidate)) {
                return new Location(candidate, CriuSource.PATH, "found on PATH in " + dir);
            }
        }
        return new Location(null, CriuSource.NOT_FOUND, "no criu found: criuPath not configured, no executable "
                + inPrefix + " (" + PREFIX_PROPERTY + " / " + PREFIX_ENV + "), none in " + dirs);
    }

    // A configured path that is not there is a mistake to report, not a reason to quietly run another CRIU.
    private Location configured() {
        Path path;
        try {
            path = Path.of(configuredPath).toAbsolutePath();
        } catch (InvalidPathException e) {
            return new Location(null, CriuSource.NOT_FOUND, "configured criuPath '" + configuredPath
                    + "' is not a valid path: " + e.getMessage());
        }
        if (!Files.exists(path)) {
            return new Location(null, CriuSource.NOT_FOUND, "configured criuPath " + path + " does not exist");
        }
        if (!isExecutableFile(path)) {
            return new Location(null, CriuSource.NOT_FOUND, "configured criuPath " + path
                    + " is not an executable file");
        }
        return new Location(path, CriuSource.CONFIGURATION, "configured criuPath");
    }

    private List<Path> searchDirs() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String entry : searchPath.split(":")) {
            // an empty PATH entry means the working directory: never pick up a criu from there
            if (!entry.isBlank()) {
                try {
                    Path dir = Path.of(entry);
                    if (dir.isAbsolute()) {
                        dirs.add(dir);
                    }
                } catch (InvalidPathException e) {
                    // not a directory anyone can mean
                }
            }
        }
        dirs.addAll(systemDirs);
        return new ArrayList<>(dirs);
    }

    private static boolean isExecutableFile(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }
}
