package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxLockTest {

    /** A second process: "hold" locks the file and keeps it until stdin closes; "probe" prints held or free. */
    private static final String OTHER_PROCESS = """
            import java.nio.ByteBuffer;
            import java.nio.channels.FileChannel;
            import java.nio.channels.FileLock;
            import java.nio.file.Path;
            import static java.nio.file.StandardOpenOption.*;
            public class OtherClient {
                public static void main(String[] args) throws Exception {
                    try (FileChannel channel = FileChannel.open(Path.of(args[1]), CREATE, READ, WRITE)) {
                        FileLock lock = channel.tryLock();
                        if (args[0].equals("probe")) {
                            System.out.println(lock == null ? "held" : "free");
                            return;
                        }
                        channel.truncate(0);
                        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\\n").getBytes()), 0);
                        System.out.println("locked");
                        System.out.flush();
                        System.in.read();
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void secondAcquireOnTheSameOutboxFailsWithAClearMessage() throws IOException {
        Path outbox = dir.resolve("outbox");

        OutboxLock first = OutboxLock.acquire(outbox);
        try {
            assertThatThrownBy(() -> OutboxLock.acquire(outbox))
                    .isInstanceOf(OutboxLockedException.class)
                    .hasMessageContaining("another Ferry client already uses outbox " + outbox)
                    .hasMessageContaining("lock file " + outbox.resolve(".ferry-client.lock"))
                    .hasMessageContaining("held by pid " + ProcessHandle.current().pid());
        } finally {
            first.close();
        }
    }

    @Test
    void acquireSucceedsAgainAfterClose() throws IOException {
        Path outbox = dir.resolve("outbox");
        OutboxLock first = OutboxLock.acquire(outbox);
        first.close();
        first.close();

        try (OutboxLock second = OutboxLock.acquire(outbox)) {
            assertThat(second).isNotNull();
        }
    }

    @Test
    void writesOurPidIntoTheLockFile() throws IOException {
        Path outbox = dir.resolve("outbox");

        // Read after close: opening the lock file in this process while locked would drop the lock.
        OutboxLock.acquire(outbox).close();

        assertThat(Files.readString(outbox.resolve(".ferry-client.lock")).trim())
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }

    @Test
    void refusedSecondAcquireLeavesTheLockHeldForOtherProcesses() throws Exception {
        Path outbox = dir.resolve("outbox");

        OutboxLock first = OutboxLock.acquire(outbox);
        try {
            assertThatThrownBy(() -> OutboxLock.acquire(outbox)).isInstanceOf(OutboxLockedException.class);

            assertThat(otherProcess("probe", outbox)).isEqualTo("held");
        } finally {
            first.close();
        }
        assertThat(otherProcess("probe", outbox)).isEqualTo("free");
    }

    @Test
    void lockHeldByAnotherProcessIsRefusedWithItsPid() throws Exception {
        Path outbox = Files.createDirectories(dir.resolve("outbox"));
        Process other = start("hold", outbox);
        try {
            assertThat(firstLine(other)).isEqualTo("locked");

            assertThatThrownBy(() -> OutboxLock.acquire(outbox))
                    .isInstanceOf(OutboxLockedException.class)
                    .hasMessageContaining("another Ferry client already uses outbox " + outbox)
                    .hasMessageContaining("held by pid " + other.pid());
        } finally {
            other.getOutputStream().close();
            stop(other);
        }
        try (OutboxLock lock = OutboxLock.acquire(outbox)) {
            assertThat(lock).isNotNull();
        }
    }

    private Process start(String mode, Path outbox) throws IOException {
        Path source = dir.resolve("OtherClient.java");
        if (!Files.exists(source)) {
            Files.writeString(source, OTHER_PROCESS);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, source.toString(), mode, outbox.resolve(".ferry-client.lock").toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private String otherProcess(String mode, Path outbox) throws Exception {
        Process process = start(mode, outbox);
        try {
            return firstLine(process);
        } finally {
            stop(process);
        }
    }

    private static String firstLine(Process process) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine());
    }

    private static void stop(Process process) throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
