package dev.ferry.wire;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * DATA frames through {@link FrameWriter} and {@link FrameReader} on an in-memory byte stream: the
 * copies and length checks the wire layer adds on top of the socket. One operation is one frame
 * (MODE, M1, M2) of {@code payloadBytes}: 4 KiB (a small file) and 64 KiB (the default block).
 * {@code write} ends with a flush, as the client does per file; {@code read} reads frames from an
 * endless stream of the same frame; {@code roundTrip} writes one and reads it back.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameBenchmark {
    @Param({"4096", "65536"})
    int payloadBytes;

    private byte[] payload;
    private byte[] into;
    private FrameWriter discardingWriter;
    private FrameReader endlessReader;
    private ArraySink sink;
    private ArraySource source;
    private FrameWriter writer;
    private FrameReader reader;

    @Setup
    public void setUp() throws IOException {
        payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) 0x5a);
        into = new byte[payloadBytes];
        FrameLimits limits = FrameLimits.none().with(Mode.DATA, payloadBytes, "benchmark");

        discardingWriter = new FrameWriter(OutputStream.nullOutputStream());

        ArraySink one = new ArraySink(payloadBytes + 16);
        FrameWriter encoder = new FrameWriter(one);
        encoder.writeFrame(Mode.DATA, payload);
        encoder.flush();
        endlessReader = new FrameReader(new RepeatingSource(Arrays.copyOf(one.bytes, one.count)), limits);

        sink = new ArraySink(payloadBytes + 16);
        source = new ArraySource(sink);
        writer = new FrameWriter(sink);
        reader = new FrameReader(source, limits);
    }

    @Benchmark
    public void write() throws IOException {
        discardingWriter.writeFrame(Mode.DATA, payload);
        discardingWriter.flush();
    }

    @Benchmark
    public int read() throws IOException {
        return readOne(endlessReader);
    }

    @Benchmark
    public int roundTrip() throws IOException {
        sink.count = 0;
        writer.writeFrame(Mode.DATA, payload);
        writer.flush();
        source.position = 0;
        return readOne(reader);
    }

    private int readOne(FrameReader frames) throws IOException {
        Mode mode = frames.readMode();
        int length = frames.readLength(mode);
        frames.readBody(into, 0, length, "DATA");
        return length;
    }

    /** An output stream into a fixed array, emptied by resetting {@code count}. */
    private static final class ArraySink extends OutputStream {
        final byte[] bytes;
        int count;

        ArraySink(int capacity) {
            bytes = new byte[capacity];
        }

        @Override
        public void write(int b) {
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }
    }

    /** Reads what an {@link ArraySink} holds, from {@code position}; at the end, -1 until rewound. */
    private static final class ArraySource extends InputStream {
        private final ArraySink sink;
        int position;

        ArraySource(ArraySink sink) {
            this.sink = sink;
        }

        @Override
        public int read() {
            return position < sink.count ? sink.bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= sink.count) {
                return -1;
            }
            int n = Math.min(len, sink.count - position);
            System.arraycopy(sink.bytes, position, b, off, n);
            position += n;
            return n;
        }
    }

    /** The same bytes over and over, without end. */
    private static final class RepeatingSource extends InputStream {
        private final byte[] bytes;
        private int position;

        RepeatingSource(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            int b = bytes[position] & 0xff;
            position = (position + 1) % bytes.length;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = Math.min(len, bytes.length - position);
            System.arraycopy(bytes, position, b, off, n);
            position = (position + n) % bytes.length;
            return n;
        }
    }
}
