package io.haul.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Assume;

/** What some tests need from the host; a test whose needs are not met is skipped, saying why. */
public final class Requirements {

    /** Haul's own CRIU, where ./haul setup installs it. */
    public static final Path CRIU = Path.of("/opt/haul/criu/bin/criu");

    /** One thing a test class needs from the host. */
    public enum Need {
        /** Root: CRIU, PID namespaces and the agent's socket need it. */
        ROOT,
        /** The unshare binary (util-linux). */
        UNSHARE,
        /** Haul's CRIU at {@link #CRIU}. */
        CRIU,
        /**
         * A Docker engine per namespace host ({@link DockerHost}) and runc containers ({@link RuncHost}): dockerd,
         * containerd, runc, a docker client and a static busybox (packages docker.io, containerd, runc,
         * busybox-static).
         */
        DOCKER,
        /** LXC 5's tools and its busybox template (package lxc), and a static busybox (busybox-static). */
        LXC,
        /** iputils' arping: the net handler announces a moved container and probes its addresses with it. */
        ARPING
    }

    /** The needs of a test class run with {@link HaulExam}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface HostNeeds {
        Need[] value();
    }

    private Requirements() {
    }

    /** Why the host does not meet the class's {@link HostNeeds}, or null when it does. */
    public static String unmet(Class<?> testClass) {
        HostNeeds needs = testClass.getAnnotation(HostNeeds.class);
        if (needs == null) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        for (Need need : needs.value()) {
            switch (need) {
                case ROOT -> {
                    if (!isRoot()) {
                        missing.add("not root");
                    }
                }
                case UNSHARE -> {
                    if (Commands.which("unshare") == null) {
                        missing.add("no unshare binary (util-linux)");
                    }
                }
                case CRIU -> {
                    if (!Files.isRegularFile(CRIU) || !Files.isExecutable(CRIU)) {
                        missing.add("no CRIU at " + CRIU + " (./haul setup installs it)");
                    }
                }
                case DOCKER -> missing.addAll(DockerHost.missing());
                case LXC -> {
                    for (String tool : List.of("lxc-create", "lxc-start", "lxc-checkpoint", "lxc-destroy", "busybox")) {
                        if (Commands.which(tool) == null) {
                            missing.add("no " + tool + " (package lxc or busybox-static; ./haul setup installs them)");
                        }
                    }
                    if (!Files.isRegularFile(Path.of("/usr/share/lxc/templates/lxc-busybox"))) {
                        missing.add("no LXC busybox template /usr/share/lxc/templates/lxc-busybox (package lxc)");
                    }
                }
                case ARPING -> {
                    if (Commands.which("arping") == null) {
                        missing.add("no arping (iputils-arping; ./haul setup installs it)");
                    }
                }
            }
        }
        return missing.isEmpty() ? null : String.join("; ", missing);
    }

    /** For plain JUnit classes: skips the test (from {@code @Before}) when the host lacks what it needs. */
    public static void assume(Class<?> testClass) {
        String unmet = unmet(testClass);
        if (unmet != null) {
            System.out.println(testClass.getSimpleName() + ": skipped, " + unmet);
        }
        Assume.assumeTrue(testClass.getSimpleName() + " skipped: " + unmet, unmet == null);
    }

    public static boolean isRoot() {
        try {
            return Commands.effectiveUid() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
