package io.haul.strategy.vmread;

import io.haul.host.proc.Mapping;
import java.io.IOException;
import java.util.List;

/** Which of a task's mappings this strategy copies while it runs. */
final class CopiedMappings {

    private CopiedMappings() {
    }

    /** The mappings of {@code /proc/PID/maps} this strategy copies, in address order. */
    static List<Mapping> of(int pid) throws IOException {
        return Mapping.of(pid).stream().filter(CopiedMappings::copied).toList();
    }

    /**
     * Private ({@code p}), readable and writable memory, anonymous or a private file mapping; not the kernel's
     * special areas. Shared mappings and read-only ones are left to the final dump.
     */
    static boolean copied(Mapping mapping) {
        return mapping.readable() && mapping.writable() && mapping.privateMapping() && !mapping.kernelArea()
                && mapping.end() > mapping.start();
    }

    static long pages(Mapping mapping) {
        return mapping.bytes() / VmReadPreCopy.PAGE;
    }
}
