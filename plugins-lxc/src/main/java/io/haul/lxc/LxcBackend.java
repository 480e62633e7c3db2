package io.haul.lxc;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.HaulBackend;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.SourceSession;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HoldHook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code lxc} backend: LXC system containers of one lxcpath, named by their name ({@code lxc:web}). LXC checkpoints
 * and restores them ({@code lxc-checkpoint}, with the CRIU options LXC knows its containers need: cgroups, its bind
 * mounts, its veths), because LXC's monitor owns a container's init, cgroups and mounts: a container restored by Haul's
 * own CRIU would run without a monitor, and LXC would call it stopped. Haul holds both at the commit point with the
 * CRIU hook, pre-copies memory while it runs and sends its root file system ahead in rounds ({@link LxcSource},
 * {@link LxcDestination}).
 */
@Component(service = ContainerBackend.class, configurationPid = LxcConfiguration.PID)
@HaulBackend(LxcContainer.BACKEND)
@Designate(ocd = LxcConfiguration.class)
public final class LxcBackend implements ContainerBackend {

    private static final Logger LOG = LoggerFactory.getLogger(LxcBackend.class);
    /** What LXC accepts as a container name that is also one folder. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private volatile LxcTools tools;
    private volatile String criuDir = "";
    private volatile long holdLimitSeconds;
    private volatile Liblxc liblxc;
    private volatile String unusable = "";

    @Activate
    public LxcBackend(LxcConfiguration config) {
        configure(config);
    }

    @Modified
    void configure(LxcConfiguration config) {
        tools = new LxcTools(Path.of(config.lxcpath()), config.criuDir());
        criuDir = config.criuDir();
        holdLimitSeconds = Math.max(10, config.holdLimitSeconds());
        try {
            liblxc = Liblxc.load();
            unusable = "";
        } catch (HaulException e) {
            unusable = e.getMessage();
        }
        LOG.info("lxc backend: containers of {}{}", config.lxcpath(), unusable.isEmpty() ? "" : " (unusable: "
                + unusable + ")");
    }

    @Deactivate
    void stop() {
        calls.shutdownNow();
    }

    @Override
    public Usability usability() {
        if (!unusable.isEmpty()) {
            return Usability.no(unusable);
        }
        List<String> path = List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"));
        for (String tool : List.of("lxc-checkpoint", "lxc-destroy", "lxc-wait", "lxc-stop")) {
            if (path.stream().noneMatch(dir -> Files.isExecutable(Path.of(dir, tool)))) {
                return Usability.no(tool + " is not installed (the Debian package lxc)");
            }
        }
        // lxc-checkpoint runs the first criu of its PATH, criuDir first: without one, the restore would fail frozen
        if (!Files.isExecutable(Path.of(criuDir, "criu")) && path.stream()
                .noneMatch(dir -> Files.isExecutable(Path.of(dir, "criu")))) {
            return Usability.no("no criu in " + LxcConfiguration.PID + " criuDir (" + criuDir + ") nor in PATH, for"
                    + " lxc-checkpoint to run (./haul setup installs Haul's CRIU)");
        }
        if (!Files.isDirectory(tools.lxcpath())) {
            return Usability.no("the lxcpath " + tools.lxcpath() + " is not a folder (" + LxcConfiguration.PID
                    + " lxcpath)");
        }
        return HoldHook.check(CriuHold.ENGINE_CRIU_CONFIG);
    }

    @Override
    public List<ContainerInfo> list() throws HaulException {
        List<ContainerInfo> found = new ArrayList<>();
        List<Path> folders;
        try (Stream<Path> entries = Files.list(tools.lxcpath())) {
            // what liblxc's list_defined_containers counts: a folder with a config file
            folders = entries.filter(f -> Files.isRegularFile(f.resolve(LxcContainer.CONFIG))).sorted().toList();
        } catch (IOException e) {
            throw new HaulException("lxc.lxcpath", "cannot list " + tools.lxcpath() + ": " + e.getMessage());
        }
        for (Path folder : folders) {
            found.add(container(folder.getFileName().toString()).info());
        }
        return found;
    }

    @Override
    public ContainerInfo inspect(String id) throws HaulException {
        return container(id).info();
    }

    @Override
    public SourceSession openSource(ContainerInfo container, MigrationFolders folders) {
        return new LxcSource(this, container.ref().id(), folders);
    }

    @Override
    public DestinationSession openDestination(ContainerManifest manifest, MigrationFolders folders)
            throws HaulException {
        if (!LxcContainer.BACKEND.equals(manifest.backend())) {
            throw new HaulException("container.bad-manifest", "the lxc backend cannot restore a " + manifest.backend()
                    + " container");
        }
        return new LxcDestination(this, manifest, folders);
    }

    static String checkName(String name) throws HaulException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new HaulException("container.not-found", "'" + name + "' is not an LXC container name");
        }
        return name;
    }

    /** The container as it is now; {@code container.not-found} when the lxcpath has none of that name. */
    LxcContainer container(String name) throws HaulException {
        Path folder = tools.lxcpath().resolve(checkName(name));
        if (!Files.isRegularFile(folder.resolve(LxcContainer.CONFIG))) {
            throw new HaulException("container.not-found", "no LXC container '" + name + "' in " + tools.lxcpath());
        }
        Liblxc.Status status = liblxc().status(name, tools.lxcpath().toString())
                .orElse(new Liblxc.Status("UNKNOWN", -1));
        return new LxcContainer(name, folder, status, LxcContainer.readConfig(folder));
    }

    /** Whether the lxcpath has a container (or a folder) of that name. */
    boolean exists(String name) throws HaulException {
        return Files.exists(tools.lxcpath().resolve(checkName(name)));
    }

    private Liblxc liblxc() throws HaulException {
        Liblxc loaded = liblxc;
        if (loaded == null) {
            throw new HaulException("lxc.unavailable", unusable);
        }
        return loaded;
    }

    LxcTools tools() {
        return tools;
    }

    long holdLimitSeconds() {
        return holdLimitSeconds;
    }

    Executor calls() {
        return calls;
    }

    /** A work folder beside the images (logs), kept with the migration's logs. */
    static Path logFolder(MigrationFolders folders, String name) {
        return folders.logs().resolve(name);
    }
}
