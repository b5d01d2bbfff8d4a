package dev.ferry.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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

    private ControlledForce ledger;

    private Receipts openControlled(Path file) throws IOException {
        return Receipts.open(file, Duration.ofDays(7), at(1000), f -> {
            ledger = new ControlledForce(FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
            return ledger;
        });
    }

    private static CompletableFuture<Void> recordAsync(Receipts receipts, int n, String name) {
        return CompletableFuture.runAsync(() -> {
            try {
                receipts.record(id(n), name);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void receiptsWrittenDuringAForceShareTheNextForce() throws Exception {
        try (Receipts receipts = openControlled(dir.resolve("receipts.log"))) {
            ledger.hold();
            CompletableFuture<Void> first = recordAsync(receipts, 1, "one");
            await().atMost(Duration.ofSeconds(10)).until(() -> ledger.forcing.get() == 1);
            CompletableFuture<Void> second = recordAsync(receipts, 2, "two");
            CompletableFuture<Void> third = recordAsync(receipts, 3, "three");
            await().atMost(Duration.ofSeconds(10)).until(() -> ledger.writes.get() == 3);

            ledger.release();
            CompletableFuture.allOf(first, second, third).get(10, TimeUnit.SECONDS);

            assertThat(ledger.forces.get()).as("one force for the first, one shared by the other two").isEqualTo(2);
            assertThat(receipts.find(id(2))).contains("two");
            assertThat(receipts.find(id(3))).contains("three");
        }
    }

    @Test
    void aReceiptIsNeitherAcknowledgedNorFoundBeforeTheForceThatCoversIt() throws Exception {
        try (Receipts receipts = openControlled(dir.resolve("receipts.log"))) {
            ledger.hold();

            CompletableFuture<Void> pending = recordAsync(receipts, 1, "one");
            await().atMost(Duration.ofSeconds(10)).until(() -> ledger.forcing.get() == 1);

            assertThat(ledger.writes.get()).as("the line is written").isEqualTo(1);
            assertThat(pending).as("record() has not returned: no REPLY may go out yet").isNotDone();
            assertThat(receipts.find(id(1))).isEmpty();
            ledger.release();
            pending.get(10, TimeUnit.SECONDS);
            assertThat(receipts.find(id(1))).contains("one");
        }
    }

    @Test
    void aFailedForceFailsEveryReceiptWrittenBeforeItEndedAndTrustsLaterOnes() throws Exception {
        try (Receipts receipts = openControlled(dir.resolve("receipts.log"))) {
            ledger.hold();
            ledger.fail.set(true);
            CompletableFuture<Void> first = recordAsync(receipts, 1, "one");
            await().atMost(Duration.ofSeconds(10)).until(() -> ledger.forcing.get() == 1);
            // Written while the failing force runs: its page may be dropped with the failure.
            CompletableFuture<Void> second = recordAsync(receipts, 2, "two");
            await().atMost(Duration.ofSeconds(10)).until(() -> ledger.writes.get() == 2);

            ledger.release();

            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("injected fsync failure");
            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("is not trusted");
            assertThat(ledger.forces.get()).as("the second receipt is not forced again on trust").isEqualTo(1);
            assertThat(receipts.find(id(1))).isEmpty();
            assertThat(receipts.find(id(2))).isEmpty();

            ledger.fail.set(false);
            receipts.record(id(3), "three");

            assertThat(receipts.find(id(3))).contains("three");
            assertThat(receipts.find(id(1))).isEmpty();
        }
    }
}
