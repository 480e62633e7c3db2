package io.haul.host.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one FFM binder of this package: finds libc functions, builds their method handles (static finals in the
 * callers, so the JIT can inline them), captures errno, and turns a failed call into an {@link ErrnoException}.
 */
final class NativeCalls {

    static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** The errno capture's size rounded up to 8, for callers that put it in front of their own scratch. */
    static final long CAPTURE_SIZE = (CAPTURE.byteSize() + 7) & ~7L;
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private NativeCalls() {
    }

    /** One call's body: gets a confined arena for its arguments and the errno capture to pass first. */
    @FunctionalInterface
    interface Body<T> {
        T run(Arena arena, MemorySegment errnoState) throws Throwable;
    }

    /** Runs a body with its arena and errno capture; a method handle's own throwable becomes an AssertionError. */
    static <T> T call(Body<T> body) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return body.run(arena, arena.allocate(CAPTURE));
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment function = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(function, descriptor, options);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A call's int result, or its errno as an exception when negative. */
    static int checked(int result, MemorySegment state, String call) throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException(call, errno(state));
        }
        return result;
    }
}
