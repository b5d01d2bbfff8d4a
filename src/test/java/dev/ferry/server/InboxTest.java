package dev.ferry.server;

import dev.ferry.config.ConflictPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InboxTest {
    @TempDir
    Path dir;

    private Path inboxRoot() {
        return dir.resolve("inbox");
    }

    private Inbox inbox(ConflictPolicy policy) throws IOException {
        return new Inbox(inboxRoot(), policy);
    }

    private static StoredFile store(Inbox inbox, String name, String content) throws Exception {
        try (IncomingFile file = inbox.begin(InboxNames.checkRelativePath(name))) {
            file.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            return file.commit();
        }
    }

    private static List<String> inboxContent(Inbox inbox) throws IOException {
        Path work = inbox.root().resolve(Inbox.WORK_DIR);
        try (Stream<Path> files = Files.walk(inbox.root())) {
            return files.filter(p -> !p.equals(inbox.root()) && !p.startsWith(work))
                    .map(p -> inbox.root().relativize(p).toString())
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static List<Path> tempFiles(Inbox inbox) throws IOException {
        try (Stream<Path> files = Files.list(inbox.root().resolve(Inbox.WORK_DIR).resolve("tmp"))) {
            return files.collect(Collectors.toList());
        }
    }

    @Test
    void createsRootAndWorkFolder() throws IOException {
        Inbox inbox = inbox(ConflictPolicy.RENAME);

        assertThat(inbox.root()).isDirectory();
        assertThat(inbox.root().resolve(".ferry").resolve("tmp")).isDirectory();
        assertThat(inboxContent(inbox)).isEmpty();
    }

    @Test
    void commitPublishesExactBytes() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);

        StoredFile stored = store(inbox, "hello.txt", "hello, inbox\n");

        assertThat(stored.path()).isEqualTo(inbox.root().resolve("hello.txt"));
        assertThat(stored.relativeName()).isEqualTo("hello.txt");
        assertThat(stored.size()).isEqualTo(13);
        assertThat(stored.path()).hasContent("hello, inbox\n");
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @Test
    void storesAnEmptyFile() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);

        StoredFile stored = store(inbox, "empty", "");

        assertThat(stored.size()).isZero();
        assertThat(stored.path()).isEmptyFile();
    }

    @Test
    void nothingIsVisibleInTheInboxBeforeCommit() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        IncomingFile file = inbox.begin(List.of("sub", "report.pdf"));

        file.write(ByteBuffer.wrap(new byte[1000]));

        assertThat(inboxContent(inbox)).isEmpty();
        assertThat(tempFiles(inbox)).singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).matches("[0-9a-f]{32}\\.part"))
                .satisfies(p -> assertThat(p).hasSize(1000));
        assertThat(file.size()).isEqualTo(1000);

        file.commit();

        assertThat(inboxContent(inbox)).containsExactly("sub", "sub/report.pdf");
    }

    @Test
    void abandonRemovesTheTempFileAndIsIdempotent() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        IncomingFile file = inbox.begin(List.of("a.txt"));
        file.write(ByteBuffer.wrap(new byte[10]));

        file.abandon();
        file.abandon();
        file.close();

        assertThat(tempFiles(inbox)).isEmpty();
        assertThat(inboxContent(inbox)).isEmpty();
        assertThatThrownBy(() -> file.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(file::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWithoutCommitAbandons() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);

        try (IncomingFile file = inbox.begin(List.of("a.txt"))) {
            file.write(ByteBuffer.wrap(new byte[10]));
        }

        assertThat(tempFiles(inbox)).isEmpty();
        assertThat(inboxContent(inbox)).isEmpty();
    }

    @Test
    void closeAfterCommitKeepsTheFile() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        IncomingFile file = inbox.begin(List.of("a.txt"));
        file.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
        StoredFile stored = file.commit();

        file.close();
        file.abandon();

        assertThat(stored.path()).hasContent("x");
        assertThatThrownBy(file::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void createsSubFolders() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);

        StoredFile stored = store(inbox, "Ünïcødé/日本語 файл/c.txt", "deep");

        assertThat(stored.relativeName()).isEqualTo("Ünïcødé/日本語 файл/c.txt");
        assertThat(stored.path()).isEqualTo(inbox.root().resolve("Ünïcødé").resolve("日本語 файл").resolve("c.txt"));
        assertThat(stored.path()).hasContent("deep");
        assertThat(store(inbox, "Ünïcødé/d.txt", "next").path()).hasContent("next");
    }

    @Test
    void beginRefusesSegmentsThatWereNotValidated() throws IOException {
        Inbox inbox = inbox(ConflictPolicy.RENAME);

        assertThatThrownBy(() -> inbox.begin(List.of("..", "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> inbox.begin(List.of("a/b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> inbox.begin(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @ParameterizedTest(name = "hard links {0}")
    @ValueSource(booleans = {true, false})
    void renamePolicyNumbersCopies(boolean hardLinks) throws Exception {
        Inbox inbox = new Inbox(inboxRoot(), ConflictPolicy.RENAME, hardLinks);

        StoredFile first = store(inbox, "d/a.txt", "one");
        StoredFile second = store(inbox, "d/a.txt", "two");
        StoredFile third = store(inbox, "d/a.txt", "three");

        assertThat(first.relativeName()).isEqualTo("d/a.txt");
        assertThat(second.relativeName()).isEqualTo("d/a (1).txt");
        assertThat(third.relativeName()).isEqualTo("d/a (2).txt");
        assertThat(first.path()).hasContent("one");
        assertThat(second.path()).hasContent("two");
        assertThat(third.path()).hasContent("three");
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @Test
    void numberGoesBeforeTheLastExtension() {
        assertThat(Inbox.numbered("report.pdf", 1)).isEqualTo("report (1).pdf");
        assertThat(Inbox.numbered("archive.tar.gz", 2)).isEqualTo("archive.tar (2).gz");
        assertThat(Inbox.numbered("noext", 1)).isEqualTo("noext (1)");
        assertThat(Inbox.numbered(".bashrc", 1)).isEqualTo(".bashrc (1)");
        assertThat(Inbox.numbered(".config.json", 3)).isEqualTo(".config (3).json");
    }

    @Test
    void renameRefusesWhenTheNumberedNameWouldBeTooLong() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        String name = "x".repeat(251) + ".txt";
        store(inbox, name, "one");

        assertThatThrownBy(() -> store(inbox, name, "two"))
                .isInstanceOf(InboxNameException.class)
                .hasMessageContaining("already exists in the inbox and the renamed copy is refused too")
                .hasMessageContaining("over the limit of 255");
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @Test
    void overwritePolicyReplaces() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.OVERWRITE);
        store(inbox, "a.txt", "old content");

        StoredFile stored = store(inbox, "a.txt", "new");

        assertThat(stored.relativeName()).isEqualTo("a.txt");
        assertThat(stored.path()).hasContent("new");
        assertThat(inboxContent(inbox)).containsExactly("a.txt");
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @Test
    void overwritePolicyRefusesToReplaceAFolder() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.OVERWRITE);
        Files.createDirectory(inbox.root().resolve("a.txt"));

        assertThatThrownBy(() -> store(inbox, "a.txt", "new"))
                .isInstanceOf(InboxNameException.class)
                .hasMessageContaining("is a folder in the inbox");
        assertThat(inbox.root().resolve("a.txt")).isEmptyDirectory();
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @ParameterizedTest(name = "hard links {0}")
    @ValueSource(booleans = {true, false})
    void rejectPolicyRefusesAndKeepsTheOldFile(boolean hardLinks) throws Exception {
        Inbox inbox = new Inbox(inboxRoot(), ConflictPolicy.REJECT, hardLinks);
        store(inbox, "a.txt", "old");

        assertThatThrownBy(() -> store(inbox, "a.txt", "new"))
                .isInstanceOf(InboxNameException.class)
                .hasMessage("name 'a.txt' refused: it already exists in the inbox (on-conflict = reject)");
        assertThat(inbox.root().resolve("a.txt")).hasContent("old");
        assertThat(inboxContent(inbox)).containsExactly("a.txt");
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @Test
    void refusesAFileWhereAFolderIsNeeded() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        store(inbox, "a", "a file");

        assertThatThrownBy(() -> store(inbox, "a/b.txt", "x"))
                .isInstanceOf(InboxNameException.class)
                .hasMessage("name 'a/b.txt' refused: 'a' exists in the inbox and is not a folder");
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sub/x.txt", "real/sub/x.txt", "sub/deeper/x.txt"})
    void refusesASymlinkedSubFolder(String name) throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        Path outside = Files.createDirectory(dir.resolve("outside"));
        Path linkParent = name.startsWith("real/") ? Files.createDirectory(inbox.root().resolve("real")) : inbox.root();
        Files.createSymbolicLink(linkParent.resolve("sub"), outside);

        assertThatThrownBy(() -> store(inbox, name, "escaped?"))
                .isInstanceOf(InboxNameException.class)
                .hasMessageContaining("folder '" + (name.startsWith("real/") ? "real/sub" : "sub")
                        + "' in the inbox is a symbolic link");
        assertThat(outside).isEmptyDirectory();
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @ParameterizedTest(name = "hard links {0}")
    @ValueSource(booleans = {true, false})
    void renamePolicyNeverFollowsASymlinkAtTheFinalName(boolean hardLinks) throws Exception {
        Inbox inbox = new Inbox(inboxRoot(), ConflictPolicy.RENAME, hardLinks);
        Path target = Files.writeString(dir.resolve("victim.txt"), "precious");
        Files.createSymbolicLink(inbox.root().resolve("a.txt"), target);

        StoredFile stored = store(inbox, "a.txt", "attacker data");

        assertThat(stored.relativeName()).isEqualTo("a (1).txt");
        assertThat(stored.path()).hasContent("attacker data");
        assertThat(target).hasContent("precious");
        assertThat(Files.isSymbolicLink(inbox.root().resolve("a.txt"))).isTrue();
    }

    @ParameterizedTest(name = "hard links {0}")
    @ValueSource(booleans = {true, false})
    void renamePolicyNeverFollowsADanglingSymlinkAtTheFinalName(boolean hardLinks) throws Exception {
        Inbox inbox = new Inbox(inboxRoot(), ConflictPolicy.RENAME, hardLinks);
        Path target = dir.resolve("created-through-link.txt");
        Files.createSymbolicLink(inbox.root().resolve("a.txt"), target);

        StoredFile stored = store(inbox, "a.txt", "data");

        assertThat(stored.relativeName()).isEqualTo("a (1).txt");
        assertThat(Files.exists(target, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void overwritePolicyRefusesASymlinkAtTheFinalName() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.OVERWRITE);
        Path target = Files.writeString(dir.resolve("victim.txt"), "precious");
        Files.createSymbolicLink(inbox.root().resolve("a.txt"), target);

        assertThatThrownBy(() -> store(inbox, "a.txt", "attacker data"))
                .isInstanceOf(InboxNameException.class)
                .hasMessageContaining("is a symbolic link in the inbox");
        assertThat(target).hasContent("precious");
        assertThat(Files.isSymbolicLink(inbox.root().resolve("a.txt"))).isTrue();
        assertThat(tempFiles(inbox)).isEmpty();
    }

    @Test
    void removesStaleTempFilesWhenOpened() throws Exception {
        Inbox crashed = inbox(ConflictPolicy.RENAME);
        IncomingFile interrupted = crashed.begin(List.of("a.txt"));
        interrupted.write(ByteBuffer.wrap(new byte[100]));
        Files.writeString(crashed.root().resolve(".ferry/tmp/0123456789abcdef.part"), "left over");
        assertThat(tempFiles(crashed)).hasSize(2);

        Inbox reopened = inbox(ConflictPolicy.RENAME);

        assertThat(tempFiles(reopened)).isEmpty();
        interrupted.abandon();
    }

    @Test
    void keepsPublishedFilesWhenReopened() throws Exception {
        store(inbox(ConflictPolicy.RENAME), "keep/me.txt", "kept");

        Inbox reopened = inbox(ConflictPolicy.RENAME);

        assertThat(inboxContent(reopened)).containsExactly("keep", "keep/me.txt");
    }

    @ParameterizedTest(name = "hard links {0}")
    @ValueSource(booleans = {true, false})
    void concurrentCommitsOfOneNameGiveDistinctFiles(boolean hardLinks) throws Exception {
        Inbox inbox = new Inbox(inboxRoot(), ConflictPolicy.RENAME, hardLinks);
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<StoredFile>> results = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                String content = "content of sender " + i;
                Callable<StoredFile> sender = () -> {
                    try (IncomingFile file = inbox.begin(List.of("same", "name.txt"))) {
                        file.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                        start.await();
                        return file.commit();
                    }
                };
                results.add(pool.submit(sender));
            }
            start.countDown();

            List<StoredFile> stored = new ArrayList<>();
            for (Future<StoredFile> result : results) {
                stored.add(result.get(30, TimeUnit.SECONDS));
            }

            assertThat(stored).extracting(StoredFile::relativeName).doesNotHaveDuplicates().hasSize(threads)
                    .contains("same/name.txt", "same/name (7).txt");
            List<String> contents = new ArrayList<>();
            for (StoredFile file : stored) {
                contents.add(Files.readString(file.path()));
            }
            assertThat(contents).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, threads).mapToObj(i -> "content of sender " + i).toList());
            assertThat(tempFiles(inbox)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void storesALargeWriteExactly() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        byte[] data = new byte[5 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        ByteBuffer buffer = ByteBuffer.wrap(data);

        StoredFile stored;
        try (IncomingFile file = inbox.begin(List.of("big.bin"))) {
            file.write(buffer);
            assertThat(buffer.hasRemaining()).isFalse();
            assertThat(buffer.limit()).isEqualTo(data.length);
            assertThat(file.size()).isEqualTo(data.length);
            stored = file.commit();
        }

        assertThat(stored.size()).isEqualTo(data.length);
        assertThat(Files.readAllBytes(stored.path())).isEqualTo(data);
    }

    @Test
    void writesOnlyTheRemainingBytesOfEachBuffer() throws Exception {
        Inbox inbox = inbox(ConflictPolicy.RENAME);
        ByteBuffer direct = ByteBuffer.allocateDirect(200_000);
        for (int i = 0; i < direct.capacity(); i++) {
            direct.put((byte) i);
        }
        direct.position(3).limit(150_003);

        StoredFile stored;
        try (IncomingFile file = inbox.begin(List.of("slice.bin"))) {
            file.write(direct);
            file.write(ByteBuffer.wrap(new byte[] {1, 2, 3}, 1, 2));
            stored = file.commit();
        }

        byte[] bytes = Files.readAllBytes(stored.path());
        assertThat(bytes).hasSize(150_002);
        assertThat(bytes[0]).isEqualTo((byte) 3);
        assertThat(bytes[149_999]).isEqualTo((byte) 150_002);
        assertThat(bytes[150_000]).isEqualTo((byte) 2);
        assertThat(bytes[150_001]).isEqualTo((byte) 3);
        assertThat(direct.position()).isEqualTo(150_003);
        assertThat(direct.limit()).isEqualTo(150_003);
    }
}
