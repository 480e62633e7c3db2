package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** The runtime of haul.jar comes up whole: every bundle active, every Haul component satisfied. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return HaulRuntime.configuration(getClass());
    }

    @Test
    public void everyRuntimeBundleIsActive() {
        Map<String, Path> provisioned = LaunchProperties.load().testBundles();
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(provisioned.keySet());
        for (Bundle bundle : context.getBundles()) {
            boolean fromRuntime = provisioned.values().stream()
                    .anyMatch(jar -> LaunchProperties.location(jar).equals(bundle.getLocation()));
            if (!fromRuntime) {
                continue;
            }
            missing.remove(bundle.getSymbolicName());
            if (!Osgi.isUp(bundle)) {
                problems.add(Osgi.describe(bundle));
            }
        }
        assertTrue("launch.bundles of haul.jar not installed: " + missing + "\n" + Osgi.diagnose(context),
                missing.isEmpty());
        assertTrue("runtime bundles not active (fragments: not resolved): " + problems + "\n" + Osgi.diagnose(context),
                problems.isEmpty());
    }

    @Test
    public void everyHaulComponentIsSatisfied() {
        ServiceComponentRuntime scr = Osgi.await(context, ServiceComponentRuntime.class, null, 20);
        Bundle[] haul = Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.haul."))
                .toArray(Bundle[]::new);
        assertTrue("no io.haul bundles installed", haul.length > 0);
        List<String> components = scr.getComponentDescriptionDTOs(haul).stream()
                .map(d -> d.name).sorted().toList();
        assertTrue("the io.haul bundles declare no components at all: " + Arrays.toString(haul), !components.isEmpty());
        List<String> problems = Osgi.problems(context);
        assertEquals("components of io.haul bundles that are not satisfied or active (of " + components + "):\n"
                + String.join("\n", problems), List.of(), problems);
    }
}
