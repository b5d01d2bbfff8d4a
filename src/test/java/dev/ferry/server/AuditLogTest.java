package dev.ferry.server;

import dev.ferry.testing.JsonLines;
import dev.ferry.transfer.ReceivedFile;
import dev.ferry.wire.ReplyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path dir;

    private static ReceivedFile stored(String name) {
        return new ReceivedFile(ReceivedFile.Verdict.STORED, name, name, 1234, SHA, "cp2", "alice", false,
                12_000_000, null, null);
    }

    @Test
    void writesOneStrictJsonLinePerFileWhateverTheName() throws Exception {
        List<String> names = List.of("quote\"d.txt", "back\\slash.txt", "accentué/日本語/😀.bin", "tab\there.txt",
                "bell\u0007.txt", "line\u2028separator.txt", "</script>{\"a\":1}.txt", "");
        Path file = dir.resolve(".ferry/audit.log");

        try (AuditLog audit = AuditLog.open(file, CLOCK)) {
            for (String name : names) {
                audit.record(stored(name), "/127.0.0.1:5000");
            }
        }

        List<Map<String, Object>> lines = JsonLines.read(file);
        assertThat(lines).extracting(line -> line.get("name")).containsExactlyElementsOf(names);
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(names.size());
    }

    @Test
    void aStoredFileHasEveryField() throws Exception {
        Path file = dir.resolve("audit.log");

        try (AuditLog audit = AuditLog.open(file, CLOCK)) {
            audit.record(new ReceivedFile(ReceivedFile.Verdict.STORED, "a/b.txt", "a/b (1).txt", 1234, SHA, "cp2",
                    "alice", false, 12_345_678, null, null), "/127.0.0.1:5000");
        }

        Map<String, Object> line = JsonLines.read(file).get(0);
        assertThat(line.keySet()).containsExactly("time", "outcome", "name", "stored_as", "size", "sha256",
                "protocol", "seed", "client", "peer", "status", "reason", "ms");
        assertThat(line).containsEntry("time", "2026-01-02T03:04:05.678Z").containsEntry("outcome", "stored")
                .containsEntry("name", "a/b.txt").containsEntry("stored_as", "a/b (1).txt")
                .containsEntry("size", 1234L).containsEntry("sha256", SHA).containsEntry("protocol", "cp2")
                .containsEntry("seed", false).containsEntry("client", "alice")
                .containsEntry("peer", "/127.0.0.1:5000").containsEntry("status", null)
                .containsEntry("reason", null).containsEntry("ms", 12L);
    }

    @Test
    void aRefusedFileHasItsStatusAndReasonAndNullsForWhatIsNotKnown() throws Exception {
        Path file = dir.resolve("audit.log");

        try (AuditLog audit = AuditLog.open(file, CLOCK)) {
            audit.record(new ReceivedFile(ReceivedFile.Verdict.REFUSED, "../etc/passwd", null, -1, null, "plain",
                    null, true, 0, ReplyStatus.BAD_REQUEST, "segment '..' is not allowed"), "/10.0.0.1:7");
        }

        Map<String, Object> line = JsonLines.read(file).get(0);
        assertThat(line).containsEntry("outcome", "refused").containsEntry("name", "../etc/passwd")
                .containsEntry("stored_as", null).containsEntry("size", null).containsEntry("sha256", null)
                .containsEntry("seed", true).containsEntry("client", null)
                .containsEntry("status", "BAD_REQUEST").containsEntry("reason", "segment '..' is not allowed");
    }

    @Test
    void appendsToTheLinesOfEarlierRuns() throws Exception {
        Path file = dir.resolve("audit.log");
        try (AuditLog audit = AuditLog.open(file, CLOCK)) {
            audit.record(stored("first"), "p");
        }

        try (AuditLog audit = AuditLog.open(file, CLOCK)) {
            audit.record(stored("second"), "p");
        }

        assertThat(JsonLines.read(file)).extracting(line -> line.get("name")).containsExactly("first", "second");
    }

    @Test
    void linesOfConcurrentConnectionsNeverInterleave() throws Exception {
        Path file = dir.resolve("audit.log");

        try (AuditLog audit = AuditLog.open(file, CLOCK)) {
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                int id = t;
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 250; i++) {
                        audit.record(stored("t" + id + "-" + i + "-" + "x".repeat(i * 7)), "p");
                    }
                });
                threads[t].start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }

        assertThat(JsonLines.read(file)).hasSize(1000);
    }
}
