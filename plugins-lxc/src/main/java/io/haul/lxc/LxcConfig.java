package io.haul.lxc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container's configuration in LXC's own format (lxc.container.conf(5)): {@code key = value} lines, '#'
 * comments, a key given again adding to a list or replacing a single value (the last one counts). Kept as its
 * lines, so the destination gets the same file with only its paths changed.
 */
record LxcConfig(List<String> lines) {

    /** One {@code key = value} line. */
    record Entry(String key, String value) {
    }

    LxcConfig {
        lines = List.copyOf(lines);
    }

    static LxcConfig parse(String text) {
        return new LxcConfig(text.lines().toList());
    }

    String text() {
        return String.join("\n", lines) + "\n";
    }

    List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        for (String line : lines) {
            String stripped = line.strip();
            int equals = stripped.indexOf('=');
            if (stripped.isEmpty() || stripped.startsWith("#") || equals < 0) {
                continue;
            }
            entries.add(new Entry(stripped.substring(0, equals).strip(), stripped.substring(equals + 1).strip()));
        }
        return entries;
    }

    /** Every value of a key, in order (an empty value clears a list, as LXC does). */
    List<String> all(String key) {
        List<String> values = new ArrayList<>();
        for (Entry entry : entries()) {
            if (entry.key().equals(key)) {
                if (entry.value().isEmpty()) {
                    values.clear();
                } else {
                    values.add(entry.value());
                }
            }
        }
        return values;
    }

    /** The value that counts for a single-valued key: the last one. */
    Optional<String> get(String key) {
        List<String> values = all(key);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.getLast());
    }

    /** Keys that start with {@code prefix} (e.g. {@code lxc.net.}), in order, once each. */
    List<String> keysStarting(String prefix) {
        return entries().stream().map(Entry::key).filter(k -> k.startsWith(prefix)).distinct().toList();
    }

    /**
     * The same configuration with every path under the source container's folder moved under the destination's
     * ({@code lxc.rootfs.path = dir:/a/c1/rootfs} becomes {@code dir:/b/c1/rootfs}); comments stay as they were.
     */
    LxcConfig moved(String fromFolder, String toFolder) {
        String from = fromFolder.endsWith("/") ? fromFolder : fromFolder + "/";
        String to = toFolder.endsWith("/") ? toFolder : toFolder + "/";
        List<String> moved = new ArrayList<>();
        for (String line : lines) {
            String stripped = line.strip();
            int equals = stripped.indexOf('=');
            if (stripped.isEmpty() || stripped.startsWith("#") || equals < 0) {
                moved.add(line);
                continue;
            }
            String key = stripped.substring(0, equals).strip();
            String value = stripped.substring(equals + 1).strip();
            String changed = value.replace(from, to);
            if (value.equals(fromFolder) || value.endsWith(":" + fromFolder)) {
                changed = value.substring(0, value.length() - fromFolder.length()) + toFolder;
            }
            moved.add(changed.equals(value) ? line : key + " = " + changed);
        }
        return new LxcConfig(moved);
    }
}
