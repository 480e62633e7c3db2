package io.haul.agent;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/** Where this agent keeps its things and what it is called, from the {@code haul.agent} configuration. */
@ProviderType
public interface AgentSettings {

    /** The agent's name in the cluster. */
    String name();

    /** The state folder: configuration, logs, the watched deploy folder, migration work files. */
    Path stateDir();

    /** The unix socket {@code ./haul COMMAND} talks to. */
    Path controlSocket();

    /** The folder FileInstall watches for plugin bundles. */
    default Path deployDir() {
        return stateDir().resolve("deploy");
    }

    /** Where the agent's log file is. */
    default Path logFile() {
        return stateDir().resolve("log").resolve("haul.log");
    }
}
