package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.haul.host.CriuSource;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * {@code haul:check} tells the truth about this host: each fact it reports is compared with what the test
 * finds out for itself, by running the same CRIU and looking at /proc.
 */
@RunWith(HaulExam.class)
@HostNeeds({Need.ROOT, Need.CRIU}) // criu check needs root
@ExamReactorStrategy(PerClass.class)
public class CheckIT {

    private static final Path CRIU = Requirements.CRIU;
    private static final List<String> NAMESPACE_KINDS = List.of("mnt", "uts", "ipc", "pid", "net", "user", "cgroup", "time");

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return HaulRuntime.configuration(getClass());
    }

    private HostReport check() throws Exception {
        try (Shell shell = new Shell(context)) {
            Object result = shell.run("haul:check");
            System.out.println("CheckIT: haul:check says\n" + shell.format(result));
            return (HostReport) result;
        }
    }

    @Test
    public void criuIsHaulsOwnWithItsVersionAndItsCheck() throws Exception {
        Commands.Result versionRun = Commands.run(List.of(CRIU.toString(), "--version"), 30);
        Matcher version = Pattern.compile("(?m)^\\s*Version:\\s*(\\S+)").matcher(versionRun.output());
        assertTrue("criu --version prints a Version: line:\n" + versionRun.output(), version.find());
        Commands.Result checkRun = Commands.run(List.of(CRIU.toString(), "check"), 60);
        boolean checkPasses = checkRun.exitCode() == 0 && checkRun.output().contains("Looks good");
        System.out.println("CheckIT oracle: criu " + version.group(1) + ", criu check exit " + checkRun.exitCode());

        HostReport report = check();
        assertEquals("CRIU path", CRIU.toString(), report.criu().path());
        assertEquals("CRIU source", CriuSource.HAUL_PREFIX, report.criu().source());
        assertEquals("CRIU version, as criu --version prints it", version.group(1), report.criu().version());
        assertEquals("criu check passed, as running it says (exit " + checkRun.exitCode() + "):\n" + checkRun.output(),
                checkPasses, report.criu().checkPassed());
        assertTrue("criu check passes on this host (MACHINE.md: 4.2.1 says Looks good):\n" + checkRun.output(),
                report.criu().checkPassed());
    }

    @Test
    public void softDirtyIsPresentExactlyWhenCriuSaysMemDirtyTrackWorks() throws Exception {
        Commands.Result feature = Commands.run(List.of(CRIU.toString(), "check", "--feature", "mem_dirty_track"), 60);
        boolean expected = feature.exitCode() == 0;
        System.out.println("CheckIT oracle: criu check --feature mem_dirty_track exit " + feature.exitCode()
                + " -> soft-dirty " + (expected ? "present" : "missing"));
        KernelFeature softDirty = check().feature(KernelFeature.SOFT_DIRTY)
                .orElseThrow(() -> new AssertionError("haul:check has no soft-dirty feature"));
        assertEquals("soft-dirty present, as criu check --feature mem_dirty_track (exit " + feature.exitCode()
                + ") says; haul:check detail: " + softDirty.detail(), expected, softDirty.present());
    }

    @Test
    public void namespacesArePresentExactlyWhenProcSelfNsHasThem() throws Exception {
        HostReport report = check();
        Set<String> reported = report.features().stream().map(KernelFeature::name).filter(n -> n.startsWith("ns:"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expectedNames = NAMESPACE_KINDS.stream().map(k -> "ns:" + k).collect(Collectors.toCollection(TreeSet::new));
        assertEquals("the namespace kinds haul:check probes", expectedNames, reported);
        for (String kind : NAMESPACE_KINDS) {
            boolean exists = Files.exists(Path.of("/proc/self/ns", kind), LinkOption.NOFOLLOW_LINKS);
            KernelFeature feature = report.feature("ns:" + kind).orElseThrow();
            assertEquals("ns:" + kind + " present iff /proc/self/ns/" + kind + " exists (" + exists + "); detail: "
                    + feature.detail(), exists, feature.present());
        }
    }
}
