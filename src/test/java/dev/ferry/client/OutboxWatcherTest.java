package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.ferry.testing.SpecialFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboxWatcherTest {

    private static final List<String> DEFAULT_EXCLUDES = List.of(".*", "*.part", "*.tmp", "*~");
    private static final Duration SETTLE = Duration.ofMillis(200);
    private static final Duration NO_RESCAN = Duration.ofHours(1);
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<OutboxFile> handed = new CopyOnWriteArrayList<>();
    private final List<OutboxWatcher> watchers = new ArrayList<>();

    private Path outbox() {
        return dir.resolve("outbox");
    }

    private OutboxWatcher start(Duration settle, Duration rescan, Set<Path> skipDirs, List<String> excludes,
                                Consumer<OutboxFile> ready) throws IOException {
        OutboxWatcher watcher = new OutboxWatcher(outbox(), new ExcludeRules(excludes), settle, rescan, skipDirs, ready);
        watchers.add(watcher);
        watcher.start();
        return watcher;
    }

    private OutboxWatcher start(Duration settle, Duration rescan) throws IOException {
        return start(settle, rescan, Set.of(), DEFAULT_EXCLUDES, handed::add);
    }

    @AfterEach
    void closeWatchers() {
        watchers.forEach(OutboxWatcher::close);
    }

    private Path write(String relativeName, String content) throws IOException {
        Path path = outbox().resolve(relativeName);
        Files.createDirectories(path.getParent());
        return Files.writeString(path, content);
    }

    private long timesHanded(String relativeName) {
        return handed.stream().filter(f -> f.relativeName().equals(relativeName)).count();
    }

    private List<String> handedNames() {
        return handed.stream().map(OutboxFile::relativeName).toList();
    }

    private void awaitHanded(String relativeName, long times) {
        await().atMost(DEADLINE).until(() -> timesHanded(relativeName) >= times);
    }

    /** Writes a plain file and waits until it is handed over: anything found earlier has settled by then. */
    private void barrier(String relativeName) throws IOException {
        write(relativeName, "barrier");
        awaitHanded(relativeName, 1);
    }

    @Test
    void handsOverFilesPresentAtStartOnceSettled() throws IOException {
        write("a.txt", "alpha");
        write("sub/b.txt", "beta");
        write("empty.bin", "");

        start(SETTLE, NO_RESCAN);

        await().atMost(DEADLINE).until(() -> handed.size() == 3);
        assertThat(handed).extracting(OutboxFile::relativeName, OutboxFile::size)
                .containsExactlyInAnyOrder(
                        tuple("a.txt", 5L),
                        tuple("sub/b.txt", 4L),
                        tuple("empty.bin", 0L));
        assertThat(handed).allSatisfy(f -> assertThat(f.isUnchanged()).isTrue());
    }

    @Test
    void createsTheOutboxAndHandsOverNewFilesAndFilesInNewNestedFolders() throws IOException {
        start(SETTLE, NO_RESCAN);

        write("top.txt", "top");
        write("x/y/z/deep.txt", "deep");
        write("x/y/mid.txt", "mid");

        await().atMost(DEADLINE).until(() -> handed.size() == 3);
        assertThat(handedNames()).containsExactlyInAnyOrder("top.txt", "x/y/z/deep.txt", "x/y/mid.txt");
        assertThat(handed).filteredOn(f -> f.relativeName().equals("x/y/z/deep.txt"))
                .singleElement().satisfies(f -> assertThat(f.path()).isEqualTo(outbox().resolve("x/y/z/deep.txt")));
    }

    @Test
    void handsOverAFileWrittenSlowlyOnceWithItsFinalSize() throws Exception {
        start(Duration.ofSeconds(1), NO_RESCAN);
        Path slow = outbox().resolve("slow.bin");
        byte[] piece = new byte[1000];

        for (int i = 0; i < 4; i++) {
            Files.write(slow, piece, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            TimeUnit.MILLISECONDS.sleep(600);
        }

        awaitHanded("slow.bin", 1);
        barrier("after.txt");
        assertThat(handed).filteredOn(f -> f.relativeName().equals("slow.bin"))
                .singleElement().satisfies(f -> assertThat(f.size()).isEqualTo(4000));
    }

    @Test
    void neverHandsOverExcludedFilesButHandsOverThemOnceRenamed() throws IOException {
        start(SETTLE, NO_RESCAN);

        write("x.part", "partial");
        write(".hidden", "h");
        write(".sent/a.txt", "archived");
        write("sub/y.tmp", "t");
        write("z~", "backup");
        barrier("plain.txt");

        assertThat(handedNames()).containsExactly("plain.txt");

        Files.move(outbox().resolve("x.part"), outbox().resolve("x.bin"));

        awaitHanded("x.bin", 1);
    }

    @Test
    void skipsSymbolicLinksWithOneWarningEachAndWithoutFollowingThem() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path target = Files.writeString(outside.resolve("target.txt"), "secret");
        Files.writeString(Files.createDirectories(outside.resolve("folder")).resolve("inner.txt"), "inner");
        Files.createDirectories(outbox());
        Path fileLink = Files.createSymbolicLink(outbox().resolve("link.txt"), target);
        Path dirLink = Files.createSymbolicLink(outbox().resolve("linked-folder"), outside.resolve("folder"));

        try (CapturedLog log = new CapturedLog(OutboxWatcher.class)) {
            // Rescans every 20 ms: the links are seen many times before the barrier settles.
            start(SETTLE, Duration.ofMillis(20));
            barrier("plain.txt");

            assertThat(handedNames()).containsExactly("plain.txt");
            assertThat(log.lines(Level.WARN, "skipped path=" + fileLink + " ", "symbolic link")).hasSize(1);
            assertThat(log.lines(Level.WARN, "skipped path=" + dirLink + " ", "symbolic link")).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "character device"})
    void skipsAFifoOrADeviceWithOneWarningAndWithoutBlocking(String kind) throws Exception {
        Files.createDirectories(outbox());
        Path special = outbox().resolve("special");
        Assumptions.assumeTrue(kind.equals("fifo") ? SpecialFiles.mkfifo(special) : SpecialFiles.mknodNull(special),
                "cannot make a " + kind + " here (mkfifo missing, or mknod without root or CAP_MKNOD)");

        try (CapturedLog log = new CapturedLog(OutboxWatcher.class)) {
            start(SETTLE, Duration.ofMillis(20));
            barrier("plain.txt");
            write("later.txt", "later");
            awaitHanded("later.txt", 1);

            assertThat(handedNames()).containsExactlyInAnyOrder("plain.txt", "later.txt");
            assertThat(log.lines(Level.WARN, "skipped path=" + special + " ", "not a regular file")).hasSize(1);
        }
    }

    @Test
    void handedFileIsNotHandedAgainBeforeReleaseAndIsAfterReleaseOnceSettled() throws IOException {
        OutboxWatcher watcher = start(SETTLE, Duration.ofMillis(50));
        Path file = write("a.txt", "first");
        awaitHanded("a.txt", 1);

        Files.writeString(file, "second, longer");
        barrier("b.txt");

        assertThat(timesHanded("a.txt")).isEqualTo(1);

        watcher.release(file);

        awaitHanded("a.txt", 2);
        assertThat(handed.get(handed.size() - 1)).satisfies(f -> {
            assertThat(f.relativeName()).isEqualTo("a.txt");
            assertThat(f.size()).isEqualTo("second, longer".length());
        });
    }

    @Test
    void releasedFileThatIsGoneIsNotHandedAgain() throws IOException {
        OutboxWatcher watcher = start(SETTLE, NO_RESCAN);
        Path file = write("a.txt", "data");
        awaitHanded("a.txt", 1);

        Files.delete(file);
        watcher.release(file);
        barrier("b.txt");

        assertThat(handedNames()).containsExactly("a.txt", "b.txt");
        await().atMost(DEADLINE).until(() -> watcher.pending() == 1);
    }

    @Test
    void pendingCountsFilesWaitingAndFilesNotYetReleased() throws IOException {
        OutboxWatcher watcher = start(SETTLE, NO_RESCAN);
        List<Path> files = List.of(write("1.txt", "1"), write("2.txt", "2"), write("3.txt", "3"));

        await().atMost(DEADLINE).until(() -> watcher.pending() == 3);
        await().atMost(DEADLINE).until(() -> handed.size() == 3);
        assertThat(watcher.pending()).isEqualTo(3);

        for (Path file : files) {
            Files.delete(file);
            watcher.release(file);
        }

        await().atMost(DEADLINE).until(() -> watcher.pending() == 0);
    }

    @Test
    void ignoresSkipDirsInsideTheOutbox() throws IOException {
        write("archive/old.txt", "old");
        Path archive = outbox().resolve("archive");
        start(SETTLE, Duration.ofMillis(20), Set.of(archive), DEFAULT_EXCLUDES, handed::add);

        write("archive/new.txt", "new");
        write("archive/deep/x.txt", "x");
        barrier("plain.txt");

        assertThat(handedNames()).containsExactly("plain.txt");
    }

    @Test
    void neverHandsOverTheOutboxLockFile() throws IOException {
        OutboxLock lock = OutboxLock.acquire(outbox());
        try {
            start(SETTLE, Duration.ofMillis(20), Set.of(), List.of(), handed::add);

            barrier("plain.txt");

            assertThat(handedNames()).containsExactly("plain.txt");
        } finally {
            lock.close();
        }
    }

    @Test
    void handsOverTwoHundredFilesDroppedAtOnceExactlyOnce() throws IOException {
        OutboxWatcher watcher = start(SETTLE, Duration.ofMillis(100));

        for (int i = 0; i < 200; i++) {
            write("batch/f" + i + ".dat", "content " + i);
        }

        await().atMost(DEADLINE).until(() -> handed.size() >= 200);
        barrier("after.txt");
        assertThat(handedNames()).hasSize(201).doesNotHaveDuplicates();
        assertThat(watcher.pending()).isEqualTo(201);
    }

    @Test
    void rescanFindsFilesWhoseEventsWereLost() throws IOException {
        start(SETTLE, Duration.ofMillis(300));

        // The watch stays on the moved-away folder, so nothing reports files in the new one.
        Files.move(outbox(), dir.resolve("outbox-old"));
        Files.createDirectories(outbox());
        write("unseen.txt", "only the rescan finds me");

        awaitHanded("unseen.txt", 1);
        write("sub/after.txt", "watched again");
        awaitHanded("sub/after.txt", 1);
    }

    @Test
    void callbackFailureIsLoggedAndTheFileIsHandedOverAgainLater() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (CapturedLog log = new CapturedLog(OutboxWatcher.class)) {
            start(SETTLE, Duration.ofMillis(100), Set.of(), DEFAULT_EXCLUDES, file -> {
                if (calls.getAndIncrement() == 0) {
                    throw new IllegalStateException("queue refused");
                }
                handed.add(file);
            });

            write("a.txt", "a");

            awaitHanded("a.txt", 1);
            assertThat(calls).hasValue(2);
            assertThat(log.lines(Level.WARN, "ready callback failed", "a.txt")).hasSize(1);
        }
    }

    @Test
    void outboxThatIsASymbolicLinkToAFolderIsWatchedUnderItsOwnPath() throws IOException {
        Path real = Files.createDirectories(dir.resolve("real-outbox"));
        Files.writeString(real.resolve("before.txt"), "before");
        Files.createSymbolicLink(outbox(), real);
        start(SETTLE, NO_RESCAN);

        write("sub/after.txt", "after");

        await().atMost(DEADLINE).until(() -> handed.size() == 2);
        assertThat(handed).extracting(OutboxFile::path)
                .containsExactlyInAnyOrder(outbox().resolve("before.txt"), outbox().resolve("sub/after.txt"));
    }

    @Test
    void closeIsIdempotentAndStopsTheWatcherThread() throws IOException {
        OutboxWatcher watcher = start(SETTLE, NO_RESCAN);

        watcher.close();
        watcher.close();

        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("ferry-watch") && t.isAlive());
    }
}
