package dev.ferry.security.cp1;

import dev.ferry.security.SealException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cp1 payload encoding with an RSA-2048 key (the size {@code ferry certs init} makes): one
 * chunk of k - 66 = 190 bytes encrypted (client) and decrypted (server) per operation, and a
 * 64 KiB block decoded by the server's pool on every core, as {@link Cp1Plugin} sets it up.
 * Decryption bounds cp1 (PERFORMANCE-NOTES.md): {@code decodeChunk} times 190 bytes is one core's
 * MB/s, {@code decodeBlock} times 64 KiB the machine's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Cp1ChunksBenchmark {
    private static final int BLOCK = 64 * 1024;

    private Cp1Chunks encoder;
    private Cp1Chunks decoder;
    private Cp1Chunks parallelDecoder;
    private byte[] piece;
    private byte[] chunk;
    private byte[] encodedBlock;
    private byte[] plainOut;

    @Setup
    public void setUp() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        encoder = new Cp1Chunks(null, keys.getPublic(), 1);
        decoder = new Cp1Chunks(keys.getPrivate(), null, 1);
        parallelDecoder = new Cp1Chunks(keys.getPrivate(), null, Runtime.getRuntime().availableProcessors());
        SecureRandom random = new SecureRandom();
        piece = new byte[encoder.chunkPlain()];
        random.nextBytes(piece);
        chunk = new byte[encoder.chunkSize()];
        encoder.encode(piece, 0, piece.length, chunk);
        byte[] block = new byte[BLOCK];
        random.nextBytes(block);
        encodedBlock = new byte[encoder.encodedLength(BLOCK)];
        encoder.encode(block, 0, BLOCK, encodedBlock);
        plainOut = new byte[decoder.maxPlainLength(encodedBlock.length)];
    }

    @TearDown
    public void tearDown() {
        encoder.close();
        decoder.close();
        parallelDecoder.close();
    }

    @Benchmark
    public int encodeChunk() {
        return encoder.encode(piece, 0, piece.length, chunk);
    }

    @Benchmark
    public int decodeChunk() throws SealException {
        return decoder.decode(chunk, 0, chunk.length, plainOut);
    }

    @Benchmark
    public int decodeBlock() throws SealException {
        return parallelDecoder.decode(encodedBlock, 0, encodedBlock.length, plainOut);
    }
}
