package io.haul.docker.files;

import io.haul.api.HaulException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A host folder a container uses in place (a bind mount, a runc bundle), which Haul does not copy: it must be on
 * storage both hosts share. The source names it by path, device and inode; the destination checks that the same
 * path is the same folder there.
 */
public record SharedFolder(String path, long device, long inode) {

    public static SharedFolder of(String path) throws HaulException {
        try {
            return new SharedFolder(path, ((Number) Files.getAttribute(Path.of(path), "unix:dev")).longValue(),
                    ((Number) Files.getAttribute(Path.of(path), "unix:ino")).longValue());
        } catch (IOException | RuntimeException e) {
            throw new HaulException("container.folder", "cannot read the folder " + path + ": " + e.getMessage());
        }
    }

    /** Whether this path names the very same folder on this host. */
    public boolean sameHere() {
        try {
            SharedFolder here = of(path);
            return here.device() == device && here.inode() == inode;
        } catch (HaulException e) {
            return false;
        }
    }

    public static String encode(List<SharedFolder> folders) {
        JsonArray array = new JsonArray();
        folders.forEach(f -> array.add(new JsonObject().put("path", f.path()).put("device", f.device())
                .put("inode", f.inode())));
        return array.encode();
    }

    /** Throws a RuntimeException on malformed text: callers turn it into their manifest error. */
    public static List<SharedFolder> decode(String text) {
        List<SharedFolder> folders = new ArrayList<>();
        for (Object item : new JsonArray(text)) {
            JsonObject o = (JsonObject) item;
            folders.add(new SharedFolder(o.getString("path"), o.getLong("device"), o.getLong("inode")));
        }
        return folders;
    }
}
