package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.criu.rpc.CriuOpts;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two folders of one CRIU call, as CRIU's RPC wants them: descriptors open in our process, which criu
 * (root) opens again as {@code /proc/<our pid>/fd/N}. The images folder holds the images; the work folder is
 * the log file's folder, because CRIU takes the log file as a bare name relative to its work folder. The
 * descriptors stay open until the call is over.
 */
final class CriuDirs implements AutoCloseable {

    /** CRIU's most detailed level short of tracing (runc uses it too): a failure's log says what went wrong. */
    static final int LOG_LEVEL = 4;

    private final Path logFile;
    private int imagesFd;
    private int workFd;

    private CriuDirs(Path logFile, int imagesFd, int workFd) {
        this.logFile = logFile;
        this.imagesFd = imagesFd;
        this.workFd = workFd;
    }

    /**
     * Opens the folders, creating the images folder when {@code createImages} (a dump) and the log's folder
     * always. A failure is reported with {@code code}.
     */
    static CriuDirs open(Path imageDir, Path logFile, boolean createImages, String code) throws HaulException {
        Path log = logFile.toAbsolutePath().normalize();
        Path images = imageDir.toAbsolutePath().normalize();
        if (log.getFileName() == null || log.getParent() == null) {
            throw new HaulException(code, "not a log file path: " + logFile);
        }
        int imagesFd = -1;
        try {
            Files.createDirectories(log.getParent());
            if (createImages) {
                Files.createDirectories(images);
            } else if (!Files.isDirectory(images)) {
                throw new HaulException(code, "no images folder " + images);
            }
            int flags = Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC;
            imagesFd = Syscalls.open(images.toString(), flags, 0);
            int workFd = Syscalls.open(log.getParent().toString(), flags, 0);
            return new CriuDirs(log, imagesFd, workFd);
        } catch (IOException e) {
            Syscalls.closeQuietly(imagesFd);
            throw new HaulException(code, "cannot open the folders for CRIU (" + images + ", " + log.getParent()
                    + "): " + e.getMessage(), e);
        }
    }

    /** The options every call shares: where the images are, where the log goes, how detailed. */
    CriuOpts.Builder options() {
        return CriuOpts.newBuilder()
                .setImagesDirFd(imagesFd)
                .setWorkDirFd(workFd)
                .setLogFile(logFile.getFileName().toString())
                .setLogLevel(LOG_LEVEL);
    }

    Path logFile() {
        return logFile;
    }

    @Override
    public void close() {
        Syscalls.closeQuietly(imagesFd);
        Syscalls.closeQuietly(workFd);
        imagesFd = -1;
        workFd = -1;
    }
}
