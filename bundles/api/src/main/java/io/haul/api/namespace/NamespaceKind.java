package io.haul.api.namespace;

/** The Linux namespace kinds, named as in {@code /proc/PID/ns/}. */
public enum NamespaceKind {
    MNT("mnt"), UTS("uts"), IPC("ipc"), PID("pid"), NET("net"), USER("user"), CGROUP("cgroup"), TIME("time");

    private final String procName;

    NamespaceKind(String procName) {
        this.procName = procName;
    }

    /** The file name under {@code /proc/PID/ns/}. */
    public String procName() {
        return procName;
    }

    public static NamespaceKind ofProcName(String name) {
        for (NamespaceKind kind : values()) {
            if (kind.procName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown namespace kind: " + name);
    }
}
