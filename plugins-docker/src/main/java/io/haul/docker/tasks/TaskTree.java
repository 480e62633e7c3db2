package io.haul.docker.tasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A container's processes as /proc shows them from its init's host pid: how many, and their resident memory. */
public record TaskTree(int processes, long rssBytes) {

    private static final Path PROC = Path.of("/proc");

    public static TaskTree of(long rootPid) {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long ppid = parentOf(entry);
                    if (ppid >= 0) {
                        children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(Long.parseLong(name));
                    }
                }
            }
        } catch (IOException e) {
            return new TaskTree(0, 0);
        }
        int count = 0;
        long rss = 0;
        ArrayDeque<Long> todo = new ArrayDeque<>(List.of(rootPid));
        while (!todo.isEmpty()) {
            long pid = todo.pop();
            count++;
            rss += rssOf(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return new TaskTree(count, rss);
    }

    private static long parentOf(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[1]);
        } catch (IOException | RuntimeException e) {
            return -1; // gone meanwhile
        }
    }

    private static long rssOf(long pid) {
        try (Stream<String> lines = Files.lines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
