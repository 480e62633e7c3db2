package io.haul.cluster.internal;

import static io.haul.cluster.internal.TestMembers.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The bundle inside Felix, as the runtime runs it: SCR, ConfigAdmin, SLF4J through SPI Fly to logback, the
 * Jackson bundles, Hazelcast as a bundle, the api and agent bundles, and this module's target/classes as
 * a bundle (bnd wrote its manifest there). The bundles come from the test class path, picked by symbolic
 * name. The test talks to the services by reflection: their classes are the framework's, not the test's.
 */
class ClusterBundleTest {

    /** In start order: SPI Fly before the SLF4J users, ConfigAdmin (configured first) before SCR. */
    static final List<String> BUNDLES = List.of(
            "org.apache.felix.configadmin",
            "org.objectweb.asm", "org.objectweb.asm.commons", "org.objectweb.asm.tree",
            "org.objectweb.asm.tree.analysis", "org.objectweb.asm.util",
            "org.apache.aries.spifly.dynamic.bundle",
            "slf4j.api", "ch.qos.logback.core", "ch.qos.logback.classic",
            "org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
            "com.fasterxml.jackson.core.jackson-annotations", "com.fasterxml.jackson.core.jackson-core",
            "com.fasterxml.jackson.core.jackson-databind", "com.fasterxml.jackson.datatype.jackson-datatype-jsr310",
            "com.hazelcast", "com.h2database.mvstore",
            "io.haul.api", "io.haul.json", "io.haul.agent", "io.haul.cluster",
            "org.apache.felix.scr");

    static final int PORT = 15711;
    static final int NEW_PORT = 15712;

    @TempDir
    Path temp;

