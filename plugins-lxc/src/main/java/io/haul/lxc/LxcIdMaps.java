package io.haul.lxc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An unprivileged container's id maps, from its {@code lxc.idmap} lines ({@code u 0 100000 65536}: type, first id
 * inside, first host id, count; lxc.container.conf(5)). LXC writes them into the container's user namespace itself;
 * Haul reads them to say what cannot move, and to give the container's folder on the destination to its root, as
 * {@code lxc-create} does (LXC's unprivileged init must reach its root file system through that folder).
 */
record LxcIdMaps(List<Line> lines) {

    /** One {@code lxc.idmap} line. */
    record Line(char type, long inside, long outside, long count) {
    }

    LxcIdMaps {
        lines = List.copyOf(lines);
    }

    static LxcIdMaps of(LxcConfig config) {
        List<Line> lines = new ArrayList<>();
        for (String value : config.all("lxc.idmap")) {
            String[] fields = value.strip().split("\\s+");
            if (fields.length != 4 || !(fields[0].equals("u") || fields[0].equals("g"))) {
                lines.add(new Line('?', -1, -1, -1));
                continue;
            }
            try {
                lines.add(new Line(fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                        Long.parseLong(fields[3])));
            } catch (NumberFormatException e) {
                lines.add(new Line('?', -1, -1, -1));
            }
        }
        return new LxcIdMaps(lines);
    }

    /** Whether the container is unprivileged: it has id maps, so a user namespace of its own. */
    boolean unprivileged() {
        return !lines.isEmpty();
    }

    /** The host uid (type 'u') or gid ('g') of the container's root, when a line maps id 0. */
    Optional<Long> hostRoot(char type) {
        return lines.stream().filter(l -> l.type() == type && l.inside() == 0 && l.count() > 0)
                .map(Line::outside).findFirst();
    }

    /** Why the maps are not ones LXC can apply (empty when they are). */
    Optional<String> whyNot() {
        if (!unprivileged()) {
            return Optional.empty();
        }
        if (lines.stream().anyMatch(l -> l.type() == '?' || l.count() < 1 || l.inside() < 0 || l.outside() < 0)) {
            return Optional.of("its lxc.idmap lines are not all 'u|g INSIDE OUTSIDE COUNT'");
        }
        if (hostRoot('u').isEmpty() || hostRoot('g').isEmpty()) {
            return Optional.of("its lxc.idmap lines do not map root (id 0) for both uids and gids");
        }
        return Optional.empty();
    }
}
