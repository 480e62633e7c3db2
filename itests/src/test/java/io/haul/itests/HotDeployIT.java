package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.haul.api.backend.ContainerBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Plugins come and go with their jar in the deploy folder, while the agent runs, and a broken jar there
 * changes nothing. The fixture plugin is a backend named {@code fixture} that says it is unusable.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT {

    /** System property (set by the pom) naming the fixture plugin's jar. */
    static final String FIXTURE_JAR = "haul.fixture.jar";
    static final String FIXTURE_FILTER = "(" + ContainerBackend.NAME + "=fixture)";
    static final String FIXTURE_REASON = "test fixture for hot deploy; migrates nothing";
    static final String FIXTURE_BSN = "io.haul.itest-fixture-plugin";
    static final long WAIT_SECONDS = 10;

    @Inject
    private BundleContext context;

    private Path deploy;

    @Configuration
    public Option[] configuration() {
        return HaulRuntime.configuration(getClass());
    }

    @Before
    public void deployFolder() throws IOException {
        deploy = Osgi.stateDir(context).resolve("deploy");
        assertTrue("no deploy folder " + deploy, Files.isDirectory(deploy));
        // FileInstall watches it from launch: the backends are there before anything is dropped in
        Osgi.await(context, ContainerBackend.class, "(" + ContainerBackend.NAME + "=process)", WAIT_SECONDS);
    }

    @After
    public void emptyDeployFolder() throws Exception {
        if (deploy == null) {
            return;
        }
        Undeploy gone = Undeploy.watch(context);
        boolean fixtureThere = fixtureBundle() != null;
        try (var files = Files.list(deploy)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        if (fixtureThere) {
            gone.await(); // the next test starts without the fixture
        }
        gone.close();
    }

    @Test
    public void aPluginDroppedInShowsAndGoesAwayWithItsJar() throws Exception {
        Set<String> before = bundles();
        Path jar = drop(fixtureJar(), "fixture-plugin.jar");
        Osgi.await(context, ContainerBackend.class, FIXTURE_FILTER, WAIT_SECONDS);

        try (Shell shell = new Shell(context)) {
            Object backends = shell.run("haul:backends");
            Object fixture = plugin(backends, "fixture");
            assertTrue("haul:backends lists fixture:\n" + shell.format(backends), fixture != null);
            assertEquals("fixture is not usable", false, Shell.get(fixture, "usable"));
            assertEquals("fixture says why", FIXTURE_REASON, Shell.get(fixture, "reason"));
            assertEquals(FIXTURE_BSN, Shell.get(fixture, "bundle"));
            assertTrue("the table shows it unusable with its reason:\n" + shell.format(backends),
                    shell.format(backends).lines().anyMatch(l -> l.matches("fixture\\s+no\\s+.*" + FIXTURE_REASON)));
            assertTrue("process is still listed:\n" + shell.format(backends), plugin(backends, "process") != null);
        }
        Set<String> withFixture = bundles();
        withFixture.removeIf(b -> b.contains(FIXTURE_BSN));
        assertEquals("only the fixture bundle came", before, withFixture);

        Undeploy gone = Undeploy.watch(context);
        Files.delete(jar);
        gone.await();
        gone.close();

        try (Shell shell = new Shell(context)) {
            Object backends = shell.run("haul:backends");
            assertTrue("haul:backends no longer lists fixture:\n" + shell.format(backends), plugin(backends, "fixture") == null);
            assertTrue("process is still listed:\n" + shell.format(backends), plugin(backends, "process") != null);
        }
        assertEquals("the bundles are as before the plugin came", before, bundles());
    }

    @Test
    public void aBrokenJarChangesNothing() throws Exception {
        Set<String> before = bundles();
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        Path staging = Files.createTempFile(Osgi.stateDir(context), "broken", ".part");
        Files.write(staging, garbage);
        Files.move(staging, deploy.resolve("broken.jar"), StandardCopyOption.ATOMIC_MOVE);
        // No event says FileInstall looked at broken.jar and gave up. A valid jar dropped in after it is seen in
        // the same scan or a later one, and FileInstall installs a scan's files before starting any: once the
        // fixture's service is up, broken.jar has had its chance.
        drop(fixtureJar(), "fixture-after-broken.jar");
        Osgi.await(context, ContainerBackend.class, FIXTURE_FILTER, WAIT_SECONDS);

        Set<String> after = bundles();
        after.removeIf(b -> b.contains(FIXTURE_BSN));
        assertEquals("broken.jar installed nothing and changed no bundle's state", before, after);
        assertFalse("no bundle from broken.jar", Arrays.stream(context.getBundles())
                .anyMatch(b -> b.getLocation().endsWith("/broken.jar")));
        try (Shell shell = new Shell(context)) {
            Object backends = shell.run("haul:backends");
            Object process = plugin(backends, "process");
            assertTrue("process is still listed:\n" + shell.format(backends), process != null);
            assertEquals("process is as usable as before (exactly when root)", Commands.effectiveUid() == 0,
                    Shell.get(process, "usable"));
            Object ps = shell.run("haul:ps");
            assertEquals("haul:ps still works", "ContainerList", ps.getClass().getSimpleName());
        }
    }

    /** Copies a jar into the deploy folder in one step (FileInstall never sees half a jar). */
    private Path drop(Path jar, String name) throws IOException {
        Path staging = Files.createTempFile(Osgi.stateDir(context), name, ".part");
        Files.copy(jar, staging, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(staging, deploy.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path fixtureJar() {
        String property = System.getProperty(FIXTURE_JAR);
        assertTrue("system property " + FIXTURE_JAR + " is not set (the itests pom sets it)", property != null);
        Path jar = Path.of(property);
        assertTrue(jar + " does not exist: build itests/fixture-plugin first", Files.isRegularFile(jar));
        return jar;
    }

    /** Every bundle with its state, to compare before and after. */
    private Set<String> bundles() {
        return Arrays.stream(context.getBundles())
                .map(b -> b.getBundleId() + " " + b.getSymbolicName() + " " + b.getVersion() + " " + Osgi.state(b.getState()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Bundle fixtureBundle() {
        return Arrays.stream(context.getBundles()).filter(b -> FIXTURE_BSN.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private static Object plugin(Object pluginList, String name) {
        return Shell.list(pluginList, "plugins").stream().filter(p -> name.equals(Shell.get(p, "name")))
                .findFirst().orElse(null);
    }

    /**
     * Waits for the fixture to be undeployed: its service unregistered and its bundle uninstalled. Listening
     * starts before the jar is deleted, so neither event can be missed.
     */
    static final class Undeploy implements AutoCloseable {

        private final BundleContext context;
        private final CountDownLatch serviceGone = new CountDownLatch(1);
        private final CountDownLatch bundleGone = new CountDownLatch(1);
        private final ServiceListener serviceListener = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING) {
                serviceGone.countDown();
            }
        };
        private final BundleListener bundleListener = event -> {
            if (event.getType() == BundleEvent.UNINSTALLED && FIXTURE_BSN.equals(event.getBundle().getSymbolicName())) {
                bundleGone.countDown();
            }
        };

        private Undeploy(BundleContext context) {
            this.context = context;
        }

        static Undeploy watch(BundleContext context) throws Exception {
            Undeploy undeploy = new Undeploy(context);
            context.addServiceListener(undeploy.serviceListener,
                    "(&(objectClass=" + ContainerBackend.class.getName() + ")" + FIXTURE_FILTER + ")");
            context.addBundleListener(undeploy.bundleListener);
            return undeploy;
        }

        void await() throws InterruptedException {
            assertTrue("the fixture backend service did not go within " + WAIT_SECONDS + " s of deleting its jar\n"
                    + Osgi.diagnose(context), serviceGone.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue("the fixture bundle was not uninstalled within " + WAIT_SECONDS + " s of deleting its jar",
                    bundleGone.await(WAIT_SECONDS, TimeUnit.SECONDS));
        }

        @Override
        public void close() {
            context.removeServiceListener(serviceListener);
            context.removeBundleListener(bundleListener);
        }
    }
}
