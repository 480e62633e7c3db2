package io.haul.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.host.CriuSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriuLocatorTest {

    @TempDir
    Path dir;

    private Path fake(String relative, boolean executable) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\necho fake\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        return file;
    }

    private CriuLocator locator(String configured, String pathVariable, Path... systemDirs) {
        return new CriuLocator(configured, dir.resolve("prefix"), pathVariable, List.of(systemDirs));
    }

    @Test
    void configurationWinsOverPrefixAndPath() throws IOException {
        Path configured = fake("configured/criu", true);
        fake("prefix/bin/criu", true);
        fake("path/criu", true);

        CriuLocator.Location location = locator(configured.toString(), dir.resolve("path").toString()).locate();

        assertEquals(CriuSource.CONFIGURATION, location.source());
        assertEquals(configured, location.path());
    }

    @Test
    void aConfiguredPathThatDoesNotExistIsNotFoundAndNamesThePath() throws IOException {
        fake("prefix/bin/criu", true);
        fake("path/criu", true);
        String missing = dir.resolve("nowhere/criu").toString();

        CriuLocator.Location location = locator(missing, dir.resolve("path").toString()).locate();

        assertEquals(CriuSource.NOT_FOUND, location.source());
        assertNull(location.path());
        assertTrue(location.detail().contains(missing), location.detail());
    }

    @Test
    void aConfiguredFileThatIsNotExecutableIsNotFound() throws IOException {
        Path configured = fake("configured/criu", false);
        fake("prefix/bin/criu", true);

        CriuLocator.Location location = locator(configured.toString(), "").locate();

        assertEquals(CriuSource.NOT_FOUND, location.source());
        assertTrue(location.detail().contains("not an executable"), location.detail());
    }

    @Test
    void prefixComesBeforePath() throws IOException {
        Path inPrefix = fake("prefix/bin/criu", true);
        fake("path/criu", true);

        CriuLocator.Location location = locator("", dir.resolve("path").toString()).locate();

        assertEquals(CriuSource.HAUL_PREFIX, location.source());
        assertEquals(inPrefix, location.path());
    }

    @Test
    void pathIsSearchedInOrderSkippingNonExecutablesThenSystemDirs() throws IOException {
        fake("prefix/bin/criu", false);
        fake("first/criu", false);
        Path second = fake("second/criu", true);
        fake("sbin/criu", true);
        String path = dir.resolve("missing") + "::" + dir.resolve("first") + ":" + dir.resolve("second");

        CriuLocator.Location location = locator("", path, dir.resolve("sbin")).locate();

        assertEquals(CriuSource.PATH, location.source());
        assertEquals(second, location.path());
    }

    @Test
    void systemDirsAreSearchedAfterPath() throws IOException {
        Path sbin = fake("sbin/criu", true);

        CriuLocator.Location location = locator("", dir.resolve("empty").toString(), dir.resolve("sbin")).locate();

        assertEquals(CriuSource.PATH, location.source());
        assertEquals(sbin, location.path());
    }

    @Test
    void nothingAnywhereIsNotFoundSayingWhereItLooked() {
        CriuLocator.Location location = locator("", dir.resolve("path").toString(), dir.resolve("sbin")).locate();

        assertEquals(CriuSource.NOT_FOUND, location.source());
        assertTrue(location.detail().contains(dir.resolve("prefix/bin/criu").toString()), location.detail());
        assertTrue(location.detail().contains(dir.resolve("sbin").toString()), location.detail());
    }

    @Test
    void prefixFromPropertyThenEnvironmentThenDefault() {
        Map<String, String> property = Map.of(CriuLocator.PREFIX_PROPERTY, "/p");
        Map<String, String> env = Map.of(CriuLocator.PREFIX_ENV, "/e");

        assertEquals(Path.of("/p"), CriuLocator.prefix(property::get, env::get));
        assertEquals(Path.of("/e"), CriuLocator.prefix(k -> null, env::get));
        assertEquals(Path.of("/opt/haul/criu"), CriuLocator.prefix(k -> null, k -> null));
        assertEquals(Path.of("/e"), CriuLocator.prefix(k -> " ", env::get));
    }
}
