package io.haul.docker.runc;

import io.haul.api.HaulException;
import io.haul.host.files.TreeCopy;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A runc container's bundle as it travels: its config.json and its root file system (with every file the
 * container wrote) as files beside CRIU's images, made again on the destination under its bundles folder.
 */
final class RuncBundle {

    static final String CONFIG_FILE = "haul-runc-config.json";
    private static final String ROOTFS = "rootfs";

    private RuncBundle() {
    }

    /** The root file system as it travels: in rounds while the container runs, its last changes when frozen. */
    static TreeCopy rootfs(RuncContainer container) {
        return new TreeCopy(ROOTFS, container.rootfs());
    }

    /** Source, tasks frozen: the configuration, beside the images. */
    static void packConfig(RuncContainer container, Path imageDir) throws HaulException {
        try {
            Files.writeString(imageDir.resolve(CONFIG_FILE), container.config().encode());
        } catch (IOException e) {
            throw new HaulException("runc.bundle", "cannot write the bundle's configuration: " + e.getMessage());
        }
    }

    /**
     * Destination: the bundle again in {@code bundle} (which must not exist), its root file system at
     * {@code rootfs} inside it, and, when {@code cgroupsParent} is set, the cgroup path {@code PARENT/ID}.
     */
    static void unpack(Path imageDir, Path bundle, String id, String cgroupsParent) throws HaulException {
        try {
            JsonObject config = new JsonObject(Files.readString(imageDir.resolve(CONFIG_FILE)));
            Files.createDirectories(bundle.getParent());
            Files.createDirectory(bundle);
            Files.createDirectory(bundle.resolve("rootfs"));
            TreeCopy.unpack(ROOTFS, imageDir, bundle.resolve("rootfs"));
            config.getJsonObject("root", new JsonObject()).put("path", "rootfs");
            if (!cgroupsParent.isBlank()) {
                JsonObject linux = config.getJsonObject("linux");
                if (linux == null) {
                    linux = new JsonObject();
                    config.put("linux", linux);
                }
                linux.put("cgroupsPath", cgroupsParent.replaceAll("/+$", "") + "/" + id);
            }
            Files.writeString(bundle.resolve("config.json"), config.encodePrettily());
        } catch (IOException | DecodeException e) {
            throw new HaulException("runc.bundle", "cannot make the bundle " + bundle + ": " + e.getMessage());
        }
    }
}
