package io.haul.itests;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A lock on a name of this machine (a host namespace a test class makes), so that two runs of the same class from
 * two checkouts at once (two engineers, or a build beside a CI run) take turns instead of making and removing each
 * other's namespaces and addresses. The kernel releases it when the JVM ends, however it ends.
 */
final class MachineLock implements AutoCloseable {

    private static final Path FOLDER = Path.of("/run/lock/haul-itests");

    private final FileChannel channel;
    private final FileLock lock;

    private MachineLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits for the name, saying so when another run holds it. */
    static MachineLock acquire(String name, String by) throws IOException {
        Files.createDirectories(FOLDER);
        FileChannel channel = FileChannel.open(FOLDER.resolve(name + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            System.out.println(by + ": another run on this machine uses " + name + "; waiting for it to end");
            lock = channel.lock();
        }
        return new MachineLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
