package io.haul.transport.tls.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haul.transport.tls.it.probe.TransportProbe;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * Both transport bundles inside a real Felix 7 with Declarative Services, the Vert.x wrapper, Netty, and the
 * runtime's logging (slf4j through SPI Fly, logback): every bundle resolves and starts, DS registers the
 * {@code tls} and {@code inprocess} Transport services, and each makes a connection to itself. The TLS
 * transport finds its certificates in the state folder (framework property {@code haul.state}), made by
 * make-certs.sh as an agent's would be.
 */
class TransportsInFelixIT {

    /** Bundles of the test class path that the framework gets (the rest is JUnit, Felix itself, APIs). */
    private static boolean wanted(String bsn) {
        return bsn.startsWith("io.haul.") || bsn.startsWith("io.netty.") || bsn.startsWith("ch.qos.logback.")
                || bsn.startsWith("org.objectweb.asm") || Set.of("com.fasterxml.jackson.core.jackson-core", "com.hazelcast",
                        "org.apache.felix.scr", "org.osgi.service.component", "org.osgi.util.promise",
                        "org.osgi.util.function", "slf4j.api", "org.apache.aries.spifly.dynamic.bundle").contains(bsn);
    }

    @Test
    void bothTransportsWorkAsBundles(@TempDir Path state) throws Exception {
        boolean openssl;
        try {
            openssl = new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (IOException e) {
            openssl = false;
        }
        assumeTrue(openssl, "openssl is not installed: the TLS transport needs it for its certificates");
        Process certs = new ProcessBuilder("bash", System.getProperty("haul.make-certs"),
                state.resolve("ca").toString(), "alpha", state.resolve("tls").toString()).redirectErrorStream(true).start();
        String certsOutput = new String(certs.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, certs.waitFor(), certsOutput);

        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, System.getProperty("haul.felix.storage", "target/felix-it"));
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_BOOTDELEGATION, "sun.*");
        props.put("haul.state", state.toString());
        Framework framework = new FrameworkFactory().newFramework(props);
        framework.start();
        // as under the launcher, the bundles must not see the test's class path through the context class loader.
        // Logging inside this framework still ends up NOP ("LogbackServiceProvider not a subtype"): this JVM's
        // class path holds a second copy of slf4j and logback, which the real launcher's does not.
        ClassLoader testLoader = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try {
            BundleContext context = framework.getBundleContext();
            List<Bundle> bundles = new ArrayList<>();
            Set<String> names = new TreeSet<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                String bsn = symbolicName(entry);
                if (bsn != null && wanted(bsn) && !bsn.equals("io.haul.transport-tls") && !bsn.equals("io.haul.transport-testkit")) {
                    bundles.add(context.installBundle(new File(entry).toURI().toString()));
                    names.add(bsn);
                }
            }
            Path tls = Path.of(System.getProperty("haul.transport-tls.bundle"));
            bundles.add(context.installBundle(tls.toUri().toString()));
            names.add("io.haul.transport-tls");
            assertTrue(names.containsAll(Set.of("io.haul.api", "io.haul.vertx", "io.haul.transport-inprocess",
                    "org.apache.felix.scr", "slf4j.api")), "installed: " + names);
            // SPI Fly first, so that it sees slf4j look up its provider; then logging, then the rest
            bundles.sort((a, b) -> Integer.compare(rank(a), rank(b)));
            for (Bundle bundle : bundles) {
                bundle.start();
            }
            for (Bundle bundle : bundles) {
                assertEquals(Bundle.ACTIVE, bundle.getState(), bundle.getSymbolicName() + " is active");
            }

            Bundle probe = context.installBundle(probeBundle(state).toUri().toString());
            probe.start();
            @SuppressWarnings("unchecked")
            Callable<String> call = (Callable<String>) probe.loadClass(TransportProbe.class.getName())
                    .getConstructor().newInstance();
            String result = call.call();
            System.out.println("in Felix: " + result);
            assertTrue(result.contains("tls: usable=true agent=alpha frames=ping/pong bulk=1048576"), result);
            assertTrue(result.contains("inprocess: usable=true agent="), result);
            assertTrue(result.matches(".*inprocess: .* frames=ping/pong bulk=1048576.*"), result);
        } finally {
            Thread.currentThread().setContextClassLoader(testLoader);
            framework.stop();
            framework.waitForStop(30_000);
        }
    }

    private static int rank(Bundle bundle) {
        String bsn = bundle.getSymbolicName();
        if (bsn.startsWith("org.apache.aries.spifly") || bsn.startsWith("org.objectweb.asm")) {
            return 0;
        }
        if (bsn.startsWith("ch.qos.logback") || bsn.equals("slf4j.api")) {
            return 1;
        }
        return 2;
    }

    private static Path probeBundle(Path dir) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, "io.haul.transport-tls.probe");
        main.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        main.putValue(Constants.IMPORT_PACKAGE, "io.haul.api;version=\"[1,2)\",io.haul.api.transport;version=\"[1,2)\","
                + "org.osgi.framework");
        String pkg = TransportProbe.class.getPackageName().replace('.', '/');
        Path classes = Path.of(TransportProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path jar = dir.resolve("probe.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
                Stream<Path> files = Files.list(classes.resolve(pkg))) {
            for (Path file : files.toList()) {
                jarOut.putNextEntry(new JarEntry(pkg + "/" + file.getFileName()));
                jarOut.write(Files.readAllBytes(file));
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    private static String symbolicName(String entry) {
        if (!entry.endsWith(".jar")) {
            return null;
        }
        try (JarFile jar = new JarFile(entry)) {
            Manifest manifest = jar.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            return value == null ? null : value.split(";")[0].trim();
        } catch (IOException e) {
            return null;
        }
    }
}
