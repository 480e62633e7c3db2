package io.haul.host;

import java.util.Objects;

/**
 * One kernel feature a migration may depend on, probed by using it rather than by reading the kernel config.
 *
 * @param name    one of the constants below, or {@code ns:<kind>} for a namespace kind
 * @param present whether the probe found it working
 * @param detail  one line: what was probed and what it saw, or why it is missing
 */
public record KernelFeature(String name, boolean present, String detail) {

    /** Soft-dirty page tracking (CONFIG_MEM_SOFT_DIRTY), which CRIU's pre-dump needs. */
    public static final String SOFT_DIRTY = "soft-dirty";
    /** The userfaultfd syscall, for post-copy restore. */
    public static final String USERFAULTFD = "userfaultfd";
    /** process_vm_readv on another process, how Haul's own pre-copy reads memory. */
    public static final String PROCESS_VM_READV = "process_vm_readv";
    /** The PAGEMAP_SCAN ioctl on /proc/PID/pagemap (Linux 6.7+). */
    public static final String PAGEMAP_SCAN = "pagemap_scan";
    /** Some cgroup file system mounted; the detail says which layout. */
    public static final String CGROUP = "cgroup";
    /** Namespace kinds probed, each reported as {@code ns:<kind>}. */
    public static final java.util.List<String> NAMESPACE_KINDS =
            java.util.List.of("mnt", "uts", "ipc", "pid", "net", "user", "cgroup", "time");

    /**
     * CRIU's features ({@code criu check --feature NAME}) that making a namespace of a kind needs, by kind, each
     * reported as {@code criu:NAME}: user namespaces (userns), time namespaces' offsets (timens), cgroup namespaces
     * (cgroupns), and a PID namespace's ids as its tasks see them (ns_pid, NSpid in /proc/PID/status). Mount,
     * network, UTS and IPC namespaces need none beyond CRIU's check.
     */
    public static final java.util.Map<String, java.util.List<String>> CRIU_NAMESPACE_FEATURES = java.util.Map.of(
            "user", java.util.List.of("userns"), "time", java.util.List.of("timens"),
            "cgroup", java.util.List.of("cgroupns"), "pid", java.util.List.of("ns_pid"));

    public KernelFeature {
        Objects.requireNonNull(name, "name");
        detail = detail == null ? "" : detail.replace('\n', ' ').strip();
    }

    /** The feature name of a CRIU feature, e.g. {@code criu:userns}. */
    public static String criu(String feature) {
        return "criu:" + feature;
    }

    /** The feature name of a namespace kind, e.g. {@code ns:net}. */
    public static String namespace(String kind) {
        return "ns:" + kind;
    }
}
