package io.haul.strategy.vmread;

import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import io.haul.host.proc.Mapping;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What this strategy needs of the host, tried once on a child process ({@code sleep}) the way a round uses it:
 * process_vm_readv on another process (the ptrace access checks, Yama and seccomp apply to a second process
 * only), and whether the kernel tracks soft-dirty pages.
 *
 * <p>Soft-dirty is probed on the child, never on the agent itself (whose {@code clear_refs} HostProbe's own
 * probe uses): on a kernel with CONFIG_MEM_SOFT_DIRTY every mapping of a freshly exec'd process carries
 * VM_SOFTDIRTY, so pagemap reports bit 55 for all its pages until {@code clear_refs 4}; without it bit 55 is
 * never set. So: bit 55 set at first, then gone after writing "4" to the child's {@code clear_refs}. This costs
 * one fork and a few reads, against HostProbe's full probe (three CRIU runs), which would be far too slow for
 * {@code usability()}, asked at each handshake.
 *
 * @param processVmReadv whether reading another process works
 * @param softDirty      whether the kernel tracks soft-dirty pages (and clear_refs works)
 * @param detail         one line: what was seen
 */
record HostCheck(boolean processVmReadv, boolean softDirty, String detail) {

    static HostCheck run() {
        Process child;
        try {
            child = new ProcessBuilder("sleep", "60")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return new HostCheck(false, false, "could not start a child to read from (sleep 60): " + e.getMessage());
        }
        try {
            int pid = (int) child.pid();
            List<Mapping> mappings = CopiedMappings.of(pid);
            if (mappings.isEmpty()) {
                return new HostCheck(false, false, "child pid " + pid + " shows no private writable mapping");
            }
            Mapping first = mappings.getFirst();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment page = arena.allocate(VmReadPreCopy.PAGE, VmReadPreCopy.PAGE);
                long read = Syscalls.processVmReadv(pid, first.start(), page);
                if (read <= 0) {
                    return new HostCheck(false, false, "process_vm_readv read nothing of child pid " + pid);
                }
            } catch (ErrnoException e) {
                return new HostCheck(false, false, e.getMessage());
            }
            boolean softDirty = softDirty(pid, first.start());
            return new HostCheck(true, softDirty, "process_vm_readv read child pid " + pid + "; soft-dirty tracking "
                    + (softDirty ? "present" : "absent: pages are fingerprinted instead"));
        } catch (IOException e) {
            return new HostCheck(false, false, "reading the child's mappings failed: " + e);
        } finally {
            child.destroyForcibly();
            try {
                child.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean softDirty(int pid, long address) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        try (FileChannel pagemap = FileChannel.open(proc.resolve("pagemap"))) {
            if ((entry(pagemap, address) & VmReadPreCopy.PM_SOFT_DIRTY) == 0) {
                return false; // the common case: a kernel without CONFIG_MEM_SOFT_DIRTY never sets bit 55
            }
            Files.write(proc.resolve("clear_refs"), new byte[] {'4'}, StandardOpenOption.WRITE);
            return (entry(pagemap, address) & VmReadPreCopy.PM_SOFT_DIRTY) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static long entry(FileChannel pagemap, long address) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        long position = address / VmReadPreCopy.PAGE * 8;
        while (buffer.hasRemaining()) {
            if (pagemap.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("pagemap ended");
            }
        }
        return buffer.getLong(0);
    }
}
