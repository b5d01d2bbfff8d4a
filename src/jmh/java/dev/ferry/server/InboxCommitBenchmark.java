package dev.ferry.server;

import dev.ferry.config.ConflictPolicy;
import dev.ferry.transfer.DeliveryException;
import dev.ferry.transfer.Store;
import org.apache.commons.io.file.PathUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's store path for small files alone, without network, codec or client: each operation
 * stores one 4 KiB file as a commit thread does (temporary file, write, set its time, force,
 * publish through a commit marker, force the folder, record and force the receipt). 32 threads,
 * as {@code ferry.server.commit-threads}; operations per second are files per second, the ceiling
 * of the small-files benchmark on this disk. Run it on an idle machine, and not within a minute of
 * deleting many files on the same file system (docs/BENCHMARKS.md, "Fairness").
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InboxCommitBenchmark {
    private static final int SIZE = 4096;

    private final AtomicLong names = new AtomicLong();
    private final byte[] content = new byte[SIZE];
    private Path root;
    private Receipts receipts;
    private InboxStore store;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("ferry-commit-bench");
        Inbox inbox = new Inbox(root.resolve("inbox"), ConflictPolicy.RENAME);
        receipts = Receipts.open(root.resolve("inbox/.ferry/receipts.log"), Duration.ofDays(7), Clock.systemUTC());
        store = new InboxStore(inbox, receipts, new PartialFiles(root.resolve("inbox/.ferry/partial"), 32 << 20), 0);
        ThreadLocalRandom.current().nextBytes(content);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        receipts.close();
        PathUtils.deleteDirectory(root);
    }

    @Benchmark
    @Threads(32)
    public String storeOneFile() throws DeliveryException {
        byte[] id = new byte[32];
        ThreadLocalRandom.current().nextBytes(id);
        Store.Upload upload = store.begin("batch/f" + names.incrementAndGet(), SIZE, null);
        try {
            upload.write(content, 0, SIZE);
            return upload.commit(System.currentTimeMillis(), id);
        } finally {
            upload.close();
        }
    }
}
