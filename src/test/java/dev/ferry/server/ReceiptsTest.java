package dev.ferry.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class ReceiptsTest {
    @TempDir
    Path dir;

    private static byte[] id(int n) {
        byte[] id = new byte[32];
        id[0] = (byte) n;
        id[31] = (byte) (n >> 8);
        return id;
    }

    private static Clock at(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Test
    void findsWhatItRecordedAcrossARestart() throws IOException {
        Path file = dir.resolve("receipts.log");
        try (Receipts receipts = Receipts.open(file, Duration.ofDays(7), at(1_000_000))) {
            receipts.record(id(1), "docs/a file ü.txt");
            receipts.record(id(2), "b.bin");

            assertThat(receipts.find(id(1))).contains("docs/a file ü.txt");
            assertThat(receipts.find(id(3))).isEmpty();
        }

        try (Receipts reopened = Receipts.open(file, Duration.ofDays(7), at(2_000_000))) {
            assertThat(reopened.find(id(1))).contains("docs/a file ü.txt");
            assertThat(reopened.find(id(2))).contains("b.bin");
            assertThat(reopened.size()).isEqualTo(2);
        }
    }

    @Test
    void dropsReceiptsOlderThanTheRetentionAndMalformedLines() throws IOException {
        Path file = dir.resolve("receipts.log");
        try (Receipts receipts = Receipts.open(file, Duration.ofDays(7), at(0))) {
            receipts.record(id(1), "old.txt");
        }
        try (Receipts receipts = Receipts.open(file, Duration.ofDays(7), at(Duration.ofDays(6).toMillis()))) {
            receipts.record(id(2), "newer.txt");
        }
        Files.writeString(file, "not a receipt\n" + "zz 1 abc\n", java.nio.file.StandardOpenOption.APPEND);

        try (Receipts receipts = Receipts.open(file, Duration.ofDays(7), at(Duration.ofDays(8).toMillis()))) {
            assertThat(receipts.find(id(1))).isEmpty();
            assertThat(receipts.find(id(2))).contains("newer.txt");
            assertThat(receipts.size()).isEqualTo(1);
        }
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    @Test
    void aTornLastLineFromACrashIsIgnored() throws IOException {
        Path file = dir.resolve("receipts.log");
        try (Receipts receipts = Receipts.open(file, Duration.ofDays(7), at(1000))) {
            receipts.record(id(1), "kept.txt");
        }
        String whole = Files.readString(file);
        Files.writeString(file, whole + whole.substring(0, 20));

        try (Receipts receipts = Receipts.open(file, Duration.ofDays(7), at(2000))) {
            assertThat(receipts.find(id(1))).contains("kept.txt");
            assertThat(receipts.size()).isEqualTo(1);
        }
    }
}
