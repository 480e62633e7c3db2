package io.haul.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The root filesystem of test containers, made by {@code runtime/setup/busybox-rootfs.sh} from the host's static
 * busybox (no registry is reachable): {@link #rootfs()} is the tree ({@code /bin/busybox} and a symlink per applet:
 * sh, sleep, cat, echo, nc...), {@link #tarball()} the same as a tar, from which Docker images are imported and
 * runc bundles are unpacked. The tarball is byte for byte the same each time it is made from the same busybox.
 */
public final class BusyboxRootfs {

    private static final long SECONDS = 60;

    private final Path dir;

    private BusyboxRootfs(Path dir) {
        this.dir = dir;
    }

    /** The busybox-rootfs.sh of this checkout. */
    static Path script() {
        return DockerHost.home().resolve("runtime/setup/busybox-rootfs.sh");
    }

    /** Why no rootfs can be made here (no static busybox: package busybox-static), or null. */
    public static String unmet() {
        List<String> missing = new ArrayList<>();
        if (Commands.which("busybox") == null) {
            missing.add("no busybox (package busybox-static)");
        }
        if (Commands.which("tar") == null) {
            missing.add("no tar");
        }
        return missing.isEmpty() ? null : String.join("; ", missing);
    }

    /** Makes (anew) {@code dir/rootfs} and {@code dir/rootfs.tar}. */
    public static BusyboxRootfs make(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Commands.Result result = TwoHostCluster.run(List.of(script().toString(), dir.toString()), SECONDS,
                java.util.Map.of());
        BusyboxRootfs made = new BusyboxRootfs(dir.toAbsolutePath());
        if (!Path.of(result.stdout().strip()).equals(made.tarball()) || !Files.isRegularFile(made.tarball())) {
            throw new AssertionError("busybox-rootfs.sh printed " + result.stdout().strip() + ", expected "
                    + made.tarball() + "\n" + result.output());
        }
        return made;
    }

    /** A rootfs made earlier in {@code dir} by busybox-rootfs.sh or a script on top of it (perl-rootfs.sh). */
    public static BusyboxRootfs of(Path dir) {
        BusyboxRootfs made = new BusyboxRootfs(dir.toAbsolutePath());
        if (!Files.isRegularFile(made.tarball())) {
            throw new IllegalArgumentException("no rootfs.tar in " + dir);
        }
        return made;
    }

    /** The tree: bin/busybox, bin/APPLET symlinks, empty dev, proc, sys, tmp, data... */
    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    /** The tree as a tar (entries owned by 0:0). */
    public Path tarball() {
        return dir.resolve("rootfs.tar");
    }

    /** Unpacks the tarball into {@code target} (created), e.g. a runc bundle's rootfs. */
    public void unpackTo(Path target) throws IOException, InterruptedException {
        Files.createDirectories(target);
        TwoHostCluster.run(List.of(Commands.which("tar").toString(), "-C", target.toString(), "-xf",
                tarball().toString()), SECONDS, java.util.Map.of());
    }

    @Override
    public String toString() {
        return "busybox rootfs " + dir;
    }
}
