package dev.ferry.client;

import dev.ferry.config.AfterSendMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AfterSendTest {

    @TempDir
    Path dir;

    private Path outbox() throws IOException {
        return Files.createDirectories(dir.resolve("outbox"));
    }

    private OutboxFile write(Path outbox, String relativeName, String content) throws IOException {
        Path path = outbox.resolve(relativeName);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new OutboxFile(path, relativeName, attrs.size(), attrs.lastModifiedTime().toMillis());
    }

    private AfterSend afterSend(Path outbox, AfterSendMode mode) {
        return new AfterSend(outbox, mode, outbox.resolve(".sent"), outbox.resolve(".failed"));
    }

    @Test
    void deleteModeDeletesTheDeliveredFile() throws IOException {
        Path outbox = outbox();
        OutboxFile file = write(outbox, "sub/a.txt", "hello");

        afterSend(outbox, AfterSendMode.DELETE).delivered(file);

        assertThat(file.path()).doesNotExist();
        assertThat(outbox.resolve(".sent")).doesNotExist();
    }

    @Test
    void archiveModeKeepsTheSubFolderAndNumbersNameCollisions() throws IOException {
        Path outbox = outbox();
        AfterSend afterSend = afterSend(outbox, AfterSendMode.ARCHIVE);

        afterSend.delivered(write(outbox, "sub/report.pdf", "first"));
        afterSend.delivered(write(outbox, "sub/report.pdf", "second"));
        afterSend.delivered(write(outbox, "sub/report.pdf", "third"));

        Path archived = outbox.resolve(".sent/sub");
        assertThat(archived.resolve("report.pdf")).hasContent("first");
        assertThat(archived.resolve("report (1).pdf")).hasContent("second");
        assertThat(archived.resolve("report (2).pdf")).hasContent("third");
        assertThat(outbox.resolve("sub/report.pdf")).doesNotExist();
    }

    @Test
    void failedMovesTheFileAsideWithAReasonNote() throws IOException {
        Path outbox = outbox();
        OutboxFile file = write(outbox, "sub/x.bin", "payload");

        afterSend(outbox, AfterSendMode.DELETE).failed(file, "server refused the name: reserved word");

        Path failed = outbox.resolve(".failed/sub/x.bin");
        assertThat(failed).hasContent("payload");
        assertThat(file.path()).doesNotExist();
        String note = Files.readString(outbox.resolve(".failed/sub/x.bin.reason"), StandardCharsets.UTF_8);
        assertThat(note)
                .contains("time: ")
                .contains("file: sub/x.bin")
                .contains("reason: server refused the name: reserved word")
                .contains("fix the cause and move the file back into the outbox");
    }

    @Test
    void secondFailureOfTheSameNameGetsItsOwnNumberedFileAndNote() throws IOException {
        Path outbox = outbox();
        AfterSend afterSend = afterSend(outbox, AfterSendMode.ARCHIVE);

        afterSend.failed(write(outbox, "x.bin", "one"), "first reason");
        afterSend.failed(write(outbox, "x.bin", "two"), "second reason");

        assertThat(outbox.resolve(".failed/x.bin")).hasContent("one");
        assertThat(outbox.resolve(".failed/x (1).bin")).hasContent("two");
        assertThat(Files.readString(outbox.resolve(".failed/x.bin.reason"))).contains("first reason");
        assertThat(Files.readString(outbox.resolve(".failed/x (1).bin.reason"))).contains("second reason");
    }

    @Test
    void sourceAlreadyGoneIsLoggedAndIgnored() throws IOException {
        Path outbox = outbox();
        OutboxFile file = write(outbox, "gone.txt", "x");
        Files.delete(file.path());

        try (CapturedLog log = new CapturedLog(AfterSend.class)) {
            afterSend(outbox, AfterSendMode.ARCHIVE).delivered(file);
            afterSend(outbox, AfterSendMode.DELETE).delivered(file);
            afterSend(outbox, AfterSendMode.DELETE).failed(file, "refused");

            assertThat(log.lines(Level.WARN, "source already gone", "gone.txt")).hasSize(3);
        }
        assertThat(outbox.resolve(".sent")).doesNotExist();
        assertThat(outbox.resolve(".failed")).doesNotExist();
    }

    @Test
    void fileChangedSinceHandOverIsLeftInTheOutbox() throws IOException {
        Path outbox = outbox();
        OutboxFile file = write(outbox, "a.txt", "old");
        Files.writeString(file.path(), "new and longer");

        afterSend(outbox, AfterSendMode.DELETE).delivered(file);

        assertThat(file.path()).hasContent("new and longer");
    }

    @Test
    void rejectsAFileOutsideTheOutbox() throws IOException {
        Path outbox = outbox();
        OutboxFile stranger = write(dir, "elsewhere/a.txt", "x");

        assertThatThrownBy(() -> afterSend(outbox, AfterSendMode.DELETE).delivered(stranger))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not inside the outbox");
        assertThat(stranger.path()).exists();
    }

    @Test
    void numbersGoBeforeTheExtension() {
        assertThat(AfterSend.numbered("report.pdf", 2)).isEqualTo("report (2).pdf");
        assertThat(AfterSend.numbered("a.tar.gz", 1)).isEqualTo("a.tar (1).gz");
        assertThat(AfterSend.numbered("README", 1)).isEqualTo("README (1)");
        assertThat(AfterSend.numbered(".profile", 1)).isEqualTo(".profile (1)");
    }
}
