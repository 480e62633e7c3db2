package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haul.api.backend.ContainerInfo;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import java.util.List;
import java.util.Optional;
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
import org.osgi.framework.BundleContext;

/** Every haul: command, run through Gogo the way the shell and the control socket run them. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellCommandsIT {

    @Inject
    private BundleContext context;

    private Shell shell;

    @Configuration
    public Option[] configuration() {
        return HaulRuntime.configuration(getClass());
    }

    @Before
    public void openSession() {
        shell = new Shell(context);
    }

    @After
    public void closeSession() {
        if (shell != null) {
            shell.close();
        }
    }

    @Test
    public void checkReturnsAHostReport() throws Exception {
        Object result = shell.run("haul:check");
        assertNotNull("haul:check returned nothing", result);
        assertEquals(HostReport.class.getName(), result.getClass().getName());
        HostReport report = (HostReport) result;
        for (String name : List.of(KernelFeature.SOFT_DIRTY, KernelFeature.USERFAULTFD, KernelFeature.PROCESS_VM_READV,
                KernelFeature.CGROUP, KernelFeature.namespace("pid"))) {
            assertTrue("haul:check reports no feature " + name + ": " + report.features(), report.feature(name).isPresent());
        }
        String text = shell.format(result);
        assertTrue("the formatted report names the kernel:\n" + text, text.contains("kernel  " + report.kernelRelease()));
        assertTrue("the formatted report has the feature table:\n" + text, text.contains("FEATURE") && text.contains("soft-dirty"));
    }

    @Test
    public void checkJsonIsJsonWithTheFeatures() throws Exception {
        Object result = shell.run("haul:check --json");
        assertEquals("haul:check --json returns the DTO in a JSON view", "JsonView", result.getClass().getSimpleName());
        Object report = Shell.get(result, "value");
        assertTrue("the view holds the same HostReport haul:check returns, not " + typeOf(report),
                report instanceof io.haul.host.HostReport);
        String json = shell.format(result);
        JsonNode tree;
        try {
            tree = new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError("haul:check --json is not valid JSON: " + e.getMessage() + "\n" + json, e);
        }
        assertTrue("the JSON is an object:\n" + json, tree.isObject());
        assertTrue("the JSON mentions soft-dirty:\n" + json, json.contains("soft-dirty"));
        boolean listed = false;
        for (JsonNode feature : tree.path("features")) {
            listed |= "soft-dirty".equals(feature.path("name").asText());
        }
        assertTrue("features[] has an entry named soft-dirty:\n" + json, listed);
        assertTrue("the JSON has criu.path:\n" + json, tree.path("criu").has("path"));
    }

    @Test
    public void backendsListsTheProcessBackendAsUsable() throws Exception {
        Object result = shell.run("haul:backends");
        assertEquals("PluginList", result.getClass().getSimpleName());
        assertEquals("BACKEND", String.valueOf(Shell.get(result, "kind")));
        Object process = plugin(result, "process")
                .orElseThrow(() -> new AssertionError("haul:backends does not list process:\n" + shell.format(result)));
        boolean root = Commands.effectiveUid() == 0;
        assertEquals("process backend usable exactly when the agent runs as root (uid 0: " + root + "); reason: "
                + Shell.get(process, "reason"), root, Shell.get(process, "usable"));
        assertEquals("io.haul.backend-process", Shell.get(process, "bundle"));
        String text = shell.format(result);
        assertTrue("the table has a header:\n" + text, text.startsWith("NAME"));
        String usable = root ? "yes" : "no";
        assertTrue("the table has a process row, usable " + usable + ":\n" + text, text.lines()
                .anyMatch(line -> line.matches("process\\s+" + usable + "\\s+io\\.haul\\.backend-process\\s.*")));
    }

    @Test
    public void strategiesHandlersAndTransportsArePluginLists() throws Exception {
        assertPluginList("haul:strategies", "STRATEGY", "strategies");
        assertPluginList("haul:handlers", "HANDLER", "namespace handlers");
        assertPluginList("haul:transports", "TRANSPORT", "transports");
    }

    @Test
    public void psReturnsAContainerList() throws Exception {
        Object result = shell.run("haul:ps");
        assertEquals("ContainerList", result.getClass().getSimpleName());
        List<Object> containers = Shell.list(result, "containers");
        for (Object container : containers) {
            assertTrue("haul:ps lists ContainerInfo, not " + typeOf(container), container instanceof ContainerInfo);
        }
        List<Object> problems = Shell.list(result, "problems");
        if (Commands.effectiveUid() == 0) {
            assertTrue("haul:ps has problems: " + problems, problems.isEmpty());
        }
        String text = shell.format(result);
        assertTrue("haul:ps prints a table or says there is nothing:\n" + text,
                containers.isEmpty() ? text.startsWith("no containers found") : text.startsWith("CONTAINER"));
    }

    @Test
    public void psOfAnUnknownBackendSaysWhatToRun() {
        try {
            Object result = shell.run("haul:ps nosuch");
            fail("haul:ps nosuch returned instead of failing: " + shell.format(result));
        } catch (Exception e) {
            String messages = Shell.messages(e);
            assertTrue("the error names the backend 'nosuch':\n" + messages, messages.contains("'nosuch'"));
            assertTrue("the error points to haul:backends:\n" + messages, messages.contains("haul:backends"));
        }
    }

    private void assertPluginList(String command, String kind, String plural) throws Exception {
        Object result = shell.run(command);
        assertNotNull(command + " returned nothing", result);
        assertEquals(command + " returns a PluginList", "PluginList", result.getClass().getSimpleName());
        assertEquals(command + " lists its own kind", kind, String.valueOf(Shell.get(result, "kind")));
        List<Object> plugins = Shell.list(result, "plugins");
        String text = shell.format(result);
        if (plugins.isEmpty()) {
            assertEquals(command + " with nothing registered", "no " + plural + " registered", text);
        } else {
            assertTrue(command + " prints a table:\n" + text, text.startsWith("NAME"));
            for (Object plugin : plugins) {
                assertTrue(command + " prints " + Shell.get(plugin, "name") + ":\n" + text,
                        text.contains(String.valueOf(Shell.get(plugin, "name"))));
            }
        }
        assertFalse(command + " printed something besides its result: " + shell.printed(), shell.printed().contains("Exception"));
    }

    private static Optional<Object> plugin(Object pluginList, String name) {
        return Shell.list(pluginList, "plugins").stream().filter(p -> name.equals(Shell.get(p, "name"))).findFirst();
    }

    private static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }
}
