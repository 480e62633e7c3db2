package io.haul.vertx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.vertx.it.probe.NetRoundTrip;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The wrapper bundle inside a real Felix 7: installed with the Netty, jackson-core and Hazelcast bundles
 * from the Maven repository (this module's dependencies), resolved and started; then a probe bundle that
 * imports io.vertx.* makes a Vertx instance and a NetServer/NetClient round trip inside the framework.
 */
class VertxInFelixIT {

    private static final String WRAPPER = "io.haul.vertx";
    private static Framework framework;
    private static Bundle wrapper;

    @BeforeAll
    static void boot() throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, System.getProperty("haul.felix.storage", "target/felix-it"));
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // as in runtime/haul.bndrun: Netty reaches sun.misc.Unsafe through boot delegation
        props.put(Constants.FRAMEWORK_BOOTDELEGATION, "sun.*");
        framework = new FrameworkFactory().newFramework(props);
        framework.start();
        BundleContext context = framework.getBundleContext();

        List<Bundle> installed = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String bsn = symbolicName(entry);
            // SCR too: the wrapper's one component (the agent's Vertx service) requires the DS extender; the TLS
            // transport's TransportsInFelixIT uses that service
            if (bsn != null && (bsn.startsWith("io.netty.") || java.util.Set.of("com.fasterxml.jackson.core.jackson-core",
                    "com.hazelcast", "org.apache.felix.scr", "org.osgi.service.component", "org.osgi.util.promise",
                    "org.osgi.util.function").contains(bsn))) {
                installed.add(context.installBundle(new File(entry).toURI().toString()));
            }
        }
        String wrapperJar = System.getProperty("haul.vertx.bundle");
        assertTrue(wrapperJar != null && Files.isRegularFile(Path.of(wrapperJar)), "the wrapper jar is built: " + wrapperJar);
        wrapper = context.installBundle(Path.of(wrapperJar).toUri().toString());
        installed.add(wrapper);
        for (Bundle bundle : installed) {
            bundle.start();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(30_000);
        }
    }

    @Test
    void wrapperResolvesAgainstNettyJacksonAndHazelcastBundles() {
        assertEquals(Bundle.ACTIVE, wrapper.getState(), "the wrapper is active");
        BundleWiring wiring = wrapper.adapt(BundleWiring.class);
        Map<String, String> providers = new HashMap<>();
        for (BundleWire wire : wiring.getRequiredWires("osgi.wiring.package")) {
            providers.put((String) wire.getCapability().getAttributes().get("osgi.wiring.package"),
                    wire.getProvider().getSymbolicName());
        }
        System.out.println("io.haul.vertx imports wired to: " + new java.util.TreeMap<>(providers));
        assertEquals("io.netty.buffer", providers.get("io.netty.buffer"));
        assertEquals("io.netty.handler", providers.get("io.netty.handler.ssl"));
        assertEquals("com.fasterxml.jackson.core.jackson-core", providers.get("com.fasterxml.jackson.core"));
        assertEquals("com.hazelcast", providers.get("com.hazelcast.core"));
    }

    @Test
    void vertxNetServerAndClientRoundTripInsideOsgi(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Bundle probe = framework.getBundleContext().installBundle(probeBundle(dir).toUri().toString());
        probe.start();
        Map<String, String> wiredTo = new HashMap<>();
        for (BundleWire wire : probe.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package")) {
            wiredTo.put((String) wire.getCapability().getAttributes().get("osgi.wiring.package"),
                    wire.getProvider().getSymbolicName());
        }
        assertEquals(WRAPPER, wiredTo.get("io.vertx.core"));

        @SuppressWarnings("unchecked")
        Callable<String> roundTrip = (Callable<String>) probe.loadClass(NetRoundTrip.class.getName())
                .getConstructor().newInstance();
        // the class came from the probe bundle, not from the test's class path
        assertTrue(roundTrip.getClass().getClassLoader() != NetRoundTrip.class.getClassLoader());
        String result = roundTrip.call();
        System.out.println("probe: " + result);
        assertTrue(result.startsWith("echo=42 "), result);
        assertTrue(result.contains("io.vertx.spi.cluster.hazelcast.HazelcastClusterManager"),
                "vertx-hazelcast's META-INF/services is kept: " + result);
    }

    /** A bundle holding the probe classes, importing what they use. */
    private static Path probeBundle(Path dir) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, "io.haul.vertx.probe");
        main.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        main.putValue(Constants.IMPORT_PACKAGE, "io.vertx.core;version=\"[5,6)\",io.vertx.core.buffer;version=\"[5,6)\","
                + "io.vertx.core.json;version=\"[5,6)\",io.vertx.core.net;version=\"[5,6)\",io.vertx.core.spi;version=\"[5,6)\","
                + "io.vertx.core.streams;version=\"[5,6)\"");
        String pkg = NetRoundTrip.class.getPackageName().replace('.', '/');
        Path classes = Path.of(NetRoundTrip.class.getProtectionDomain().getCodeSource().getLocation().getPath());
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
