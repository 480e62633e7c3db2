package io.haul.pages;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Throughput of the page machinery, printed in MB/s (10^6 bytes of pages a second of wall time) and in MB per
 * second of the process's CPU time (what it would do without other load; for pipelined runs, its cost), the
 * best of several runs each (the CPU figure: over all runs).
 * Not a test (surefire runs *Test only). Run from bundles/pages after a build:
 * <pre>
 *   mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 *   java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.haul.pages.PagesBenchmark [MiB] [folder]
 * </pre>
 * Add {@code -Dhaul.pages.lz4=java} for the pure-Java LZ4.
 */
public final class PagesBenchmark {

    private static final int PAGE = PageHasher.PAGE_SIZE;
    private static final int RUNS = 9;

    private PagesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int recipeMiB = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        Path folder = args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir"));
        System.out.printf("%s, %d processors, LZ4 %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                PageCodec.lz4Implementation());

        int pages = 16_384; // 64 MiB of pages in memory
        byte[] typical = new byte[pages * PAGE];
        byte[] random = new byte[pages * PAGE];
        byte[] zeros = new byte[pages * PAGE];
        for (int i = 0; i < pages; i++) {
            TestPages.typical(i, typical, i * PAGE);
            TestPages.random(i, random, i * PAGE);
        }
        long bytes = (long) pages * PAGE;

        PageHasher hasher = new PageHasher();
        report("SHA-256 page hash", bytes, () -> {
            for (int i = 0; i < pages; i++) {
                hasher.hash(typical, i * PAGE);
            }
        });
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        report("SHA-256 of a whole buffer", bytes, () -> sha.update(typical));
        report("zero check, zero pages", bytes, () -> {
            for (int i = 0; i < pages; i++) {
                if (!PageHasher.isZero(zeros, i * PAGE)) {
                    throw new AssertionError();
                }
            }
        });
        report("zero check, non-zero pages (early exit)", bytes, () -> {
            for (int i = 0; i < pages; i++) {
                if (PageHasher.isZero(typical, i * PAGE)) {
                    throw new AssertionError();
                }
            }
        });

        // real pages of code and data: the JVM's own library, its non-zero pages
        byte[] library = Files.readAllBytes(Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so"));
        int libraryPages = 0;
        for (int i = 0; i + PAGE <= library.length; i += PAGE) {
            if (!PageHasher.isZero(library, i)) {
                System.arraycopy(library, i, library, libraryPages++ * PAGE, PAGE);
            }
        }

        PageCodec codec = new PageCodec();
        for (var entry : new Object[][] {{"synthetic heap", typical, pages}, {"libjvm.so", library, libraryPages},
                {"random", random, pages}}) {
            String kind = (String) entry[0];
            byte[] source = (byte[]) entry[1];
            int count = (int) entry[2];
            long size = (long) count * PAGE;
            byte[] encoded = new byte[count * PageCodec.MAX_ENCODED_BYTES];
            int[] length = new int[1];
            report("encode (LZ4) " + kind + " pages", size, () -> {
                int at = 0;
                for (int i = 0; i < count; i++) {
                    at += codec.encode(source, i * PAGE, encoded, at);
                }
                length[0] = at;
            });
            System.out.printf("    %d %s pages encode to %.1f%% of their size%n", count, kind, 100.0 * length[0] / size);
            byte[] back = new byte[PAGE];
            report("decode (LZ4) " + kind + " pages", size, () -> {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded, 0, length[0]));
                for (int i = 0; i < count; i++) {
                    codec.decode(in, back, 0);
                }
            });
        }

        recipes(recipeMiB, folder);
    }

    /** A page image of {@code mib} MiB, 70% of it held by the destination, 10% zero, 20% new (typical and random). */
    private static void recipes(int mib, Path folder) throws Exception {
        Path dir = Files.createTempDirectory(folder, "haul-pages-bench");
        try {
            Path image = dir.resolve("pages-1.img");
            int pages = mib * 256;
            Set<PageHash> held = ConcurrentHashMap.newKeySet();
            SplittableRandom random = new SplittableRandom(1);
            PageHasher hasher = new PageHasher();
            byte[][] heldPages = new byte[pages][];
            try (OutputStream out = Files.newOutputStream(image)) {
                byte[] page = new byte[PAGE];
                for (int i = 0; i < pages; i++) {
                    int roll = random.nextInt(100);
                    if (roll < 10) {
                        Arrays.fill(page, (byte) 0);
                    } else if (roll < 15) {
                        TestPages.random(i, page, 0);
                    } else {
                        TestPages.typical(i, page, 0);
                    }
                    if (roll >= 30) {
                        held.add(hasher.hash(page));
                        heldPages[i] = page.clone();
                    }
                    out.write(page);
                }
            }
            long bytes = Files.size(image);
            System.out.printf("recipe of a %d MiB image (70%% held, 10%% zero, 5%% new random, 15%% new typical):%n", mib);
            ByteArrayOutputStream recipe = new ByteArrayOutputStream(64 << 20);
            PageRecipeWriter.Stats[] stats = new PageRecipeWriter.Stats[1];
            for (int threads : new int[] {0, 1, 2}) {
                report("  write, " + threads + " hashing threads", bytes, () -> {
                    recipe.reset();
                    stats[0] = new PageRecipeWriter(held::contains, threads).write(image, recipe);
                });
            }
            System.out.println("    " + stats[0]);
            report("  baseline: read the file, SHA-256 it", bytes, () -> {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(Files.readAllBytes(image));
            });

            byte[] wire = recipe.toByteArray();
            for (long budget : new long[] {1L << 30, 0}) {
                try (PageStore store = new PageStore(budget, dir.resolve("spill"))) {
                    for (byte[] page : heldPages) {
                        if (page != null) {
                            store.put(hasher.hash(page), page);
                        }
                    }
                    String where = budget == 0 ? "spilled" : "in memory";
                    for (boolean pipelined : new boolean[] {false, true}) {
                        report("  read (store " + where + "), " + (pipelined ? "pipelined" : "one thread"), bytes, () -> {
                            Path target = dir.resolve("rebuilt.img");
                            Files.deleteIfExists(target);
                            new PageRecipeReader(store, pipelined)
                                    .read(new BufferedInputStream(new ByteArrayInputStream(wire), 1 << 16), target);
                        });
                    }
                    if (Files.mismatch(image, dir.resolve("rebuilt.img")) != -1) {
                        throw new AssertionError("the rebuilt image differs");
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static void report(String what, long bytes, Body body) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        body.run(); // warm-up
        double best = 0;
        long cpu = os.getProcessCpuTime();
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            body.run();
            best = Math.max(best, bytes / ((System.nanoTime() - start) / 1e9) / 1e6);
        }
        cpu = os.getProcessCpuTime() - cpu;
        System.out.printf("  %-45s %8.0f MB/s %8.0f MB per CPU-second%n", what, best, RUNS * bytes / (cpu / 1e9) / 1e6);
    }
}
