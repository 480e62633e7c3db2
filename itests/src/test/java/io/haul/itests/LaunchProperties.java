package io.haul.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The runtime as {@code runtime/target/haul.jar} defines it: bnd's {@code launcher.properties} lists the bundles
 * ({@code launch.bundles}, in start order) and the run properties. The integration tests take their bundle list
 * from here and nowhere else, so they test exactly what {@code java -jar haul.jar} runs. Plain Java: used to
 * build the Pax Exam configuration and, inside the framework, to know which bundles were provisioned.
 */
public final class LaunchProperties {

    /** System property (set by the pom) naming the runtime jar. */
    public static final String RUNTIME_JAR = "haul.runtime.jar";
    /** System property (set by the pom) naming a work folder under target/. */
    public static final String WORK_DIR = "haul.itests.work";

    /** The interactive shell (jline terminal): no terminal in tests, and nothing else needs it. */
    static final Set<String> NOT_IN_TESTS = Set.of("org.apache.felix.gogo.jline", "org.jline");

    private final Path runtimeJar;
    private final Properties properties;

    private LaunchProperties(Path runtimeJar, Properties properties) {
        this.runtimeJar = runtimeJar;
        this.properties = properties;
    }

    public static LaunchProperties load() {
        String jar = System.getProperty(RUNTIME_JAR);
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("system property " + RUNTIME_JAR + " is not set (the itests pom sets it)");
        }
        Path path = Path.of(jar).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " does not exist: build the runtime first (mvn -DskipTests install)");
        }
        try (ZipFile zip = new ZipFile(path.toFile())) {
            ZipEntry entry = zip.getEntry("launcher.properties");
            if (entry == null) {
                throw new IllegalStateException(path + " has no launcher.properties: not a bnd executable jar");
            }
            Properties properties = new Properties();
            try (InputStream in = zip.getInputStream(entry)) {
                properties.load(in);
            }
            return new LaunchProperties(path, properties);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    public Path runtimeJar() {
        return runtimeJar;
    }

    /** The jar entries of launch.bundles, in order (e.g. {@code jar/api-0.1.0-SNAPSHOT.jar}). */
    public List<String> launchBundles() {
        String value = properties.getProperty("launch.bundles", "");
        List<String> entries = new ArrayList<>();
        for (String entry : value.split(",")) {
            if (!entry.isBlank()) {
                entries.add(entry.strip());
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalStateException(runtimeJar + ": launch.bundles is empty (was the bndrun resolved?)");
        }
        return entries;
    }

    /** Every property that is not the launcher's own ({@code launch.*}): the bndrun's -runproperties. */
    public Map<String, String> frameworkProperties() {
        Map<String, String> result = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (!name.startsWith("launch.")) {
                result.put(name, properties.getProperty(name));
            }
        }
        return result;
    }

    /**
     * The packages of launch.system.packages the framework does not export by itself (-runsystempackages, e.g.
     * jdk.net). bnd lists Felix's own org.osgi.* packages there too; those Felix exports anyway.
     */
    public List<String> extraSystemPackages() {
        List<String> result = new ArrayList<>();
        for (String clause : splitClauses(properties.getProperty("launch.system.packages", ""))) {
            String name = clause.split(";", 2)[0].strip();
            if (!name.isEmpty() && !name.startsWith("org.osgi.")) {
                result.add(clause.strip());
            }
        }
        return result;
    }

    /**
     * The start level the bndrun gives each bundle, by symbolic name ({@code launch.runbundles.attrs}):
     * SPI Fly before everything that logs.
     */
    public Map<String, Integer> startLevels() {
        Map<String, Integer> levels = new LinkedHashMap<>();
        for (String clause : splitClauses(properties.getProperty("launch.runbundles.attrs", ""))) {
            String[] parts = clause.split(";");
            for (String part : parts) {
                String attribute = part.strip();
                if (attribute.startsWith("startlevel=")) {
                    levels.put(parts[0].strip(), Integer.parseInt(attribute.substring("startlevel=".length())));
                }
            }
        }
        return levels;
    }

    /** Splits an OSGi header at the commas outside quotes. */
    static List<String> splitClauses(String header) {
        List<String> clauses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            clauses.add(current.toString());
        }
        return clauses;
    }

    /**
     * Extracts the launch bundles to {@code <work>/bundles} and returns those the tests provision: see
     * {@link #testBundles()}.
     */
    public Map<String, Path> extractTestBundles() {
        Path dir = bundleDir();
        try (ZipFile zip = new ZipFile(runtimeJar.toFile())) {
            Files.createDirectories(dir);
            for (String name : launchBundles()) {
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    throw new IllegalStateException(runtimeJar + " lists " + name + " in launch.bundles but has no such entry");
                }
                Path target = extracted(name);
                Path part = dir.resolve(target.getFileName() + ".part");
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the bundles of " + runtimeJar + " to " + dir, e);
        }
        return testBundles();
    }

    /**
     * The extracted launch bundles the tests provision, in launch order, keyed by symbolic name:
     * all of launch.bundles but {@link #NOT_IN_TESTS}.
     */
    public Map<String, Path> testBundles() {
        Map<String, Path> bundles = new LinkedHashMap<>();
        for (String name : launchBundles()) {
            Path jar = extracted(name);
            try {
                String symbolicName = symbolicName(jar);
                if (!NOT_IN_TESTS.contains(symbolicName)) {
                    bundles.put(symbolicName, jar);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar + " (extracted from " + runtimeJar + ")", e);
            }
        }
        return bundles;
    }

    private Path extracted(String entryName) {
        return bundleDir().resolve(Path.of(entryName).getFileName().toString());
    }

    /** The file: location a provisioned bundle was installed from. */
    public static String location(Path bundle) {
        return "file:" + bundle.toAbsolutePath();
    }

    public Path bundleDir() {
        String work = System.getProperty(WORK_DIR);
        Path base = work == null || work.isBlank() ? Path.of("target", "itests-work") : Path.of(work);
        return base.toAbsolutePath().normalize().resolve("bundles");
    }

    static String symbolicName(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            String header = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            if (header == null) {
                throw new IllegalStateException(jar + " in launch.bundles is not a bundle (no Bundle-SymbolicName)");
            }
            return header.split(";", 2)[0].strip();
        }
    }
}
