package io.haul.agent.internal;

import io.haul.agent.AgentSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's settings as configured, with the launch-time state folder as the fallback. A change of
 * configuration is taken in place ({@link Modified}): the service stays registered, so the control socket
 * and everything else that depends on it keep running. The name applies at once; the state folder and the
 * control socket at the next start, since open sockets and files cannot follow them.
 */
@Component(configurationPid = AgentConfiguration.PID)
@Designate(ocd = AgentConfiguration.class)
public final class ConfiguredAgentSettings implements AgentSettings {

    /** Framework property the launcher sets to the state folder it was started with. */
    static final String STATE_PROPERTY = "haul.state";
    static final String DEFAULT_STATE = "/var/lib/haul";

    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredAgentSettings.class);

    private final BundleContext context;
    private volatile String name;
    private final Path stateDir;
    private final Path controlSocket;

    @Activate
    public ConfiguredAgentSettings(AgentConfiguration config, BundleContext context) throws IOException {
        this.context = context;
        this.stateDir = stateDir(config, context);
        this.controlSocket = controlSocket(config, stateDir);
        this.name = name(config);
        Files.createDirectories(stateDir);
    }

    @Modified
    void modified(AgentConfiguration config) {
        name = name(config);
        if (!stateDir(config, context).equals(stateDir) || !controlSocket(config, stateDir).equals(controlSocket)) {
            LOG.warn("the state folder and control socket configured take effect at the next start of the agent; "
                    + "it keeps {} and {} until then", stateDir, controlSocket);
        }
    }

    private static Path stateDir(AgentConfiguration config, BundleContext context) {
        return Path.of(firstNonBlank(config.stateDir(), context.getProperty(STATE_PROPERTY), DEFAULT_STATE))
                .toAbsolutePath().normalize();
    }

    private static Path controlSocket(AgentConfiguration config, Path stateDir) {
        return config.controlSocket().isBlank()
                ? stateDir.resolve("control.sock") : Path.of(config.controlSocket()).toAbsolutePath().normalize();
    }

    private static String name(AgentConfiguration config) {
        return config.name().isBlank() ? hostName() : config.name();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path stateDir() {
        return stateDir;
    }

    @Override
    public Path controlSocket() {
        return controlSocket;
    }

    private static String firstNonBlank(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        throw new IllegalStateException("no candidate");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
