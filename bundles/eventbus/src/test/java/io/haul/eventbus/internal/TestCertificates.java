package io.haul.eventbus.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Certificates made by runtime/setup/make-certs.sh, as an agent's are: folders with ca.pem, agent.pem, agent.key. */
final class TestCertificates {

    private TestCertificates() {
    }

    /** A certificate for {@code name} signed by the CA in {@code dir/caName} (made on first use). */
    static Path make(Path dir, String caName, String name) throws IOException, InterruptedException {
        String script = System.getProperty("haul.make-certs");
        assumeTrue(script != null && commandExists("openssl"), "make-certs.sh and openssl make the test's certificates");
        Path out = dir.resolve(caName + "-" + name);
        Process process = new ProcessBuilder("bash", script, dir.resolve(caName).toString(), name, out.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("make-certs.sh failed: " + output);
        }
        return out;
    }

    private static boolean commandExists(String name) {
        try {
            return new ProcessBuilder(name, "version").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
