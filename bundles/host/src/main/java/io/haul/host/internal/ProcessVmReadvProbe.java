package io.haul.host.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.haul.host.KernelFeature;
import io.haul.host.exec.BoundedCommand;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import io.haul.host.proc.Mapping;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * process_vm_readv on another process, the way Haul's pre-copy reads a container. Reading ourselves proves
 * nothing about the permission checks (ptrace access mode, Yama, seccomp) that apply to a second process.
 */
final class ProcessVmReadvProbe {

    static final long MAX_READ = 4096;

    KernelFeature probe() {
        Process child;
        try {
            child = new ProcessBuilder("sleep", "30")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return missing("could not start a child to read from (sleep 30): " + e.getMessage());
        }
        try {
            int pid = (int) child.pid();
            Optional<Mapping> first = Mapping.of(pid).stream().filter(Mapping::readable).findFirst();
            if (first.isEmpty()) {
                return missing("child pid " + pid + " has no readable mapping in its maps");
            }
            Mapping mapping = first.get();
            long length = Math.min(MAX_READ, mapping.end() - mapping.start());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment into = arena.allocate(length);
                long read = Syscalls.processVmReadv(pid, mapping.start(), into);
                String what = String.format("%d of %d bytes at 0x%x (%s %s%s) of child pid %d", read, length,
                        mapping.start(), mapping.permissions(), mapping.path().isEmpty() ? "anonymous" : mapping.path(),
                        read >= 4 && mapping.offset() == 0 && isElf(into) ? ", ELF header" : "", pid);
                return read > 0 ? new KernelFeature(KernelFeature.PROCESS_VM_READV, true, "read " + what)
                        : missing("read none: " + what);
            }
        } catch (ErrnoException e) {
            return missing(e.getMessage());
        } catch (IOException e) {
            return missing("reading the child's mappings failed: " + e);
        } finally {
            BoundedCommand.kill(child);
        }
    }

    private static boolean isElf(MemorySegment bytes) {
        return bytes.get(JAVA_BYTE, 0) == 0x7f && bytes.get(JAVA_BYTE, 1) == 'E' && bytes.get(JAVA_BYTE, 2) == 'L'
                && bytes.get(JAVA_BYTE, 3) == 'F';
    }

    private static KernelFeature missing(String why) {
        return new KernelFeature(KernelFeature.PROCESS_VM_READV, false, why);
    }
}
