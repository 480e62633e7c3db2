package io.haul.namespaces;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a user namespace's {@code uid_map} or {@code gid_map} (user_namespaces(7)): ids {@code inside} to
 * {@code inside + count - 1} of the namespace are the host's {@code outside} onward.
 */
record IdMapping(long inside, long outside, long count) {

    /** The host's own ids, unchanged: a privileged map ("0 0 4294967295"), which needs no subordinate ids. */
    boolean identity() {
        return inside == outside;
    }

    long lastOutside() {
        return outside + count - 1;
    }

    @Override
    public String toString() {
        return inside + " " + outside + " " + count;
    }

    /** The lines of a map as the kernel writes it; a line that is not three numbers is skipped. */
    static List<IdMapping> parse(String map) {
        List<IdMapping> lines = new ArrayList<>();
        for (String line : map.strip().split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 3) {
                try {
                    lines.add(new IdMapping(Long.parseLong(fields[0]), Long.parseLong(fields[1]),
                            Long.parseLong(fields[2])));
                } catch (NumberFormatException e) {
                    // not a map line
                }
            }
        }
        return lines;
    }
}