    @Test
    void theComponentRunsAMemberInsideFelix() throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, temp.resolve("felix-cache").toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // as the runtime: Hazelcast uses sun.misc.Unsafe, and jdk.net for TCP keep-alive options
        properties.put(Constants.FRAMEWORK_BOOTDELEGATION, "sun.*,jdk.net");
        properties.put("haul.state", temp.resolve("state").toString());
        // The test's class path holds slf4j, logback, Hazelcast... too. Felix's implicit boot delegation would
        // answer class loads that JDK code (ServiceLoader) makes for a bundle from that class path: SLF4J
        // would find the class path's logback provider ("not a subtype") and fall back to NOP.
        properties.put("felix.bootdelegation.implicit", "false");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow()
                .newFramework(properties);
        // likewise for the thread context class loader of the thread that starts the bundles
        ClassLoader testLoader = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(ClassLoader.getPlatformClassLoader());
        long begin = System.nanoTime();
        framework.start();
        try {
            BundleContext context = framework.getBundleContext();
            Map<String, Bundle> bundles = install(context);
            bundles.get("org.apache.felix.configadmin").start();
            configure(context, "haul.agent", Map.of("name", "osgi-agent"));
            configure(context, "haul.cluster", Map.of("clusterName", "haul-osgi-test", "port", PORT,
                    "bindAddress", "127.0.0.1", "hazelcast.partition.count", "31"));
            for (String name : BUNDLES) {
                bundles.get(name).start();
            }

            Object cluster = awaitService(context, "io.haul.cluster.Cluster", null);
            System.out.printf("Felix with the cluster bundle up in %d ms%n", (System.nanoTime() - begin) / 1_000_000);
            ClassLoader api = bundles.get("io.haul.api").adapt(org.osgi.framework.wiring.BundleWiring.class)
                    .getClassLoader();
            ClassLoader own = bundles.get("io.haul.cluster").adapt(org.osgi.framework.wiring.BundleWiring.class)
                    .getClassLoader();
            assertEquals("osgi-agent", call(cluster, "localAgent"));

            // records of the api bundle, through Jackson bundles, into Hazelcast and back
            Object migrations = call(cluster, "migrations");
            Object record = migrationRecord(api, "m-osgi");
            call(migrations, "put", record);
            assertEquals(Optional.of(record), call(migrations, "get", "m-osgi"));
            assertEquals(List.of(record), call(migrations, "inFlight", "osgi-agent"));

            // a lock on a container
            Object container = api.loadClass("io.haul.api.ContainerRef").getMethod("parse", String.class)
                    .invoke(null, "process:42");
            Optional<?> lock = (Optional<?>) call(migrations, "lock", container, "m-osgi");
            assertTrue(lock.isPresent());
            assertEquals(Optional.of("m-osgi"), call(migrations, "lockHolder", container));
            assertEquals(Optional.empty(), call(migrations, "lock", container, "m-other"));
            call(lock.get(), "close");
            assertEquals(Optional.empty(), call(migrations, "lockHolder", container));

            // progress to a listener of the api bundle's type
            Class<?> listenerType = api.loadClass("io.haul.api.migration.ProgressListener");
            CountDownLatch received = new CountDownLatch(1);
            Object listener = Proxy.newProxyInstance(api, new Class<?>[] {listenerType}, (proxy, method, args) -> {
                if (method.getName().equals("progress")) {
                    received.countDown();
                }
                return null;
            });
            AutoCloseable subscription = (AutoCloseable) call(migrations, "subscribe", "m-osgi", listener);
            call(migrations, "publish", progressEvent(api, "m-osgi"));
            assertTrue(received.await(10, TimeUnit.SECONDS), "the progress event arrives");
            subscription.close();

            // the registry, with a record of this bundle's own
            Object agents = call(cluster, "agents");
            Object info = own.loadClass("io.haul.cluster.AgentInfo")
                    .getConstructor(String.class, String.class, Map.class, Instant.class)
                    .newInstance("osgi-agent", "127.0.0.1:7000", Map.of("criu", "4.2.1"), null);
            call(agents, "publish", info);
            Optional<?> resolved = (Optional<?>) call(agents, "resolve", "127.0.0.1");
            assertEquals("osgi-agent", call(resolved.orElseThrow(), "name"));

            // the member is a service too, for the Vert.x cluster manager, with the node id it needs
            ServiceReference<?> instanceRef = reference(context, "com.hazelcast.core.HazelcastInstance");
            assertNotNull(instanceRef, "HazelcastInstance service");
            assertEquals("haul-osgi-test", instanceRef.getProperty(ClusterComponent.CLUSTER_PROPERTY));
            Object member = call(call(context.getService(instanceRef), "getCluster"), "getLocalMember");
            assertEquals(36, ((String) call(member, "getAttribute", "__vertx.nodeId")).length());
            assertEquals("osgi-agent", call(member, "getAttribute", "haul.agent"));

            // a new configuration restarts the member with it
            configure(context, "haul.cluster", Map.of("clusterName", "haul-osgi-test", "port", NEW_PORT,
                    "bindAddress", "127.0.0.1", "hazelcast.partition.count", "31"));
            Object previous = instanceRef.getProperty(Constants.SERVICE_ID);
            eventually(30, "the member restarts on the new port", () -> {
                ServiceReference<?> now = reference(context, "com.hazelcast.core.HazelcastInstance");
                assertNotNull(now);
                assertNotEquals(previous, now.getProperty(Constants.SERVICE_ID));
                Object address = call(call(call(context.getService(now), "getCluster"), "getLocalMember"),
                        "getAddress");
                assertEquals(NEW_PORT, call(address, "getPort"));
            });
            assertTrue(portIsFree(PORT), "the first member stopped");
        } finally {
            long stop = System.nanoTime();
            framework.stop();
            framework.waitForStop(30_000);
            Thread.currentThread().setContextClassLoader(testLoader);
            System.out.printf("Felix stopped in %d ms%n", (System.nanoTime() - stop) / 1_000_000);
        }
        assertTrue(portIsFree(NEW_PORT), "stopping the framework stops the member");
    }

    /** Installs the bundles of {@link #BUNDLES} found on the test class path. */
    private static Map<String, Bundle> install(BundleContext context) throws Exception {
        Map<String, String> locations = new LinkedHashMap<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            File file = new File(entry);
            String name = symbolicName(file);
            if (name != null && BUNDLES.contains(name) && !locations.containsKey(name)) {
                locations.put(name, (file.isDirectory() ? "reference:" : "") + file.toURI());
            }
        }
        List<String> missing = new ArrayList<>(BUNDLES);
        missing.removeAll(locations.keySet());
        if (!missing.isEmpty()) {
            fail("not on the test class path: " + missing);
        }
        Map<String, Bundle> bundles = new HashMap<>();
        for (Map.Entry<String, String> location : locations.entrySet()) {
            bundles.put(location.getKey(), context.installBundle(location.getValue()));
        }
        return bundles;
    }

    private static String symbolicName(File file) throws IOException {
        Manifest manifest;
        if (file.isDirectory()) {
            Path path = file.toPath().resolve("META-INF/MANIFEST.MF");
            if (!Files.isRegularFile(path)) {
                return null;
            }
            try (var in = Files.newInputStream(path)) {
                manifest = new Manifest(in);
            }
        } else if (file.getName().endsWith(".jar")) {
            try (JarFile jar = new JarFile(file)) {
                manifest = jar.getManifest();
            }
        } else {
            return null;
        }
        String name = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
        return name == null ? null : name.split(";")[0].strip();
    }

    /** Sets a configuration through ConfigAdmin's own interface (the framework's class, not the test's). */
    private static void configure(BundleContext context, String pid, Map<String, Object> values) throws Exception {
        Object admin = awaitService(context, "org.osgi.service.cm.ConfigurationAdmin", null);
        ServiceReference<?> ref = reference(context, "org.osgi.service.cm.ConfigurationAdmin");
        Class<?> adminType = ref.getBundle().loadClass("org.osgi.service.cm.ConfigurationAdmin");
        Object configuration = adminType.getMethod("getConfiguration", String.class, String.class)
                .invoke(admin, pid, "?");
        Dictionary<String, Object> properties = new Hashtable<>(values);
        ref.getBundle().loadClass("org.osgi.service.cm.Configuration").getMethod("update", Dictionary.class)
                .invoke(configuration, properties);
    }

    /**
     * A service by class name, whatever class space: the test's class path has classes of the same names
     * (this module's, ConfigAdmin's), which getServiceReference would take as incompatible.
     */
    private static ServiceReference<?> reference(BundleContext context, String type) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(type, null);
            return refs == null ? null : refs[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Object awaitService(BundleContext context, String type, String filter) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ServiceReference<?>[] refs = context.getAllServiceReferences(type, filter);
            if (refs != null && refs.length > 0) {
                Object service = context.getService(refs[0]);
                if (service != null) {
                    return service;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type + " service within 30 s; bundles: " + Arrays.stream(context.getBundles())
                .map(b -> b.getSymbolicName() + "=" + b.getState()).toList());
    }

    /** Calls a public method by name and argument count, through the public interface that declares it. */
    static Object call(Object target, String name, Object... args) {
        try {
            Method method = publicMethod(target.getClass(), name, args.length);
            return method.invoke(target, args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("calling " + name + " on " + target.getClass().getName(), e);
        }
    }

    private static Method publicMethod(Class<?> type, String name, int arity) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> candidate : interfacesAndSelf(c)) {
                if (!java.lang.reflect.Modifier.isPublic(candidate.getModifiers())) {
                    continue;
                }
                for (Method method : candidate.getMethods()) {
                    if (method.getName().equals(name) && method.getParameterCount() == arity) {
                        return method;
                    }
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + "/" + arity);
    }

    private static List<Class<?>> interfacesAndSelf(Class<?> type) {
        List<Class<?>> all = new ArrayList<>(List.of(type));
        for (int i = 0; i < all.size(); i++) {
            all.addAll(Arrays.asList(all.get(i).getInterfaces()));
        }
        return all;
    }

    private static Object migrationRecord(ClassLoader api, String id) throws Exception {
        Class<?> recordType = api.loadClass("io.haul.api.migration.MigrationRecord");
        Class<?> phase = api.loadClass("io.haul.api.migration.Phase");
        Class<?> outcome = api.loadClass("io.haul.api.migration.Outcome");
        Class<?> statistics = api.loadClass("io.haul.api.migration.MigrationStatistics");
        Class<?> change = api.loadClass("io.haul.api.migration.MigrationRecord$PhaseChange");
        Object container = api.loadClass("io.haul.api.ContainerRef").getMethod("parse", String.class)
                .invoke(null, "process:" + id);
        Instant started = Instant.parse("2026-03-01T10:15:30.123456789Z");
        Object precopy = enumValue(phase, "PRECOPY");
        Object history = List.of(change.getConstructor(phase, Instant.class).newInstance(precopy, started));
        return recordType.getConstructors()[0].newInstance(id, container, "osgi-agent", "elsewhere", precopy,
                enumValue(outcome, "IN_PROGRESS"), started, null, statistics.getField("NONE").get(null), null,
                history);
    }

    private static Object progressEvent(ClassLoader api, String id) throws Exception {
        Class<?> eventType = api.loadClass("io.haul.api.migration.ProgressEvent");
        Object[] args = new Object[eventType.getRecordComponents().length];
        for (int i = 0; i < args.length; i++) {
            var component = eventType.getRecordComponents()[i];
            Class<?> type = component.getType();
            args[i] = switch (component.getName()) {
                case "migrationId" -> id;
                case "message" -> "hello";
                case "at" -> Instant.now();
                default -> type.isEnum() ? enumValue(type, type == api.loadClass("io.haul.api.migration.Outcome")
                        ? "IN_PROGRESS" : "PRECOPY")
                        : type == long.class ? (Object) 1L : type == double.class ? (Object) 1.0
                        : type.isArray() ? Array.newInstance(type.getComponentType(), 0) : null;
            };
        }
        return eventType.getConstructors()[0].newInstance(args);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
