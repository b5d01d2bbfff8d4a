package dev.ferry.server;

import dev.ferry.config.ConflictPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What {@link IncomingFile} forces, and what it does when forcing its data to disk fails: after a failed fsync the
 * kernel may already have dropped the dirty pages and cleared the error, so a second fsync on the
 * same descriptor can succeed without the data being on disk. The file must be given up, never
 * forced again; the client is answered UNAVAILABLE and sends the whole file again.
 */
class IncomingFileTest {
    @TempDir
    Path dir;

    @Test
    void aFailedForceAbandonsTheFileAndNeverForcesItsDescriptorAgain() throws Exception {
        Inbox inbox = new Inbox(dir.resolve("inbox"), ConflictPolicy.RENAME);
        Path temp = inbox.root().resolve(Inbox.WORK_DIR).resolve("tmp").resolve("injected.part");
        ControlledForce channel = ControlledForce.failing(FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        IncomingFile file = new IncomingFile(inbox, List.of("report.txt"), temp, channel);
        file.write(ByteBuffer.wrap("first attempt".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> file.commit(null, "ab".repeat(32)))
                .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");

        assertThat(channel.forces.get()).as("force calls on the descriptor").isEqualTo(1);
        assertThat(channel.isOpen()).as("descriptor closed").isFalse();
        assertThat(workFiles(inbox)).as("temporary file or commit marker left").isEmpty();
        assertThat(inboxFiles(inbox)).as("anything published").isEmpty();
        assertThatThrownBy(() -> file.commit(null, "ab".repeat(32))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already abandoned");
        assertThatThrownBy(() -> file.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        assertThat(channel.forces.get()).isEqualTo(1);
    }

    @Test
    void theFileSentAgainAfterAFailedForceIsStoredUnderItsOwnName() throws Exception {
        Inbox inbox = new Inbox(dir.resolve("inbox"), ConflictPolicy.RENAME);
        Path temp = inbox.root().resolve(Inbox.WORK_DIR).resolve("tmp").resolve("injected.part");
        IncomingFile failed = new IncomingFile(inbox, List.of("report.txt"), temp,
                ControlledForce.failing(FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)));
        failed.write(ByteBuffer.wrap("first attempt".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(failed::commit).isInstanceOf(IOException.class);

        StoredFile stored;
        try (IncomingFile again = inbox.begin(List.of("report.txt"))) {
            again.write(ByteBuffer.wrap("whole file".getBytes(StandardCharsets.UTF_8)));
            stored = again.commit();
        }

        assertThat(stored.relativeName()).isEqualTo("report.txt");
        assertThat(inbox.root().resolve("report.txt")).hasContent("whole file");
        assertThat(workFiles(inbox)).isEmpty();
    }

    private static List<Path> workFiles(Inbox inbox) throws IOException {
        try (Stream<Path> files = Files.list(inbox.root().resolve(Inbox.WORK_DIR).resolve("tmp"))) {
            return files.toList();
        }
    }

    private static List<Path> inboxFiles(Inbox inbox) throws IOException {
        try (Stream<Path> files = Files.list(inbox.root())) {
            return files.filter(p -> !p.getFileName().toString().equals(Inbox.WORK_DIR)).toList();
        }
    }

    @Test
    void theSendersModificationTimeIsSetBeforeTheForceSoThatOneForceMakesItDurable() throws Exception {
        Inbox inbox = new Inbox(dir.resolve("inbox"), ConflictPolicy.RENAME);
        Path temp = inbox.root().resolve(Inbox.WORK_DIR).resolve("tmp").resolve("timed.part");
        ControlledForce channel = new ControlledForce(FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        IncomingFile file = new IncomingFile(inbox, List.of("timed.txt"), temp, channel);
        file.write(ByteBuffer.wrap("content".getBytes(StandardCharsets.UTF_8)));
        FileTime sent = FileTime.fromMillis(1_600_000_000_000L);

        channel.hold();
        CompletableFuture<StoredFile> commit = CompletableFuture.supplyAsync(() -> {
            try {
                return file.commit(sent);
            } catch (IOException | InboxNameException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.forcing.get() == 1);
        FileTime whileForcing = Files.getLastModifiedTime(temp);
        channel.release();

        assertThat(whileForcing).isEqualTo(sent);
        assertThat(Files.getLastModifiedTime(commit.get().path())).isEqualTo(sent);
        assertThat(channel.forces.get()).isEqualTo(1);
    }
}
