package io.haul.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A restored tree known only by its root pid (after a restart of this agent): its tasks are the root and
 * its descendants. Signals go by pid to processes this agent restored.
 */
final class StoppedTree {

    private StoppedTree() {
    }

    static void resume(long root) {
        List<String> command = new ArrayList<>(List.of("kill", "-CONT"));
        tasks(root).forEach(task -> command.add(Long.toString(task.pid())));
        if (command.size() > 2) {
            run(command); // one kill for the whole tree
        }
    }

    static void kill(long root) {
        for (ProcessHandle task : tasks(root)) {
            task.destroyForcibly();
        }
    }

    /** The root and every process below it now. */
    static List<ProcessHandle> tasks(long root) {
        List<ProcessHandle> tasks = new ArrayList<>();
        ProcessHandle.of(root).ifPresent(handle -> {
            tasks.add(handle);
            handle.descendants().forEach(tasks::add);
        });
        return tasks;
    }

    private static void run(List<String> command) {
        try {
            new ProcessBuilder(command).start().waitFor();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
