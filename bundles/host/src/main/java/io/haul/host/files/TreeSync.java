package io.haul.host.files;

import io.haul.api.HaulException;
import io.haul.api.backend.FileSync;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's own folders sent ahead of the freeze in rounds ({@link FileSync}), each folder a
 * {@link TreeCopy}; GNU tar's records of what each round sent are kept in {@code state}, which never travels.
 */
public final class TreeSync implements FileSync {

    private final List<TreeCopy> trees;
    private final Path state;

    public TreeSync(List<TreeCopy> trees, Path state) {
        this.trees = List.copyOf(trees);
        this.state = state;
    }

    @Override
    public long round(int round, Path into) throws HaulException {
        long bytes = 0;
        for (TreeCopy tree : trees) {
            bytes += tree.packRound(round, into, state);
        }
        return bytes;
    }

    @Override
    public void last(Path images) throws HaulException {
        for (TreeCopy tree : trees) {
            tree.packLast(images, state);
        }
    }
}
