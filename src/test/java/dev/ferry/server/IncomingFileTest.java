package dev.ferry.server;

import dev.ferry.config.ConflictPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link IncomingFile} does when forcing its data to disk fails: after a failed fsync the
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
        FailingForce channel = new FailingForce(FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        IncomingFile file = new IncomingFile(inbox, List.of("report.txt"), temp, channel);
        file.write(ByteBuffer.wrap("first attempt".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> file.commit(null, "ab".repeat(32)))
                .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");

        assertThat(channel.forces).as("force calls on the descriptor").isEqualTo(1);
        assertThat(channel.isOpen()).as("descriptor closed").isFalse();
        assertThat(workFiles(inbox)).as("temporary file or commit marker left").isEmpty();
        assertThat(inboxFiles(inbox)).as("anything published").isEmpty();
        assertThatThrownBy(() -> file.commit(null, "ab".repeat(32))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already abandoned");
        assertThatThrownBy(() -> file.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        assertThat(channel.forces).isEqualTo(1);
    }

    @Test
    void theFileSentAgainAfterAFailedForceIsStoredUnderItsOwnName() throws Exception {
        Inbox inbox = new Inbox(dir.resolve("inbox"), ConflictPolicy.RENAME);
        Path temp = inbox.root().resolve(Inbox.WORK_DIR).resolve("tmp").resolve("injected.part");
        IncomingFile failed = new IncomingFile(inbox, List.of("report.txt"), temp,
                new FailingForce(FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)));
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

    /** A real file channel whose {@code force} fails as fsync(2) does on a failing disk (EIO). */
    private static final class FailingForce extends FileChannel {
        private final FileChannel real;
        private int forces;

        FailingForce(FileChannel real) {
            this.real = real;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forces++;
            throw new IOException("Input/output error (injected fsync failure)");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
