package dev.ferry.server;

import dev.ferry.config.ConflictPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkpoints of partial files, which run beside the connection's writes. */
class PartialFilesTest {
    private static final String KEY = "ab".repeat(32);
    private static final int CHECKPOINT = 1024;

    @TempDir
    Path dir;

    @Test
    void recordsACheckpointInTheBackgroundWhileWritesGoOn() throws Exception {
        PartialFiles partials = new PartialFiles(dir, CHECKPOINT);
        PartialFiles.Partial partial = partials.claim(KEY);

        long size = write(partial, 3000);
        partial.written(size);
        awaitContent(dir.resolve(KEY + ".forced"), "3000");
        size += write(partial, 100);
        partial.written(size);

        assertThat(Files.readString(dir.resolve(KEY + ".forced"))).as("below the next checkpoint").isEqualTo("3000");
        partial.suspend(size);
        assertThat(Files.readString(dir.resolve(KEY + ".forced"))).isEqualTo("3100");
        assertThat(partials.claim(KEY).offset()).isEqualTo(3100);
    }

    @Test
    void aFailedBackgroundCheckpointFailsTheNextWriteAndTheFileIsNotKept() throws Exception {
        PartialFiles partials = new PartialFiles(dir, CHECKPOINT);
        PartialFiles.Partial partial = partials.claim(KEY);
        long size = write(partial, 2000);
        // The record cannot be written once its folder is gone: the checkpoint fails after the force.
        Path data = partial.data();
        Files.delete(data);
        Files.delete(dir);

        partial.written(size);
        long more = size + write(partial, 2000);

        awaitFailure(partial, more);
        Files.createDirectories(dir);
        partial.suspend(more);
        assertThat(listed(dir)).as("no record of bytes that may not be on disk").isEmpty();
        assertThat(partials.claim(KEY).offset()).isZero();
    }

    @Test
    void aFileWhoseBackgroundCheckpointFailedIsNotCommittedEvenWithoutAnotherWrite() throws Exception {
        Inbox inbox = new Inbox(dir.resolve("inbox"), ConflictPolicy.RENAME);
        Path partialDir = dir.resolve("partial");
        PartialFiles partials = new PartialFiles(partialDir, CHECKPOINT);
        PartialFiles.Partial partial = partials.claim(KEY);
        IncomingFile file = inbox.adopt(List.of("big.bin"), partial);
        // A folder where the checkpoint writes its record: the checkpoint fails after its force.
        Files.createDirectory(partialDir.resolve(KEY + ".forced.new"));
        file.write(ByteBuffer.wrap(new byte[3000]));

        assertThatThrownBy(file::commit).isInstanceOf(IOException.class).hasMessageContaining(".forced.new");

        assertThat(inbox.root().resolve("big.bin")).doesNotExist();
        assertThat(partialDir.resolve(KEY + ".part")).doesNotExist();
    }

    @Test
    void removingAFileWaitsForItsCheckpointSoNoRecordOutlivesIt() throws Exception {
        PartialFiles partials = new PartialFiles(dir, CHECKPOINT);
        PartialFiles.Partial partial = partials.claim(KEY);
        partial.written(write(partial, 5000));

        partial.delete();

        assertThat(listed(dir)).isEmpty();
    }

    private static long write(PartialFiles.Partial partial, int bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[bytes]);
        while (buffer.hasRemaining()) {
            partial.channel().write(buffer);
        }
        return bytes;
    }

    /** Writes go on until one of them reports the checkpoint's failure. */
    private static void awaitFailure(PartialFiles.Partial partial, long size) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                partial.written(size + CHECKPOINT);
            } catch (NoSuchFileException e) {
                return;
            }
            assertThat(System.nanoTime()).as("the checkpoint's failure reached a write").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void awaitContent(Path file, String content) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(file) || !Files.readString(file, StandardCharsets.US_ASCII).equals(content)) {
            assertThat(System.nanoTime()).as(file + " holds " + content).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static List<Path> listed(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.toList();
        }
    }
}
