package io.haul.host.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder sent in rounds ahead of the freeze and then its last changes arrives as it is at the freeze. */
class TreeCopyTest {

    @TempDir
    Path work;

    @Test
    void theChangesAfterTheFirstCopyArriveAndNothingElseTravelsAgain() throws Exception {
        Path source = Files.createDirectories(work.resolve("source"));
        Path ahead = Files.createDirectories(work.resolve("ahead"));
        Path images = Files.createDirectories(work.resolve("images"));
        byte[] big = new byte[4 << 20];
        new Random(7).nextBytes(big);
        Files.write(source.resolve("big.bin"), big);
        // a round resends what changed just before it (see TarSnapshot): the time to let pass is the point
        Thread.sleep(3 * TarSnapshot.MARGIN.toMillis());
        Files.writeString(source.resolve("counter"), "1\n");
        Files.createDirectories(source.resolve("sub"));
        Files.writeString(source.resolve("sub/gone"), "deleted after the first copy\n");
        TreeCopy tree = new TreeCopy("layer", source);
        Path state = work.resolve("state");

        long first = tree.packRound(1, ahead, state);
        // at once, the same size: its time may read as before the round's start (the kernel's coarse clock)
        Files.writeString(source.resolve("counter"), "2\n");
        Files.delete(source.resolve("sub/gone"));
        long second = tree.packRound(2, ahead, state);
        Files.writeString(source.resolve("sub/new"), "made after the second round\n");
        tree.packLast(images, state);

        assertTrue(first > big.length, "the first round carries the whole folder: " + first);
        assertTrue(second < big.length / 4, "the second round carries only what changed: " + second);
        assertTrue(Files.size(images.resolve("haul-fs-layer.tar")) < big.length / 4,
                "the unchanged 4 MiB file did not travel again: " + Files.size(images.resolve("haul-fs-layer.tar")));
        for (String round : new String[] {"haul-fs-layer.ahead-1.tar", "haul-fs-layer.ahead-2.tar"}) {
            Files.move(ahead.resolve(round), images.resolve(round)); // as received
        }
        Path target = Files.createDirectories(work.resolve("target"));
        TreeCopy.unpack("layer", images, target);

        assertEquals(contents(source), contents(target), "the folder as it was at the freeze");
        assertArrayEquals(big, Files.readAllBytes(target.resolve("big.bin")));
        assertFalse(Files.exists(target.resolve("sub/gone")), "what was deleted meanwhile is deleted");
    }

    @Test
    void withoutAFirstCopyTheWholeFolderTravelsAtTheFreeze() throws Exception {
        Path source = Files.createDirectories(work.resolve("source"));
        Files.writeString(source.resolve("file"), "content\n");
        Path images = Files.createDirectories(work.resolve("images"));
        new TreeCopy("volume-data", source).packLast(images, work.resolve("no-rounds"));
        Path target = Files.createDirectories(work.resolve("target"));
        TreeCopy.unpack("volume-data", images, target);
        assertEquals(contents(source), contents(target));
    }

    @Test
    void aTreeTheSourceDidNotSendIsNamed() {
        HaulException e = assertThrows(HaulException.class, () -> TreeCopy.unpack("layer", work, work));
        assertTrue(e.getMessage().contains("'layer'"), e.getMessage());
    }

    @Test
    void namesThatCouldLeaveTheFolderAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TreeCopy("../x", work));
        assertThrows(IllegalArgumentException.class, () -> new TreeCopy("a/b", work));
    }

    private static TreeMap<String, String> contents(Path root) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                files.put(key, Files.isDirectory(p) ? "dir" : Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p))));
            }
        }
        return files;
    }
}
