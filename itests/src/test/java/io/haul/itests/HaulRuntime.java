package io.haul.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Option;

/**
 * The Pax Exam configuration of every in-framework test: the bundles and run properties of haul.jar (see
 * {@link LaunchProperties}), a fresh state folder per test class, and what Pax Exam itself needs.
 */
public final class HaulRuntime {

    /** The state folder property the launcher sets and FileInstall's deploy folder is made from. */
    public static final String STATE = "haul.state";

    /** The level of a runtime bundle the bndrun gives none. */
    static final int DEFAULT_START_LEVEL = 2;

    private static final List<Path> STATE_DIRS = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STATE_DIRS.forEach(HaulRuntime::deleteTree),
                "itests-state-cleanup"));
    }

    private HaulRuntime() {
    }

    /**
     * The options for one test class. Pax Exam's native container runs the framework in this JVM, so there is
     * no VM to give options to: the failsafe argLine grants native access.
     */
    public static Option[] configuration(Class<?> testClass) {
        LaunchProperties launch = LaunchProperties.load();
        Path state = newStateDir(testClass);
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches());
        options.add(junitBundles());
        // FileInstall resolves felix.fileinstall.dir=${haul.state}/deploy from it; the agent reads it too
        options.add(systemProperty(STATE).value(state.toString()));
        options.add(frameworkProperty(STATE).value(state.toString()));
        launch.frameworkProperties().forEach((name, value) -> options.add(frameworkProperty(name).value(value)));
        launch.extraSystemPackages().forEach(pkg -> options.add(systemPackage(pkg)));
        // The start levels of the bndrun (SPI Fly at 1, the rest at 2): slf4j initialised before SPI Fly wove it
        // would never find logback, and Pax Exam's own bundles log through slf4j too.
        Map<String, Integer> levels = launch.startLevels();
        launch.extractTestBundles().forEach((symbolicName, jar) -> options.add(bundle(LaunchProperties.location(jar))
                .startLevel(levels.getOrDefault(symbolicName, DEFAULT_START_LEVEL))));
        return options.toArray(Option[]::new);
    }

    /**
     * A state folder with its deploy/ (in /tmp: the control socket's path must stay under the 108 bytes a unix
     * socket address holds), removed when the test JVM ends.
     */
    static Path newStateDir(Class<?> testClass) {
        try {
            Path state = Files.createTempDirectory("haul-" + testClass.getSimpleName() + "-");
            Files.createDirectories(state.resolve("deploy"));
            System.setProperty(STATE, state.toString());
            STATE_DIRS.add(state);
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a state folder", e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // best effort: a leftover temp folder is not worth failing a test for
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}
