package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.haul.api.HaulException;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriuFailureTest {

    private static final String LOG = """
            (00.000000) Version: 4.2.1 (gitid 0)
            (00.067709) Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted
            (00.068027) Warn  (compel/src/lib/infect.c:132): Unable to interrupt task: 42 (No such process)
            (00.068030) Error (criu/files-reg.c:1790): Can't lookup mount=24 for fd=0 path=/dev/null
            (00.068035) 42: Error (criu/cr-dump.c:1545): Dump files (pid: 42) failed with -1
            (00.068042) Error (criu/cr-dump.c:1975): Dumping FAILED.
            """;

    @TempDir
    Path dir;

    @Test
    void theLogsLastErrorsWithoutTimesPlacesOrTheHarmlessRlimitOne() throws Exception {
        Path log = Files.writeString(dir.resolve("dump.log"), LOG);

        assertEquals(List.of("Can't lookup mount=24 for fd=0 path=/dev/null", "Dump files (pid: 42) failed with -1",
                "Dumping FAILED."), CriuFailure.logErrors(log));
    }

    @Test
    void aFailedAnswerNamesCriusMessageTheLogsEndTheErrnoAndTheLog() throws Exception {
        Path log = Files.writeString(dir.resolve("dump.log"), LOG);
        CriuResp answer = CriuResp.newBuilder().setType(CriuReqType.DUMP).setSuccess(false)
                .setCrErrmsg("Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted")
                .setCrErrno(3).build();

        HaulException failure = CriuFailure.of("criu.dump-failed", "CRIU dump of pid 42", answer, log);

        assertEquals("criu.dump-failed", failure.code());
        assertEquals(log.toString(), failure.logFile());
        assertEquals("CRIU dump of pid 42 failed: Can't lookup mount=24 for fd=0 path=/dev/null;"
                + " Dump files (pid: 42) failed with -1; Dumping FAILED. [ESRCH: No such process] (log: " + log + ")",
                failure.getMessage());
    }

    @Test
    void withoutALogTheAnswerAloneSpeaks() {
        CriuResp answer = CriuResp.newBuilder().setType(CriuReqType.CPUINFO_CHECK).setSuccess(false)
                .setCrErrmsg("Error (criu/arch/x86/cpu.c:411): cpu: No cpuinfo image").build();

        HaulException failure = CriuFailure.of("criu.cpuinfo-mismatch", "check", answer, dir.resolve("none.log"));

        assertNull(failure.logFile());
        assertEquals("check failed: cpu: No cpuinfo image", failure.getMessage());
    }
}
