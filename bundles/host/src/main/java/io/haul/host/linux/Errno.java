package io.haul.host.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;

/** Linux errno values callers test for, and their names ("ESRCH") and descriptions ("No such process"). */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;

    // glibc 2.32+ names errnos itself, for every errno it knows and without locale or buffers; the table
    // below covers the common ones on a libc without those functions (musl).
    private static final MethodHandle NAME_NP = optional("strerrorname_np");
    private static final MethodHandle DESC_NP = optional("strerrordesc_np");

    private static final Map<Integer, String[]> FALLBACK = Map.ofEntries(
            Map.entry(EPERM, new String[] {"EPERM", "Operation not permitted"}),
            Map.entry(ENOENT, new String[] {"ENOENT", "No such file or directory"}),
            Map.entry(ESRCH, new String[] {"ESRCH", "No such process"}),
            Map.entry(EINTR, new String[] {"EINTR", "Interrupted system call"}),
            Map.entry(EIO, new String[] {"EIO", "Input/output error"}),
            Map.entry(EBADF, new String[] {"EBADF", "Bad file descriptor"}),
            Map.entry(EAGAIN, new String[] {"EAGAIN", "Resource temporarily unavailable"}),
            Map.entry(ENOMEM, new String[] {"ENOMEM", "Cannot allocate memory"}),
            Map.entry(EACCES, new String[] {"EACCES", "Permission denied"}),
            Map.entry(EFAULT, new String[] {"EFAULT", "Bad address"}),
            Map.entry(EBUSY, new String[] {"EBUSY", "Device or resource busy"}),
            Map.entry(EINVAL, new String[] {"EINVAL", "Invalid argument"}),
            Map.entry(EMFILE, new String[] {"EMFILE", "Too many open files"}),
            Map.entry(ENOTTY, new String[] {"ENOTTY", "Inappropriate ioctl for device"}),
            Map.entry(ENOSYS, new String[] {"ENOSYS", "Function not implemented"}),
            Map.entry(EOPNOTSUPP, new String[] {"EOPNOTSUPP", "Operation not supported"}));

    private Errno() {
    }

    /** The symbolic name, e.g. {@code ESRCH}; {@code errno 1234} for one nobody knows. */
    public static String name(int errno) {
        return glibc(NAME_NP, errno).or(() -> table(errno, 0)).orElse("errno " + errno);
    }

    /** The description, e.g. {@code No such process}; {@code Unknown error} for one nobody knows. */
    public static String description(int errno) {
        return glibc(DESC_NP, errno).or(() -> table(errno, 1)).orElse("Unknown error");
    }

    private static Optional<String> table(int errno, int index) {
        String[] entry = FALLBACK.get(errno);
        return entry == null ? Optional.empty() : Optional.of(entry[index]);
    }

    private static Optional<String> glibc(MethodHandle handle, int errno) {
        if (handle == null) {
            return Optional.empty();
        }
        try {
            MemorySegment text = (MemorySegment) handle.invokeExact(errno);
            return text.equals(MemorySegment.NULL)
                    ? Optional.empty()
                    : Optional.of(text.reinterpret(256).getString(0));
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    private static MethodHandle optional(String function) {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find(function)
                .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ADDRESS, JAVA_INT)))
                .orElse(null);
    }
}
