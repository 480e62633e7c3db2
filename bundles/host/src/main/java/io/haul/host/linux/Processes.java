package io.haul.host.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Processes through libc where the JDK falls short: signals by pid (SIGSTOP/SIGCONT included), reaping a
 * child without ProcessHandle's own reaper, waiting for an exit without reaping, and spawning a child that
 * inherits exactly one given descriptor (the JDK cannot pass a descriptor to a child).
 */
public final class Processes {

    public static final int WNOHANG = 1;
    public static final int SIGKILL = 9;
    public static final int SIGSTOP = 19;
    public static final int SIGCONT = 18;

    // waitid(2)
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final long SIGINFO_BYTES = 128;

    // posix_spawnattr flags (glibc's spawn.h)
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64 and aarch64; they are
    // opaque to us (the *_init calls fill them), so room to spare is all they need.
    private static final long SPAWN_STRUCT_BYTES = 1024;
    private static final long SIGSET_BYTES = 128;

    private static final MethodHandle KILL = NativeCalls.downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle WAITPID = NativeCalls.downcall("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle WAITID = NativeCalls.downcall("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), NativeCalls.CAPTURE_ERRNO);

    // posix_spawn and its helpers return an errno value instead of setting errno
    private static final MethodHandle POSIX_SPAWN = NativeCalls.downcall("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = NativeCalls.downcall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = NativeCalls.downcall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_ADDDUP2 = NativeCalls.downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDOPEN = NativeCalls.downcall("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    // glibc 2.34+: closes every descriptor from a number on in the child, whatever the JVM left inheritable
    private static final MethodHandle FA_ADDCLOSEFROM = NativeCalls.downcall("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = NativeCalls.downcall("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = NativeCalls.downcall("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = NativeCalls.downcall("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = NativeCalls.downcall("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = NativeCalls.downcall("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = NativeCalls.downcall("sigemptyset",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = NativeCalls.downcall("sigfillset",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private Processes() {
    }

    /** kill(2); false when the process no longer exists (ESRCH). */
    public static boolean kill(long pid, int signal) throws ErrnoException {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        return NativeCalls.call((arena, state) -> {
            int result = (int) KILL.invokeExact(state, (int) pid, signal);
            if (result < 0 && NativeCalls.errno(state) == Errno.ESRCH) {
                return false;
            }
            NativeCalls.checked(result, state, "kill(" + pid + ", " + signal + ")");
            return true;
        });
    }

    /**
     * waitpid(2) for one child of ours, retried on EINTR. Returns the raw wait status, or -1 with WNOHANG when
     * it has not exited yet.
     */
    public static int waitpid(long pid, int options) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                int result = (int) WAITPID.invokeExact(state, (int) pid, status, options);
                if (result > 0) {
                    return status.get(JAVA_INT, 0);
                }
                if (result == 0) {
                    return -1;
                }
                if (NativeCalls.errno(state) != Errno.EINTR) {
                    throw new ErrnoException("waitpid(" + pid + ")", NativeCalls.errno(state));
                }
            }
        });
    }

    /**
     * Blocks until child {@code pid} has exited, without reaping it (waitid with WNOWAIT): until it is reaped
     * its pid cannot be reused, so it stays safe to signal.
     */
    public static void awaitExitWithoutReaping(long pid) throws ErrnoException {
        NativeCalls.call((arena, state) -> {
            MemorySegment info = arena.allocate(SIGINFO_BYTES, 8);
            while (true) {
                int result = (int) WAITID.invokeExact(state, P_PID, (int) pid, info, WEXITED | WNOWAIT);
                if (result == 0) {
                    return null;
                }
                if (NativeCalls.errno(state) != Errno.EINTR) {
                    throw new ErrnoException("waitid(" + pid + ")", NativeCalls.errno(state));
                }
            }
        });
    }

    /** "exit status 1", "killed by signal 9" from a wait status. */
    public static String describeWaitStatus(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? "exit status " + ((status >> 8) & 0xff) : "killed by signal " + signal;
    }

    /**
     * Starts {@code argv} (argv[0] is the executable's path) in a session of its own with default signal
     * handling and an empty signal mask, stdin from /dev/null, stdout and stderr appended to
     * {@code outputFile}, {@code passFd} as its descriptor {@code childFd}, and no other descriptor of ours.
     *
     * @return the child's pid
     */
    public static long spawn(List<String> argv, List<String> environment, int passFd, int childFd, String outputFile)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            MemorySegment attributes = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            spawnCheck((int) FA_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
            try {
                spawnCheck((int) ATTR_INIT.invokeExact(attributes), "posix_spawnattr_init");
                try {
                    spawnCheck((int) FA_ADDOPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), Syscalls.O_RDONLY, 0),
                            "posix_spawn_file_actions_addopen(0)");
                    spawnCheck((int) FA_ADDOPEN.invokeExact(actions, 1, arena.allocateFrom(outputFile),
                            Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_APPEND, 0600), "posix_spawn_file_actions_addopen(1)");
                    spawnCheck((int) FA_ADDDUP2.invokeExact(actions, 1, 2), "posix_spawn_file_actions_adddup2(2)");
                    spawnCheck((int) FA_ADDDUP2.invokeExact(actions, passFd, childFd),
                            "posix_spawn_file_actions_adddup2(" + childFd + ")");
                    spawnCheck((int) FA_ADDCLOSEFROM.invokeExact(actions, childFd + 1),
                            "posix_spawn_file_actions_addclosefrom_np");

                    MemorySegment none = arena.allocate(SIGSET_BYTES, 8);
                    MemorySegment all = arena.allocate(SIGSET_BYTES, 8);
                    int ignored = (int) SIGEMPTYSET.invokeExact(none);
                    ignored = (int) SIGFILLSET.invokeExact(all);
                    spawnCheck((int) ATTR_SETSIGMASK.invokeExact(attributes, none), "posix_spawnattr_setsigmask");
                    spawnCheck((int) ATTR_SETSIGDEFAULT.invokeExact(attributes, all), "posix_spawnattr_setsigdefault");
                    // its own session: a Ctrl-C on the agent's terminal must not kill criu while it holds a tree
                    short flags = (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
                    spawnCheck((int) ATTR_SETFLAGS.invokeExact(attributes, flags), "posix_spawnattr_setflags");

                    MemorySegment pid = arena.allocate(JAVA_INT);
                    int error = (int) POSIX_SPAWN.invokeExact(pid, arena.allocateFrom(argv.getFirst()), actions,
                            attributes, cStrings(arena, argv), cStrings(arena, environment));
                    if (error != 0) {
                        throw new ErrnoException("posix_spawn(" + argv.getFirst() + ")", error);
                    }
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) ATTR_DESTROY.invokeExact(attributes);
                }
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(actions);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** A NULL-terminated char*[] of the strings. */
    private static MemorySegment cStrings(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void spawnCheck(int error, String call) throws ErrnoException {
        if (error != 0) {
            throw new ErrnoException(call, error);
        }
    }

}
