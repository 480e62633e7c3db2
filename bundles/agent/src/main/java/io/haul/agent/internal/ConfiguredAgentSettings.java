package io.haul.agent.internal;

import io.haul.agent.AgentSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

/** The agent's settings as configured, with the launch-time state folder as the fallback. */
@Component(configurationPid = AgentConfiguration.PID)
@Designate(ocd = AgentConfiguration.class)
public final class ConfiguredAgentSettings implements AgentSettings {

    /** Framework property the launcher sets to the state folder it was started with. */
    static final String STATE_PROPERTY = "haul.state";
    static final String DEFAULT_STATE = "/var/lib/haul";

    private final String name;
    private final Path stateDir;
    private final Path controlSocket;

    @Activate
    public ConfiguredAgentSettings(AgentConfiguration config, BundleContext context) throws IOException {
        this.stateDir = Path.of(firstNonBlank(config.stateDir(), context.getProperty(STATE_PROPERTY), DEFAULT_STATE))
                .toAbsolutePath().normalize();
        this.controlSocket = config.controlSocket().isBlank()
                ? stateDir.resolve("control.sock") : Path.of(config.controlSocket()).toAbsolutePath();
        this.name = config.name().isBlank() ? hostName() : config.name();
        Files.createDirectories(stateDir);
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
