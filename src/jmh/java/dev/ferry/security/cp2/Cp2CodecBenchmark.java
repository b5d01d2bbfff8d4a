package dev.ferry.security.cp2;

import dev.ferry.security.SealException;
import dev.ferry.wire.Mode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cp2 DATA path: {@link Cp2Codec#seal} on the client and {@link Cp2Codec#open} on the server,
 * AES-256-GCM over one block. Operations per second times the block size is the codec's MB/s on
 * one core; {@code sealThenOpen} is both ends of a connection on one thread (open alone is the
 * difference: a GCM opener only accepts the next message of its peer, so it cannot be looped on
 * its own). Blocks of 64 KiB (the client's default block-size) and 1 MiB (the server's max-block).
 * Setup runs {@link GcmSealer#warmUp}, as the cp2 plugin's warm-up thread does at an agent's start: without it a
 * few seconds of JMH warm-up measure the cold cipher (PERFORMANCE-NOTES.md, trap 1).
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Cp2CodecBenchmark {
    @Param({"65536", "1048576"})
    int blockBytes;

    private Cp2Codec client;
    private Cp2Codec server;
    private byte[] plain;
    private byte[] sealed;
    private byte[] opened;

    @Setup
    public void setUp() {
        GcmSealer.warmUp();
        SecureRandom random = new SecureRandom();
        byte[] toServer = new byte[32];
        byte[] toClient = new byte[32];
        random.nextBytes(toServer);
        random.nextBytes(toClient);
        // Two codecs on the same keys: each end counts its own nonces, as across a real connection.
        client = new Cp2Codec(new GcmSealer(toServer), new GcmSealer(toClient));
        server = new Cp2Codec(new GcmSealer(toServer), new GcmSealer(toClient));
        plain = new byte[blockBytes];
        random.nextBytes(plain);
        sealed = new byte[client.sealedLength(blockBytes)];
        opened = new byte[blockBytes];
    }

    @Benchmark
    public int seal() {
        return client.seal(Mode.DATA, plain, 0, plain.length, sealed);
    }

    @Benchmark
    public int sealThenOpen() throws SealException {
        int n = client.seal(Mode.DATA, plain, 0, plain.length, sealed);
        return server.open(Mode.DATA, sealed, 0, n, opened);
    }
}
