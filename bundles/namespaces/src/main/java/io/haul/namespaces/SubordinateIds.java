package io.haul.namespaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host ids a host has set aside for root's containers, from a file in the format of {@code /etc/subuid} and
 * {@code /etc/subgid} (subuid(5): USER:FIRST:COUNT, USER a name or a uid). Only root's lines count: root's CRIU
 * makes the containers' user namespaces. A missing file sets nothing aside.
 */
record SubordinateIds(Path file, List<IdMapping> ranges) {

    static SubordinateIds read(Path file) throws IOException {
        List<IdMapping> ranges = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return new SubordinateIds(file, List.of());
        }
        for (String line : lines) {
            String[] fields = line.strip().split(":");
            if (fields.length == 3 && (fields[0].equals("root") || fields[0].equals("0"))) {
                try {
                    long first = Long.parseLong(fields[1]);
                    ranges.add(new IdMapping(first, first, Long.parseLong(fields[2])));
                } catch (NumberFormatException e) {
                    // not a range line
                }
            }
        }
        return new SubordinateIds(file, List.copyOf(ranges));
    }
}
