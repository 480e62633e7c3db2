package io.haul.lxc;

import io.haul.api.HaulException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * liblxc's own answer to what state a container is in and which host pid its init has (it asks the container's
 * monitor over its command socket), through the FFM API: {@code lxc_container_new}, the container's
 * {@code state} and {@code init_pid} members, {@code lxc_container_put}. lxc-info prints the same for people only.
 *
 * <p>The members are function pointers at fixed offsets of {@code struct lxc_container} (lxccontainer.h; liblxc.so.1
 * only ever appends members, so these hold from LXC 1.0 on, x86_64 and other LP64 ABIs).
 */
final class Liblxc {

    static final String LIBRARY = "liblxc.so.1";
    /** Offsets in struct lxc_container: name, configfile, pidfile, slock, privlock, numthreads (+pad), lxc_conf,
     * error_string, error_num + daemonize (+pad), config_path, is_defined, then state and, three later, init_pid. */
    private static final long STATE = 88;
    private static final long INIT_PID = 120;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Object LOCK = new Object(); // liblxc keeps global state: one caller at a time

    private final MethodHandle containerNew;
    private final MethodHandle containerPut;
    private final MethodHandle state;
    private final MethodHandle initPid;

    private Liblxc(SymbolLookup library) {
        containerNew = LINKER.downcallHandle(library.find("lxc_container_new").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        containerPut = LINKER.downcallHandle(library.find("lxc_container_put").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        state = LINKER.downcallHandle(FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        initPid = LINKER.downcallHandle(FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    /** liblxc loaded, or why it cannot be. */
    static Liblxc load() throws HaulException {
        try {
            return new Liblxc(SymbolLookup.libraryLookup(LIBRARY, Arena.global()));
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            throw new HaulException("lxc.unavailable", "cannot load " + LIBRARY + " (install the Debian package lxc): "
                    + e.getMessage());
        } catch (IllegalCallerException e) {
            throw new HaulException("lxc.unavailable", "native access is not enabled for the lxc backend's bundle"
                    + " (the agent's jar enables it; a JVM of one's own needs --enable-native-access=ALL-UNNAMED)");
        }
    }

    /** What liblxc says of a container: its state (STOPPED, RUNNING, FROZEN...) and its init's host pid (or -1). */
    record Status(String state, long initPid) {
    }

    /** The status of the container {@code name} of {@code lxcpath}; empty when liblxc cannot make it. */
    Optional<Status> status(String name, String lxcpath) throws HaulException {
        synchronized (LOCK) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment container = (MemorySegment) containerNew.invokeExact(arena.allocateFrom(name),
                        arena.allocateFrom(lxcpath));
                if (container.equals(MemorySegment.NULL)) {
                    return Optional.empty();
                }
                try {
                    MemorySegment struct = container.reinterpret(INIT_PID + 8);
                    MemorySegment text = (MemorySegment) state.invokeExact(
                            struct.get(ValueLayout.ADDRESS, STATE), container);
                    String stateName = text.equals(MemorySegment.NULL) ? "UNKNOWN"
                            : text.reinterpret(64).getString(0);
                    long pid = (int) initPid.invokeExact(struct.get(ValueLayout.ADDRESS, INIT_PID), container);
                    return Optional.of(new Status(stateName, pid));
                } finally {
                    int ignored = (int) containerPut.invokeExact(container);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new HaulException("lxc.failed", "liblxc failed on " + name + ": " + e);
            }
        }
    }
}
