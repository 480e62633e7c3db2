package io.haul.pages.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * The built bundle inside a real Felix 7, as the runtime has it: it resolves on its own (LZ4 is embedded), and
 * its codec loads LZ4's JNI library from the bundle's class loader and round-trips a page.
 */
class PagesInFelixIT {

    private static Framework framework;
    private static Bundle pages;

    @BeforeAll
    static void boot() throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, System.getProperty("haul.felix.storage", "target/felix-it"));
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_BOOTDELEGATION, "sun.*"); // as in runtime/haul.bndrun
        framework = new FrameworkFactory().newFramework(props);
        framework.start();
        String jar = System.getProperty("haul.pages.bundle");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the bundle is built: " + jar);
        pages = framework.getBundleContext().installBundle(Path.of(jar).toUri().toString());
        pages.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(30_000);
        }
    }

    @Test
    void theBundleResolvesAloneAndItsCodecRoundTripsAPageWithJni() throws Exception {
        assertEquals(Bundle.ACTIVE, pages.getState());
        Class<?> codecClass = pages.loadClass("io.haul.pages.PageCodec");
        assertNotSame(getClass().getClassLoader(), codecClass.getClassLoader(), "the bundle's own class");
        String implementation = (String) codecClass.getMethod("lz4Implementation").invoke(null);
        System.out.println("LZ4 inside Felix: " + implementation);
        if ("amd64".equals(System.getProperty("os.arch")) || "aarch64".equals(System.getProperty("os.arch"))) {
            assertTrue(implementation.startsWith("JNI"), implementation);
        }

        byte[] page = new byte[4096];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (i % 64 < 20 ? i * 7 : 0);
        }
        Object codec = codecClass.getConstructor().newInstance();
        byte[] encoded = new byte[4097];
        int n = (int) codecClass.getMethod("encode", byte[].class, int.class, byte[].class, int.class)
                .invoke(codec, page, 0, encoded, 0);
        assertTrue(n < 1000, "compressed to " + n);
        byte[] back = new byte[4096];
        Object kind = codecClass.getMethod("decode", DataInput.class, byte[].class, int.class)
                .invoke(codec, new DataInputStream(new ByteArrayInputStream(encoded, 0, n)), back, 0);
        assertEquals("LZ4", kind.toString());
        assertArrayEquals(page, back);
    }
}
