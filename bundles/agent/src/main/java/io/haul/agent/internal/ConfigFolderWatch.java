package io.haul.agent.internal;

import io.haul.agent.AgentSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes FileInstall watch the state folder's {@code etc/} for {@code .cfg} and {@code .config} files, beside
 * the {@code deploy/} folder for bundles it watches from launch. Configuration files then live apart from
 * plugins, and editing one applies it to the running agent.
 */
@Component
public final class ConfigFolderWatch {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFolderWatch.class);
    private static final String FILEINSTALL_FACTORY = "org.apache.felix.fileinstall";

    @Activate
    public ConfigFolderWatch(@Reference ConfigurationAdmin configurationAdmin, @Reference AgentSettings settings)
            throws IOException {
        Path etc = settings.stateDir().resolve("etc");
        Files.createDirectories(etc);
        Configuration watch = configurationAdmin.getFactoryConfiguration(FILEINSTALL_FACTORY, "haul-etc", "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("felix.fileinstall.dir", etc.toString());
        properties.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        properties.put("felix.fileinstall.poll", "1000");
        properties.put("felix.fileinstall.noInitialDelay", "true");
        // FileInstall would write configurations back into their files; racing its own polling, that left
        // files empty under load. The files are the user's: only read them.
        properties.put("felix.fileinstall.enableConfigSave", "false");
        watch.updateIfDifferent(properties);
        LOG.info("configuration files are read from {}", etc);
    }
}
