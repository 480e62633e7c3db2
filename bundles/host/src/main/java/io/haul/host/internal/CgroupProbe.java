package io.haul.host.internal;

import io.haul.host.KernelFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cgroup layout as mounted, not as configured: CRIU and the container runtimes behave differently on v1,
 * v2 and hybrid hosts (crun refuses hybrid), and both hosts of a migration should agree.
 */
final class CgroupProbe {

    static final String V2 = "v2 (unified)";
    static final String V1 = "v1";
    static final String HYBRID = "hybrid (v1 + v2)";

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path MOUNTS = Path.of("/proc/mounts");

    KernelFeature probe() {
        try {
            return fromMountinfo(Files.readAllLines(MOUNTINFO));
        } catch (IOException e) {
            try {
                return fromMounts(Files.readAllLines(MOUNTS));
            } catch (IOException e2) {
                return new KernelFeature(KernelFeature.CGROUP, false,
                        "cannot read " + MOUNTINFO + " (" + e + ") nor " + MOUNTS + " (" + e2 + ")");
            }
        }
    }

    /** From mountinfo lines: the file system type is the first field after the " - " separator. */
    static KernelFeature fromMountinfo(List<String> lines) {
        boolean v1 = false;
        boolean v2 = false;
        for (String line : lines) {
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String type = line.substring(separator + 3).split(" ", 2)[0];
            v1 |= type.equals("cgroup");
            v2 |= type.equals("cgroup2");
        }
        return verdict(v1, v2, "/proc/self/mountinfo");
    }

    /** From /proc/mounts lines: device, mount point, type, ... */
    static KernelFeature fromMounts(List<String> lines) {
        boolean v1 = false;
        boolean v2 = false;
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length > 2) {
                v1 |= fields[2].equals("cgroup");
                v2 |= fields[2].equals("cgroup2");
            }
        }
        return verdict(v1, v2, "/proc/mounts");
    }

    private static KernelFeature verdict(boolean v1, boolean v2, String source) {
        if (v1 && v2) {
            return new KernelFeature(KernelFeature.CGROUP, true, HYBRID);
        }
        if (v2) {
            return new KernelFeature(KernelFeature.CGROUP, true, V2);
        }
        if (v1) {
            return new KernelFeature(KernelFeature.CGROUP, true, V1);
        }
        return new KernelFeature(KernelFeature.CGROUP, false, "no cgroup or cgroup2 mount in " + source);
    }
}
