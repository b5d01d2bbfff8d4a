package dev.ferry.transfer;

import dev.ferry.security.cp2.GcmSealer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The client's cp2 DATA path per 64 KiB block, as {@link FileSender} runs it: the block is read into a
 * buffer (here copied from memory, as from the page cache), added to the file's SHA-256 and sealed
 * with AES-256-GCM. {@code inline}: the digest on the same thread, as before; {@code pipelined}:
 * handed to {@link PipelinedDigest}'s thread. Operations per second times 64 KiB is the rate of one
 * connection's sending thread when the machine has a core to spare for the digest (the server's
 * path is the same with open instead of seal and a file write instead of the read).
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DigestPathBenchmark {
    private static final int BLOCK = 64 * 1024;

    @Param({"inline", "pipelined"})
    String digest;

    private byte[] source;
    private byte[] sealed;
    private GcmSealer sealer;
    private PipelinedDigest digests;

    @Setup(Level.Trial)
    public void setUp() {
        GcmSealer.warmUp();
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[32];
        random.nextBytes(key);
        sealer = new GcmSealer(key);
        source = new byte[BLOCK];
        random.nextBytes(source);
        sealed = new byte[BLOCK + GcmSealer.TAG];
        // Files above the inline limit are pipelined; "inline" sets a limit no file reaches.
        digests = new PipelinedDigest(FileSender.DIGEST_DEPTH, "inline".equals(digest) ? Long.MAX_VALUE : 0);
    }

    @Setup(Level.Iteration)
    public void startFile() throws IOException {
        digests.start(Digests.sha256(), Long.MAX_VALUE - 1);
    }

    @TearDown(Level.Iteration)
    public void finishFile() throws IOException {
        digests.finish();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        digests.close();
    }

    @Benchmark
    public int block() throws IOException {
        byte[] buffer = digests.buffer(BLOCK);
        System.arraycopy(source, 0, buffer, 0, BLOCK);
        digests.update(buffer, BLOCK);
        return sealer.seal(1, buffer, 0, BLOCK, sealed);
    }
}
