package dev.ferry.server;

import dev.ferry.config.ConflictPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A server that dies between publishing a file and recording its receipt recovers the receipt at start. */
class CommitRecoveryTest {
    private static final String RECEIPT = "ab".repeat(32);

    @TempDir
    Path root;

    private static void write(IncomingFile file, String text) throws IOException {
        file.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private long markers() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve(".ferry/tmp"))) {
            return files.filter(p -> p.toString().endsWith(".committing")).count();
        }
    }

    @Test
    void aPublishedFileWhoseReceiptWasNotRecordedIsFoundAgain() throws Exception {
        Inbox before = new Inbox(root, ConflictPolicy.RENAME);
        IncomingFile file = before.begin(List.of("docs", "report.pdf"));
        write(file, "content");
        StoredFile stored = file.commit(null, RECEIPT);
        // The server dies here: receiptRecorded() never runs.

        Inbox after = new Inbox(root, ConflictPolicy.RENAME);
        List<Inbox.Recovered> recovered = after.recoverCommitted();

        assertThat(stored.relativeName()).isEqualTo("docs/report.pdf");
        assertThat(recovered).hasSize(1);
        assertThat(recovered.get(0).receipt()).isEqualTo(RECEIPT);
        assertThat(recovered.get(0).relativeName()).isEqualTo("docs/report.pdf");
        after.forget(recovered.get(0).marker());
        assertThat(markers()).isZero();
        assertThat(root.resolve("docs/report.pdf")).hasContent("content");
    }

    @Test
    void aRecordedReceiptLeavesNoMarker() throws Exception {
        Inbox inbox = new Inbox(root, ConflictPolicy.RENAME);
        IncomingFile file = inbox.begin(List.of("a.txt"));
        write(file, "x");

        file.commit(null, RECEIPT);
        file.receiptRecorded();

        assertThat(markers()).isZero();
        assertThat(new Inbox(root, ConflictPolicy.RENAME).recoverCommitted()).isEmpty();
    }

    @Test
    void aMarkerThatWasNeverPublishedIsRemovedWithoutAReceipt() throws Exception {
        new Inbox(root, ConflictPolicy.RENAME);
        Files.writeString(root.resolve(".ferry/tmp/" + RECEIPT + ".0011223344556677.committing"), "never linked");

        List<Inbox.Recovered> recovered = new Inbox(root, ConflictPolicy.RENAME).recoverCommitted();

        assertThat(recovered).isEmpty();
        assertThat(markers()).isZero();
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(Inbox.WORK_DIR);
        }
    }
}
